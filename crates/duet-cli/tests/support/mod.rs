//! What the command-line tests share: `duet` started as a child process whose printed
//! `KEY=value` lines are collected, a Duet served over the sandbox, and one-shot commands
//! against a running Duet or none.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The keyring service the tests' `duet` processes keep their secrets under, private to this
/// test process.
pub(crate) fn keyring_service() -> String {
    format!("dev.duet.app.cli-test.{}", std::process::id())
}

/// A running `duet` process, killed when the test ends however it ends.
pub(crate) struct Running {
    child: Child,
    pub(crate) lines: HashMap<String, String>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills the process as `kill -9` does (no chance to clean up) and waits for it to end.
    pub(crate) fn kill_hard(&mut self) {
        self.child.kill().expect("duet is killed");
        self.child.wait().expect("duet ends");
    }
}

/// Starts `duet` with `args` and collects its `KEY=value` lines until it has printed `until`.
pub(crate) fn start(args: &[&str], until: &str) -> Running {
    let mut command = Command::new(env!("CARGO_BIN_EXE_duet"));
    command
        .args(args)
        .env("DUET_KEYRING_SERVICE", keyring_service());
    start_command(command, until)
}

/// Starts `command` (a `duet`) and collects its `KEY=value` lines until it has printed
/// `until`.
pub(crate) fn start_command(mut command: Command, until: &str) -> Running {
    command.stdout(Stdio::piped()).stderr(Stdio::inherit());
    let mut child = spawn(&mut command);
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

/// Spawns `command`. A binary copied a moment ago can be busy for a moment: a process
/// another test forked while the copy was open holds it until that process runs its own
/// program, so a start refused for that is tried again.
pub(crate) fn spawn(command: &mut Command) -> Child {
    let mut attempts = 0;
    loop {
        match command.spawn() {
            Err(error)
                if error.kind() == std::io::ErrorKind::ExecutableFileBusy && attempts < 50 =>
            {
                attempts += 1;
                std::thread::sleep(Duration::from_millis(20));
            }
            started => return started.expect("duet starts"),
        }
    }
}

/// `duet serve --sandbox` on a free port, with its data and a stand-in UI under `dir`.
pub(crate) fn serve_sandbox(dir: &Path) -> Running {
    let ui = dir.join("ui");
    std::fs::create_dir_all(&ui).unwrap();
    std::fs::write(ui.join("index.html"), "<!doctype html>").unwrap();
    let data = dir.join("data");
    start(
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
    )
}

/// A client that trusts the certificate authority (`DUET_CA_FILE`) that `env` printed, and no
/// other: how a script reaches the sandbox over HTTPS.
pub(crate) fn sandbox_http(env: &HashMap<String, String>) -> reqwest::Client {
    let pem = std::fs::read_to_string(&env["DUET_CA_FILE"]).expect("the sandbox's authority");
    duet_connect::http_client(&duet_connect::Trust::Only(pem)).expect("a client")
}

/// Signs in as the sandbox client that `env` printed, for `resource`; answers the token
/// endpoint's JSON.
pub(crate) async fn sign_in(
    http: &reqwest::Client,
    env: &HashMap<String, String>,
    resource: &str,
) -> Value {
    try_sign_in(http, env, resource)
        .await
        .expect("the token endpoint answers JSON")
}

/// [`sign_in`], answering nothing when the token endpoint cannot be reached or answers no
/// JSON (a sandbox that went down with a killed Duet).
pub(crate) async fn try_sign_in(
    http: &reqwest::Client,
    env: &HashMap<String, String>,
    resource: &str,
) -> Option<Value> {
    http.post(&env["DUET_TOKEN_URL"])
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", env["DUET_CLIENT_ID"].as_str()),
            ("client_secret", env["DUET_CLIENT_SECRET"].as_str()),
            ("scope", &format!("{resource}/.default")),
        ])
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()
}

/// Runs one `duet` command against the Duet at `server` and answers what it printed.
pub(crate) fn duet(args: &[&str], server: &str) -> String {
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

/// Runs one `duet` command that needs no running Duet.
pub(crate) fn duet_offline(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_duet"))
        .args(args)
        .env("DUET_KEYRING_SERVICE", keyring_service())
        .output()
        .expect("duet runs")
}
