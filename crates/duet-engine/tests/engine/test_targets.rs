//! The two test targets themselves: `MemoryTarget` keeps rows by key and records calls, and
//! `FaultyTarget` fails as its script says (refused, throttled, timed out, failing after N calls)
//! before passing calls through.

use std::sync::Arc;

use duet_connect::{ErrorClass, RetryPolicy};
use duet_engine::test_utils::{CallKind, Fault, FaultyTarget, MemoryTarget};
use duet_engine::{Target, WriteOperation};
use serde_json::{Value, json};

use crate::support::{account_key, row};

fn named(name: &str) -> serde_json::Map<String, Value> {
    row(json!({ "name": name }))
}

#[tokio::test]
async fn a_memory_target_upserts_by_key_merging_columns_and_deletes_say_whether_the_row_was_there()
{
    // GIVEN an empty memory target.
    let memory = MemoryTarget::new();
    let key = account_key("M-1");

    // WHEN a row is upserted twice, the second time with another column, then again as is.
    let first = memory
        .upsert("accounts", &key, &named("One"))
        .await
        .unwrap();
    let second = memory
        .upsert("accounts", &key, &row(json!({ "telephone1": "555" })))
        .await
        .unwrap();
    memory
        .upsert("accounts", &key, &row(json!({ "telephone1": "555" })))
        .await
        .unwrap();

    // THEN it was created, then updated, and holds its key and both columns once.
    assert_eq!(first.operation, WriteOperation::Created, "absent: created");
    assert_eq!(
        second.operation,
        WriteOperation::Updated,
        "present: updated"
    );
    assert_eq!(
        memory.row("accounts", &key),
        Some(row(
            json!({ "accountnumber": "M-1", "name": "One", "telephone1": "555" })
        )),
        "an upsert merges its columns into the row, and writing them again changes nothing"
    );
    assert!(memory.rows("contacts").is_empty(), "tables are apart");

    // WHEN the row is deleted twice.
    let existed = memory.delete("accounts", &key).await.unwrap();
    let again = memory.delete("accounts", &key).await.unwrap();

    // THEN the first delete found it and the second did not, and every call was recorded.
    assert!(existed, "the row was there");
    assert!(
        !again,
        "a delete of a row already gone is Ok(false), not an error"
    );
    assert!(memory.row("accounts", &key).is_none());
    let kinds: Vec<CallKind> = memory.calls().iter().map(|call| call.kind).collect();
    assert_eq!(
        kinds,
        [
            CallKind::Upsert,
            CallKind::Upsert,
            CallKind::Upsert,
            CallKind::Delete,
            CallKind::Delete
        ],
        "every call is recorded in order"
    );
    assert_eq!(memory.calls()[1].row["telephone1"], "555");
    assert_eq!(memory.calls()[3].key_value("accountnumber"), Some("M-1"));
}

#[tokio::test]
async fn a_memory_target_keeps_rows_inserted_before_the_test_without_recording_a_call() {
    // GIVEN a row the side held before.
    let memory = MemoryTarget::new();
    memory.insert("accounts", &account_key("OLD"), named("Old"));

    // WHEN it is updated.
    let written = memory
        .upsert("accounts", &account_key("OLD"), &named("New"))
        .await
        .unwrap();

    // THEN the upsert found it, and only the upsert is recorded.
    assert_eq!(
        written.operation,
        WriteOperation::Updated,
        "the row was there"
    );
    assert_eq!(
        memory.row("accounts", &account_key("OLD")).unwrap()["name"],
        "New"
    );
    assert_eq!(memory.calls().len(), 1, "seeding is not a call");
}

#[tokio::test]
async fn a_faulty_target_fails_as_its_script_says_then_passes_through() {
    // GIVEN a target that throttles twice, then times out once, then works.
    let memory = Arc::new(MemoryTarget::new());
    let faulty = FaultyTarget::new(memory.clone())
        .fail(Fault::Throttle, 2)
        .fail(Fault::Timeout, 1);
    let key = account_key("F-1");

    // WHEN it is called four times.
    let mut answers = Vec::new();
    for _ in 0..4 {
        answers.push(faulty.upsert("accounts", &key, &named("F")).await);
    }

    // THEN the first three fail as scripted, with the classes the engine acts on.
    let throttled = answers[0].as_ref().expect_err("first call throttled");
    assert_eq!(throttled.class, ErrorClass::Throttled);
    assert_eq!(throttled.status, Some(429), "a throttle is an HTTP 429");
    assert_eq!(
        throttled.class.retry_policy(),
        RetryPolicy::Timed,
        "throttling is retried by itself"
    );
    assert!(
        throttled
            .to_string()
            .contains("accounts(accountnumber='F-1')"),
        "the error names the row it was about: {throttled}"
    );
    assert_eq!(
        answers[1]
            .as_ref()
            .expect_err("second call throttled")
            .class,
        ErrorClass::Throttled
    );
    let timed_out = answers[2].as_ref().expect_err("third call timed out");
    assert_eq!(timed_out.class, ErrorClass::Timeout);
    assert_eq!(timed_out.status, None, "a timeout has no answer");
    assert_eq!(timed_out.class.retry_policy(), RetryPolicy::Timed);
    // AND the fourth reaches the wrapped target, which alone saw a call.
    assert_eq!(
        answers[3].as_ref().expect("fourth call passes").operation,
        WriteOperation::Created
    );
    assert_eq!(
        memory.calls().len(),
        1,
        "faults never reach the wrapped target"
    );
    assert_eq!(faulty.attempts().len(), 4, "every call is recorded");
    assert_eq!(faulty.faults(), 3);
}

#[tokio::test]
async fn a_refusal_is_a_400_with_the_remote_body_that_a_person_must_fix() {
    // GIVEN a target that refuses every call.
    let faulty = FaultyTarget::new(Arc::new(MemoryTarget::new()))
        .always(Fault::Refuse("Credit limit over the maximum".into()));

    // WHEN a row is written and one deleted.
    let upsert = faulty
        .upsert("accounts", &account_key("R-1"), &named("R"))
        .await
        .expect_err("refused");
    let delete = faulty
        .delete("accounts", &account_key("R-1"))
        .await
        .expect_err("refused too");

    // THEN both are 400s the way the clients report them: the message read out of the
    // OData body, the body kept for the error log, and a person to fix it.
    assert_eq!(upsert.status, Some(400));
    assert_eq!(upsert.class, ErrorClass::BadRequest);
    assert_eq!(
        upsert.class.retry_policy(),
        RetryPolicy::Manual,
        "a refusal is not retried by itself"
    );
    assert!(
        upsert.message.starts_with("Credit limit over the maximum"),
        "the readable message comes out of the body: {}",
        upsert.message
    );
    assert!(
        upsert
            .body
            .as_deref()
            .is_some_and(|body| body.contains("Credit limit over the maximum")),
        "the body is kept: {:?}",
        upsert.body
    );
    assert_eq!(upsert.method, "PATCH");
    assert_eq!(delete.method, "DELETE");
    assert_eq!(delete.class, ErrorClass::BadRequest);
}

#[tokio::test]
async fn fail_after_takes_n_calls_then_fails_until_healed() {
    // GIVEN a target that takes two calls, then throttles.
    let memory = Arc::new(MemoryTarget::new());
    let faulty = FaultyTarget::fail_after(memory.clone(), 2, Fault::Throttle);

    // WHEN it is called four times (writes and deletes alike), healed, and called again.
    let first = faulty
        .upsert("accounts", &account_key("A"), &named("A"))
        .await;
    let second = faulty.delete("accounts", &account_key("A")).await;
    let third = faulty
        .upsert("accounts", &account_key("B"), &named("B"))
        .await;
    let fourth = faulty.delete("accounts", &account_key("B")).await;
    faulty.heal();
    let healed = faulty
        .upsert("accounts", &account_key("C"), &named("C"))
        .await;

    // THEN the first two pass, the next fail, and after healing calls pass again.
    assert!(first.is_ok() && second.is_ok(), "the first N calls pass");
    assert_eq!(
        third.expect_err("throttled after N").class,
        ErrorClass::Throttled
    );
    assert_eq!(
        fourth.expect_err("still throttled").class,
        ErrorClass::Throttled,
        "it keeps failing until healed"
    );
    assert!(healed.is_ok(), "a healed target passes everything");
    let faults: Vec<bool> = faulty
        .attempts()
        .iter()
        .map(|attempt| attempt.fault.is_some())
        .collect();
    assert_eq!(faults, [false, false, true, true, false]);
    assert_eq!(
        memory.rows("accounts").len(),
        1,
        "A was written and deleted, B never arrived, C is there"
    );
}
