//! `duet maps compare` and `duet maps promote` between two running Duets over real HTTP,
//! and from a package file.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::maps::{ok, run, serve, template};

fn write_package(path: &std::path::Path, maps: &[Value]) {
    let package = json!({"format": "duet.maps", "version": 1, "maps": maps});
    std::fs::write(path, package.to_string()).unwrap();
}

/// `duet maps promote` against `server`, answering the question with `answer`.
fn promote_answering(args: &[&str], server: &str, answer: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_duet"))
        .args(args)
        .env("DUET_UI_URL", server)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("duet runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(answer.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn compare_and_promote_from_another_running_duet_and_from_a_file() {
    let source_dir = tempfile::tempdir().unwrap();
    let target_dir = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let source = serve(source_dir.path());
    let target = serve(target_dir.path());
    // GIVEN currencies and units here (the target), and in the source currencies with one
    // field going one way only, and payment terms.
    let seed = work.path().join("seed.json");
    write_package(&seed, &[template("currencies"), template("units")]);
    ok(
        &["maps", "import", seed.to_str().unwrap()],
        Some(&target.url),
    );
    let mut changed = template("currencies");
    changed["fields"][1]["direction"] = json!(">");
    let release = work.path().join("release.json");
    write_package(&release, &[changed, template("payment-terms")]);
    ok(
        &["maps", "import", release.to_str().unwrap()],
        Some(&source.url),
    );

    // WHEN the target is compared with the source Duet's URL.
    let compared = ok(
        &["maps", "compare", &source.url, "--json"],
        Some(&target.url),
    );
    let compared: Value = serde_json::from_str(compared.trim()).unwrap();
    // THEN every map is there with its status, the change by field, and no token shown.
    let statuses: Vec<(&str, &str)> = compared["maps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|map| {
            (
                map["name"].as_str().unwrap(),
                map["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            ("currencies", "changed"),
            ("payment-terms", "added"),
            ("units", "removed")
        ]
    );
    assert_eq!(
        compared["maps"][0]["diff"]["fields"][0]["changes"][0]["path"],
        "$.fields[1].direction"
    );
    let token = source.url.split("token=").nth(1).unwrap();
    assert!(!compared.to_string().contains(token), "{compared}");
    // AND as text, one line a map and each changed field under it.
    let text = ok(&["maps", "compare", &source.url], Some(&target.url));
    assert!(text.contains("changed\tcurrencies\tv1 → v2\n"), "{text}");
    assert!(text.contains("    changed field "), "{text}");
    assert!(text.contains("direction"), "{text}");
    assert!(text.contains("added\tpayment-terms\t-"), "{text}");
    assert!(text.contains("here only (kept)\tunits\tv1"), "{text}");

    // WHEN promoting is not confirmed THEN nothing changes.
    let declined = promote_answering(&["maps", "promote", &source.url], &target.url, "n\n");
    assert!(!declined.status.success());
    assert!(String::from_utf8_lossy(&declined.stderr).contains("not confirmed"));
    let again = ok(
        &["maps", "compare", &source.url, "--json"],
        Some(&target.url),
    );
    assert!(again.contains("\"changed\""), "{again}");

    // WHEN it is promoted with --yes THEN each map says what happened, as a version.
    let promoted = ok(
        &["maps", "promote", &source.url, "--yes"],
        Some(&target.url),
    );
    assert!(
        promoted.contains("updated\tcurrencies\tv1 → v2"),
        "{promoted}"
    );
    assert!(
        promoted.contains("added\tpayment-terms\tv1 (stopped)"),
        "{promoted}"
    );
    let shown = ok(&["maps", "show", "currencies", "--json"], Some(&target.url));
    let shown: Value = serde_json::from_str(shown.trim()).unwrap();
    assert_eq!(shown["fields"][1]["direction"], "toDataverse");
    // AND the file now compares as nothing to promote, and promoting it does nothing.
    let nothing = ok(
        &["maps", "promote", release.to_str().unwrap(), "--json"],
        Some(&target.url),
    );
    let nothing: Value = serde_json::from_str(nothing.trim()).unwrap();
    assert_eq!(nothing["maps"], json!([]), "{nothing}");
    assert_eq!(nothing["source"], "release.json");

    // WHEN the token is wrong THEN the other Duet's refusal is the reason.
    let wrong = source.url.replace(token, "wrong");
    let refused = run(&["maps", "compare", &wrong], Some(&target.url));
    assert!(!refused.status.success());
    let reason = String::from_utf8_lossy(&refused.stderr);
    assert!(
        reason.contains("refused the access token") && reason.contains("(remote)"),
        "{reason}"
    );
}
