//! The engine in a process of its own, so its memory is measured apart from the sandbox's:
//! `duet bench engine` runs the demo customers map over the environments in its
//! environment variables and answers one JSON line per command read from stdin.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, bail};
use duet_connect::{Credentials, DataverseClient, FinOpsClient, TokenProvider};
use duet_engine::{Engine, EngineSettings, MapState, ResumeMode, SystemClock};
use duet_maps::TableMap;
use duet_store::{DataDirLock, EnvironmentRecord, LinkRecord, Store};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

use super::memory::peak_rss_mb;
use super::sandbox::SandboxProcess;

/// The map every measurement runs: the demo customers map (Customers V3 ↔ accounts).
pub const MAP: &str = "customers";

/// The benchmark's side of the engine process.
pub struct EngineProcess {
    child: Child,
    input: ChildStdin,
    output: Lines<BufReader<ChildStdout>>,
}

impl EngineProcess {
    /// Starts `duet bench engine` on a fresh store in `data`, over `sandbox`.
    pub fn start(data: &Path, sandbox: &SandboxProcess) -> anyhow::Result<EngineProcess> {
        let mut child = Command::new(std::env::current_exe()?)
            .args(["bench", "engine", "--data"])
            .arg(data)
            .envs(sandbox.env.iter())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .context("starting the engine process")?;
        let input = child.stdin.take().context("the engine's input")?;
        let output = BufReader::new(child.stdout.take().context("the engine's output")?).lines();
        Ok(EngineProcess {
            child,
            input,
            output,
        })
    }

    /// Sends one command and reads its answer.
    pub async fn call(&mut self, command: &str) -> anyhow::Result<Value> {
        self.input
            .write_all(format!("{command}\n").as_bytes())
            .await?;
        self.input.flush().await?;
        let line =
            self.output.next_line().await?.with_context(|| {
                format!("the engine process ended before answering '{command}'")
            })?;
        let answer: Value = serde_json::from_str(&line)?;
        if let Some(error) = answer.get("error").and_then(Value::as_str) {
            bail!("the engine refused '{command}': {error}");
        }
        Ok(answer)
    }

    pub async fn quit(mut self) {
        let _ = self.call("quit").await;
        let _ = self.child.wait().await;
    }
}

/// The process side: an engine over a fresh store, answering commands until `quit`.
pub async fn serve(data: PathBuf) -> anyhow::Result<()> {
    let engine = start_engine(&data)?;
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut out = tokio::io::stdout();
    while let Some(command) = lines.next_line().await? {
        let answer = match answer(&engine, command.trim()).await {
            Ok(Some(answer)) => answer,
            Ok(None) => {
                engine.engine.shutdown().await;
                out.write_all(b"{}\n").await?;
                out.flush().await?;
                return Ok(());
            }
            Err(error) => json!({ "error": format!("{error:#}") }),
        };
        out.write_all(format!("{answer}\n").as_bytes()).await?;
        out.flush().await?;
    }
    engine.engine.shutdown().await;
    Ok(())
}

struct Running {
    /// Keeps any other Duet off the data directory while this engine runs on it.
    _lock: DataDirLock,
    engine: Arc<Engine>,
    store: Arc<Store>,
    dataverse: Arc<DataverseClient>,
}

/// One command's answer; `None` for `quit`.
async fn answer(running: &Running, command: &str) -> anyhow::Result<Option<Value>> {
    let engine = &running.engine;
    let started = Instant::now();
    let answer = match command {
        "run" => {
            engine.run(MAP).await?;
            wait_for(engine, MapState::Running).await?;
            json!({ "seconds": started.elapsed().as_secs_f64() })
        }
        "pause" => {
            engine.pause(MAP).await?;
            json!({})
        }
        "resume" => {
            engine.resume(MAP, ResumeMode::CatchUp).await?;
            wait_for(engine, MapState::Running).await?;
            json!({ "seconds": started.elapsed().as_secs_f64() })
        }
        "depth" => {
            let (queued, parked, failed) = running.store.queue_depth(MAP)?;
            json!({ "queued": queued, "parked": parked, "failed": failed })
        }
        "stats" => {
            let dataverse = running.dataverse.concurrency();
            let (rows, errors) = running.store.map_counts(MAP)?;
            json!({
                "peakRssMb": peak_rss_mb(std::process::id()),
                "dataverseAnswered": dataverse.answered,
                "dataverseThrottled": dataverse.throttled,
                "rows": rows,
                "errors": errors,
            })
        }
        "quit" => return Ok(None),
        other => match other.strip_prefix("queued ") {
            // Changes still queued whose row key holds the text: those of one workload.
            Some(text) => json!({ "queued": running.store.queued_count(MAP, text)? }),
            None => bail!("unknown command '{other}'"),
        },
    };
    Ok(Some(answer))
}

/// Waits until the map is in `state`; a map that stops or fails says why.
async fn wait_for(engine: &Engine, state: MapState) -> anyhow::Result<()> {
    let mut watch = engine.watch_map(MAP);
    loop {
        let map = watch.next().await?;
        if map.state == state {
            return Ok(());
        }
        if matches!(map.state, MapState::Error | MapState::Stopped) {
            bail!(
                "the map is {:?}: {}",
                map.state,
                map.reason.unwrap_or_default()
            );
        }
    }
}

/// A store in `data` with the environments of the variables `sandbox up` prints, linked
/// with both generated companies, the demo map stored, and an engine over them.
fn start_engine(data: &Path) -> anyhow::Result<Running> {
    let var = |key: &str| std::env::var(key).with_context(|| format!("{key} is not set"));
    let (fo_url, dv_url, token_url) = (
        var("DUET_FO_URL")?,
        var("DUET_DV_URL")?,
        var("DUET_TOKEN_URL")?,
    );
    let (client_id, secret) = (var("DUET_CLIENT_ID")?, var("DUET_CLIENT_SECRET")?);
    std::fs::create_dir_all(data)?;
    let lock = DataDirLock::acquire(data)?;
    let store = Arc::new(Store::open(&data.join("duet.sqlite"))?);
    let environment = |kind: &str, url: &str| EnvironmentRecord {
        id: 0,
        kind: kind.to_owned(),
        name: kind.to_owned(),
        url: url.to_owned(),
        token_url: token_url.clone(),
        tenant: std::env::var("DUET_TENANT").unwrap_or_default(),
        client_id: client_id.clone(),
        sandbox: true,
        ca_certificate: None,
        added_at: chrono::Utc::now().to_rfc3339(),
    };
    let finance_operations_id =
        store.add_environment(&environment("financeOperations", &fo_url))?;
    let dataverse_id = store.add_environment(&environment("dataverse", &dv_url))?;
    store.save_link(&LinkRecord {
        finance_operations_id,
        dataverse_id,
        companies: vec!["DAT".to_owned(), "USMF".to_owned()],
        linked_at: chrono::Utc::now().to_rfc3339(),
    })?;
    store.ensure_map(MAP, &serde_json::to_value(TableMap::customers())?, "bench")?;
    let ca_file = std::env::var("DUET_CA_FILE").ok();
    let http = super::sandbox::sandbox_http(ca_file.as_deref())?;
    let tokens = Arc::new(TokenProvider::new(
        http.clone(),
        Credentials {
            token_url,
            client_id,
            client_secret: secret,
        },
    ));
    let dataverse = Arc::new(DataverseClient::new(http.clone(), tokens.clone(), &dv_url));
    let finops = Arc::new(FinOpsClient::new(http, tokens, &fo_url));
    let engine = Engine::new(
        store.clone(),
        finops,
        dataverse.clone(),
        Arc::new(SystemClock),
        EngineSettings::default(),
    );
    Ok(Running {
        _lock: lock,
        engine,
        store,
        dataverse,
    })
}
