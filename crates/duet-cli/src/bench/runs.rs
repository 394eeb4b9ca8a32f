//! The runs of one benchmark, each on a fresh sandbox process with its own engine process:
//! what they measure, not yet set against limits (`mod.rs` does that).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::Value;

use super::Plan;
use super::engine::EngineProcess;
use super::ingest::{self, Clients, Service};
use super::latency::{self, Direction, LATENCY_ROWS, Latencies};
use super::logs::{self, FirstPage};
use super::memory::peak_rss_mb;
use super::sandbox::SandboxProcess;

/// Peak resident memory of the engine and the sandbox processes after an initial sync.
#[derive(Debug, Clone, Copy)]
pub struct Peaks {
    pub engine_mb: f64,
    pub sandbox_mb: f64,
    pub rows: usize,
}

/// What the run over finance and operations rows measured.
pub struct ToDataverse {
    pub rate: f64,
    pub peaks: Peaks,
    pub catch_up_rate: f64,
    pub finops_ingest: f64,
}

/// Starts an engine over a fresh sandbox of `args` in `dir`.
async fn start(
    dir: &Path,
    args: &[String],
) -> anyhow::Result<(SandboxProcess, EngineProcess, Arc<Clients>)> {
    std::fs::create_dir_all(dir)?;
    let sandbox = SandboxProcess::start(&dir.join("sandbox"), args).await?;
    let engine = EngineProcess::start(&dir.join("engine"), &sandbox)?;
    let clients = Arc::new(Clients::of(&sandbox)?);
    Ok((sandbox, engine, clients))
}

fn number(answer: &Value, field: &str) -> f64 {
    answer
        .get(field)
        .and_then(Value::as_f64)
        .unwrap_or(f64::NAN)
}

/// Runs the initial sync and answers its rate over `rows` and the peaks right after it.
async fn initial_sync(
    sandbox: &SandboxProcess,
    engine: &mut EngineProcess,
    rows: usize,
) -> anyhow::Result<(f64, Peaks)> {
    let answer = engine.call("run").await?;
    let rate = rows as f64 / number(&answer, "seconds");
    let stats = engine.call("stats").await?;
    let peaks = Peaks {
        engine_mb: number(&stats, "peakRssMb"),
        sandbox_mb: sandbox.pid().and_then(peak_rss_mb).unwrap_or(f64::NAN),
        rows,
    };
    Ok((rate, peaks))
}

/// Initial sync of `plan.rows` customers to Dataverse, then live latency both ways, then a
/// Initial sync of `plan.rows` customers to Dataverse, then a catch-up, then the finance
/// and operations ingest rate on the same sandbox.
pub async fn to_dataverse(plan: &Plan, dir: &Path) -> anyhow::Result<ToDataverse> {
    let rows = plan.rows.to_string();
    let (sandbox, mut engine, clients) = start(dir, &["--rows".to_owned(), rows]).await?;
    let customers = clients
        .finops
        .count("CustomersV3", &[("cross-company", "true")])
        .await? as usize;
    let (rate, peaks) = initial_sync(&sandbox, &mut engine, customers).await?;
    let catch_up_rate = catch_up(&mut engine, &clients, plan.rows).await?;
    engine.quit().await;
    let finops_ingest = ingest::ingest(&clients, Service::FinanceOperations, plan.rows, |n| {
        ingest::customer("FI", n)
    })
    .await?;
    sandbox.stop().await;
    Ok(ToDataverse {
        rate,
        peaks,
        catch_up_rate,
        finops_ingest,
    })
}

/// Live latency both ways at each of the plan's rates, on a sandbox of its own holding just
/// the rows written to, so the polls that watch for them stay light.
pub async fn latencies(
    plan: &Plan,
    dir: &Path,
) -> anyhow::Result<Vec<(Direction, u32, Latencies)>> {
    let (sandbox, mut engine, clients) = start(dir, &["--rows".to_owned(), "0".to_owned()]).await?;
    ingest::ingest(
        &clients,
        Service::FinanceOperations,
        LATENCY_ROWS,
        latency::row,
    )
    .await?;
    engine.call("run").await?;
    let mut latencies = Vec::new();
    let mut run = 0;
    for rate in plan.rates {
        for direction in [Direction::ToDataverse, Direction::ToFinanceOperations] {
            run += 1;
            let measured =
                latency::measure(clients.clone(), direction, rate, plan.latency_for, run).await?;
            latencies.push((direction, rate, measured));
        }
    }
    engine.quit().await;
    sandbox.stop().await;
    Ok(latencies)
}

/// Pauses the map, creates `rows` customers, waits until they are all queued, resumes by
/// catching up and answers the rate the queue was applied at.
async fn catch_up(
    engine: &mut EngineProcess,
    clients: &Clients,
    rows: usize,
) -> anyhow::Result<f64> {
    engine.call("pause").await?;
    ingest::ingest(clients, Service::FinanceOperations, rows, |n| {
        ingest::customer("CU", n)
    })
    .await?;
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        // Only the new customers count: the initial sync's own writes come back from
        // Dataverse's change tracking as changes too.
        let depth = engine.call("queued CU-").await?;
        if number(&depth, "queued") >= rows as f64 {
            break;
        }
        if Instant::now() > deadline {
            bail!("the paused map did not queue {rows} changes within 10 minutes: {depth}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let before = engine.call("stats").await?;
    let answer = engine.call("resume").await?;
    // Running again means every change queued while paused was settled; each was written.
    let after = engine.call("stats").await?;
    let written = number(&after, "rows") - number(&before, "rows");
    let depth = engine.call("depth").await?;
    if written < rows as f64 || number(&depth, "failed") > 0.0 {
        bail!("the catch-up wrote {written} of {rows} changes: {depth}");
    }
    Ok(rows as f64 / number(&answer, "seconds"))
}

/// Dataverse ingest of `plan.rows` accounts, then the initial sync that writes them to
/// finance and operations. Answers (ingest rate, sync rate).
pub async fn to_finance_operations(plan: &Plan, dir: &Path) -> anyhow::Result<(f64, f64)> {
    let (sandbox, mut engine, clients) = start(dir, &["--rows".to_owned(), "0".to_owned()]).await?;
    let ingest = ingest::ingest(&clients, Service::Dataverse, plan.rows, |n| {
        ingest::account("DI", n)
    })
    .await?;
    let (rate, _) = initial_sync(&sandbox, &mut engine, plan.rows).await?;
    let written = clients
        .finops
        .count(
            "CustomersV3",
            &[
                ("cross-company", "true"),
                ("$filter", "startswith(CustomerAccount,'DI-')"),
            ],
        )
        .await?;
    if written != plan.rows as u64 {
        bail!(
            "the initial sync wrote {written} of {} accounts to finance and operations",
            plan.rows
        );
    }
    engine.quit().await;
    sandbox.stop().await;
    Ok((ingest, rate))
}

/// The initial sync of ten times the rows, for the memory figures.
pub async fn large(plan: &Plan, dir: &Path) -> anyhow::Result<Peaks> {
    let rows = plan.large_rows.to_string();
    let (sandbox, mut engine, clients) = start(dir, &["--rows".to_owned(), rows]).await?;
    let customers = clients
        .finops
        .count("CustomersV3", &[("cross-company", "true")])
        .await? as usize;
    let (_, peaks) = initial_sync(&sandbox, &mut engine, customers).await?;
    engine.quit().await;
    sandbox.stop().await;
    Ok(peaks)
}

/// How much of a Dataverse budget of `plan.budget` requests per window live sync uses while
/// one and a half budgets of changes wait, and whether every change was written.
pub struct BudgetUse {
    /// The shortest time the budget allows for the requests Duet sent, over the time it took.
    pub share: f64,
    pub changes: usize,
    pub answered: f64,
    pub seconds: f64,
    pub throttled: f64,
}

pub async fn throttled(plan: &Plan, dir: &Path) -> anyhow::Result<BudgetUse> {
    let args = [
        "--rows".to_owned(),
        "0".to_owned(),
        "--dv-requests".to_owned(),
        plan.budget.to_string(),
        "--dv-window-secs".to_owned(),
        plan.budget_window.as_secs().to_string(),
    ];
    let (sandbox, mut engine, clients) = start(dir, &args).await?;
    // Every request of the engine counts, from its first: the budget's window is the
    // client's, whatever the request was for.
    let started = Instant::now();
    engine.call("run").await?;
    let before = engine.call("stats").await?;
    let changes = plan.budget as usize * 3 / 2;
    ingest::ingest(&clients, Service::FinanceOperations, changes, |n| {
        ingest::customer("TH", n)
    })
    .await?;
    let after = wait_for_changes(plan, &mut engine, &before, changes).await?;
    let seconds = started.elapsed().as_secs_f64();
    let errors = number(&after, "errors") - number(&before, "errors");
    if errors > 0.0 {
        bail!("throttled live sync refused {errors} changes: nothing may be lost");
    }
    let answered = number(&after, "dataverseAnswered");
    let shortest =
        ((answered - 1.0) / f64::from(plan.budget)).floor() * plan.budget_window.as_secs_f64();
    engine.quit().await;
    sandbox.stop().await;
    Ok(BudgetUse {
        share: shortest / seconds,
        changes,
        answered,
        seconds,
        throttled: number(&after, "dataverseThrottled"),
    })
}

/// Waits until `changes` more rows were written than at `before` and nothing is queued.
async fn wait_for_changes(
    plan: &Plan,
    engine: &mut EngineProcess,
    before: &Value,
    changes: usize,
) -> anyhow::Result<Value> {
    let deadline = Instant::now() + plan.budget_window * 4 + Duration::from_secs(60);
    loop {
        let stats = engine.call("stats").await?;
        let depth = engine.call("depth").await?;
        let written = number(&stats, "rows") - number(before, "rows");
        if written >= changes as f64 && number(&depth, "queued") == 0.0 {
            return Ok(stats);
        }
        if Instant::now() > deadline {
            bail!("throttled live sync wrote {written} of {changes} changes in time: {depth}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub fn log_query(plan: &Plan, dir: &Path) -> anyhow::Result<FirstPage> {
    std::fs::create_dir_all(dir)?;
    logs::first_page(dir, plan.log_lines).context("the log query")
}
