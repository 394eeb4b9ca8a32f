//! The server recipes in deploy/ call the real CLI: the container's ENTRYPOINT and CMD and
//! the systemd unit's ExecStart use only flags `duet serve --help` lists, and the binary
//! accepts each argument list as it is written (it then stops at the first file it needs,
//! the TLS certificate, which does not exist here: nothing is bound or written).

use std::path::PathBuf;
use std::process::Command;

fn recipe(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../deploy")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The JSON array of the Containerfile instruction `instruction`.
fn exec_form(containerfile: &str, instruction: &str) -> Vec<String> {
    let line = containerfile
        .lines()
        .find_map(|line| line.strip_prefix(instruction)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("the Containerfile has no {instruction}"));
    serde_json::from_str(line)
        .unwrap_or_else(|e| panic!("{instruction} is not in JSON form ({e}): {line}"))
}

/// Checks `invocation` (the program, then its arguments) against the real `duet`.
fn check_invocation(invocation: &[String]) {
    assert!(invocation[0].ends_with("/duet"), "{invocation:?}");
    assert_eq!(invocation[1], "serve", "{invocation:?}");
    let help = Command::new(env!("CARGO_BIN_EXE_duet"))
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    for flag in invocation.iter().filter(|arg| arg.starts_with("--")) {
        let listed = help.lines().any(|line| {
            line.split_whitespace()
                .any(|word| word.trim_end_matches(',') == flag)
        });
        assert!(listed, "`duet serve --help` does not list {flag}:\n{help}");
    }
    let at = invocation
        .iter()
        .position(|arg| arg == "--tls-cert")
        .unwrap();
    let certificate = &invocation[at + 1];
    assert!(
        !std::path::Path::new(certificate).exists(),
        "{certificate} exists on this machine: the recipe would really start"
    );
    let mut command = Command::new(env!("CARGO_BIN_EXE_duet"));
    command.args(&invocation[1..]);
    for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("DUET_")) {
        command.env_remove(name);
    }
    let output = command.output().unwrap();
    let said = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(1),
        "not a usage error (2): {said}"
    );
    assert!(said.contains(&format!("reading {certificate}")), "{said}");
}

#[test]
fn the_containerfile_runs_duet_serve_as_the_cli_takes_it() {
    let containerfile = recipe("Containerfile");
    assert!(
        containerfile
            .lines()
            .any(|line| line.starts_with("FROM debian:") && line.ends_with("-slim"))
    );
    let mut invocation = exec_form(&containerfile, "ENTRYPOINT");
    invocation.extend(exec_form(&containerfile, "CMD"));
    check_invocation(&invocation);
    for flag in ["--listen", "--secrets-file", "--tls-key", "--data"] {
        assert!(invocation.iter().any(|arg| arg == flag), "no {flag}");
    }
}

#[test]
fn the_systemd_unit_runs_duet_serve_as_the_cli_takes_it() {
    let unit = recipe("duet.service");
    let exec = unit
        .lines()
        .find_map(|line| line.strip_prefix("ExecStart="))
        .expect("the unit has an ExecStart");
    assert!(
        !exec.contains(['"', '\'', '%', '$']),
        "quoting or specifiers: {exec}"
    );
    let invocation: Vec<String> = exec.split_whitespace().map(str::to_owned).collect();
    check_invocation(&invocation);
    let readme =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../README.md"))
            .unwrap();
    assert!(readme.contains(&unit), "README.md shows the unit as it is");
}
