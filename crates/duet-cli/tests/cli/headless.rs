//! `duet serve` on a machine with no keyring at all: a copy of the binary alone in an empty
//! directory, with no D-Bus session and an empty runtime directory, so no Secret Service can
//! be reached. Secrets then come from `--secrets-file` or `DUET_SECRET_<NAME>` variables, and
//! without either the start fails saying so.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{keyring_service, spawn, start_command};

/// The variables of the embedded sandbox's two environments ("Sandbox finance and
/// operations", "Sandbox Dataverse").
const FINOPS_VARIABLE: &str = "DUET_SECRET_SANDBOX_FINANCE_AND_OPERATIONS";
const DATAVERSE_VARIABLE: &str = "DUET_SECRET_SANDBOX_DATAVERSE";

/// A directory for a test: the binary copied into `bin/` (empty but for it), and an empty
/// runtime directory.
pub(crate) struct Machine {
    pub(crate) dir: tempfile::TempDir,
    duet: PathBuf,
}

impl Machine {
    pub(crate) fn new() -> Machine {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        std::fs::create_dir(dir.path().join("run")).unwrap();
        let duet = bin.join("duet");
        std::fs::copy(env!("CARGO_BIN_EXE_duet"), &duet).unwrap();
        Machine { dir, duet }
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `duet serve` over `data/` (on a free loopback port unless `args` say `--listen`), run
    /// from `bin/` with no keyring reachable and none of Duet's variables but the test's.
    pub(crate) fn serve(&self, args: &[&str]) -> Command {
        let mut command = Command::new(&self.duet);
        command.args(["serve", "--data"]).arg(self.path("data"));
        if !args.contains(&"--listen") {
            command.args(["--port", "0"]);
        }
        command
            .args(args)
            .current_dir(self.duet.parent().unwrap())
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .env("XDG_RUNTIME_DIR", self.path("run"))
            .env("DUET_KEYRING_SERVICE", keyring_service());
        for variable in [
            "DUET_UI_DIR",
            "DUET_SECRETS_FILE",
            "DUET_TOKEN_FILE",
            "DUET_ACCESS_TOKEN",
            "DUET_PUBLIC_NAMES",
            FINOPS_VARIABLE,
            DATAVERSE_VARIABLE,
        ] {
            command.env_remove(variable);
        }
        command
    }
}

/// Runs `command` to its end, killing it after `seconds`; answers its output.
pub(crate) fn finished(mut command: Command, seconds: u64) -> Output {
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = spawn(&mut command);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let output = child.wait_with_output().unwrap();
            panic!(
                "duet still ran after {seconds} s: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.wait_with_output().unwrap()
}

/// Calls `command` on the Duet at `url` (its printed DUET_UI_URL) with its token; answers
/// the status and the JSON.
async fn answer(url: &str, command: &str, args: Value) -> (u16, Value) {
    let (origin, token) = url.split_once("/?token=").unwrap();
    let answer = reqwest::Client::new()
        .post(format!("{origin}/api/{command}"))
        .bearer_auth(token)
        .json(&args)
        .send()
        .await
        .unwrap();
    let status = answer.status().as_u16();
    (status, answer.json().await.unwrap())
}

/// [`answer`], which must be a success.
async fn call(url: &str, command: &str, args: Value) -> Value {
    let (status, body) = answer(url, command, args).await;
    assert_eq!(status, 200, "{command}: {body}");
    body
}

/// Tests the connection of every environment; answers each one's sign-in check status.
async fn sign_ins(url: &str) -> Vec<String> {
    let environments = call(url, "environments", json!({})).await;
    let mut statuses = Vec::new();
    for environment in environments.as_array().unwrap() {
        let checks = call(url, "test_connection", json!({ "id": environment["id"] })).await;
        let sign_in = checks
            .as_array()
            .unwrap()
            .iter()
            .find(|check| check["code"] == "DUET-H001")
            .unwrap_or_else(|| panic!("no sign-in check: {checks}"));
        statuses.push(sign_in["status"].as_str().unwrap().to_owned());
    }
    statuses
}

fn secrets_in(file: &Path) -> BTreeMap<String, String> {
    serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap()
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn without_a_keyring_a_secrets_file_keeps_the_secrets_and_the_api_works() {
    // GIVEN a copy of the binary alone, no Secret Service, and a secrets file not made yet.
    let machine = Machine::new();
    let file = machine.path("conf/secrets.json");
    let mut command = machine.serve(&["--sandbox", "--secrets-file"]);
    command.arg(&file);
    // WHEN it serves the sandbox.
    let served = start_command(command, "DUET_UI_URL");
    let url = &served.lines["DUET_UI_URL"];
    // THEN it serves its own UI, and the environments sign in with the secrets it kept.
    let page = reqwest::get(url.as_str()).await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("<title>Duet</title>"));
    assert_eq!(sign_ins(url).await, ["healthy", "healthy"]);
    // AND the file was made owner-only and holds the sandbox's secret for both environments.
    #[cfg(unix)]
    assert_eq!(mode(&file), 0o600);
    let identity: Value =
        serde_json::from_slice(&std::fs::read(machine.path("data/sandbox/sandbox.json")).unwrap())
            .unwrap();
    let secret = identity["client_secret"].as_str().unwrap();
    let held = secrets_in(&file);
    assert_eq!(held.len(), 2, "{:?}", held.keys());
    assert!(held.values().all(|value| value == secret));
}

#[test]
fn without_a_keyring_or_a_secrets_file_the_start_names_both_ways_out() {
    let machine = Machine::new();
    let output = finished(machine.serve(&["--sandbox"]), 60);
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{said}");
    assert!(said.contains("keyring could not be used"), "{said}");
    assert!(said.contains("--secrets-file PATH"), "{said}");
    assert!(
        said.contains(&format!("variable {FINOPS_VARIABLE}")),
        "{said}"
    );
}

#[cfg(unix)]
#[test]
fn a_secrets_file_others_may_read_is_refused_with_the_command_that_fixes_it() {
    use std::os::unix::fs::PermissionsExt;
    let machine = Machine::new();
    let file = machine.path("secrets.json");
    std::fs::write(&file, "{}\n").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let mut command = machine.serve(&["--secrets-file"]);
    command.arg(&file);
    let output = finished(command, 30);
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{said}");
    assert!(said.contains("mode 0644"), "{said}");
    assert!(
        said.contains(&format!("chmod 600 {}", file.display())),
        "{said}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "{}\n");
    assert!(
        !machine.path("data/duet.sqlite").exists(),
        "refused before the store opened"
    );
}

/// The sandbox's application user, written before its first start so the test knows the
/// secret it signs in with.
fn sandbox_identity(data: &Path, secret: &str) {
    let dir = data.join("sandbox");
    std::fs::create_dir_all(&dir).unwrap();
    let identity = json!({
        "tenant": "0b1c2d3e-0000-4000-8000-0000000000e5",
        "client_id": "5e6f7a8b-0000-4000-8000-0000000000e5",
        "client_secret": secret,
        "user_id": "00000000-0000-4000-8000-000000000001",
        "business_unit_id": "00000000-0000-4000-8000-000000000002",
        "organization_id": "00000000-0000-4000-8000-000000000003",
    });
    std::fs::write(dir.join("sandbox.json"), identity.to_string()).unwrap();
}

#[tokio::test]
async fn a_secret_given_in_its_variable_is_used_and_written_nowhere() {
    // GIVEN a sandbox whose secret the admin knows, and both environments' variables.
    let machine = Machine::new();
    let secret = format!("env-canary-{}", std::process::id());
    sandbox_identity(&machine.path("data"), &secret);
    let file = machine.path("secrets.json");
    let serve = |finops: &str| {
        let mut command = machine.serve(&["--sandbox", "--secrets-file"]);
        command
            .arg(&file)
            .env(FINOPS_VARIABLE, finops)
            .env(DATAVERSE_VARIABLE, &secret);
        command
    };
    // WHEN Duet serves it.
    let served = start_command(serve(&secret), "DUET_UI_URL");
    // THEN both sign in with it, and the secrets file and the store never held it.
    assert_eq!(
        sign_ins(&served.lines["DUET_UI_URL"]).await,
        ["healthy", "healthy"]
    );
    assert!(secrets_in(&file).is_empty(), "{:?}", secrets_in(&file));
    // AND a variable two environments' names would share gives neither a secret.
    let twin = json!({ "environment": {
        "kind": "dataverse", "name": "sandbox-dataverse", "url": "https://twin.crm.dynamics.com",
        "tokenUrl": "", "tenant": "twin", "clientId": "twin-app", "clientSecret": secret,
    }});
    let (status, refused) = answer(&served.lines["DUET_UI_URL"], "add_environment", twin).await;
    assert_eq!(status, 500, "{refused}");
    assert_eq!(refused["code"], "invalid_environment");
    let message = refused["message"].as_str().unwrap();
    assert!(message.contains(DATAVERSE_VARIABLE), "{message}");
    assert!(message.contains("'Sandbox Dataverse'"), "{message}");
    let environments = call(&served.lines["DUET_UI_URL"], "environments", json!({})).await;
    assert_eq!(
        environments.as_array().unwrap().len(),
        2,
        "not kept half-added"
    );
    drop(served);
    for entry in std::fs::read_dir(machine.path("data")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            let found = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
            assert!(!found, "the secret is in {}", path.display());
        }
    }
    // AND a variable is read before anything else: a wrong one is refused, not overwritten.
    let output = finished(serve("not-the-secret"), 60);
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{said}");
    assert!(said.contains(FINOPS_VARIABLE), "{said}");
    assert!(secrets_in(&file).is_empty());
}
