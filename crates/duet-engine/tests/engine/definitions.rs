//! Edits reaching a running map: after a new version of the map is saved,
//! `Engine::apply_definition` has the map take it up between changes, without losing a queued
//! change and without leaving its state (running stays running, paused stays paused).

use duet_engine::ChangeStatus;
use duet_maps::{FieldDirection, FieldMapping, TableMap};
use duet_sandbox::Faults;
use serde_json::{Value, json};

use crate::support::{Harness, eventually, harness, harness_with_rows, row};

/// The demo customers map with one more field: the credit rating, both ways.
fn customers_with_rating() -> TableMap {
    let mut map = TableMap::customers();
    map.fields.push(FieldMapping {
        finance_operations: Some("CreditRating".to_owned()),
        direction: FieldDirection::TwoWay,
        dataverse: Some("msdyn_creditrating".to_owned()),
        transform: None,
        note: None,
        null_policy: None,
        lookup: None,
    });
    map
}

impl Harness {
    /// Saves the customers map with the credit rating as its next version.
    fn save_rating_version(&self) -> i64 {
        self.store
            .save_map(
                "customers",
                &serde_json::to_value(customers_with_rating()).unwrap(),
                Some("map the credit rating"),
                "test",
                "2026-11-23T11:00:00Z",
            )
            .expect("the new version is saved")
            .version
    }

    fn lifecycle_messages(&self) -> Vec<String> {
        self.store
            .activity(u32::MAX)
            .unwrap()
            .into_iter()
            .filter(|line| line.entry.kind == "lifecycle")
            .map(|line| line.entry.message)
            .collect()
    }

    async fn create_rated_customer(&self, account: &str, rating: &str) {
        self.finops
            .create(
                "CustomersV3",
                &row(json!({"dataAreaId": "DAT", "CustomerAccount": account,
                    "OrganizationName": format!("Customer {account}"), "CreditRating": rating})),
            )
            .await
            .expect("customer is created in finance and operations");
    }

    async fn wait_account_rating(&self, account: &str, rating: &str) {
        eventually(
            &format!("{account} rated {rating} in Dataverse"),
            || async {
                let found = self.account(account).await?;
                (found.get("msdyn_creditrating") == Some(&Value::from(rating))).then_some(())
            },
        )
        .await;
    }

    /// Keys of the customers map's changes still queued (not failed or parked).
    fn queued_keys(&self) -> Vec<String> {
        self.engine
            .queued("customers", None, 1000)
            .unwrap()
            .into_iter()
            .filter(|queued| queued.status == ChangeStatus::Queued)
            .filter_map(|queued| queued.change.key)
            .collect()
    }
}

#[tokio::test]
async fn an_edit_reaches_a_running_map_between_changes_and_loses_nothing() {
    // GIVEN the customers map running, with Dataverse slow so that changes wait in the queue.
    let harness = harness().await;
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    let slow = Faults {
        latency_ms: 400,
        ..Faults::default()
    };
    harness
        .sandbox
        .set_faults(duet_sandbox::Side::Dataverse, slow)
        .unwrap();
    let before: Vec<String> = (1..=5).map(|n| format!("EDIT-{n}")).collect();
    for account in &before {
        harness
            .create_customer("DAT", account, "Before the edit")
            .await;
    }
    eventually("changes waiting in the queue", || async {
        (harness.queued_keys().len() >= 3).then_some(())
    })
    .await;

    // WHEN a version with one more field is saved and applied while changes are queued.
    let version = harness.save_rating_version();
    harness.engine.apply_definition("customers").await.unwrap();
    harness
        .sandbox
        .set_faults(duet_sandbox::Side::Dataverse, Faults::default())
        .unwrap();

    // THEN a change made afterwards carries the new field both ways.
    harness.create_rated_customer("EDIT-AFTER", "AAA").await;
    harness.wait_account_rating("EDIT-AFTER", "AAA").await;
    harness
        .dataverse
        .upsert(
            "accounts",
            &[("accountnumber", "EDIT-AFTER")],
            &row(json!({"msdyn_creditrating": "BBB"})),
        )
        .await
        .expect("the account is updated in Dataverse");
    eventually("the Dataverse rating in finance and operations", || async {
        let customer = harness.customer("DAT", "EDIT-AFTER").await?;
        (customer["CreditRating"] == "BBB").then_some(())
    })
    .await;

    // THEN every change queued before the edit was applied, the log names the version once,
    // and the map is still running.
    for account in &before {
        let synced = eventually(&format!("{account} in Dataverse"), || {
            harness.account(account)
        })
        .await;
        assert_eq!(
            synced["name"], "Before the edit",
            "a change queued before the edit is applied, not lost"
        );
    }
    let applied = format!("Definition version {version} applied");
    let lines = harness.lifecycle_messages();
    assert_eq!(
        lines.iter().filter(|line| **line == applied).count(),
        1,
        "the switch is logged once with the version: {lines:?}"
    );
    assert!(
        !lines
            .iter()
            .any(|line| line.contains("starts again by itself")),
        "ending a round for an edit is no failure: {lines:?}"
    );
    assert_eq!(
        harness.store.map("customers").unwrap().unwrap().state,
        "running",
        "the map keeps running through the switch"
    );
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_paused_map_takes_an_edit_and_stays_paused_and_a_stopped_one_is_left_alone() {
    // GIVEN the customers map paused after it ran, and a new version saved.
    let harness = harness().await;
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    harness.engine.pause("customers").await.unwrap();
    let version = harness.save_rating_version();

    // WHEN the new version is applied and a rated customer is created while paused.
    harness.engine.apply_definition("customers").await.unwrap();
    let applied = format!("Definition version {version} applied");
    eventually("the version line", || async {
        harness
            .lifecycle_messages()
            .contains(&applied)
            .then_some(())
    })
    .await;
    harness.create_rated_customer("PAUSED-1", "CC").await;
    eventually("the change captured while paused", || async {
        harness
            .queued_keys()
            .contains(&"DAT|PAUSED-1".to_owned())
            .then_some(())
    })
    .await;

    // THEN the map is still paused and nothing was written.
    assert_eq!(
        harness.store.map("customers").unwrap().unwrap().state,
        "paused",
        "an edit does not unpause a map"
    );
    assert!(
        harness.account("PAUSED-1").await.is_none(),
        "a paused map writes nothing, edit or not"
    );

    // WHEN it resumes, THEN the change arrives with the new field.
    harness.engine.run("customers").await.unwrap();
    harness.wait_account_rating("PAUSED-1", "CC").await;

    // WHEN the map is stopped and another version applied, THEN nothing is logged for it:
    // the next run reads the newest definition anyway.
    harness.engine.stop("customers").await.unwrap();
    let next = harness.save_rating_version();
    harness.engine.apply_definition("customers").await.unwrap();
    assert!(
        !harness
            .lifecycle_messages()
            .contains(&format!("Definition version {next} applied")),
        "a map that is not running has no round to switch"
    );
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_during_the_initial_sync_resumes_it_from_its_checkpoint() {
    // GIVEN an initial sync of 3,000 customers under way, slowed by Dataverse.
    let rows = 3000;
    let harness = harness_with_rows(TableMap::customers(), rows).await;
    let slow = Faults {
        latency_ms: 100,
        ..Faults::default()
    };
    harness
        .sandbox
        .set_faults(duet_sandbox::Side::Dataverse, slow)
        .unwrap();
    harness.engine.run("customers").await.unwrap();
    eventually("the first chunk copied", || async {
        let progress = duet_engine::initial_progress(&harness.store, "customers")?;
        (progress.done >= 1000).then_some(())
    })
    .await;

    // WHEN a new version is saved and applied before the copy ends.
    let version = harness.save_rating_version();
    harness.engine.apply_definition("customers").await.unwrap();
    harness
        .sandbox
        .set_faults(duet_sandbox::Side::Dataverse, Faults::default())
        .unwrap();
    harness.wait_state("running").await;

    // THEN the copy went on from its checkpoint under the new version: every customer is in
    // Dataverse once, and the log shows the switch, then the resumed copy.
    let accounts = harness
        .dataverse
        .query("accounts", &[("$select", "accountnumber")])
        .await
        .unwrap();
    assert_eq!(
        accounts.len(),
        rows,
        "no customer is missing after the switch"
    );
    let mut keys: Vec<String> = harness
        .store
        .activity(u32::MAX)
        .unwrap()
        .into_iter()
        .filter(|line| line.entry.kind == "row")
        .filter_map(|line| line.entry.key)
        .collect();
    let written = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), rows, "every customer was written");
    assert_eq!(
        written,
        keys.len(),
        "the checkpoint carries over, so no customer is copied twice"
    );
    let lines = harness.lifecycle_messages();
    let switched = lines
        .iter()
        .position(|line| *line == format!("Definition version {version} applied"));
    let resumed = lines
        .iter()
        .position(|line| line.starts_with("Initial sync resumed from its last checkpoint"));
    // The activity log lists the newest line first.
    assert!(
        matches!((switched, resumed), (Some(switched), Some(resumed)) if resumed < switched),
        "the new version resumes the copy from its checkpoint: {lines:?}"
    );
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}
