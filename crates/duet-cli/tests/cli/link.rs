//! `duet link`: the link's status and environments, a reset's plan, and a second link refused.
//! `serve` needs a Secret Service (scripts/test provides one).

use std::process::Command;

use crate::support::{duet, serve_sandbox, start};

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

#[tokio::test]
async fn a_sandbox_started_elsewhere_is_added_with_its_certificate_authority() {
    let dir = tempfile::tempdir().unwrap();
    let served = serve_sandbox(&dir.path().join("duet"));
    let server = served.lines["DUET_UI_URL"].clone();
    // GIVEN a second sandbox, started on its own by `duet sandbox up`.
    let other = start(
        &[
            "sandbox",
            "up",
            "--dir",
            dir.path().join("other").to_str().unwrap(),
        ],
        "DUET_CLIENT_SECRET",
    );
    let env = &other.lines;
    // `duet link add` for its Dataverse at `url`, with DUET_CA_FILE set or not; answers the id.
    let add = |name: &str, url: &str, ca_file: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_duet"));
        command
            .args([
                "link",
                "add",
                "--kind",
                "dataverse",
                "--name",
                name,
                "--url",
                url,
            ])
            .args([
                "--tenant",
                &env["DUET_TENANT"],
                "--client-id",
                &env["DUET_CLIENT_ID"],
            ])
            .args(["--token-url", &env["DUET_TOKEN_URL"]])
            .env("DUET_UI_URL", &server)
            .env("DUET_CLIENT_SECRET", &env["DUET_CLIENT_SECRET"])
            .env_remove("DUET_CA_FILE");
        if let Some(file) = ca_file {
            command.env("DUET_CA_FILE", file);
        }
        let output = command.output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let printed = String::from_utf8_lossy(&output.stdout).into_owned();
        printed.split('\t').next().unwrap().to_owned()
    };
    let test = |id: &str| {
        Command::new(env!("CARGO_BIN_EXE_duet"))
            .args(["link", "test", id])
            .env("DUET_UI_URL", &server)
            .output()
            .unwrap()
    };
    // WHEN it is added with the authority DUET_CA_FILE names THEN it signs in.
    let trusted = add(
        "Other sandbox",
        &env["DUET_DV_URL"],
        Some(&env["DUET_CA_FILE"]),
    );
    let checked = test(&trusted);
    assert!(
        checked.status.success(),
        "{}{}",
        String::from_utf8_lossy(&checked.stdout),
        String::from_utf8_lossy(&checked.stderr)
    );
    // WHEN the same sandbox (under another host name) is added without it THEN its
    // certificate is not trusted, and the check says so.
    let url_again = env["DUET_DV_URL"].replace("127.0.0.1", "localhost");
    let untrusted = add("Untrusted sandbox", &url_again, None);
    let refused = test(&untrusted);
    assert!(!refused.status.success(), "an untrusted certificate fails");
    assert!(
        String::from_utf8_lossy(&refused.stdout).contains("certificate is not trusted"),
        "{}",
        String::from_utf8_lossy(&refused.stdout)
    );
}
