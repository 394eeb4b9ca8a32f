//! Hostile answers from a server: bytes that are not UTF-8, and JSON nested far deeper than
//! any real answer. Nothing is read wrongly (no replacement characters written on), the map's
//! reason says what arrived, the map keeps trying, and once the answers are sound again
//! every change arrives. A value far larger than the target holds is a failed change with the
//! target's answer, and the map goes on. (The parsers' own limits are fuzzed, see
//! docs/RELIABILITY.md.)

use std::time::Duration;

use duet_maps::TableMap;
use duet_sandbox::{Faults, Side, Spoil};
use serde_json::json;

use crate::support::{Harness, eventually_within, harness_for, row};

async fn running() -> Harness {
    let harness = harness_for(&[TableMap::customers()], |config| config.rows = 4).await;
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    harness
}

impl Harness {
    fn spoil(&self, side: Side, spoil: Option<Spoil>) {
        let faults = Faults {
            spoil_reads: spoil,
            ..Faults::default()
        };
        self.sandbox.set_faults(side, faults).unwrap();
    }

    /// Waits until the map's reason holds `text` (30 s at most); answers it.
    async fn reason_with(&self, text: &str) -> String {
        eventually_within(
            &format!("a reason naming {text}"),
            Duration::from_secs(30),
            || async {
                let map = self.store.map("customers").unwrap().unwrap();
                map.reason.filter(|reason| reason.contains(text))
            },
        )
        .await
    }

    async fn running_again(&self) {
        eventually_within("the map to recover", Duration::from_secs(60), || async {
            let map = self.store.map("customers").unwrap().unwrap();
            (map.state == "running" && map.reason.is_none()).then_some(())
        })
        .await;
    }
}

#[tokio::test]
async fn an_answer_that_is_not_utf8_is_named_and_nothing_is_read_wrongly() {
    // GIVEN finance and operations answering its queries with bytes that are not UTF-8.
    let harness = running().await;
    harness.spoil(Side::FinOps, Some(Spoil::InvalidUtf8));
    // WHEN a customer is created there THEN the map says what arrived and keeps trying.
    harness
        .finops
        .create(
            "CustomersV3",
            &row(json!({"dataAreaId": "DAT", "CustomerAccount": "UTF-1",
                "OrganizationName": "Sound name"})),
        )
        .await
        .unwrap();
    let reason = harness.reason_with("UTF-8").await;
    assert!(reason.contains("finance and operations") || reason.contains("CustomersV3"));
    // WHEN the answers are sound again THEN the customer arrives as it is.
    harness.spoil(Side::FinOps, None);
    harness.running_again().await;
    eventually_within("UTF-1 in Dataverse", Duration::from_secs(30), || async {
        let account = harness.account("UTF-1").await?;
        assert_eq!(account["name"], json!("Sound name"));
        Some(())
    })
    .await;
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn json_nested_far_too_deep_is_named_and_the_change_arrives_after() {
    // GIVEN Dataverse answering its queries with a value nested 100,000 levels deep.
    let harness = running().await;
    let id = harness.account("DAT-000001").await.expect("synced")["accountid"]
        .as_str()
        .unwrap()
        .to_owned();
    harness.spoil(Side::Dataverse, Some(Spoil::DeepNesting));
    // WHEN an account is renamed THEN the map says the answer could not be read.
    harness
        .dataverse
        .update_by_id("accounts", &id, &row(json!({"name": "Renamed deep"})))
        .await
        .unwrap();
    harness.reason_with("not JSON").await;
    // WHEN the answers are sound again THEN the rename reaches finance and operations.
    harness.spoil(Side::Dataverse, None);
    harness.running_again().await;
    eventually_within("the rename in F&O", Duration::from_secs(30), || async {
        let customer = harness.customer("DAT", "DAT-000001").await?;
        (customer["OrganizationName"] == json!("Renamed deep")).then_some(())
    })
    .await;
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_megabyte_value_is_a_failed_change_and_the_map_goes_on() {
    // GIVEN a customer whose phone number is a megabyte long in finance and operations.
    let harness = running().await;
    let huge = "9".repeat(1_000_000);
    harness
        .finops
        .create(
            "CustomersV3",
            &row(json!({"dataAreaId": "DAT", "CustomerAccount": "HUGE-1",
                "OrganizationName": "Huge phone", "PrimaryContactPhone": huge})),
        )
        .await
        .unwrap();
    // THEN it is a failed change: Dataverse's answer says the phone number is too long, and
    // the row is kept for a retry.
    let failed = eventually_within("the failed change", Duration::from_secs(30), || async {
        harness.failed_changes("HUGE-1").into_iter().next()
    })
    .await;
    let error = failed.error.unwrap_or_default();
    assert!(error.contains("telephone1"), "{error}");
    assert!(error.contains("length"), "{error}");
    // AND the map goes on: a customer created after it arrives.
    harness
        .finops
        .create(
            "CustomersV3",
            &row(json!({"dataAreaId": "DAT", "CustomerAccount": "AFTER-1",
                "OrganizationName": "After"})),
        )
        .await
        .unwrap();
    eventually_within("AFTER-1 in Dataverse", Duration::from_secs(30), || {
        harness.account("AFTER-1")
    })
    .await;
    assert_eq!(
        harness.store.map("customers").unwrap().unwrap().state,
        "running"
    );
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}
