//! Conflicts and echoes: a stale echo of Duet's own write is not carried back, and when both
//! sides change one row the master wins and the loser is logged.

use std::time::Duration;

use duet_engine::ResumeMode;
use duet_maps::{Side, TableMap};
use serde_json::{Value, json};

use crate::support::{Harness, eventually, harness, harness_with, row};

#[tokio::test]
async fn a_stale_echo_of_an_earlier_write_is_not_carried_back() {
    let harness = harness().await;
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    harness.create_customer("DAT", "STALE-1", "NameA").await;
    let account = eventually("the synced account", || harness.account("STALE-1")).await;
    // GIVEN a paused map that captured two renames in finance and operations, and after
    // them a Dataverse capture of the row as it will be between Duet's two writes (NameB):
    // a read that lands between two quick writes returns the first one's values.
    harness.engine.pause("customers").await.unwrap();
    for name in ["NameB", "NameC"] {
        harness.rename_customer("STALE-1", name).await;
        eventually(&format!("{name} captured"), || async {
            harness
                .queued_names("DAT|STALE-1")
                .await
                .contains(&name.to_owned())
                .then_some(())
        })
        .await;
    }
    let mut between = account.clone();
    between.insert("name".to_owned(), Value::from("NameB"));
    harness
        .store
        .enqueue(
            "customers",
            &[duet_store::NewChange {
                side: duet_maps::Side::Dataverse,
                operation: duet_store::ChangeOperation::Upsert,
                key: Some("DAT|STALE-1".to_owned()),
                source_id: account["accountid"].as_str().map(str::to_owned),
                row: Value::Object(between),
                captured_at: "2026-11-23T10:00:00.000Z".to_owned(),
                read_mark: None,
            }],
            None,
        )
        .unwrap();
    // WHEN the map catches up: NameB and NameC are written to Dataverse, then that capture
    // comes up.
    harness
        .engine
        .resume("customers", ResumeMode::CatchUp)
        .await
        .unwrap();
    harness.wait_state("running").await;
    eventually("NameC in Dataverse", || async {
        harness
            .account("STALE-1")
            .await
            .filter(|account| account["name"] == "NameC")
    })
    .await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    // THEN it is known as Duet's own echo: finance and operations keeps NameC and nothing is
    // written back to it.
    assert_eq!(
        harness.customer("DAT", "STALE-1").await.unwrap()["OrganizationName"],
        "NameC"
    );
    assert_eq!(harness.account("STALE-1").await.unwrap()["name"], "NameC");
    let back: Vec<_> = harness
        .row_lines()
        .into_iter()
        .filter(|line| line.entry.key.as_deref() == Some("DAT|STALE-1"))
        .filter(|line| line.entry.direction.as_deref() == Some("toFinanceOperations"))
        .collect();
    assert!(back.is_empty(), "nothing carried back: {back:?}");
    // AND a person setting the old name again later is a real change.
    let id = harness.account("STALE-1").await.unwrap()["accountid"]
        .as_str()
        .unwrap()
        .to_owned();
    harness
        .dataverse
        .upsert(
            "accounts",
            &[("accountid", id.as_str())],
            &row(json!({"name": "NameB"})),
        )
        .await
        .unwrap();
    eventually("the person's NameB in finance and operations", || async {
        let customer = harness.customer("DAT", "STALE-1").await?;
        (customer["OrganizationName"] == "NameB").then_some(())
    })
    .await;
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

/// Pauses the map, renames one customer on both sides, and waits until both changes are queued.
async fn rename_on_both_sides_while_paused(harness: &Harness, account: &str) {
    harness.create_customer("DAT", account, "Original").await;
    let account_row = eventually("the synced account", || harness.account(account)).await;
    harness.engine.pause("customers").await.unwrap();
    harness.rename_customer(account, "Renamed in ERP").await;
    let id = account_row["accountid"].as_str().unwrap().to_owned();
    harness
        .dataverse
        .upsert(
            "accounts",
            &[("accountid", id.as_str())],
            &row(json!({"name": "Renamed in CRM"})),
        )
        .await
        .unwrap();
    let key = format!("DAT|{account}");
    eventually("both renames to be queued", || async {
        let queued = harness.engine.queued("customers", Some(&key), 100).unwrap();
        let sides: Vec<&str> = queued
            .iter()
            .map(|change| change.change.side.as_str())
            .collect();
        (sides.contains(&"financeOperations") && sides.contains(&"dataverse")).then_some(())
    })
    .await;
}

fn conflict_lines(harness: &Harness, key: &str) -> Vec<duet_store::ActivityRecord> {
    harness
        .store
        .activity(1000)
        .unwrap()
        .into_iter()
        .filter(|line| line.entry.status == "conflict" && line.entry.key.as_deref() == Some(key))
        .collect()
}

#[tokio::test]
async fn a_conflict_is_won_by_the_master_and_the_loser_is_logged() {
    // GIVEN finance and operations is the master and both sides renamed one row while paused.
    let harness = harness().await;
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    rename_on_both_sides_while_paused(&harness, "CONFLICT-1").await;
    // WHEN the map catches up.
    harness
        .engine
        .resume("customers", ResumeMode::CatchUp)
        .await
        .unwrap();
    // THEN both sides converge on the master's value.
    eventually("Dataverse to take the master's name", || async {
        harness
            .account("CONFLICT-1")
            .await
            .filter(|account| account["name"] == "Renamed in ERP")
    })
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let customer = harness.customer("DAT", "CONFLICT-1").await.unwrap();
    assert_eq!(
        customer["OrganizationName"], "Renamed in ERP",
        "the loser must not overwrite the master"
    );
    // AND the losing Dataverse change is in the log with its values.
    let lines = conflict_lines(&harness, "DAT|CONFLICT-1");
    assert_eq!(lines.len(), 1, "one conflict, logged once");
    assert_eq!(
        lines[0].entry.payload.as_ref().unwrap()["name"],
        "Renamed in CRM"
    );
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn with_dataverse_as_master_the_finance_operations_change_loses() {
    let mut map = TableMap::customers();
    map.master = Side::Dataverse;
    let harness = harness_with(map).await;
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    rename_on_both_sides_while_paused(&harness, "CONFLICT-2").await;
    harness
        .engine
        .resume("customers", ResumeMode::CatchUp)
        .await
        .unwrap();
    eventually(
        "finance and operations to take the master's name",
        || async {
            let customer = harness.customer("DAT", "CONFLICT-2").await?;
            (customer["OrganizationName"] == "Renamed in CRM").then_some(())
        },
    )
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(
        harness.account("CONFLICT-2").await.unwrap()["name"],
        "Renamed in CRM"
    );
    let lines = conflict_lines(&harness, "DAT|CONFLICT-2");
    assert_eq!(lines.len(), 1);
    assert_eq!(
        lines[0].entry.payload.as_ref().unwrap()["OrganizationName"],
        "Renamed in ERP"
    );
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn the_echo_of_duets_own_create_queued_behind_renames_is_no_conflict() {
    let harness = harness().await;
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    harness.create_customer("DAT", "ECHO-1", "Original").await;
    let created = eventually("the synced account", || harness.account("ECHO-1")).await;
    // GIVEN a paused map with two renames queued in finance and operations, and behind them
    // Dataverse's capture of the account as Duet created it (the echo of Duet's own write).
    harness.engine.pause("customers").await.unwrap();
    for name in ["NameA", "NameB"] {
        harness.rename_customer("ECHO-1", name).await;
        eventually(&format!("{name} captured"), || async {
            harness
                .queued_names("DAT|ECHO-1")
                .await
                .contains(&name.to_owned())
                .then_some(())
        })
        .await;
    }
    harness
        .store
        .enqueue(
            "customers",
            &[duet_store::NewChange {
                side: Side::Dataverse,
                operation: duet_store::ChangeOperation::Upsert,
                key: Some("DAT|ECHO-1".to_owned()),
                source_id: created["accountid"].as_str().map(str::to_owned),
                row: Value::Object(created),
                captured_at: "2026-12-06T10:00:00.000Z".to_owned(),
                read_mark: None,
            }],
            None,
        )
        .unwrap();
    // WHEN the map catches up.
    harness
        .engine
        .resume("customers", ResumeMode::CatchUp)
        .await
        .unwrap();
    harness.wait_state("running").await;
    eventually("NameB in Dataverse", || async {
        harness
            .account("ECHO-1")
            .await
            .filter(|account| account["name"] == "NameB")
    })
    .await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    // THEN the echo is known as Duet's own write: no conflict is logged and nothing goes back.
    assert!(
        conflict_lines(&harness, "DAT|ECHO-1").is_empty(),
        "{:?}",
        conflict_lines(&harness, "DAT|ECHO-1")
    );
    assert_eq!(
        harness.customer("DAT", "ECHO-1").await.unwrap()["OrganizationName"],
        "NameB"
    );
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}
