//! A change read before one of Duet's writes to its row, but queued after it: the race
//! between a capture's read and the apply loop's write of the same row.

use std::time::Duration;

use duet_engine::ResumeMode;
use duet_maps::Side;
use duet_store::{ChangeOperation, NewChange};
use serde_json::{Value, json};

use crate::support::{Harness, eventually, harness, row};

/// A customer synced to Dataverse and a paused map, with the write mark a capture would take
/// before reading finance and operations, and the customer as that read returns it.
async fn read_before_a_write(harness: &Harness, account: &str) -> (i64, Value) {
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    harness.create_customer("DAT", account, "Initial").await;
    eventually("the synced account", || harness.account(account)).await;
    harness.engine.pause("customers").await.unwrap();
    let mark = harness.store.write_mark().unwrap();
    let mut read = harness.customer("DAT", account).await.unwrap();
    read.insert("OrganizationName".to_owned(), Value::from("Read before"));
    (mark, Value::Object(read))
}

/// Renames the account in Dataverse while the map is paused, resumes, and waits until Duet
/// wrote the rename to finance and operations.
async fn write_a_dataverse_rename(harness: &Harness, account: &str, name: &str) {
    let id = harness.account(account).await.unwrap()["accountid"]
        .as_str()
        .unwrap()
        .to_owned();
    harness
        .dataverse
        .upsert(
            "accounts",
            &[("accountid", id.as_str())],
            &row(json!({"name": name})),
        )
        .await
        .unwrap();
    harness
        .engine
        .resume("customers", ResumeMode::CatchUp)
        .await
        .unwrap();
    eventually("the rename in finance and operations", || async {
        let customer = harness.customer("DAT", account).await?;
        (customer["OrganizationName"] == name).then_some(())
    })
    .await;
}

/// Queues the change the slow read returned, as a capture does once its read answers.
fn queue_the_slow_read(harness: &Harness, account: &str, mark: i64, read: Value) {
    harness
        .store
        .enqueue(
            "customers",
            &[NewChange {
                side: Side::FinanceOperations,
                operation: ChangeOperation::Upsert,
                key: Some(format!("DAT|{account}")),
                source_id: None,
                row: read,
                captured_at: "2026-11-23T10:00:00.000Z".to_owned(),
                read_mark: Some(mark),
            }],
            None,
        )
        .unwrap();
}

async fn names_when_settled(harness: &Harness, account: &str) -> (Value, Value) {
    eventually("the queue to settle", || async {
        (harness.store.queue_depth("customers").unwrap() == (0, 0, 0)).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let customer = harness.customer("DAT", account).await.unwrap();
    let account = harness.account(account).await.unwrap();
    (
        customer["OrganizationName"].clone(),
        account["name"].clone(),
    )
}

#[tokio::test]
async fn a_change_read_before_a_write_of_its_row_does_not_undo_it_on_the_other_side() {
    // GIVEN a finance and operations read that returned the customer as "Read before", and
    // before it was queued, Duet wrote a Dataverse rename of the row to finance and operations.
    let harness = harness().await;
    let (mark, read) = read_before_a_write(&harness, "RACE-1").await;
    write_a_dataverse_rename(&harness, "RACE-1", "From CRM").await;

    // WHEN the read is queued after the write.
    queue_the_slow_read(&harness, "RACE-1", mark, read);

    // THEN both sides keep the write, and the older read is logged as the conflict it lost.
    let (finops, dataverse) = names_when_settled(&harness, "RACE-1").await;
    assert_eq!(
        (finops.as_str(), dataverse.as_str()),
        (Some("From CRM"), Some("From CRM")),
        "the sides must agree on the later write"
    );
    let conflicts: Vec<_> = harness
        .store
        .activity(200)
        .unwrap()
        .into_iter()
        .filter(|line| {
            line.entry.status == "conflict" && line.entry.key.as_deref() == Some("DAT|RACE-1")
        })
        .collect();
    assert_eq!(
        conflicts.len(),
        1,
        "the lost read is logged once: {conflicts:?}"
    );
    assert!(
        conflicts[0]
            .entry
            .message
            .contains("read before Duet wrote")
    );
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_row_changed_again_since_the_early_read_is_carried_as_it_is_now() {
    // GIVEN the same race, and a person renamed the customer again after Duet's write.
    let harness = harness().await;
    let (mark, read) = read_before_a_write(&harness, "RACE-2").await;
    write_a_dataverse_rename(&harness, "RACE-2", "From CRM").await;
    harness.rename_customer("RACE-2", "Person again").await;

    // WHEN the early read is queued.
    queue_the_slow_read(&harness, "RACE-2", mark, read);

    // THEN the row as it is now crosses, not the early read.
    let (finops, dataverse) = names_when_settled(&harness, "RACE-2").await;
    assert_eq!(
        (finops.as_str(), dataverse.as_str()),
        (Some("Person again"), Some("Person again")),
        "the sides must agree on the latest change"
    );
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}
