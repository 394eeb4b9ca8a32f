//! Errors and alerts: refused rows in the log with their payload, a failing round that puts
//! the map in error, failed changes retried, alert rules that fire and pause, and a target
//! that is down losing nothing.

use duet_engine::{AlertRule, ChangeStatus, EngineEvent};
use duet_sandbox::Faults;
use serde_json::json;

use crate::support::{eventually, harness, row};

#[tokio::test]
async fn a_row_the_target_refuses_lands_in_the_log_with_its_payload() {
    let harness = harness().await;
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    // GIVEN an account in Dataverse with no company (it cannot be placed in a legal entity).
    harness
        .dataverse
        .upsert(
            "accounts",
            &[("accountnumber", "NOCO-1")],
            &row(json!({"name": "No company"})),
        )
        .await
        .unwrap();
    // THEN the error log names the missing company and keeps the row.
    let error = eventually("the error line", || async {
        harness
            .store
            .activity(100)
            .unwrap()
            .into_iter()
            .find(|line| line.entry.kind == "error")
    })
    .await;
    assert!(
        error.entry.message.contains("msdyn_company"),
        "the message must say what is missing: {}",
        error.entry.message
    );
    let payload = error.entry.payload.expect("the row is kept with the error");
    assert_eq!(payload["accountnumber"], "NOCO-1");
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_map_whose_round_fails_is_in_error_with_the_reason_and_fix_until_it_works() {
    // GIVEN finance and operations down.
    let harness = harness().await;
    harness
        .sandbox
        .set_faults(
            duet_sandbox::Side::FinOps,
            Faults {
                down: true,
                ..Faults::default()
            },
        )
        .unwrap();
    // WHEN the map runs.
    harness.engine.run("customers").await.unwrap();
    // THEN it is in Error, with what failed and what to do about it, and logged once.
    harness.wait_state("error").await;
    let map = harness.store.map("customers").unwrap().unwrap();
    let reason = map.reason.expect("an errored map says why");
    assert!(reason.contains("reading CustomersV3"), "{reason}");
    assert!(reason.contains("(503)"), "{reason}");
    assert!(
        reason.contains("Duet retries by itself with backoff"),
        "the reason carries the fix: {reason}"
    );
    // WHEN finance and operations is back.
    harness
        .sandbox
        .set_faults(duet_sandbox::Side::FinOps, Faults::default())
        .unwrap();
    // THEN the map starts again by itself and runs, with no reason left.
    harness.wait_state("running").await;
    assert_eq!(
        harness.store.map("customers").unwrap().unwrap().reason,
        None
    );
    let failures = harness
        .store
        .activity(1000)
        .unwrap()
        .into_iter()
        .filter(|line| line.entry.kind == "lifecycle" && line.entry.status == "failed")
        .count();
    assert_eq!(
        failures, 1,
        "the same failure is logged once, not per retry"
    );
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_refused_change_is_kept_as_failed_and_can_be_retried() {
    let harness = harness().await;
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    // GIVEN an account the engine cannot place (no company).
    harness
        .dataverse
        .upsert(
            "accounts",
            &[("accountnumber", "FAIL-1")],
            &row(json!({"name": "No company"})),
        )
        .await
        .unwrap();
    let failed = eventually("the failed change", || async {
        harness
            .engine
            .queued("customers", None, 100)
            .unwrap()
            .into_iter()
            .find(|queued| queued.status == ChangeStatus::Failed)
    })
    .await;
    assert!(
        failed
            .error
            .as_deref()
            .unwrap_or_default()
            .contains("msdyn_company")
    );
    assert_eq!(failed.attempts, 1);
    // WHEN it is retried without a fix THEN it fails again and is still kept.
    assert_eq!(
        harness
            .engine
            .retry("customers", Some(failed.seq))
            .await
            .unwrap(),
        1
    );
    eventually("the second attempt", || async {
        harness
            .engine
            .queued("customers", None, 100)
            .unwrap()
            .into_iter()
            .find(|queued| queued.status == ChangeStatus::Failed && queued.attempts == 2)
    })
    .await;
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn an_alert_rule_fires_on_repeated_errors_and_pauses_the_map() {
    // GIVEN a rule: 2 application errors within 5 minutes pause the map.
    let harness = harness().await;
    harness
        .store
        .save_alert_rule(&AlertRule {
            id: None,
            map: Some("customers".to_owned()),
            class: "application".to_owned(),
            threshold: 2,
            window_minutes: 5,
            action: duet_store::AlertAction::Pause,
            enabled: true,
        })
        .unwrap();
    let mut events = harness.engine.subscribe();
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    // WHEN two accounts the map cannot place arrive.
    for number in ["ALERT-1", "ALERT-2"] {
        harness
            .dataverse
            .upsert(
                "accounts",
                &[("accountnumber", number)],
                &row(json!({"name": "No company"})),
            )
            .await
            .unwrap();
    }
    // THEN the alert fires, says why, and pauses the map.
    harness.wait_state("paused").await;
    let alert = harness
        .store
        .activity(100)
        .unwrap()
        .into_iter()
        .find(|line| line.entry.status == "alert")
        .expect("the alert is in the activity log");
    assert!(
        alert
            .entry
            .message
            .contains("2 errors of class application within 5 minutes"),
        "the alert says what crossed the threshold: {}",
        alert.entry.message
    );
    let mut told = false;
    while let Ok(event) = events.try_recv() {
        told |= matches!(&event, EngineEvent::Alert { action, .. } if action == "pause");
    }
    assert!(told, "the shells are told, so they can notify the admin");
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_target_that_is_down_loses_nothing_raises_an_alert_and_recovers() {
    // GIVEN a running map and a rule: two 503s within 5 minutes raise an alert.
    let harness = harness().await;
    harness
        .store
        .save_alert_rule(&AlertRule {
            id: None,
            map: None,
            class: "503".to_owned(),
            threshold: 2,
            window_minutes: 5,
            action: duet_store::AlertAction::None,
            enabled: true,
        })
        .unwrap();
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    // WHEN Dataverse goes down while customers are created.
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
    for account in ["DOWN-1", "DOWN-2", "DOWN-3"] {
        harness
            .create_customer("DAT", account, "Created while down")
            .await;
    }
    // THEN the map says why it is stuck, the alert fires, and the changes wait in the queue.
    eventually("the reason on the map", || async {
        let map = harness.store.map("customers").unwrap().unwrap();
        map.reason.filter(|reason| reason.contains("503"))
    })
    .await;
    eventually("the alert", || async {
        harness
            .store
            .activity(200)
            .unwrap()
            .into_iter()
            .find(|line| line.entry.status == "alert")
    })
    .await;
    let queued = harness
        .engine
        .queued("customers", Some("DOWN-"), 100)
        .unwrap();
    assert_eq!(
        queued.len(),
        3,
        "every change made while the target is down is kept"
    );
    // WHEN Dataverse comes back THEN every account arrives and the reason clears.
    harness
        .sandbox
        .set_faults(duet_sandbox::Side::Dataverse, Faults::default())
        .unwrap();
    for account in ["DOWN-1", "DOWN-2", "DOWN-3"] {
        eventually(&format!("{account} in Dataverse"), || {
            harness.account(account)
        })
        .await;
    }
    eventually("the reason to clear", || async {
        harness
            .store
            .map("customers")
            .unwrap()
            .unwrap()
            .reason
            .is_none()
            .then_some(())
    })
    .await;
    assert_eq!(
        harness.store.map("customers").unwrap().unwrap().state,
        "running"
    );
    assert!(
        harness
            .engine
            .queued("customers", Some("DOWN-"), 100)
            .unwrap()
            .is_empty()
    );
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}
