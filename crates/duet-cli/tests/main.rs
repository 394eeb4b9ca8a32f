//! The `duet` binary as a script uses it: printed `KEY=value` lines, real HTTP, and an API
//! that refuses callers without the printed access token. `serve` needs a Secret Service
//! (scripts/test provides one). The `duet maps` commands are in the `maps` module.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A running `duet` process, killed when the test ends however it ends.
struct Running {
    child: Child,
    lines: HashMap<String, String>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(args: &[&str], until: &str) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_duet"))
        .args(args)
        .env(
            "DUET_KEYRING_SERVICE",
            format!("dev.duet.app.cli-test.{}", std::process::id()),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("duet starts");
    let stdout = child.stdout.take().expect("stdout is piped");
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                return;
            }
        }
    });
    let mut running = Running {
        child,
        lines: HashMap::new(),
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while !running.lines.contains_key(until) {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = receiver
            .recv_timeout(left)
            .unwrap_or_else(|_| panic!("duet printed no {until} line within 60 s"));
        if let Some((key, value)) = line.split_once('=') {
            running.lines.insert(key.to_owned(), value.to_owned());
        }
    }
    running
}

#[tokio::test]
async fn sandbox_up_prints_its_settings_and_refuses_requests_without_a_token() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = start(
        &["sandbox", "up", "--dir", dir.path().to_str().unwrap()],
        "DUET_CLIENT_SECRET",
    );
    let env = &sandbox.lines;
    for key in [
        "DUET_FO_URL",
        "DUET_DV_URL",
        "DUET_TOKEN_URL",
        "DUET_TENANT",
        "DUET_CLIENT_ID",
    ] {
        assert!(env.contains_key(key), "sandbox up prints {key}");
    }
    let http = reqwest::Client::new();
    let who_am_i = format!("{}/api/data/v9.2/WhoAmI", env["DUET_DV_URL"]);
    // WHEN a request carries no bearer token THEN it is refused.
    let refused = http.get(&who_am_i).send().await.unwrap();
    assert_eq!(
        refused.status(),
        401,
        "the emulators require a token like the cloud does"
    );
    // WHEN the printed client signs in THEN the same request succeeds.
    let token: Value = http
        .post(&env["DUET_TOKEN_URL"])
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", env["DUET_CLIENT_ID"].as_str()),
            ("client_secret", env["DUET_CLIENT_SECRET"].as_str()),
            ("scope", &format!("{}/.default", env["DUET_DV_URL"])),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let answered = http
        .get(&who_am_i)
        .bearer_auth(token["access_token"].as_str().expect("a token"))
        .send()
        .await
        .unwrap();
    assert_eq!(answered.status(), 200);
    let finops = http
        .get(format!("{}/data/CustomersV3", env["DUET_FO_URL"]))
        .send()
        .await
        .unwrap();
    assert_eq!(
        finops.status(),
        401,
        "finance and operations refuses anonymous calls too"
    );
}

#[tokio::test]
async fn serve_guards_its_api_with_the_printed_access_token() {
    let dir = tempfile::tempdir().unwrap();
    let ui = dir.path().join("ui");
    std::fs::create_dir_all(&ui).unwrap();
    std::fs::write(ui.join("index.html"), "<!doctype html><title>Duet</title>").unwrap();
    let data = dir.path().join("data");
    let served = start(
        &[
            "serve",
            "--sandbox",
            "--port",
            "0",
            "--data",
            data.to_str().unwrap(),
            "--ui",
            ui.to_str().unwrap(),
        ],
        "DUET_UI_URL",
    );
    let ui_url = &served.lines["DUET_UI_URL"];
    assert!(
        ui_url.starts_with("http://127.0.0.1:"),
        "serve listens on loopback only: {ui_url}"
    );
    assert!(
        served.lines.contains_key("DUET_FO_URL"),
        "--sandbox prints the sandbox settings too"
    );
    let (origin, token) = ui_url
        .split_once("/?token=")
        .expect("the URL carries its token");
    let http = reqwest::Client::new();

    let page = http.get(format!("{origin}/maps")).send().await.unwrap();
    assert_eq!(
        page.status(),
        200,
        "client-side routes fall back to index.html"
    );

    let refused = http
        .post(format!("{origin}/api/maps"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    let error: Value = refused.json().await.unwrap();
    assert_eq!(
        error["code"], "unauthorized",
        "errors cross as {{code, message}}"
    );

    let maps: Value = http
        .post(format!("{origin}/api/maps"))
        .bearer_auth(token)
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(maps[0]["name"], "customers", "--sandbox adds the demo map");

    let unknown = http
        .post(format!("{origin}/api/no_such_command"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    assert_eq!(
        unknown.json::<Value>().await.unwrap()["code"],
        "unknown_command"
    );

    let bad = http
        .post(format!("{origin}/api/run_map"))
        .bearer_auth(token)
        .json(&serde_json::json!({"nom": "customers"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        bad.status(),
        400,
        "missing arguments are the caller's error"
    );
    let bad: Value = bad.json().await.unwrap();
    assert!(
        bad["message"].as_str().unwrap().contains("name"),
        "the message names what is missing: {bad}"
    );

    let events = http
        .get(format!("{origin}/api/events?token={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(events.status(), 200);
    assert_eq!(
        events.headers()["content-type"],
        "text/event-stream",
        "the browser's live updates are server-sent events"
    );
}

fn duet(args: &[&str], server: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_duet"))
        .args(args)
        .env("DUET_UI_URL", server)
        .output()
        .expect("duet runs");
    assert!(
        output.status.success(),
        "duet {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8 output")
}

#[tokio::test]
async fn maps_and_logs_commands_drive_a_running_duet() {
    let dir = tempfile::tempdir().unwrap();
    let ui = dir.path().join("ui");
    std::fs::create_dir_all(&ui).unwrap();
    std::fs::write(ui.join("index.html"), "<!doctype html>").unwrap();
    let data = dir.path().join("data");
    let served = start(
        &[
            "serve",
            "--sandbox",
            "--port",
            "0",
            "--data",
            data.to_str().unwrap(),
            "--ui",
            ui.to_str().unwrap(),
        ],
        "DUET_UI_URL",
    );
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
    let http = reqwest::Client::new();
    let token: Value = http
        .post(&env["DUET_TOKEN_URL"])
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", env["DUET_CLIENT_ID"].as_str()),
            ("client_secret", env["DUET_CLIENT_SECRET"].as_str()),
            ("scope", &format!("{}/.default", env["DUET_FO_URL"])),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
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

fn duet_offline(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_duet"))
        .args(args)
        .env(
            "DUET_KEYRING_SERVICE",
            format!("dev.duet.app.cli-test.{}", std::process::id()),
        )
        .output()
        .expect("duet runs")
}

#[test]
fn scenario_list_prints_the_six_ids_and_run_ends_in_agreement() {
    // GIVEN nothing running. WHEN the scenarios are listed, THEN the six ids print in order.
    let listed = duet_offline(&["scenario", "list"]);
    assert!(listed.status.success());
    assert_eq!(
        String::from_utf8_lossy(&listed.stdout)
            .lines()
            .collect::<Vec<_>>(),
        [
            "new-new",
            "new-existing",
            "new-data-new",
            "new-data-existing",
            "existing-new",
            "existing-existing"
        ]
    );

    // WHEN one runs against a fresh sandbox in a data directory.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let ran = duet_offline(&[
        "scenario",
        "run",
        "new-data-existing",
        "--data",
        data.to_str().unwrap(),
        "--rows",
        "40",
        "--existing-rows",
        "10",
    ]);
    let stderr = String::from_utf8_lossy(&ran.stderr);
    let stdout = String::from_utf8_lossy(&ran.stdout);
    // THEN it exits 0, having printed each step and that both sides agree.
    assert!(ran.status.success(), "{stderr}\n{stdout}");
    assert!(
        stderr.contains("Bootstrap existing Dataverse rows"),
        "{stderr}"
    );
    assert!(stdout.contains("customers\tagree"), "{stdout}");
    assert!(stdout.contains("bootstrap\tmatched"), "{stdout}");

    // AND an unknown scenario exits non-zero with the reason.
    let unknown = duet_offline(&["scenario", "run", "old-old"]);
    assert!(!unknown.status.success());
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains("there is no scenario 'old-old'"),
        "{}",
        String::from_utf8_lossy(&unknown.stderr)
    );
}

#[tokio::test]
async fn link_commands_show_the_link_and_what_a_reset_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let ui = dir.path().join("ui");
    std::fs::create_dir_all(&ui).unwrap();
    std::fs::write(ui.join("index.html"), "<!doctype html>").unwrap();
    let data = dir.path().join("data");
    let served = start(
        &[
            "serve",
            "--sandbox",
            "--port",
            "0",
            "--data",
            data.to_str().unwrap(),
            "--ui",
            ui.to_str().unwrap(),
        ],
        "DUET_UI_URL",
    );
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

#[path = "cli/maps.rs"]
mod maps;
