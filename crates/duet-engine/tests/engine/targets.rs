//! Engine rules seen through the write seam: the engine's single-row writes to Dataverse go
//! to an in-memory target (`MemoryTarget`), wrapped in one that fails on a script
//! (`FaultyTarget`: refused, throttled, timed out, failing after N calls), so each rule is
//! tested against exactly the failure it is about. Finance and operations stays the sandbox:
//! customers are created and deleted there, and the engine captures them and reads both
//! sides over HTTP as usual (the seam is for writes only; reads and bulk writes stay on the
//! clients). The targets' own unit tests are in `test_targets`.

use std::sync::Arc;
use std::time::Duration;

use duet_connect::{DataverseClient, FinOpsClient};
use duet_engine::test_utils::{Attempt, CallKind, Fault, FaultyTarget, MemoryTarget};
use duet_engine::{ChangeStatus, Engine, FinOpsTarget, SystemClock, Target, Targets};

use crate::support::{
    Harness, account_key, eventually, fast_settings, harness, sandbox_http, token_provider,
};

/// The sandbox's customers map, with an engine whose writes to Dataverse go to `dataverse`.
async fn harness_writing_dataverse_to(dataverse: Arc<dyn Target>) -> Harness {
    let mut harness = harness().await;
    let http = sandbox_http(&harness.sandbox);
    let tokens = token_provider(&http, &harness.sandbox);
    let finops = Arc::new(FinOpsClient::new(
        http.clone(),
        tokens.clone(),
        harness.sandbox.fo_url(),
    ));
    let targets = Targets {
        finops: Arc::new(FinOpsTarget::new(finops.clone())),
        dataverse,
    };
    harness.engine = Engine::with_targets(
        harness.store.clone(),
        finops,
        Arc::new(DataverseClient::new(http, tokens, harness.sandbox.dv_url())),
        targets,
        Arc::new(SystemClock),
        fast_settings(),
    );
    harness
}

/// The attempts made for the account `number`.
fn attempts_for(faulty: &FaultyTarget, number: &str) -> Vec<Attempt> {
    faulty
        .attempts()
        .into_iter()
        .filter(|attempt| attempt.call.key_value("accountnumber") == Some(number))
        .collect()
}

impl Harness {
    /// The change of the customers map whose key contains `key`, while it is in the queue.
    fn queued_change(&self, key: &str) -> Option<duet_engine::QueuedChange> {
        self.engine
            .queued("customers", Some(key), 10)
            .unwrap()
            .into_iter()
            .next()
    }

    fn reason(&self) -> Option<String> {
        self.store.map("customers").unwrap().unwrap().reason
    }

    async fn wait_reason_cleared(&self) {
        eventually("the map's reason to clear", || async {
            self.reason().is_none().then_some(())
        })
        .await;
    }

    fn lines_of_kind(&self, kind: &str) -> Vec<duet_store::ActivityRecord> {
        self.store
            .activity(1000)
            .unwrap()
            .into_iter()
            .filter(|line| line.entry.kind == kind)
            .collect()
    }
}

#[tokio::test]
async fn a_write_the_target_refuses_is_logged_with_its_payload_and_kept_as_failed() {
    // GIVEN a running map whose Dataverse target refuses every write.
    let memory = Arc::new(MemoryTarget::new());
    let refusal = "The account is blocked by a plug-in (credit check)";
    let faulty = Arc::new(FaultyTarget::new(memory.clone()).always(Fault::Refuse(refusal.into())));
    let harness = harness_writing_dataverse_to(faulty.clone()).await;
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;

    // WHEN a customer is created in finance and operations.
    harness.create_customer("DAT", "REF-1", "Refused Ltd").await;

    // THEN the change is kept in the queue as failed, with the target's message.
    let failed = eventually("the failed change", || async {
        harness.failed_changes("REF-1").into_iter().next()
    })
    .await;
    assert!(
        failed
            .error
            .as_deref()
            .unwrap_or_default()
            .contains(refusal),
        "the failed change says what the target said, for the person who retries it: {:?}",
        failed.error
    );
    assert_eq!(failed.attempts, 1, "a refused change was tried once");
    // AND the error log has the write, failed, with the payload sent and the remote answer.
    let error = harness
        .lines_of_kind("error")
        .into_iter()
        .find(|line| line.entry.key.as_deref() == Some("DAT|REF-1"))
        .expect("the refused write is in the error log");
    assert_eq!(error.entry.status, "failed", "a refusal is a failed line");
    assert_eq!(error.entry.operation.as_deref(), Some("upsert"));
    assert_eq!(error.entry.direction.as_deref(), Some("toDataverse"));
    let payload = error
        .entry
        .payload
        .expect("the error line keeps the payload");
    assert_eq!(
        payload["sent"]["name"], "Refused Ltd",
        "the payload sent is kept so the row can be fixed: {payload}"
    );
    assert!(
        payload["remote"]
            .as_str()
            .unwrap_or_default()
            .contains(refusal),
        "the remote body is kept with it: {payload}"
    );
    // AND nothing was written, and the refusal is not retried by itself.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert!(
        memory.rows("accounts").is_empty(),
        "a refused write must not reach the side"
    );
    assert_eq!(
        attempts_for(&faulty, "REF-1").len(),
        1,
        "a refusal needs a person: the engine must not send it again by itself"
    );
    assert_eq!(harness.failed_changes("REF-1").len(), 1, "kept once");
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_throttled_target_keeps_the_change_at_the_head_of_the_queue_until_it_answers() {
    // GIVEN a running map whose Dataverse target takes one write, then throttles every call.
    let memory = Arc::new(MemoryTarget::new());
    let faulty = Arc::new(FaultyTarget::fail_after(memory.clone(), 1, Fault::Throttle));
    let harness = harness_writing_dataverse_to(faulty.clone()).await;
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    harness.create_customer("DAT", "THR-0", "Before").await;
    eventually("THR-0 written", || async {
        memory.row("accounts", &account_key("THR-0"))
    })
    .await;

    // WHEN two more customers are created, the first one meeting the throttled target.
    harness.create_customer("DAT", "THR-1", "First").await;
    eventually("THR-1 tried", || async {
        (!attempts_for(&faulty, "THR-1").is_empty()).then_some(())
    })
    .await;
    harness.create_customer("DAT", "THR-2", "Second").await;

    // THEN the first stays queued with its attempts counted, the map's reason names the
    // throttling, and the change behind it is not tried.
    let head = eventually("THR-1 retried in place", || async {
        let queued = harness.queued_change("THR-1")?;
        let behind = harness.queued_change("THR-2")?;
        (queued.attempts >= 2 && behind.status == ChangeStatus::Queued).then_some(queued)
    })
    .await;
    assert_eq!(
        head.status,
        ChangeStatus::Queued,
        "a throttled change is retried, not set aside as failed"
    );
    assert!(
        head.error.as_deref().unwrap_or_default().contains("429"),
        "the change says why it waits: {:?}",
        head.error
    );
    let reason = eventually("the reason", || async { harness.reason() }).await;
    assert!(
        reason.contains("429") && reason.contains("Retry-After"),
        "the map's reason names the throttling and its fix: {reason}"
    );
    assert_eq!(
        harness.store.map("customers").unwrap().unwrap().state,
        "running",
        "throttling is waited out, the map does not stop"
    );
    assert!(
        attempts_for(&faulty, "THR-2").is_empty(),
        "changes behind the head wait their turn: capture order is kept"
    );
    assert!(harness.failed_changes("THR-").is_empty(), "nothing failed");

    // WHEN the target answers again.
    faulty.heal();

    // THEN both are written, once each and in capture order, and the reason clears.
    eventually("THR-1 and THR-2 written", || async {
        (memory.row("accounts", &account_key("THR-2")).is_some()
            && harness.queued_change("THR-").is_none())
        .then_some(())
    })
    .await;
    let written: Vec<String> = memory
        .calls()
        .iter()
        .filter(|call| call.kind == CallKind::Upsert)
        .filter_map(|call| call.key_value("accountnumber").map(str::to_owned))
        .collect();
    assert_eq!(
        written,
        ["THR-0", "THR-1", "THR-2"],
        "each change lands once, in capture order"
    );
    assert_eq!(
        memory.row("accounts", &account_key("THR-1")).unwrap()["name"],
        "First"
    );
    harness.wait_reason_cleared().await;
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_target_that_times_out_is_retried_in_place_and_nothing_is_lost() {
    // GIVEN a running map whose Dataverse target times out three times, then answers.
    let memory = Arc::new(MemoryTarget::new());
    let faulty = Arc::new(FaultyTarget::new(memory.clone()).fail(Fault::Timeout, 3));
    let harness = harness_writing_dataverse_to(faulty.clone()).await;
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;

    // WHEN a customer is created in finance and operations.
    harness.create_customer("DAT", "TMO-1", "Slow Ltd").await;

    // THEN it is written once the target answers: tried four times, written once.
    let row = eventually("TMO-1 written", || async {
        memory.row("accounts", &account_key("TMO-1"))
    })
    .await;
    assert_eq!(row["name"], "Slow Ltd");
    let faults: Vec<Option<Fault>> = attempts_for(&faulty, "TMO-1")
        .into_iter()
        .map(|attempt| attempt.fault)
        .collect();
    assert_eq!(
        faults,
        [
            Some(Fault::Timeout),
            Some(Fault::Timeout),
            Some(Fault::Timeout),
            None
        ],
        "a timeout is retried in place, like throttling, until the target answers"
    );
    assert_eq!(memory.calls().len(), 1, "written once: no duplicate");
    // AND nothing is lost or set aside: the queue empties, no error line, the wait was logged.
    eventually("the queue to empty", || async {
        harness.queued_change("TMO-1").is_none().then_some(())
    })
    .await;
    assert!(
        harness.lines_of_kind("error").is_empty(),
        "a timeout is not a refusal: {:?}",
        harness.lines_of_kind("error")
    );
    let lifecycle = harness.lines_of_kind("lifecycle");
    assert!(
        lifecycle.iter().any(|line| line.entry.status == "failed"
            && line.entry.message.contains("timeout")
            && line.entry.message.contains("stays queued")),
        "the wait is logged once, saying the change stays queued: {lifecycle:?}"
    );
    assert!(
        lifecycle
            .iter()
            .any(|line| line.entry.message.contains("answers again")),
        "the recovery is logged: {lifecycle:?}"
    );
    harness.wait_reason_cleared().await;
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_delete_goes_through_the_target_and_a_throttled_one_is_retried() {
    // GIVEN a synced customer, and a Dataverse target that takes that write, then throttles
    // twice.
    let memory = Arc::new(MemoryTarget::new());
    let faulty = Arc::new(
        FaultyTarget::new(memory.clone())
            .pass(1)
            .fail(Fault::Throttle, 2),
    );
    let harness = harness_writing_dataverse_to(faulty.clone()).await;
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    harness.create_customer("DAT", "DLT-1", "Deleted").await;
    eventually("DLT-1 written", || async {
        memory.row("accounts", &account_key("DLT-1"))
    })
    .await;

    // WHEN the customer is deleted in finance and operations.
    assert!(
        harness
            .finops
            .delete(
                "CustomersV3",
                &[("dataAreaId", "DAT"), ("CustomerAccount", "DLT-1")]
            )
            .await
            .unwrap()
    );

    // THEN the delete reaches the target by the account's key, after two throttled tries.
    eventually("the account deleted", || async {
        memory
            .row("accounts", &account_key("DLT-1"))
            .is_none()
            .then_some(())
    })
    .await;
    let deletes: Vec<Option<Fault>> = attempts_for(&faulty, "DLT-1")
        .into_iter()
        .filter(|attempt| attempt.call.kind == CallKind::Delete)
        .map(|attempt| attempt.fault)
        .collect();
    assert_eq!(
        deletes,
        [Some(Fault::Throttle), Some(Fault::Throttle), None],
        "a throttled delete is retried in place until the target takes it"
    );
    let logged = eventually("the delete line", || async {
        harness
            .row_lines()
            .into_iter()
            .find(|line| line.entry.operation.as_deref() == Some("delete"))
    })
    .await;
    assert_eq!(logged.entry.key.as_deref(), Some("DAT|DLT-1"));
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}
