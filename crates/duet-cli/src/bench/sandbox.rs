//! A sandbox in a process of its own (`duet sandbox up`), so its memory is measured apart
//! from the engine's; the benchmark reads what it prints to reach it.

use std::collections::HashMap;
use std::path::Path;
use std::process::Stdio;

use anyhow::{Context, bail};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The lines `sandbox up` prints that a client needs.
const NEEDED: [&str; 6] = [
    "DUET_FO_URL",
    "DUET_DV_URL",
    "DUET_TOKEN_URL",
    "DUET_CLIENT_ID",
    "DUET_CLIENT_SECRET",
    "DUET_CA_FILE",
];

/// An HTTP client that trusts the sandbox's certificate authority, and nothing else, when it
/// names one.
pub fn sandbox_http(ca_file: Option<&str>) -> anyhow::Result<reqwest::Client> {
    let trust = match ca_file.filter(|path| !path.is_empty()) {
        Some(path) => duet_connect::Trust::Only(
            std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?,
        ),
        None => duet_connect::Trust::System,
    };
    Ok(duet_connect::http_client(&trust)?)
}

pub struct SandboxProcess {
    child: Child,
    pub env: HashMap<String, String>,
}

impl SandboxProcess {
    /// Starts `duet sandbox up --dir DIR` with `args` and waits for its `KEY=value` lines.
    pub async fn start(dir: &Path, args: &[String]) -> anyhow::Result<SandboxProcess> {
        let mut child = Command::new(std::env::current_exe()?)
            .args(["sandbox", "up", "--dir"])
            .arg(dir)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .context("starting `duet sandbox up`")?;
        let stdout = child.stdout.take().context("the sandbox's output")?;
        let mut lines = BufReader::new(stdout).lines();
        let mut env = HashMap::new();
        while !NEEDED.iter().all(|key| env.contains_key(*key)) {
            let Some(line) = lines.next_line().await? else {
                bail!("the sandbox stopped before it printed its addresses");
            };
            if let Some((key, value)) = line.split_once('=') {
                env.insert(key.to_owned(), value.to_owned());
            }
        }
        Ok(SandboxProcess { child, env })
    }

    /// A client for this sandbox's HTTPS.
    pub fn http(&self) -> anyhow::Result<reqwest::Client> {
        sandbox_http(self.env.get("DUET_CA_FILE").map(String::as_str))
    }

    pub fn var(&self, key: &str) -> &str {
        self.env.get(key).map_or("", String::as_str)
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}
