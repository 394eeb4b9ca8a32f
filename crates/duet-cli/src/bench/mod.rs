//! `duet bench`: every figure of Duet's speed and memory on fresh sandboxes, each beside its
//! limit and the ratio between them. The limits that are rates of the services themselves
//! are measured in the same run, on the same machine. See docs/BENCHMARKS.md.

mod engine;
mod figure;
mod ingest;
mod latency;
mod logs;
mod memory;
mod runs;
mod sandbox;
pub mod seed;

use std::time::Duration;

use serde_json::{Map, Value, json};

pub use engine::serve as serve_engine;
use figure::{Figure, Goal};
use latency::Direction;

#[derive(clap::Args)]
pub struct BenchArgs {
    /// Small sizes and short runs (about a minute): a smoke run of every figure.
    #[arg(long)]
    quick: bool,
    /// One JSON object: each figure with its value, limit and ratio.
    #[arg(long)]
    json: bool,
    /// Rows of the initial syncs and the catch-up (default 100,000; 2,000 with --quick); the
    /// memory figures also run ten times as many.
    #[arg(long)]
    rows: Option<usize>,
}

/// The sizes and lengths of one run.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub rows: usize,
    pub large_rows: usize,
    pub rates: [u32; 2],
    pub latency_for: Duration,
    pub log_lines: u64,
    pub budget: u32,
    pub budget_window: Duration,
}

impl Plan {
    fn of(args: &BenchArgs) -> Plan {
        let (rows, rates, latency_for, log_lines, budget, budget_window) = match args.quick {
            true => (
                2_000,
                [50, 100],
                Duration::from_secs(3),
                100_000,
                30,
                Duration::from_secs(3),
            ),
            false => (
                100_000,
                [50, 500],
                Duration::from_secs(60),
                1_000_000,
                6_000,
                Duration::from_secs(300),
            ),
        };
        let rows = args.rows.unwrap_or(rows).max(1_000);
        Plan {
            rows,
            large_rows: rows * 10,
            rates,
            latency_for,
            log_lines,
            budget,
            budget_window,
        }
    }
}

pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    let plan = Plan::of(&args);
    let dir = tempfile::tempdir()?;
    let progress = |what: &str| {
        if !args.json {
            eprintln!("… {what}");
        }
    };
    progress(&format!(
        "initial sync of {} customers to Dataverse and catch-up",
        plan.rows
    ));
    let first = runs::to_dataverse(&plan, &dir.path().join("a")).await?;
    progress("live latency");
    let latencies = runs::latencies(&plan, &dir.path().join("l")).await?;
    progress(&format!(
        "initial sync of {} accounts to finance and operations",
        plan.rows
    ));
    let (dataverse_ingest, to_finops) =
        runs::to_finance_operations(&plan, &dir.path().join("b")).await?;
    progress(&format!("memory at {} customers", plan.large_rows));
    let large = runs::large(&plan, &dir.path().join("c")).await?;
    progress("throttled live sync");
    let budget = runs::throttled(&plan, &dir.path().join("d")).await?;
    progress(&format!("log query at {} lines", plan.log_lines));
    let log = runs::log_query(&plan, &dir.path().join("e"))?;
    let mut all = sync_figures(&first, dataverse_ingest, to_finops);
    all.extend(memory_figures(first.peaks, large));
    all.extend(latency_figures(&latencies));
    all.push(budget_figure(&plan, &budget));
    all.push(log_figure(&plan, &log));
    print(&args, &plan, &all);
    Ok(())
}

/// The two initial syncs against 0.8 of each service's ingest, the ingest rates themselves,
/// and the catch-up against 0.8 of the initial sync.
fn sync_figures(first: &runs::ToDataverse, dataverse_ingest: f64, to_finops: f64) -> Vec<Figure> {
    let rate = |id, title: &str, value, limit: Option<f64>, note: &str| Figure {
        id,
        title: title.to_owned(),
        value,
        unit: "rows/s",
        limit,
        goal: Goal::AtLeast,
        note: note.to_owned(),
    };
    vec![
        rate(
            "dataverseIngest",
            "Dataverse sandbox $batch ingest (raw)",
            dataverse_ingest,
            None,
            "change sets of 1,000 creates, one request at a time: the limit's base",
        ),
        rate(
            "finOpsIngest",
            "Finance and operations sandbox $batch ingest (raw)",
            first.finops_ingest,
            None,
            "change sets of 1,000 creates, one request at a time: the limit's base",
        ),
        rate(
            "initialSyncToDataverse",
            "Initial sync, finance and operations → Dataverse",
            first.rate,
            Some(0.8 * dataverse_ingest),
            "limit: 0.8 × the Dataverse ingest of this run",
        ),
        rate(
            "initialSyncToFinOps",
            "Initial sync, Dataverse → finance and operations",
            to_finops,
            Some(0.8 * first.finops_ingest),
            "limit: 0.8 × the finance and operations ingest of this run",
        ),
        rate(
            "catchUp",
            "Catch-up after a pause (finance and operations → Dataverse)",
            first.catch_up_rate,
            Some(0.8 * first.rate),
            "limit: 0.8 × the initial sync to Dataverse of this run",
        ),
    ]
}

/// Peak memory at ten times the rows over peak memory at the rows, engine and sandbox apart.
fn memory_figures(small: runs::Peaks, large: runs::Peaks) -> Vec<Figure> {
    let growth = |id, title: &str, small_mb: f64, large_mb: f64| Figure {
        id,
        title: title.to_owned(),
        value: large_mb / small_mb,
        unit: "×",
        limit: Some(1.5),
        goal: Goal::AtMost,
        note: format!(
            "peak RSS {small_mb:.0} MB at {} rows, {large_mb:.0} MB at {} rows",
            small.rows, large.rows
        ),
    };
    vec![
        growth(
            "engineMemoryGrowth",
            "Engine peak memory, ten times the rows",
            small.engine_mb,
            large.engine_mb,
        ),
        growth(
            "sandboxMemoryGrowth",
            "Sandbox peak memory, ten times the rows",
            small.sandbox_mb,
            large.sandbox_mb,
        ),
    ]
}

fn latency_figures(latencies: &[(Direction, u32, latency::Latencies)]) -> Vec<Figure> {
    let low = latencies.first().map_or(0, |(_, rate, _)| *rate);
    latencies
        .iter()
        .map(|(direction, rate, measured)| {
            let (id, way) = match (direction, *rate == low) {
                (Direction::ToDataverse, true) => ("latencyToDataverseLow", "finance and operations → Dataverse"),
                (Direction::ToDataverse, false) => ("latencyToDataverseHigh", "finance and operations → Dataverse"),
                (Direction::ToFinanceOperations, true) => ("latencyToFinOpsLow", "Dataverse → finance and operations"),
                (Direction::ToFinanceOperations, false) => ("latencyToFinOpsHigh", "Dataverse → finance and operations"),
            };
            Figure {
                id,
                title: format!("Live latency p99, {way}, {rate} changes/s"),
                value: measured.p99,
                unit: "s",
                limit: Some(1.0),
                goal: Goal::AtMost,
                note: format!(
                    "p50 {:.3} s; {} writes seen, {} overwritten before a poll saw them, {} never arrived",
                    measured.p50, measured.seen, measured.superseded, measured.missing
                ),
            }
        })
        .collect()
}

fn budget_figure(plan: &Plan, budget: &runs::BudgetUse) -> Figure {
    Figure {
        id: "throttledBudgetUse",
        title: format!(
            "Throttled live sync: budget of {} requests / {} s used",
            plan.budget,
            plan.budget_window.as_secs()
        ),
        value: budget.share,
        unit: "share",
        limit: Some(0.9),
        goal: Goal::AtLeast,
        note: format!(
            "{} changes written, none refused; {:.0} requests answered and {:.0} throttled in {:.1} s",
            budget.changes, budget.answered, budget.throttled, budget.seconds
        ),
    }
}

fn log_figure(plan: &Plan, log: &logs::FirstPage) -> Figure {
    Figure {
        id: "logFirstPage",
        title: format!(
            "Log: first page of one map's 400 failures, {} lines stored",
            plan.log_lines
        ),
        value: log.seconds,
        unit: "s",
        limit: Some(LOG_PAGE_LIMIT),
        goal: Goal::AtMost,
        note: format!(
            "{} lines of {} matching, with their count",
            log.lines, log.count
        ),
    }
}

/// How long an admin may wait for the first page of a filtered log view.
const LOG_PAGE_LIMIT: f64 = 0.5;

fn print(args: &BenchArgs, plan: &Plan, figures: &[Figure]) {
    if args.json {
        let mut all = Map::new();
        for figure in figures {
            all.insert(figure.id.to_owned(), figure.to_json());
        }
        let answer = json!({
            "quick": args.quick,
            "rows": plan.rows,
            "largeRows": plan.large_rows,
            "figures": Value::Object(all),
        });
        println!("{answer}");
        return;
    }
    println!(
        "{:<58} {:>16} {:>18} {:>6}",
        "figure", "value", "limit", "ratio"
    );
    for figure in figures {
        println!("{}", figure.line());
        if !figure.note.is_empty() {
            println!("    {}", figure.note);
        }
    }
}
