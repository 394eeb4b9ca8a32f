//! `duet link`: environments and the link of a running Duet, for automation.

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::remote::Server;

#[derive(clap::Subcommand)]
pub enum LinkCommand {
    /// The link with its health checks (codes DUET-H001…H005).
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Every environment added, linked or not.
    Environments {
        #[arg(long)]
        json: bool,
    },
    /// Adds an environment; the secret is read from DUET_CLIENT_SECRET, never an argument.
    Add {
        #[arg(long, value_parser = ["finance-operations", "dataverse"])]
        kind: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        url: String,
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        client_id: String,
        /// The token endpoint; the Entra ID one of the tenant when omitted.
        #[arg(long, default_value = "")]
        token_url: String,
        /// A sandbox (`duet sandbox up`) rather than a cloud environment; implied by a
        /// loopback URL.
        #[arg(long)]
        sandbox: bool,
        /// The sandbox's certificate authority (the DUET_CA_FILE it printed), trusted for this
        /// environment alone; only a sandbox may have one.
        #[arg(long, env = "DUET_CA_FILE")]
        ca_file: Option<std::path::PathBuf>,
    },
    /// Signs in to an environment and checks it.
    Test { id: i64 },
    /// Links a finance and operations environment with a Dataverse environment.
    Create {
        #[arg(long)]
        finance_operations: i64,
        #[arg(long)]
        dataverse: i64,
        /// Legal entities, comma-separated.
        #[arg(long, value_delimiter = ',', required = true)]
        companies: Vec<String>,
    },
    /// Sets the legal entities of the link.
    Companies {
        #[arg(value_delimiter = ',', required = true)]
        companies: Vec<String>,
    },
    /// Prints what a reset deletes; with --confirm NAME, resets (and with --relink, relinks).
    Reset {
        #[arg(long)]
        confirm: Option<String>,
        #[arg(long)]
        relink: bool,
    },
}

/// Whether an environment URL points at this machine, as a sandbox's does.
fn is_loopback(url: &str) -> bool {
    url::Url::parse(url)
        .is_ok_and(|url| matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]")))
}

pub async fn run(command: LinkCommand, server: Server) -> anyhow::Result<()> {
    match command {
        LinkCommand::Status { json } => {
            let link = server.call("check_health", json!({})).await?;
            if json {
                println!("{link}");
            } else {
                print_link(&link);
            }
        }
        LinkCommand::Environments { json } => {
            let environments = server.call("environments", json!({})).await?;
            for environment in environments.as_array().into_iter().flatten() {
                if json {
                    println!("{environment}");
                } else {
                    println!(
                        "{}\t{}\t{}\t{}{}",
                        environment["id"],
                        environment["kind"].as_str().unwrap_or_default(),
                        environment["name"].as_str().unwrap_or_default(),
                        environment["url"].as_str().unwrap_or_default(),
                        if environment["linked"] == json!(true) {
                            "\tlinked"
                        } else {
                            ""
                        }
                    );
                }
            }
        }
        LinkCommand::Add {
            kind,
            name,
            url,
            tenant,
            client_id,
            token_url,
            sandbox,
            ca_file,
        } => {
            let sandbox = sandbox || is_loopback(&url);
            let ca_certificate = match ca_file.filter(|_| sandbox) {
                Some(path) => Some(std::fs::read_to_string(&path).with_context(|| {
                    format!(
                        "the certificate authority {} cannot be read",
                        path.display()
                    )
                })?),
                None => None,
            };
            let Ok(secret) = std::env::var("DUET_CLIENT_SECRET") else {
                bail!(
                    "set DUET_CLIENT_SECRET to the client secret; it is not taken as an argument so it stays out of shell history"
                );
            };
            let environment = json!({
                "kind": if kind == "dataverse" { "dataverse" } else { "financeOperations" },
                "name": name, "url": url, "tenant": tenant, "clientId": client_id,
                "tokenUrl": token_url, "clientSecret": secret,
                "sandbox": sandbox, "caCertificate": ca_certificate,
            });
            let added = server
                .call("add_environment", json!({ "environment": environment }))
                .await?;
            println!(
                "{}\t{}",
                added["id"],
                added["name"].as_str().unwrap_or_default()
            );
        }
        LinkCommand::Test { id } => {
            let checks = server.call("test_connection", json!({ "id": id })).await?;
            print_checks(&checks);
            if checks
                .as_array()
                .into_iter()
                .flatten()
                .any(|check| check["status"] != json!("healthy"))
            {
                bail!("environment {id} is not healthy");
            }
        }
        LinkCommand::Create {
            finance_operations,
            dataverse,
            companies,
        } => {
            let link = server
                .call(
                    "link_environments",
                    json!({ "financeOperationsId": finance_operations, "dataverseId": dataverse, "companies": companies }),
                )
                .await?;
            print_link(&link);
        }
        LinkCommand::Companies { companies } => {
            let link = server
                .call("set_link_companies", json!({ "companies": companies }))
                .await?;
            print_link(&link);
        }
        LinkCommand::Reset { confirm, relink } => match confirm {
            None => {
                let plan = server.call("reset_plan", json!({})).await?;
                print_plan(&plan);
            }
            Some(confirm) => {
                let plan = server
                    .call(
                        "reset_link",
                        json!({ "confirm": confirm, "relink": relink }),
                    )
                    .await?;
                println!("reset done; deleted:");
                print_plan(&plan);
            }
        },
    }
    Ok(())
}

fn print_link(link: &Value) {
    println!(
        "{} ↔ {}\tcompanies {}",
        link["financeOperations"]["name"]
            .as_str()
            .unwrap_or_default(),
        link["dataverse"]["name"].as_str().unwrap_or_default(),
        link["companies"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(",")
    );
    print_checks(&link["financeOperations"]["health"]);
    print_checks(&link["dataverse"]["health"]);
}

fn print_checks(checks: &Value) {
    for check in checks.as_array().into_iter().flatten() {
        println!(
            "{}\t{}\t{}",
            check["code"].as_str().unwrap_or_default(),
            check["status"].as_str().unwrap_or_default(),
            check["message"].as_str().unwrap_or_default()
        );
    }
}

fn print_plan(plan: &Value) {
    for (title, key) in [("deletes", "deletes"), ("keeps", "keeps")] {
        for line in plan[key].as_array().into_iter().flatten() {
            println!("{title}\t{}", line.as_str().unwrap_or_default());
        }
    }
    println!(
        "confirm with\t--confirm '{}'",
        plan["confirmation"].as_str().unwrap_or_default()
    );
}
