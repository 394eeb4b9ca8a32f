//! Live sync: changes cross both ways without echoes, and source filters choose the rows each
//! side syncs.

use std::time::Duration;

use duet_engine::EngineEvent;
use duet_maps::TableMap;
use serde_json::json;

use crate::support::{eventually, harness, harness_with, row};

#[tokio::test]
async fn live_changes_cross_both_ways_without_echo() {
    let harness = harness().await;
    let mut events = harness.engine.subscribe();
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;

    // GIVEN a customer created in finance and operations while the map runs.
    harness
        .create_customer("DAT", "LIVE-1", "Live Customer")
        .await;
    // THEN the account appears in Dataverse.
    let account = eventually("the account in Dataverse", || harness.account("LIVE-1")).await;
    assert_eq!(account["name"], "Live Customer");

    // WHEN the account is renamed in Dataverse.
    let id = account["accountid"].as_str().unwrap().to_owned();
    harness
        .dataverse
        .upsert(
            "accounts",
            &[("accountid", id.as_str())],
            &row(json!({"name": "Renamed in CRM"})),
        )
        .await
        .expect("the rename is accepted");
    // THEN the customer changes in finance and operations.
    eventually("the rename in finance and operations", || async {
        let customer = harness.customer("DAT", "LIVE-1").await?;
        (customer["OrganizationName"] == "Renamed in CRM").then_some(())
    })
    .await;

    // AND each change was written once: no echo back to the side it came from.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let lines: Vec<_> = harness
        .row_lines()
        .into_iter()
        .filter(|line| line.entry.key.as_deref() == Some("DAT|LIVE-1"))
        .collect();
    let directions: Vec<_> = lines
        .iter()
        .rev()
        .map(|line| line.entry.direction.clone().unwrap())
        .collect();
    assert_eq!(
        directions,
        ["toDataverse", "toFinanceOperations"],
        "one write each way; an echo would add more lines"
    );
    let to_finops = &lines[0].entry;
    assert!(
        to_finops.latency_ms.is_some(),
        "live changes record their latency"
    );
    let mut saw_activity_event = false;
    while let Ok(event) = events.try_recv() {
        saw_activity_event |= matches!(event, EngineEvent::Activity(_));
    }
    assert!(
        saw_activity_event,
        "the shells are told about each synced row"
    );
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn source_filters_select_the_rows_each_side_syncs() {
    // GIVEN a map that syncs only finance and operations customers named "Keep…" and only
    // Dataverse accounts whose name starts with "Keep".
    let mut map = TableMap::customers();
    map.filter_finance_operations = Some("((OrganizationName == \"Keep*\"))".to_owned());
    map.filter_dataverse = Some("startswith(name,'Keep')".to_owned());
    let harness = harness_with(map).await;
    harness
        .create_customer("DAT", "FLT-1", "Keep this one")
        .await;
    harness
        .create_customer("DAT", "FLT-2", "Skip this one")
        .await;
    // WHEN the map runs its initial sync.
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    // THEN only the matching customer reached Dataverse, and the progress counted only it.
    eventually("FLT-1 in Dataverse", || harness.account("FLT-1")).await;
    assert!(
        harness.account("FLT-2").await.is_none(),
        "filtered out in the initial sync"
    );
    let finished = harness
        .store
        .activity(50)
        .unwrap()
        .into_iter()
        .find(|line| line.entry.message.starts_with("Initial sync finished"))
        .expect("the initial sync is logged");
    assert!(
        finished.entry.message.contains("1 rows read"),
        "only matching rows are read: {}",
        finished.entry.message
    );
    // WHEN live changes arrive on both sides, matching and not.
    harness.create_customer("DAT", "FLT-3", "Keep live").await;
    harness.create_customer("DAT", "FLT-4", "Skip live").await;
    for (number, name) in [
        ("FLT-5", "Keep from Dataverse"),
        ("FLT-6", "Skip from Dataverse"),
    ] {
        harness
            .dataverse
            .create_by_key(
                "accounts",
                &[("accountnumber", number)],
                &row(json!({"name": name,
                    "msdyn_company@odata.bind": "/cdm_companies(cdm_companycode='DAT')"})),
            )
            .await
            .unwrap();
    }
    // THEN only the matching rows cross.
    eventually("FLT-3 in Dataverse", || harness.account("FLT-3")).await;
    eventually("FLT-5 in finance and operations", || {
        harness.customer("DAT", "FLT-5")
    })
    .await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(
        harness.account("FLT-4").await.is_none(),
        "filtered out live in F&O"
    );
    assert!(
        harness.customer("DAT", "FLT-6").await.is_none(),
        "filtered out live in Dataverse"
    );
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}
