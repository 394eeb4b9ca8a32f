//! Outages of one side while a map runs: down for a while, slow, failing in bursts,
//! throttling everything, unable to sign clients in, and cutting a `$batch` answer off half
//! way. In each, nothing is lost or written twice, the map's reason says what is wrong while
//! it lasts, and sync recovers by itself when the side comes back. (Dataverse down with an
//! alert is in `errors.rs`.) `DUET_OUTAGE_SECONDS` sets how long the longest outage lasts
//! (5 s by default; docs/RELIABILITY.md records a run of minutes).

use std::time::Duration;

use duet_engine::ChangeStatus;
use duet_maps::TableMap;
use duet_sandbox::{FailWrites, Faults, Side};
use duet_store::{AlertAction, AlertRule};
use serde_json::json;

use crate::support::{Harness, eventually, eventually_within, harness_for, row};

fn outage_length() -> Duration {
    let seconds = std::env::var("DUET_OUTAGE_SECONDS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(5);
    Duration::from_secs(seconds)
}

/// A running customers map over `rows` customers, with the sandbox as `configure` sets it.
async fn running(rows: usize, configure: impl FnOnce(&mut duet_sandbox::SandboxConfig)) -> Harness {
    let harness = harness_for(&[TableMap::customers()], |config| {
        config.rows = rows;
        configure(config);
    })
    .await;
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    harness
}

impl Harness {
    /// Waits until the map's reason holds `text` (30 s at most), and answers it.
    async fn reason_containing(&self, text: &str) -> String {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        let mut seen = Vec::new();
        loop {
            let map = self.store.map("customers").unwrap().unwrap();
            if let Some(reason) = &map.reason {
                if reason.contains(text) {
                    return reason.clone();
                }
                if !seen.contains(reason) {
                    seen.push(reason.clone());
                }
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no reason naming {text}; the map was {}, with the reasons {seen:#?}",
                map.state
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the map runs with no reason left.
    async fn recovered(&self) {
        eventually_within("the map to recover", Duration::from_secs(60), || async {
            let map = self.store.map("customers").unwrap().unwrap();
            (map.state == "running" && map.reason.is_none()).then_some(())
        })
        .await;
    }

    /// Waits until account `number` is in Dataverse once, named `name`.
    async fn arrived(&self, number: &str, name: &str) {
        eventually_within(
            &format!("{number} named {name} in Dataverse"),
            Duration::from_secs(60),
            || async {
                let found = self
                    .dataverse
                    .query(
                        "accounts",
                        &[("$filter", &format!("accountnumber eq '{number}'"))],
                    )
                    .await
                    .unwrap();
                assert!(found.len() <= 1, "{number} is in Dataverse twice");
                found
                    .first()
                    .filter(|account| account["name"] == json!(name))
                    .map(|_| ())
            },
        )
        .await;
    }

    /// No change of the map was set aside as failed.
    fn nothing_failed(&self) {
        let failed: Vec<_> = self
            .engine
            .queued("customers", None, 1000)
            .unwrap()
            .into_iter()
            .filter(|change| change.status == ChangeStatus::Failed)
            .collect();
        assert!(failed.is_empty(), "failed changes: {failed:#?}");
    }

    /// Both sides hold as many customers.
    async fn same_counts(&self) {
        let finops = self
            .finops
            .count("CustomersV3", &[("cross-company", "true")])
            .await
            .unwrap();
        let dataverse = self.dataverse.count("accounts", &[]).await.unwrap();
        assert_eq!(finops, dataverse, "no customer lost or made twice");
    }

    fn alert_rule(&self, class: &str) {
        self.store
            .save_alert_rule(&AlertRule {
                id: None,
                map: None,
                class: class.to_owned(),
                threshold: 2,
                window_minutes: 5,
                action: AlertAction::None,
                enabled: true,
            })
            .unwrap();
    }

    async fn alerted(&self) {
        eventually("the alert", || async {
            self.store
                .activity(500)
                .unwrap()
                .into_iter()
                .find(|line| line.entry.status == "alert")
        })
        .await;
    }
}

#[tokio::test]
async fn finance_and_operations_down_for_a_while_keeps_dataverse_edits_and_applies_them_in_order() {
    // GIVEN a running map with customers on both sides, and finance and operations down.
    let harness = running(6, |_| {}).await;
    harness.alert_rule("503");
    let down = Faults {
        down: true,
        ..Faults::default()
    };
    harness.sandbox.set_faults(Side::FinOps, down).unwrap();
    // WHEN an account is renamed three times in Dataverse while it is down.
    let id = harness.account("DAT-000001").await.expect("synced")["accountid"]
        .as_str()
        .unwrap()
        .to_owned();
    for name in ["Outage A", "Outage B", "Outage C"] {
        harness
            .dataverse
            .update_by_id("accounts", &id, &row(json!({ "name": name })))
            .await
            .unwrap();
    }
    // THEN the map says finance and operations is unavailable and the alert fires.
    harness.reason_containing("503").await;
    harness.alerted().await;
    tokio::time::sleep(outage_length()).await;
    // WHEN it comes back THEN the last name arrives, the map recovers and nothing failed.
    harness
        .sandbox
        .set_faults(Side::FinOps, Faults::default())
        .unwrap();
    eventually_within("the last name in F&O", Duration::from_secs(60), || async {
        let customer = harness.customer("DAT", "DAT-000001").await?;
        (customer["OrganizationName"] == json!("Outage C")).then_some(())
    })
    .await;
    harness.recovered().await;
    harness.nothing_failed();
    harness.same_counts().await;
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_slow_side_delays_changes_and_loses_none() {
    // GIVEN Dataverse taking over a second per request.
    let harness = running(0, |_| {}).await;
    let slow = Faults {
        latency_ms: 1200,
        ..Faults::default()
    };
    harness.sandbox.set_faults(Side::Dataverse, slow).unwrap();
    // WHEN customers are created THEN each arrives, once, and nothing failed.
    for number in ["SLOW-1", "SLOW-2", "SLOW-3"] {
        harness.create_customer("DAT", number, "Slow").await;
    }
    for number in ["SLOW-1", "SLOW-2", "SLOW-3"] {
        harness.arrived(number, "Slow").await;
    }
    harness
        .sandbox
        .set_faults(Side::Dataverse, Faults::default())
        .unwrap();
    harness.recovered().await;
    harness.nothing_failed();
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_burst_of_server_errors_is_retried_until_every_change_arrives() {
    // GIVEN Dataverse failing most writes with 502 for a while.
    let harness = running(0, |_| {}).await;
    let burst = Faults {
        fail_writes: Some(FailWrites {
            fraction: 0.8,
            status: 502,
        }),
        ..Faults::default()
    };
    harness.sandbox.set_faults(Side::Dataverse, burst).unwrap();
    // WHEN customers are created during the burst, which then ends.
    for number in ["BURST-1", "BURST-2", "BURST-3", "BURST-4"] {
        harness.create_customer("DAT", number, "Burst").await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    harness
        .sandbox
        .set_faults(Side::Dataverse, Faults::default())
        .unwrap();
    // THEN every one arrives once and none is left failed.
    for number in ["BURST-1", "BURST-2", "BURST-3", "BURST-4"] {
        harness.arrived(number, "Burst").await;
    }
    harness.recovered().await;
    harness.nothing_failed();
    harness.same_counts().await;
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_throttling_storm_is_waited_out_as_told_and_loses_nothing() {
    // GIVEN a rule on 429s and Dataverse answering every request 429 (retry after 1 s).
    let harness = running(0, |_| {}).await;
    harness.alert_rule("429");
    let storm = Faults {
        throttle_seconds: 1,
        ..Faults::default()
    };
    harness.sandbox.set_faults(Side::Dataverse, storm).unwrap();
    for number in ["STORM-1", "STORM-2", "STORM-3"] {
        harness.create_customer("DAT", number, "Storm").await;
    }
    // THEN the map says it is throttled and the alert fires.
    harness.reason_containing("429").await;
    harness.alerted().await;
    // WHEN the storm passes THEN every customer arrives once.
    harness
        .sandbox
        .set_faults(Side::Dataverse, Faults::default())
        .unwrap();
    for number in ["STORM-1", "STORM-2", "STORM-3"] {
        harness.arrived(number, "Storm").await;
    }
    harness.recovered().await;
    harness.nothing_failed();
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_token_endpoint_that_fails_is_named_and_sync_recovers_when_it_is_back() {
    // GIVEN tokens that last two seconds, and then a token endpoint that answers 503.
    let harness = running(0, |config| config.token_lifetime = Duration::from_secs(2)).await;
    harness.sandbox.set_sign_in_down(true);
    tokio::time::sleep(Duration::from_secs(3)).await;
    // WHEN a customer is created THEN the map's reason names the failed sign-in.
    harness.create_customer_signed_in("TOKEN-1").await;
    let reason = harness.reason_containing("sign-in failed").await;
    assert!(reason.contains("503"), "{reason}");
    // WHEN sign-in works again THEN the customer arrives and the map recovers.
    harness.sandbox.set_sign_in_down(false);
    harness.arrived("TOKEN-1", "Signed in").await;
    harness.recovered().await;
    harness.nothing_failed();
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

impl Harness {
    /// Creates a customer through a client that signed in before the token endpoint failed
    /// (the harness's clients share the engine's token cache otherwise).
    async fn create_customer_signed_in(&self, number: &str) {
        self.sandbox.set_sign_in_down(false);
        let http = crate::support::sandbox_http(&self.sandbox);
        let tokens = crate::support::token_provider(&http, &self.sandbox);
        let finops = duet_connect::FinOpsClient::new(http, tokens, self.sandbox.fo_url());
        finops
            .count("CustomersV3", &[("cross-company", "true")])
            .await
            .expect("signed in");
        self.sandbox.set_sign_in_down(true);
        finops
            .create(
                "CustomersV3",
                &row(json!({"dataAreaId": "DAT", "CustomerAccount": number,
                    "OrganizationName": "Signed in"})),
            )
            .await
            .expect("created with the token taken before");
    }
}

#[tokio::test]
async fn a_batch_answer_cut_off_half_way_writes_each_row_once() {
    // GIVEN accounts only in Dataverse, which the initial sync writes to finance and
    // operations in `$batch` requests, and finance and operations cutting each `$batch`
    // answer off half way.
    let harness = harness_for(&[TableMap::customers()], |_| {}).await;
    for number in ["CUT-1", "CUT-2", "CUT-3"] {
        harness
            .dataverse
            .create_by_key(
                "accounts",
                &[("accountnumber", number)],
                &row(json!({"name": "Cut", "creditlimit": 10,
                    "msdyn_company@odata.bind": "/cdm_companies(cdm_companycode='DAT')"})),
            )
            .await
            .unwrap();
    }
    let cut = Faults {
        cut_batch_answers: true,
        ..Faults::default()
    };
    harness.sandbox.set_faults(Side::FinOps, cut).unwrap();
    // WHEN the map runs its initial sync.
    harness.engine.run("customers").await.unwrap();
    harness.recovered().await;
    // THEN each account is in finance and operations once: the batch's parts were carried
    // out, its answer was lost, and each row was then sent again on its own as an upsert
    // (so its line in the log does not say it went in a batch).
    for number in ["CUT-1", "CUT-2", "CUT-3"] {
        let customer = harness.customer("DAT", number).await.expect("created");
        assert_eq!(customer["OrganizationName"], json!("Cut"));
        let lines: Vec<String> = harness
            .row_lines()
            .into_iter()
            .filter(|line| line.entry.key.as_deref() == Some(&format!("DAT|{number}")))
            .map(|line| line.entry.message)
            .collect();
        assert!(
            !lines.is_empty() && lines.iter().all(|line| !line.contains("$batch")),
            "{number}: {lines:?}"
        );
    }
    harness.nothing_failed();
    harness.same_counts().await;
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_full_disk_is_shown_on_the_map_and_every_change_arrives_once_there_is_room() {
    // GIVEN a running map whose store has no room left on its disk.
    let harness = running(0, |_| {}).await;
    harness.store.limit_room(Some(0)).unwrap();
    // WHEN many customers are created (their capture needs room).
    let numbers: Vec<String> = (1..=300).map(|n| format!("FULL-{n:03}")).collect();
    for number in &numbers {
        harness.create_customer("DAT", number, "Full").await;
    }
    // THEN the map is in Error saying the disk is full: stored when that update still fits,
    // else kept by the engine for the shells to show.
    let kept = eventually("the full disk on the map", || async {
        let stored = harness.store.map("customers").unwrap().unwrap();
        let unsaved = harness.engine.unsaved_state("customers");
        let kept = unsaved.is_some();
        let (state, reason) = unsaved.unwrap_or((stored.state, stored.reason));
        let full = reason.is_some_and(|reason| reason.contains("disk is full"));
        (state == "error" && full).then_some(kept)
    })
    .await;
    eprintln!(
        "the full disk was shown {}",
        match kept {
            true => "from the engine (the store could not take the state)",
            false => "from the store",
        }
    );
    // WHEN there is room again THEN every customer arrives once and the map runs.
    harness.store.limit_room(None).unwrap();
    for number in [&numbers[0], &numbers[149], &numbers[299]] {
        harness.arrived(number, "Full").await;
    }
    harness.recovered().await;
    assert!(harness.engine.unsaved_state("customers").is_none());
    harness.nothing_failed();
    harness.same_counts().await;
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}
