//! Driving a running Duet's maps from the command line (pause, resume, rerun, stop, run)
//! and reading its logs. `serve` needs a Secret Service (scripts/test provides one).

use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{duet, sandbox_http, serve_sandbox, sign_in};

#[tokio::test]
async fn maps_and_logs_commands_drive_a_running_duet() {
    let dir = tempfile::tempdir().unwrap();
    let served = serve_sandbox(dir.path());
    let server = served.lines["DUET_UI_URL"].clone();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !duet(&["maps", "list"], &server).contains("\trunning\t") {
        assert!(
            Instant::now() < deadline,
            "the demo map never reached running"
        );
        std::thread::sleep(Duration::from_millis(200));
    }

    // GIVEN a paused map.
    let paused = duet(&["maps", "pause", "customers"], &server);
    assert!(
        paused.starts_with("customers\tpaused"),
        "pause answers with the map's new state: {paused}"
    );

    // WHEN a customer is created meanwhile, THEN it waits in the queue.
    let env = &served.lines;
    let http = sandbox_http(env);
    let token = sign_in(&http, env, &env["DUET_FO_URL"]).await;
    let created = http
        .post(format!("{}/data/CustomersV3", env["DUET_FO_URL"]))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .json(&serde_json::json!({"dataAreaId": "DAT", "CustomerAccount": "CLI-1", "OrganizationName": "From the CLI test"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let list = duet(&["maps", "list", "--json"], &server);
        let map: Value = serde_json::from_str(list.lines().next().unwrap()).unwrap();
        if map["queued"].as_i64().unwrap_or(0) >= 1 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the paused map never queued the change: {map}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }

    // WHEN it resumes by catching up THEN the logs show the row applied, with order and latency.
    let resumed = duet(
        &["maps", "resume", "customers", "--mode", "catch-up"],
        &server,
    );
    // Resuming while the queued change is applied, Running once it is (either may be seen).
    assert!(
        resumed.starts_with("customers\tresuming") || resumed.starts_with("customers\trunning"),
        "{resumed}"
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    let line = loop {
        let logs = duet(&["logs", "--map", "customers", "--json"], &server);
        let found = logs
            .lines()
            .map(|line| serde_json::from_str::<Value>(line).unwrap())
            .find(|entry| entry["key"] == "DAT|CLI-1" && entry["kind"] == "row");
        if let Some(found) = found {
            break found;
        }
        assert!(
            Instant::now() < deadline,
            "the caught-up row never reached the log"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(line["direction"], "toDataverse");
    assert_eq!(line["status"], "succeeded");
    assert!(line["id"].as_i64().is_some(), "each line carries its order");
    assert!(
        line["latencyMs"].as_i64().is_some(),
        "each applied change carries its latency"
    );
    let errors = duet(&["logs", "--errors", "--json"], &server);
    assert!(errors.trim().is_empty(), "no row failed: {errors}");

    // WHEN the map's initial sync is rerun THEN it runs again and the activity log says so;
    // rerunning failed rows only answers with the map (there are none here).
    let rerun = duet(&["maps", "rerun", "customers"], &server);
    assert!(rerun.starts_with("customers\t"), "{rerun}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !duet(&["logs", "--map", "customers"], &server)
        .contains("Rerun: the initial sync runs again")
    {
        assert!(Instant::now() < deadline, "the rerun never reached the log");
        std::thread::sleep(Duration::from_millis(200));
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while !duet(&["maps", "list"], &server).contains("\trunning\t") {
        assert!(
            Instant::now() < deadline,
            "the rerun map never reached running"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let failed_only = duet(&["maps", "rerun", "customers", "--failed-only"], &server);
    assert!(
        failed_only.starts_with("customers\trunning"),
        "{failed_only}"
    );

    // WHEN it is stopped and run again without an initial sync, THEN it goes live copying
    // nothing, and says so.
    let stopped = duet(&["maps", "stop", "customers"], &server);
    assert!(stopped.starts_with("customers\tstopped"), "{stopped}");
    let ran = duet(&["maps", "run", "customers", "--no-initial-sync"], &server);
    assert!(ran.starts_with("customers\t"), "{ran}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !duet(&["logs", "--map", "customers"], &server).contains("Initial sync skipped") {
        assert!(
            Instant::now() < deadline,
            "the run without an initial sync was never logged"
        );
        std::thread::sleep(Duration::from_millis(200));
    }

    // AND a wrong token is refused with a one-line reason and a non-zero exit.
    let refused = Command::new(env!("CARGO_BIN_EXE_duet"))
        .args(["maps", "list"])
        .env("DUET_UI_URL", server.replace("token=", "token=x"))
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("unauthorized"));
}
