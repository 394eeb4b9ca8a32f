//! Pausing and resuming a map: catching up on what changed meanwhile, in order, and skipping
//! to live with the queue parked or discarded.

use std::time::Duration;

use duet_engine::{ChangeStatus, ResumeMode};
use duet_sandbox::Faults;
use serde_json::json;

use crate::support::{eventually, harness, row};

#[tokio::test]
async fn a_paused_map_catches_up_on_run() {
    let harness = harness().await;
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    // GIVEN a paused map.
    harness.engine.pause("customers").await.unwrap();
    assert_eq!(
        harness.store.map("customers").unwrap().unwrap().state,
        "paused"
    );
    // WHEN customers change while it is paused.
    harness.create_customer("DAT", "PAUSE-1", "Name A").await;
    harness
        .finops
        .update(
            "CustomersV3",
            &[("dataAreaId", "DAT"), ("CustomerAccount", "PAUSE-1")],
            &row(json!({"OrganizationName": "Name B"})),
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        harness.account("PAUSE-1").await.is_none(),
        "a paused map writes nothing"
    );
    // THEN running it again applies what changed meanwhile.
    harness.engine.run("customers").await.unwrap();
    let account = eventually("the caught-up account", || async {
        harness
            .account("PAUSE-1")
            .await
            .filter(|account| account["name"] == "Name B")
    })
    .await;
    assert_eq!(account["accountnumber"], "PAUSE-1");
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn catch_up_replays_every_queued_change_in_order() {
    let harness = harness().await;
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    // GIVEN a paused map that captured three renames of one customer.
    harness.three_renames_while_paused("ORDER-1").await;
    assert_eq!(
        harness.queued_names("DAT|ORDER-1").await,
        ["NameB", "NameC", "NameD"],
        "a paused map keeps capturing, listable by key, in order"
    );
    assert_eq!(
        harness.account("ORDER-1").await.unwrap()["name"],
        "NameA",
        "nothing is written while paused"
    );
    // WHEN it resumes by catching up.
    harness
        .engine
        .resume("customers", ResumeMode::CatchUp)
        .await
        .unwrap();
    // THEN every rename is applied, in the order it happened.
    eventually("the last rename in Dataverse", || async {
        harness
            .account("ORDER-1")
            .await
            .filter(|account| account["name"] == "NameD")
    })
    .await;
    let applied: Vec<String> = harness
        .row_lines()
        .iter()
        .rev()
        .filter(|line| line.entry.key.as_deref() == Some("DAT|ORDER-1"))
        .filter(|line| line.entry.direction.as_deref() == Some("toDataverse"))
        .filter_map(|line| {
            line.entry.payload.as_ref()?["name"]
                .as_str()
                .map(str::to_owned)
        })
        .collect();
    assert_eq!(
        applied,
        ["NameA", "NameB", "NameC", "NameD"],
        "catch-up replays NameB → NameC → NameD"
    );
    // Resuming ends once the queue is caught up.
    harness.wait_state("running").await;
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_catch_up_is_resuming_until_the_changes_queued_while_paused_are_applied() {
    let harness = harness().await;
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    // GIVEN a paused map that captured three renames, and Dataverse down.
    harness.three_renames_while_paused("RESUMING-1").await;
    harness
        .sandbox
        .set_faults(
            duet_sandbox::Side::Dataverse,
            Faults {
                down: true,
                ..Faults::default()
            },
        )
        .unwrap();
    // WHEN it resumes by catching up.
    harness
        .engine
        .resume("customers", ResumeMode::CatchUp)
        .await
        .unwrap();
    // THEN it is Resuming while the queued changes cannot be applied, not Running.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        harness.store.map("customers").unwrap().unwrap().state,
        "resuming"
    );
    // WHEN Dataverse is back.
    harness
        .sandbox
        .set_faults(duet_sandbox::Side::Dataverse, Faults::default())
        .unwrap();
    // THEN the map is Running once the last rename is applied, and the log says so.
    harness.wait_state("running").await;
    assert_eq!(
        harness.account("RESUMING-1").await.unwrap()["name"],
        "NameD",
        "Running only after the catch-up applied every queued change"
    );
    let lifecycle: Vec<String> = harness
        .store
        .activity(1000)
        .unwrap()
        .into_iter()
        .rev()
        .filter(|line| line.entry.kind == "lifecycle")
        .map(|line| line.entry.message)
        .collect();
    let resuming = lifecycle
        .iter()
        .position(|line| line.starts_with("Resuming: catching up on 3 queued changes"))
        .expect("the resume is logged");
    let caught_up = lifecycle
        .iter()
        .position(|line| line.starts_with("Caught up"))
        .expect("the end of the catch-up is logged");
    assert!(resuming < caught_up, "{lifecycle:?}");
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn skip_to_live_parks_or_discards_the_queue() {
    let harness = harness().await;
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    // GIVEN queued renames of a paused map.
    harness.three_renames_while_paused("SKIP-1").await;
    // WHEN it resumes at live keeping the queue.
    harness
        .engine
        .resume("customers", ResumeMode::SkipKeep)
        .await
        .unwrap();
    // THEN the renames are parked, not applied, and a new change goes straight through.
    let parked = harness
        .engine
        .queued("customers", Some("DAT|SKIP-1"), 100)
        .unwrap();
    assert_eq!(parked.len(), 3);
    assert!(
        parked
            .iter()
            .all(|queued| queued.status == ChangeStatus::Parked)
    );
    harness
        .create_customer("DAT", "SKIP-2", "Live after skip")
        .await;
    eventually("the live change", || harness.account("SKIP-2")).await;
    assert_eq!(harness.account("SKIP-1").await.unwrap()["name"], "NameA");
    // WHEN the parked changes are retried THEN they are applied after all.
    assert_eq!(harness.engine.retry("customers", None).await.unwrap(), 3);
    eventually("the retried renames", || async {
        harness
            .account("SKIP-1")
            .await
            .filter(|account| account["name"] == "NameD")
    })
    .await;

    // GIVEN another paused capture, WHEN resumed discarding, THEN nothing is applied or kept.
    harness.three_renames_while_paused("SKIP-3").await;
    harness
        .engine
        .resume("customers", ResumeMode::SkipDiscard)
        .await
        .unwrap();
    assert!(
        harness
            .engine
            .queued("customers", Some("DAT|SKIP-3"), 100)
            .unwrap()
            .is_empty()
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(harness.account("SKIP-3").await.unwrap()["name"], "NameA");
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}
