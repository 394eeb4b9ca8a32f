//! Starting a map without an initial sync: live sync from now on.

use std::time::Duration;

use duet_engine::RunOptions;
use serde_json::json;

use crate::support::{eventually, harness, row};

#[tokio::test]
async fn without_initial_sync_existing_rows_stay_and_later_changes_cross() {
    // GIVEN customers in finance and operations and an account in Dataverse before the map runs.
    let harness = harness().await;
    harness.create_customer("DAT", "OLD-1", "Old One").await;
    harness.create_customer("USMF", "OLD-2", "Old Two").await;
    harness
        .dataverse
        .create_by_key(
            "accounts",
            &[("accountnumber", "OLD-DV")],
            &row(json!({
                "name": "Old in Dataverse",
                "msdyn_company@odata.bind": "/cdm_companies(cdm_companycode='DAT')",
            })),
        )
        .await
        .expect("the account is created in Dataverse");

    // WHEN the map runs without an initial sync.
    harness
        .engine
        .run_with(
            "customers",
            RunOptions {
                initial_sync: false,
            },
        )
        .await
        .unwrap();
    harness.wait_state("running").await;

    // AND a customer is created and an existing one renamed in finance and operations,
    // and the existing account renamed in Dataverse, after it went live.
    harness.create_customer("DAT", "NEW-1", "New One").await;
    harness
        .finops
        .upsert(
            "CustomersV3",
            &[("dataAreaId", "DAT"), ("CustomerAccount", "OLD-1")],
            &row(json!({"OrganizationName": "Old One renamed"})),
        )
        .await
        .expect("the rename is accepted");
    let old_account = harness.account("OLD-DV").await.expect("OLD-DV exists");
    harness
        .dataverse
        .upsert(
            "accounts",
            &[("accountid", old_account["accountid"].as_str().unwrap())],
            &row(json!({"name": "Renamed in CRM"})),
        )
        .await
        .expect("the rename is accepted");

    // THEN the changes made afterwards cross.
    let new = eventually("NEW-1 in Dataverse", || harness.account("NEW-1")).await;
    assert_eq!(new["name"], "New One");
    eventually("the renamed OLD-1 in Dataverse", || async {
        let account = harness.account("OLD-1").await?;
        (account["name"] == "Old One renamed").then_some(())
    })
    .await;
    eventually("the renamed OLD-DV in finance and operations", || async {
        let customer = harness.customer("DAT", "OLD-DV").await?;
        (customer["OrganizationName"] == "Renamed in CRM").then_some(())
    })
    .await;
    // AND the rows nobody changed were not copied: not even the newest one, whose
    // ModifiedDateTime was the watermark's starting point.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(
        harness.account("OLD-2").await.is_none(),
        "OLD-2 existed before the map ran without an initial sync and must not be copied"
    );
    let lines = harness.store.activity(1000).unwrap();
    assert!(
        lines.iter().any(|line| line.entry.kind == "lifecycle"
            && line.entry.message.starts_with("Initial sync skipped")),
        "a lifecycle line says the initial sync was skipped"
    );
    assert!(
        !lines
            .iter()
            .any(|line| line.entry.message.starts_with("Initial sync started")),
        "no initial sync ran"
    );
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn skipping_the_initial_sync_drops_the_checkpoints_of_an_interrupted_one() {
    // GIVEN a map whose initial sync stopped half way (its checkpoints are stored).
    let harness = harness().await;
    harness.create_customer("DAT", "HALF-1", "Half One").await;
    for (name, value) in [
        ("initial.lastKey", r#"["DAT","HALF-0"]"#),
        (
            "initial.progress",
            r#"{"done":1,"total":2,"written":1,"rowsPerSecond":1.0,"etaSeconds":1}"#,
        ),
    ] {
        harness.store.set_cursor("customers", name, value).unwrap();
    }

    // WHEN it runs without an initial sync.
    harness
        .engine
        .run_with(
            "customers",
            RunOptions {
                initial_sync: false,
            },
        )
        .await
        .unwrap();
    harness.wait_state("running").await;

    // THEN the interrupted sync is abandoned: no checkpoint or progress is left, and the row
    // it had not reached is not copied.
    for name in ["initial.lastKey", "initial.progress", "initial.skip"] {
        assert_eq!(
            harness.store.cursor("customers", name).unwrap(),
            None,
            "{name} is left behind"
        );
    }
    assert!(duet_engine::initial_progress(&harness.store, "customers").is_none());
    assert!(duet_engine::has_synced_state(&harness.store, "customers"));
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(harness.account("HALF-1").await.is_none());
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}
