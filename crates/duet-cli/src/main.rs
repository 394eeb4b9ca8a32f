//! `duet`: the command line for scripts, pipelines and tests.

mod bench;
mod bootstrap;
mod bundled_ui;
mod csv;
mod link;
mod logs;
mod maps;
mod promote;
mod remote;
mod scenario;
mod serve;
mod serve_access;
mod serve_guard;

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use duet_sandbox::{Sandbox, SandboxConfig};

/// `duet --version`: the release and the commit it was built from.
const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("DUET_COMMIT"), ")");

#[derive(Parser)]
#[command(
    name = "duet",
    version = VERSION,
    about = "Dual-write administration: finance and operations ↔ Dataverse"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Local emulators of both environments.
    Sandbox {
        #[command(subcommand)]
        command: SandboxCommand,
    },
    /// Serves the UI and the API over HTTP on 127.0.0.1 (or HTTPS on --listen ADDR), guarded
    /// by an access token.
    Serve(serve::ServeArgs),
    /// Table maps of a running Duet.
    Maps {
        #[command(subcommand)]
        command: MapsCommand,
        #[command(flatten)]
        server: maps::OptionalServer,
    },
    /// The six setup scenarios: list them, or run one against a fresh sandbox.
    Scenario {
        #[command(subcommand)]
        command: scenario::ScenarioCommand,
    },
    /// Environments and the link of a running Duet.
    Link {
        #[command(subcommand)]
        command: link::LinkCommand,
        #[command(flatten)]
        server: remote::ServerArgs,
    },
    /// Measures initial sync, live latency, catch-up, throttling, memory and the log against
    /// their limits on fresh sandboxes (docs/BENCHMARKS.md); its subcommands are tools.
    #[command(args_conflicts_with_subcommands = true)]
    Bench {
        #[command(subcommand)]
        command: Option<BenchCommand>,
        #[command(flatten)]
        args: bench::BenchArgs,
    },
    /// The activity log of a running Duet, filtered, oldest first.
    Logs {
        #[command(flatten)]
        args: logs::LogsArgs,
        #[command(flatten)]
        server: remote::ServerArgs,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Appends synthetic lines to a data directory's activity log (safe while `duet serve`
    /// runs on it), to try the log at a million entries.
    SeedLogs {
        #[arg(long)]
        data: PathBuf,
        #[arg(long, default_value_t = 1_000_000)]
        lines: u64,
    },
    /// The engine process of `duet bench`: answers its commands on stdin.
    #[command(hide = true)]
    Engine {
        #[arg(long)]
        data: PathBuf,
    },
}

#[derive(Subcommand)]
enum MapsCommand {
    /// Lists the maps with their state and queue.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Runs a map (a paused map catches up).
    Run {
        name: String,
        /// Go live from now on without copying existing rows (for a map with no synced state).
        #[arg(long)]
        no_initial_sync: bool,
    },
    /// Pauses a map: changes keep being captured into its queue.
    Pause { name: String },
    /// Resumes a paused map.
    Resume {
        name: String,
        #[arg(long, value_parser = ["catch-up", "skip-keep", "skip-discard"], default_value = "catch-up")]
        mode: String,
    },
    /// Stops a map: cursors and queued changes are forgotten; the next run starts over.
    Stop { name: String },
    /// Runs a map's initial sync again over every row, keeping its queue; with
    /// --failed-only, only the rows that failed are tried again.
    Rerun {
        name: String,
        #[arg(long)]
        failed_only: bool,
    },
    /// Gives a company-specific map's Dataverse rows without a company the company of their
    /// finance and operations match by key, or --company when none matches.
    Bootstrap {
        name: String,
        /// The company for rows with no match; one of the link's legal entities.
        #[arg(long)]
        company: String,
        /// Show what would be stamped without writing anything.
        #[arg(long)]
        dry_run: bool,
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// Every row as CSV (key, Dataverse id, company, matched).
        #[arg(long)]
        csv: bool,
    },
    #[command(flatten)]
    Alm(maps::AlmCommand),
}

#[derive(Subcommand)]
enum SandboxCommand {
    /// Starts a finance and operations emulator and a Dataverse emulator and prints their `DUET_*` lines.
    Up {
        /// Where the emulators keep their SQLite files.
        #[arg(long, default_value = "duet-sandbox")]
        dir: PathBuf,
        /// Port of the finance and operations emulator (0 picks a free one).
        #[arg(long, default_value_t = 0)]
        fo_port: u16,
        /// Port of the Dataverse emulator (0 picks a free one).
        #[arg(long, default_value_t = 0)]
        dv_port: u16,
        /// Sample customers to generate in a fresh finance and operations emulator.
        #[arg(long, default_value_t = 0)]
        rows: usize,
        /// Seed of the sample-data generator: the same seed gives the same rows.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Start a fresh finance and operations environment with its legal entities only.
        #[arg(long)]
        fo_new: bool,
        /// A fresh Dataverse: `linked` (company rows DAT and USMF), `new` (empty) or
        /// `existing` (accounts without a company, see --existing-accounts).
        #[arg(long, value_parser = ["linked", "new", "existing"], default_value = "linked")]
        dataverse: String,
        /// Accounts without a company in an `existing` Dataverse.
        #[arg(long, default_value_t = 0)]
        existing_accounts: usize,
        /// Sample rows per company for every entity and table a standard map template pairs,
        /// on both sides (see docs/SANDBOX.md); 0 generates none.
        #[arg(long, default_value_t = 0)]
        template_rows: usize,
        /// Dataverse service protection: requests a client may start per window (0: no limit).
        #[arg(long, default_value_t = 0)]
        dv_requests: u32,
        /// The window of --dv-requests, in seconds (Dataverse's is 300).
        #[arg(long, default_value_t = 300)]
        dv_window_secs: u64,
        /// Serve plain HTTP instead of HTTPS, for debugging with tools that cannot be told
        /// about the sandbox's certificate authority (clients that need HTTPS will refuse it).
        #[arg(long)]
        plain_http: bool,
    },
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("DUET_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime starts");
    if let Err(error) = runtime.block_on(run(cli)) {
        eprintln!("duet: {error:#}");
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Sandbox {
            command:
                SandboxCommand::Up {
                    dir,
                    fo_port,
                    dv_port,
                    rows,
                    seed,
                    fo_new,
                    dataverse,
                    existing_accounts,
                    template_rows,
                    dv_requests,
                    dv_window_secs,
                    plain_http,
                },
        } => {
            let mut config = SandboxConfig::new(dir);
            config.fo_port = fo_port;
            config.dv_port = dv_port;
            config.rows = rows;
            config.seed = seed;
            config.template_rows = template_rows;
            config.https = !plain_http;
            if fo_new {
                config.fo_profile = duet_sandbox::FoProfile::New;
            }
            config.dv_profile = match dataverse.as_str() {
                "new" => duet_sandbox::DvProfile::New,
                "existing" => duet_sandbox::DvProfile::Existing,
                _ => duet_sandbox::DvProfile::Linked,
            };
            config.dv_existing_rows = existing_accounts;
            config.dv_limits = duet_sandbox::ServiceLimits {
                requests: dv_requests,
                window: std::time::Duration::from_secs(dv_window_secs.max(1)),
                concurrent: 0,
            };
            let sandbox = Sandbox::start(config)
                .await
                .context("starting the sandbox")?;
            print_lines(&sandbox.env_lines());
            tokio::signal::ctrl_c()
                .await
                .context("waiting for Ctrl+C")?;
            sandbox.shutdown().await;
            Ok(())
        }
        Command::Serve(args) => serve::serve(args).await,
        Command::Scenario { command } => scenario::run(command).await,
        Command::Link { command, server } => link::run(command, server.connect()?).await,
        Command::Maps {
            command: MapsCommand::Alm(command),
            server,
        } => maps::run(command, &server).await,
        Command::Maps {
            command:
                MapsCommand::Bootstrap {
                    name,
                    company,
                    dry_run,
                    json,
                    csv,
                },
            server,
        } => {
            let format = match (json, csv) {
                (true, _) => bootstrap::Format::Json,
                (_, true) => bootstrap::Format::Csv,
                _ => bootstrap::Format::Text,
            };
            bootstrap::run(&server.connect()?, &name, &company, dry_run, format).await
        }
        Command::Maps { command, server } => {
            let server = server.connect()?;
            let (call, args, as_json) = match &command {
                MapsCommand::List { json } => ("maps", serde_json::json!({}), *json),
                MapsCommand::Run {
                    name,
                    no_initial_sync,
                } => (
                    "run_map",
                    serde_json::json!({ "name": name, "initialSync": !no_initial_sync }),
                    false,
                ),
                MapsCommand::Pause { name } => {
                    ("pause_map", serde_json::json!({ "name": name }), false)
                }
                MapsCommand::Stop { name } => {
                    ("stop_map", serde_json::json!({ "name": name }), false)
                }
                MapsCommand::Resume { name, mode } => {
                    ("resume_map", remote::resume_args(name, mode), false)
                }
                MapsCommand::Rerun { name, failed_only } => (
                    "rerun_map",
                    serde_json::json!({ "name": name, "failedOnly": failed_only }),
                    false,
                ),
                MapsCommand::Alm(_) | MapsCommand::Bootstrap { .. } => {
                    unreachable!("answered above")
                }
            };
            let answer = server.call(call, args).await?;
            match answer.as_array() {
                Some(maps) => maps.iter().for_each(|map| remote::print_map(map, as_json)),
                None => remote::print_map(&answer, as_json),
            }
            Ok(())
        }
        Command::Bench {
            command: Some(BenchCommand::SeedLogs { data, lines }),
            ..
        } => bench::seed::run(&data, lines),
        Command::Bench {
            command: Some(BenchCommand::Engine { data }),
            ..
        } => bench::serve_engine(data).await,
        Command::Bench {
            command: None,
            args,
        } => bench::run(args).await,
        Command::Logs { args, server } => logs::run(&server.connect()?, args).await,
    }
}

/// Prints `KEY=value` lines and flushes, so a script reading stdout sees them at once.
pub(crate) fn print_lines(lines: &[(String, String)]) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    for (key, value) in lines {
        let _ = writeln!(out, "{key}={value}");
    }
    let _ = out.flush();
}
