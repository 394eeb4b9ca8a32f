//! `duet link`: the link's status and environments, a reset's plan, and a second link refused.
//! `serve` needs a Secret Service (scripts/test provides one).

use std::process::Command;

use crate::support::{duet, serve_sandbox};

#[tokio::test]
async fn link_commands_show_the_link_and_what_a_reset_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let served = serve_sandbox(dir.path());
    let server = served.lines["DUET_UI_URL"].clone();
    let status = duet(&["link", "status"], &server);
    assert!(
        status
            .starts_with("Sandbox finance and operations ↔ Sandbox Dataverse\tcompanies DAT,USMF"),
        "{status}"
    );
    assert!(status.contains("DUET-H003\thealthy"), "{status}");
    let environments = duet(&["link", "environments"], &server);
    assert_eq!(environments.lines().count(), 2, "{environments}");
    assert!(environments.lines().all(|line| line.ends_with("\tlinked")));
    let plan = duet(&["link", "reset"], &server);
    assert!(plan.contains("deletes\tThe link between"), "{plan}");
    assert!(
        plan.contains("confirm with\t--confirm 'Sandbox finance and operations'"),
        "{plan}"
    );
    // A second link is refused with the reason and a non-zero exit.
    let refused = Command::new(env!("CARGO_BIN_EXE_duet"))
        .args([
            "link",
            "create",
            "--finance-operations",
            "1",
            "--dataverse",
            "99",
            "--companies",
            "DAT",
        ])
        .env("DUET_UI_URL", &server)
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("no environment with id 99"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}
