//! Health checks of a linked pair, each with a stable code and what to do about a failure.

use std::collections::HashMap;

use duet_connect::{ConnectError, DataverseClient, FinOpsClient};
use duet_engine::Clock;
use serde_json::Value;

use crate::model::{EnvironmentKind, HealthCheck, HealthStatus};

pub(crate) async fn check(
    finops: &FinOpsClient,
    dataverse: &DataverseClient,
    companies: &[String],
    clock: &dyn Clock,
) -> HashMap<EnvironmentKind, Vec<HealthCheck>> {
    let at = clock.stamp();
    let result = |code: &str, outcome: Result<String, String>| HealthCheck {
        code: code.to_owned(),
        status: if outcome.is_ok() {
            HealthStatus::Healthy
        } else {
            HealthStatus::Unhealthy
        },
        message: outcome.unwrap_or_else(|error| error),
        checked_at: at.clone(),
    };

    let finops_companies = finops
        .query("LegalEntities", &[("$select", "LegalEntityId")])
        .await
        .map(|rows| codes(&rows, "LegalEntityId"));
    let finops_checks = vec![
        result(
            "DUET-H001",
            signed_in(&finops_companies, "finance and operations"),
        ),
        result(
            "DUET-H003",
            companies_present(
                &finops_companies,
                companies,
                "legal entities in finance and operations",
            ),
        ),
    ];

    let who = dataverse.who_am_i().await;
    let dataverse_companies = dataverse
        .query("cdm_companies", &[("$select", "cdm_companycode")])
        .await
        .map(|rows| codes(&rows, "cdm_companycode"));
    let dataverse_checks = vec![
        result("DUET-H001", signed_in(&who, "Dataverse")),
        result(
            "DUET-H002",
            who.as_ref()
                .map(|who| {
                    format!(
                        "WhoAmI answered: application user {}.",
                        who.get("UserId").and_then(Value::as_str).unwrap_or("(unknown)")
                    )
                })
                .map_err(|error| {
                    format!("WhoAmI failed: {}. Create an application user for this client id with a security role.", error.message)
                }),
        ),
        result("DUET-H003", companies_present(&dataverse_companies, companies, "company rows (cdm_company) in Dataverse")),
    ];
    HashMap::from([
        (EnvironmentKind::FinanceOperations, finops_checks),
        (EnvironmentKind::Dataverse, dataverse_checks),
    ])
}

fn codes(rows: &[serde_json::Map<String, Value>], column: &str) -> Vec<String> {
    rows.iter()
        .filter_map(|row| row.get(column).and_then(Value::as_str))
        .map(str::to_uppercase)
        .collect()
}

fn signed_in<T>(outcome: &Result<T, ConnectError>, side: &str) -> Result<String, String> {
    match outcome {
        Ok(_) => Ok(format!("Signed in to {side} with client credentials.")),
        Err(error) if error.status == Some(401) || error.status == Some(403) => Err(format!(
            "Sign-in to {side} was refused: {}. Check the client id, the secret and the tenant.",
            error.message
        )),
        Err(error) => Err(format!(
            "{side} could not be reached: {}. Check the URL and the network.",
            error.message
        )),
    }
}

fn companies_present(
    found: &Result<Vec<String>, ConnectError>,
    wanted: &[String],
    what: &str,
) -> Result<String, String> {
    let found = found
        .as_ref()
        .map_err(|error| format!("Could not read {what}: {}.", error.message))?;
    let missing: Vec<&str> = wanted
        .iter()
        .filter(|code| !found.iter().any(|have| have.eq_ignore_ascii_case(code)))
        .map(String::as_str)
        .collect();
    if missing.is_empty() {
        Ok(format!(
            "All linked companies ({}) are present as {what}.",
            wanted.join(", ")
        ))
    } else {
        Err(format!(
            "Missing {what}: {}. Create them, or remove them from the link.",
            missing.join(", ")
        ))
    }
}
