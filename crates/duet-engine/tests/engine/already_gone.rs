//! Deletes of rows the other side no longer holds: counted as deleted, and said so.

use duet_engine::ResumeMode;

use crate::support::{eventually, harness};

#[tokio::test]
async fn a_row_deleted_on_both_sides_is_logged_as_already_gone_each_way() {
    // GIVEN a synced customer and a paused map.
    let harness = harness().await;
    harness.create_customer("DAT", "GONE-1", "Gone twice").await;
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    let account = eventually("the account", || harness.account("GONE-1")).await;
    harness.engine.pause("customers").await.unwrap();

    // WHEN the row is deleted on both sides while the map is paused, and both deletes are
    // captured before it resumes.
    let id = account["accountid"].as_str().unwrap().to_owned();
    assert!(
        harness
            .dataverse
            .delete("accounts", &[("accountid", id.as_str())])
            .await
            .unwrap()
    );
    assert!(
        harness
            .finops
            .delete(
                "CustomersV3",
                &[("dataAreaId", "DAT"), ("CustomerAccount", "GONE-1")]
            )
            .await
            .unwrap()
    );
    eventually("both deletes to be queued", || async {
        let queued = harness
            .store
            .queued_changes("customers", Some("GONE-1"), 10)
            .unwrap();
        let deletes = queued
            .iter()
            .filter(|change| change.change.operation == "delete")
            .count();
        (deletes == 2).then_some(())
    })
    .await;
    harness
        .engine
        .resume("customers", ResumeMode::CatchUp)
        .await
        .unwrap();

    // THEN each delete that reached the other side says the row was already gone there,
    // in both directions, and nothing is left queued or failed.
    eventually("the queue to settle", || async {
        (harness.store.queue_depth("customers").unwrap() == (0, 0, 0)).then_some(())
    })
    .await;
    let deletes: Vec<_> = harness
        .row_lines()
        .into_iter()
        .filter(|line| {
            line.entry.operation.as_deref() == Some("delete")
                && line.entry.key.as_deref() == Some("DAT|GONE-1")
                && line.entry.status == "succeeded"
        })
        .collect();
    assert!(!deletes.is_empty(), "the deletes are logged");
    for line in &deletes {
        assert!(
            line.entry.message.ends_with("the row was already gone"),
            "a delete of a row the other side no longer held must say so: {:?}",
            line.entry
        );
    }
    assert!(
        deletes
            .iter()
            .any(|line| line.entry.direction.as_deref() == Some("toFinanceOperations")),
        "the Dataverse delete reached finance and operations: {deletes:?}"
    );
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}
