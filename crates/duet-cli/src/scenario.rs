//! `duet scenario`: the six setup scenarios, for automation. `run` works in-process on a data
//! directory (a fresh one unless `--data` names one) with the embedded sandbox, prints each
//! step as it happens, and exits 0 only when both sides agree at the end.

use std::path::PathBuf;

use crate::serve::api_options;
use anyhow::{Context, bail};
use duet_api::{
    Api, DuetEvent, EnvironmentKind, PlanStepChoice, ScenarioOptions, ScenarioRun, StepStatus,
};

#[derive(clap::Subcommand)]
pub enum ScenarioCommand {
    /// Prints the scenario ids, one per line (with --json, their descriptions).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Runs a scenario against a fresh sandbox; exits 0 only when both sides agree.
    Run(Box<RunArgs>),
}

#[derive(clap::Args)]
pub struct RunArgs {
    /// One of the ids `duet scenario list` prints.
    id: String,
    /// Duet's data directory; an unfinished run there resumes. A fresh temporary directory
    /// when omitted.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Customers generated in a finance and operations environment with data.
    #[arg(long, default_value_t = 200)]
    rows: u32,
    /// Company-less accounts in an existing Dataverse environment.
    #[arg(long, default_value_t = 40)]
    existing_rows: u32,
    /// Legal entities to link, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "DAT")]
    companies: Vec<String>,
    /// Maps to run, comma-separated: stored maps or standard templates; the maps they look
    /// up are added.
    #[arg(long, value_delimiter = ',', default_value = "customers")]
    maps: Vec<String>,
    /// A map (repeatable) that skips its initial sync and goes live from now on.
    #[arg(long = "no-initial-sync", value_name = "MAP")]
    no_initial_sync: Vec<String>,
    /// Which side wins where both hold a row.
    #[arg(long, value_parser = ["finance-operations", "dataverse"], default_value = "finance-operations")]
    master: String,
    /// Stop after this step (it resumes with the next run on the same --data).
    #[arg(long)]
    until: Option<String>,
    /// Prints the final run as JSON.
    #[arg(long)]
    json: bool,
    /// Keep client secrets in this JSON file instead of the OS keyring, as `duet serve
    /// --secrets-file` does.
    #[arg(long, value_name = "PATH", env = "DUET_SECRETS_FILE")]
    secrets_file: Option<PathBuf>,
}

pub async fn run(command: ScenarioCommand) -> anyhow::Result<()> {
    match command {
        ScenarioCommand::List { json } => {
            let dir = tempfile::tempdir().context("creating a temporary directory")?;
            let api = Api::open(dir.path(), api_options(None)).await?;
            for scenario in api.scenarios() {
                if json {
                    println!("{}", serde_json::to_string(&scenario)?);
                } else {
                    println!("{}", scenario.id);
                }
            }
            Ok(())
        }
        ScenarioCommand::Run(args) => run_one(*args).await,
    }
}

async fn run_one(args: RunArgs) -> anyhow::Result<()> {
    let temporary;
    let dir = match &args.data {
        Some(dir) => dir.clone(),
        None => {
            temporary = tempfile::tempdir().context("creating a temporary directory")?;
            temporary.path().to_owned()
        }
    };
    let api = Api::open(&dir, api_options(args.secrets_file.clone())).await?;
    let mut events = api.subscribe();
    let printer = tokio::spawn(async move {
        let mut shown: Vec<(String, StepStatus)> = Vec::new();
        while let Ok(event) = events.recv().await {
            if let DuetEvent::ScenarioChanged { run } = event {
                for step in &run.steps {
                    let key = (step.id.clone(), step.status);
                    if step.status != StepStatus::Pending && !shown.contains(&key) {
                        eprintln!(
                            "{:<8} {:<34} {}",
                            status_text(step.status),
                            step.title,
                            step.message.as_deref().unwrap_or("")
                        );
                        shown.push(key);
                    }
                }
            }
        }
    });
    let master = if args.master == "dataverse" {
        EnvironmentKind::Dataverse
    } else {
        EnvironmentKind::FinanceOperations
    };
    let options = ScenarioOptions {
        rows: args.rows,
        existing_rows: args.existing_rows,
        companies: args.companies.clone(),
        maps: args.maps.clone(),
        choices: args
            .no_initial_sync
            .iter()
            .map(|map| PlanStepChoice {
                map: map.clone(),
                initial_sync: false,
                master,
            })
            .collect(),
        master,
        until: args.until.clone(),
        ..ScenarioOptions::default()
    };
    let plan = api.scenario_plan(&args.id, options.clone())?;
    eprintln!("{}: {}", plan.scenario.title, plan.scenario.description);
    let run = api.run_scenario(&args.id, options).await?;
    api.shutdown().await;
    printer.abort();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&run)?);
    } else {
        print_summary(&run);
    }
    match run.status {
        StepStatus::Done => Ok(()),
        StepStatus::Pending => {
            eprintln!(
                "stopped after '{}' as asked; run again with --data {} to continue",
                args.until.unwrap_or_default(),
                dir.display()
            );
            Ok(())
        }
        _ => {
            let failed = run
                .steps
                .iter()
                .find(|step| step.status == StepStatus::Failed);
            bail!(
                "scenario {} failed at '{}': {}",
                args.id,
                failed.map(|step| step.title.as_str()).unwrap_or("?"),
                failed
                    .and_then(|step| step.message.as_deref())
                    .unwrap_or("no reason given")
            )
        }
    }
}

fn status_text(status: StepStatus) -> &'static str {
    match status {
        StepStatus::Pending => "pending",
        StepStatus::Running => "running",
        StepStatus::Done => "done",
        StepStatus::Skipped => "skipped",
        StepStatus::Failed => "FAILED",
    }
}

fn print_summary(run: &ScenarioRun) {
    for agreement in &run.agreement {
        println!(
            "{}\t{}\tfinance and operations {}\tDataverse {}\tmatched {}\tmissing in Dataverse {}\tmissing in finance and operations {}\tdiffering {}",
            agreement.map,
            if agreement.agrees() {
                "agree"
            } else {
                "DISAGREE"
            },
            agreement.finance_operations_rows,
            agreement.dataverse_rows,
            agreement.matched,
            agreement.missing_in_dataverse,
            agreement.missing_in_finance_operations,
            agreement.differing
        );
    }
    for report in &run.bootstraps {
        let unmatched: Vec<&str> = report
            .rows
            .iter()
            .filter(|row| !row.matched)
            .map(|row| row.key.as_str())
            .collect();
        println!(
            "bootstrap {}\tmatched {}\tunmatched {} (given {})\t{}",
            report.map,
            report.matched,
            report.unmatched,
            report.default_company,
            unmatched.join(",")
        );
    }
}
