//! Commands that act on a running Duet (`duet serve`) through its HTTP API, for scripts.

use std::path::PathBuf;

use anyhow::{Context, bail};
use duet_connect::Trust;
use serde_json::{Value, json};

/// A running Duet, reached through the `DUET_UI_URL` it printed.
pub struct Server {
    http: reqwest::Client,
    origin: String,
    token: String,
}

/// How to reach a running Duet: `--server` and, for one whose certificate comes from an
/// authority of its own, `--server-ca`.
#[derive(clap::Args)]
pub struct ServerArgs {
    /// The DUET_UI_URL printed by `duet serve`.
    #[arg(long, env = "DUET_UI_URL")]
    pub server: String,
    #[command(flatten)]
    pub trust: ServerTrust,
}

/// `--server-ca`: the certificate authority (PEM) of a `duet serve --listen` whose certificate
/// the system does not trust (a self-signed or internal one).
#[derive(clap::Args)]
pub struct ServerTrust {
    /// Trust this certificate authority (PEM file), and no other, for an HTTPS server whose
    /// certificate the system's authorities do not vouch for.
    #[arg(long, env = "DUET_SERVER_CA", global = true)]
    pub server_ca: Option<PathBuf>,
}

impl ServerArgs {
    pub fn connect(&self) -> anyhow::Result<Server> {
        Server::new(&self.server, &self.trust)
    }
}

impl Server {
    pub fn new(url: &str, trust: &ServerTrust) -> anyhow::Result<Server> {
        let (origin, token) = url
            .split_once("/?token=")
            .context("--server takes the DUET_UI_URL that `duet serve` printed (http://127.0.0.1:PORT/?token=…)")?;
        let trust = match &trust.server_ca {
            Some(path) => Trust::Only(
                std::fs::read_to_string(path)
                    .with_context(|| format!("reading --server-ca {}", path.display()))?,
            ),
            None => Trust::System,
        };
        // No overall time limit: a download of the whole log may take minutes.
        let http = duet_connect::trusting(reqwest::Client::builder(), &trust)
            .and_then(|builder| {
                builder
                    .build()
                    .map_err(|error| duet_connect::TrustError::Client(error.to_string()))
            })
            .context("--server-ca")?;
        Ok(Server {
            http,
            origin: origin.trim_end_matches('/').to_owned(),
            token: token.to_owned(),
        })
    }

    pub async fn call(&self, command: &str, args: Value) -> anyhow::Result<Value> {
        let response = self
            .http
            .post(format!("{}/api/{command}", self.origin))
            .bearer_auth(&self.token)
            .json(&args)
            .send()
            .await
            .map_err(|error| self.unreachable(&error))?;
        let status = response.status();
        let body: Value = response
            .json()
            .await
            .with_context(|| format!("Duet answered {status} without JSON"))?;
        if !status.is_success() {
            let message = body["message"].as_str().unwrap_or("unknown error");
            let code = body["code"].as_str().unwrap_or("unknown");
            bail!("{message} ({code})");
        }
        Ok(body)
    }
}

impl Server {
    /// Why the server could not be reached; a certificate it was refused for says how to
    /// trust it.
    fn unreachable(&self, error: &reqwest::Error) -> anyhow::Error {
        let causes = duet_connect::with_causes(error);
        if causes.contains("certificate") {
            anyhow::anyhow!(
                "Duet at {} answered with a certificate that is not trusted ({causes}); pass its \
                 certificate authority with --server-ca FILE (or DUET_SERVER_CA), or trust it in \
                 the system",
                self.origin
            )
        } else {
            anyhow::anyhow!("Duet at {} did not answer ({causes})", self.origin)
        }
    }

    /// Writes the body of `GET /api/<path>?<query>` to `out` as it arrives, a chunk at a
    /// time, so a large download never sits in memory.
    pub async fn download(
        &self,
        path: &str,
        query: &[(&str, String)],
        out: &mut dyn std::io::Write,
    ) -> anyhow::Result<()> {
        let mut response = self
            .http
            .get(format!("{}/api/{path}", self.origin))
            .bearer_auth(&self.token)
            .query(query)
            .send()
            .await
            .map_err(|error| self.unreachable(&error))?;
        let status = response.status();
        if !status.is_success() {
            let body: Value = response.json().await.unwrap_or_default();
            let message = body["message"].as_str().unwrap_or("unknown error");
            let code = body["code"].as_str().unwrap_or("unknown");
            bail!("{message} ({code})");
        }
        while let Some(chunk) = response
            .chunk()
            .await
            .context("the download was cut short")?
        {
            out.write_all(&chunk)?;
        }
        out.flush()?;
        Ok(())
    }
}

/// Prints a map as one line, or as JSON.
pub fn print_map(map: &Value, as_json: bool) {
    if as_json {
        println!("{map}");
        return;
    }
    println!(
        "{}\t{}\t{}\trows {}\terrors {}\tqueued {}\tparked {}\tfailed {}{}",
        map["name"].as_str().unwrap_or_default(),
        map["state"].as_str().unwrap_or_default(),
        map["title"].as_str().unwrap_or_default(),
        map["rowsSynced"],
        map["errors"],
        map["queued"],
        map["parked"],
        map["failed"],
        map["reason"]
            .as_str()
            .map(|reason| format!("\treason: {reason}"))
            .unwrap_or_default()
    );
}

pub fn print_log(entry: &Value) {
    let text = |field: &str| entry[field].as_str().unwrap_or("-").to_owned();
    let direction = match entry["direction"].as_str() {
        Some("toDataverse") => "F&O → Dataverse",
        Some("toFinanceOperations") => "Dataverse → F&O",
        _ => "-",
    };
    let latency = entry["latencyMs"]
        .as_i64()
        .map(|latency| format!("{latency} ms"))
        .unwrap_or_else(|| "-".to_owned());
    println!(
        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
        entry["id"],
        text("at"),
        text("map"),
        direction,
        text("key"),
        text("operation"),
        text("status"),
        latency,
        text("message")
    );
}

pub fn resume_args(name: &str, mode: &str) -> Value {
    json!({ "name": name, "mode": mode })
}
