//! What `duet` says about itself: `--version` names the release and the commit it was built
//! from, and `duet serve` prints where its data directory is.

use std::process::Command;

use crate::support::{duet_offline, serve_sandbox};

#[test]
fn version_names_the_release_and_the_commit() {
    let output = duet_offline(&["--version"]);
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    let release = format!("duet {} (", env!("CARGO_PKG_VERSION"));
    let commit = text
        .trim()
        .strip_prefix(&release)
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("not '{release}COMMIT)': {text}"));
    let head = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output();
    match head {
        Ok(head) if head.status.success() => {
            assert_eq!(commit, String::from_utf8_lossy(&head.stdout).trim())
        }
        _ => assert_eq!(commit, "commit unknown"),
    }
}

#[test]
fn serve_prints_its_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let served = serve_sandbox(dir.path());
    assert_eq!(
        served.lines["DUET_DATA_DIR"],
        dir.path().join("data").display().to_string()
    );
}
