//! Health checks of a linked pair, each with a stable code and what to do about a failure.

use std::collections::HashMap;

use duet_connect::{ConnectError, DataverseClient, FinOpsClient};
use duet_engine::Clock;
use serde_json::Value;

use crate::model::{EnvironmentKind, HealthCheck, HealthStatus};

/// Clock skew beyond which tokens and change timestamps become unreliable.
const MAX_SKEW_SECONDS: i64 = 120;

fn outcome_check(at: &str, code: &str, outcome: Result<String, String>) -> HealthCheck {
    HealthCheck {
        code: code.to_owned(),
        status: if outcome.is_ok() {
            HealthStatus::Healthy
        } else {
            HealthStatus::Unhealthy
        },
        message: outcome.unwrap_or_else(|error| error),
        checked_at: at.to_owned(),
    }
}

/// DUET-H005: the environment's clock, from the `Date` of its last answer.
fn clock_skew(skew: Option<chrono::Duration>, side: &str) -> Result<String, String> {
    let Some(skew) = skew else {
        return Err(format!(
            "{side} sent no Date header, so its clock could not be compared; check that a proxy is not removing it."
        ));
    };
    let seconds = skew.num_seconds();
    if seconds.abs() <= MAX_SKEW_SECONDS {
        Ok(format!(
            "{side}'s clock is within {}s of this machine's.",
            seconds.abs().max(1)
        ))
    } else {
        Err(format!(
            "{side}'s clock is {}s {} this machine's; tokens and change times will be misjudged. Synchronise this machine's clock (NTP).",
            seconds.abs(),
            if seconds > 0 { "ahead of" } else { "behind" }
        ))
    }
}

/// Connection test of a finance and operations environment: token, read, clock.
pub(crate) async fn test_finops(finops: &FinOpsClient, clock: &dyn Clock) -> Vec<HealthCheck> {
    let at = clock.stamp();
    let read = finops
        .query_page("LegalEntities", &[("$select", "LegalEntityId")], 1)
        .await;
    let mut checks = vec![outcome_check(
        &at,
        "DUET-H001",
        signed_in(&read, "finance and operations"),
    )];
    if read.is_ok() {
        checks.push(outcome_check(
            &at,
            "DUET-H002",
            Ok("The app registration can read data entities (LegalEntities).".to_owned()),
        ));
        checks.push(outcome_check(
            &at,
            "DUET-H005",
            clock_skew(finops.clock_skew(), "Finance and operations"),
        ));
    } else if let Err(error) = &read
        && error.status == Some(403)
    {
        checks.push(outcome_check(
            &at,
            "DUET-H002",
            Err("Signed in, but reading data entities was refused: register the app in Microsoft Entra applications in finance and operations with a user that has access.".to_owned()),
        ));
    }
    checks
}

/// Connection test of a Dataverse environment: token, WhoAmI, clock.
pub(crate) async fn test_dataverse(
    dataverse: &DataverseClient,
    clock: &dyn Clock,
) -> Vec<HealthCheck> {
    let at = clock.stamp();
    let who = dataverse.who_am_i().await;
    let mut checks = vec![
        outcome_check(&at, "DUET-H001", signed_in(&who, "Dataverse")),
        outcome_check(&at, "DUET-H002", who_am_i(&who)),
    ];
    if who.is_ok() {
        checks.push(outcome_check(
            &at,
            "DUET-H005",
            clock_skew(dataverse.clock_skew(), "Dataverse"),
        ));
    }
    checks
}

fn who_am_i(who: &Result<Value, ConnectError>) -> Result<String, String> {
    who.as_ref()
        .map(|who| {
            format!(
                "WhoAmI answered: application user {}.",
                who.get("UserId").and_then(Value::as_str).unwrap_or("(unknown)")
            )
        })
        .map_err(|error| {
            format!(
                "WhoAmI failed: {}. Create an application user for this client id with a security role.",
                error.message
            )
        })
}

/// DUET-H004: every map's integration key can be read on its side.
async fn keys_present(
    read: impl std::future::Future<Output = Result<(), ConnectError>>,
    what: String,
) -> Result<String, String> {
    read.await.map(|()| format!("{what}: present.")).map_err(|error| {
        format!(
            "{what}: {}. Add the key columns (or refresh the integration keys) and check the map.",
            error.message
        )
    })
}

/// The health checks of the linked pair: each side's sign-in, clock and companies, then the
/// integration key of every map on each side.
pub(crate) async fn check(
    finops: &FinOpsClient,
    dataverse: &DataverseClient,
    companies: &[String],
    maps: &[duet_maps::TableMap],
    clock: &dyn Clock,
) -> HashMap<EnvironmentKind, Vec<HealthCheck>> {
    let at = clock.stamp();
    let mut finops_checks = finops_link_checks(finops, companies, &at).await;
    let mut dataverse_checks = dataverse_link_checks(dataverse, companies, &at).await;
    for map in maps {
        finops_checks.push(finops_key_check(finops, map, &at).await);
        dataverse_checks.push(dataverse_key_check(dataverse, map, &at).await);
    }
    HashMap::from([
        (EnvironmentKind::FinanceOperations, finops_checks),
        (EnvironmentKind::Dataverse, dataverse_checks),
    ])
}

/// Finance and operations: sign-in (DUET-H001), clock (DUET-H005) and the linked legal
/// entities (DUET-H003).
async fn finops_link_checks(
    finops: &FinOpsClient,
    companies: &[String],
    at: &str,
) -> Vec<HealthCheck> {
    let finops_companies = finops
        .query("LegalEntities", &[("$select", "LegalEntityId")])
        .await
        .map(|rows| codes(&rows, "LegalEntityId"));
    vec![
        outcome_check(
            at,
            "DUET-H001",
            signed_in(&finops_companies, "finance and operations"),
        ),
        outcome_check(
            at,
            "DUET-H005",
            clock_skew(finops.clock_skew(), "Finance and operations"),
        ),
        outcome_check(
            at,
            "DUET-H003",
            companies_present(
                &finops_companies,
                companies,
                "legal entities in finance and operations",
            ),
        ),
    ]
}

/// Dataverse: sign-in (DUET-H001), WhoAmI (DUET-H002), the company rows (DUET-H003) and the
/// clock (DUET-H005).
async fn dataverse_link_checks(
    dataverse: &DataverseClient,
    companies: &[String],
    at: &str,
) -> Vec<HealthCheck> {
    let who = dataverse.who_am_i().await;
    let dataverse_companies = dataverse
        .query("cdm_companies", &[("$select", "cdm_companycode")])
        .await
        .map(|rows| codes(&rows, "cdm_companycode"));
    vec![
        outcome_check(at, "DUET-H001", signed_in(&who, "Dataverse")),
        outcome_check(at, "DUET-H002", who_am_i(&who)),
        outcome_check(
            at,
            "DUET-H003",
            companies_present(
                &dataverse_companies,
                companies,
                "company rows (cdm_company) in Dataverse",
            ),
        ),
        outcome_check(
            at,
            "DUET-H005",
            clock_skew(dataverse.clock_skew(), "Dataverse"),
        ),
    ]
}

/// DUET-H004 on finance and operations: the map's key fields can be read on its entity.
async fn finops_key_check(
    finops: &FinOpsClient,
    map: &duet_maps::TableMap,
    at: &str,
) -> HealthCheck {
    let fields = map.key.finance_operations.join(",");
    let finops_read = async {
        finops
            .query_page(
                &map.finance_operations_entity,
                &[("cross-company", "true"), ("$select", &fields)],
                1,
            )
            .await
            .map(|_| ())
    };
    outcome_check(
        at,
        "DUET-H004",
        keys_present(
            finops_read,
            format!(
                "Integration key of map '{}' ({} on {})",
                map.name, fields, map.finance_operations_entity
            ),
        )
        .await,
    )
}

/// DUET-H004 on Dataverse: the map's key columns can be read on its table.
async fn dataverse_key_check(
    dataverse: &DataverseClient,
    map: &duet_maps::TableMap,
    at: &str,
) -> HealthCheck {
    // A key part through a lookup (`msdyn_company.cdm_companycode`) is checked by the
    // company rows (DUET-H003); the row's own columns are checked here.
    let columns = map
        .key
        .dataverse
        .iter()
        .filter(|column| !column.contains('.'))
        .cloned()
        .collect::<Vec<_>>()
        .join(",");
    let dataverse_read = async {
        dataverse
            .query(
                &map.dataverse_entity_set,
                &[("$select", &columns), ("$top", "1")],
            )
            .await
            .map(|_| ())
    };
    outcome_check(
        at,
        "DUET-H004",
        keys_present(
            dataverse_read,
            format!(
                "Integration key of map '{}' ({} on {})",
                map.name, columns, map.dataverse_entity_set
            ),
        )
        .await,
    )
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
