//! Tests of the durable change queue.

use serde_json::json;

use super::store;
use duet_maps::Side;

use crate::{ChangeOperation, ChangeStatus, CursorMove, NewChange, Store, Wait};

fn change(side: &str, key: &str, name: &str) -> NewChange {
    NewChange {
        side: match side {
            "dataverse" => Side::Dataverse,
            _ => Side::FinanceOperations,
        },
        operation: ChangeOperation::Upsert,
        key: Some(key.to_owned()),
        source_id: None,
        row: json!({ "name": name }),
        captured_at: "2026-11-23T10:00:00.000Z".to_owned(),
        read_mark: None,
    }
}

#[test]
fn the_queue_keeps_capture_order_and_moves_the_cursor_with_it() {
    // GIVEN three updates of one row captured in two batches.
    let (_dir, store) = store();
    store
        .enqueue(
            "m",
            &[
                change("dataverse", "DAT|C1", "NameA"),
                change("dataverse", "DAT|C1", "NameB"),
            ],
            Some(CursorMove {
                name: "delta",
                value: "link-2",
                forward_only: false,
            }),
        )
        .unwrap();
    store
        .enqueue(
            "m",
            &[change("dataverse", "DAT|C1", "NameC")],
            Some(CursorMove {
                name: "delta",
                value: "link-3",
                forward_only: false,
            }),
        )
        .unwrap();
    // THEN they come back in the order captured, and the cursor is the latest.
    let names: Vec<_> = store
        .next_changes("m", 10)
        .unwrap()
        .iter()
        .map(|queued| queued.change.row["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        names,
        ["NameA", "NameB", "NameC"],
        "catch-up replays every change in order"
    );
    assert_eq!(
        store.cursor("m", "delta").unwrap().as_deref(),
        Some("link-3")
    );
    assert_eq!(store.queue_depth("m").unwrap(), (3, 0, 0));
}

#[test]
fn a_deferred_change_takes_the_later_changes_of_its_row_along_in_order() {
    // GIVEN two changes of row K1 with one of K2 between them, another map's change of K1,
    // and a failed change of K1.
    let (_dir, store) = store();
    store
        .enqueue(
            "m",
            &[
                change("dataverse", "K1", "A1"),
                change("dataverse", "K2", "B1"),
                change("financeOperations", "K1", "A2"),
            ],
            None,
        )
        .unwrap();
    store
        .enqueue("other", &[change("dataverse", "K1", "X")], None)
        .unwrap();
    let failed = store
        .enqueue_failed("m", &change("dataverse", "K1", "F"), "400")
        .unwrap();
    let first = store.next_changes("m", 10).unwrap()[0].seq;

    // WHEN the first change of K1 is deferred.
    let moved = store
        .defer_change(
            "m",
            first,
            "held back until the parent is there",
            true,
            Wait::Parent,
        )
        .unwrap();

    // THEN both changes of K1 went behind K2, still in their order; only the deferred one
    // counts an attempt and carries the reason; the other map and the failed change stay.
    assert_eq!(moved, 2);
    let queued = store.next_changes("m", 10).unwrap();
    let names: Vec<_> = queued
        .iter()
        .map(|queued| queued.change.row["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["B1", "A1", "A2"]);
    assert_eq!(queued[1].attempts, 1);
    assert_eq!(
        queued[1].error.as_deref(),
        Some("held back until the parent is there")
    );
    assert_eq!((queued[2].attempts, queued[2].error.as_deref()), (0, None));
    assert_eq!(
        (queued[1].wait, queued[2].wait),
        (Some(Wait::Parent), None),
        "only the deferred change waits; the one moved along keeps its own state"
    );
    assert_eq!(store.next_changes("other", 10).unwrap().len(), 1);
    let kept = store.queued_changes("m", Some("K1"), 10).unwrap();
    assert!(
        kept.iter()
            .any(|change| change.seq == failed && change.status == ChangeStatus::Failed)
    );
    assert_eq!(store.queue_depth("m").unwrap(), (3, 0, 1));
    // A change that is no longer queued is not moved.
    assert_eq!(
        store
            .defer_change("m", first, "again", true, Wait::Parent)
            .unwrap(),
        0
    );
    // A wait that does not count leaves the attempts as they were.
    let head = store.next_changes("m", 10).unwrap()[1].clone();
    store
        .defer_change("m", head.seq, "patient", false, Wait::Parent)
        .unwrap();
    let moved = store.next_changes("m", 10).unwrap();
    let moved = moved
        .iter()
        .find(|change| change.change.row["name"] == "A1")
        .unwrap();
    assert_eq!(
        (moved.attempts, moved.error.as_deref()),
        (1, Some("patient"))
    );
}

#[test]
fn acknowledged_changes_leave_and_failed_ones_wait_for_retry_behind_newer_ones() {
    let (_dir, store) = store();
    store
        .enqueue(
            "m",
            &[
                change("dataverse", "K1", "A"),
                change("dataverse", "K2", "B"),
            ],
            None,
        )
        .unwrap();
    let queued = store.next_changes("m", 10).unwrap();
    store.fail_change(queued[0].seq, "400: bad value").unwrap();
    store.ack_change(queued[1].seq).unwrap();
    assert!(
        store.next_changes("m", 10).unwrap().is_empty(),
        "a failed change does not block the queue"
    );
    let failed = store.queued_changes("m", Some("K1"), 10).unwrap();
    assert_eq!(failed[0].status, ChangeStatus::Failed);
    assert_eq!(failed[0].error.as_deref(), Some("400: bad value"));
    assert_eq!(failed[0].attempts, 1);
    store
        .enqueue("m", &[change("dataverse", "K3", "C")], None)
        .unwrap();
    assert_eq!(store.retry_changes("m", None).unwrap(), 1);
    let order: Vec<_> = store
        .next_changes("m", 10)
        .unwrap()
        .iter()
        .map(|queued| queued.change.key.clone().unwrap())
        .collect();
    assert_eq!(
        order,
        ["K3", "K1"],
        "a retried change goes behind what was already queued"
    );
}

#[test]
fn skip_to_live_parks_or_discards_only_what_is_queued() {
    let (_dir, store) = store();
    store
        .enqueue(
            "m",
            &[
                change("dataverse", "K1", "A"),
                change("dataverse", "K2", "B"),
            ],
            None,
        )
        .unwrap();
    assert_eq!(
        store.set_queued_status("m", ChangeStatus::Parked).unwrap(),
        2
    );
    assert_eq!(store.queue_depth("m").unwrap(), (0, 2, 0));
    store
        .enqueue("m", &[change("dataverse", "K3", "C")], None)
        .unwrap();
    assert_eq!(
        store.discard_queued("m").unwrap(),
        1,
        "parked changes survive a discard"
    );
    assert_eq!(store.queue_depth("m").unwrap(), (0, 2, 0));
}

#[test]
fn a_watermark_cursor_in_an_enqueue_never_moves_backward() {
    let (_dir, store) = store();
    let forward = |value| {
        Some(CursorMove {
            name: "watermark",
            value,
            forward_only: true,
        })
    };
    store
        .enqueue("m", &[], forward("2026-11-23T10:00:00.500Z"))
        .unwrap();
    store
        .enqueue("m", &[], forward("2026-11-23T09:00:00.000Z"))
        .unwrap();
    assert_eq!(
        store.cursor("m", "watermark").unwrap().as_deref(),
        Some("2026-11-23T10:00:00.500Z")
    );
}

#[test]
fn a_waiting_change_stays_marked_when_it_fails_and_is_retried() {
    // GIVEN a change waiting for its self-reference target.
    let (_dir, store) = store();
    store
        .enqueue("m", &[change("dataverse", "K1", "A1")], None)
        .unwrap();
    let seq = store.next_changes("m", 1).unwrap()[0].seq;
    store
        .defer_change("m", seq, "waiting for K2", true, Wait::SelfReference)
        .unwrap();
    let seq = store.next_changes("m", 1).unwrap()[0].seq;
    // WHEN it fails after waiting too long, and a person retries it.
    store.fail_change(seq, "still missing").unwrap();
    store.retry_changes("m", None).unwrap();
    // THEN it still says it waits: it has not been applied since.
    let retried = store.next_changes("m", 1).unwrap();
    assert_eq!(retried[0].wait, Some(Wait::SelfReference));
}

#[test]
fn a_queue_from_before_the_wait_column_is_migrated_from_its_error_texts() {
    // GIVEN a store written by a version that marked waits only in the error text.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("duet.sqlite");
    {
        let db = rusqlite::Connection::open(&path).unwrap();
        db.execute_batch(
            "CREATE TABLE queue (
                 seq INTEGER PRIMARY KEY AUTOINCREMENT, map TEXT NOT NULL, side TEXT NOT NULL,
                 operation TEXT NOT NULL, row_key TEXT, source_id TEXT, row_values TEXT NOT NULL,
                 captured_at TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'queued',
                 attempts INTEGER NOT NULL DEFAULT 0, error TEXT);
             INSERT INTO queue (map, side, operation, row_key, row_values, captured_at, status, error)
             VALUES
                 ('m', 'dataverse', 'upsert', 'K1', '{}', 't', 'queued', 'held back until the group G1 is in Dataverse'),
                 ('m', 'dataverse', 'upsert', 'K2', '{}', 't', 'queued', 'waiting for K9 to reach Dataverse'),
                 ('m', 'dataverse', 'upsert', 'K3', '{}', 't', 'failed', 'writing to Dataverse: 400'),
                 ('m', 'dataverse', 'upsert', 'K4', '{}', 't', 'queued', NULL);",
        )
        .unwrap();
    }
    // WHEN it is opened.
    let store = Store::open(&path).unwrap();
    // THEN each change waits as its text said, and the others do not.
    let waits: Vec<_> = store
        .queued_changes("m", None, 10)
        .unwrap()
        .into_iter()
        .map(|change| (change.change.key.unwrap(), change.wait))
        .collect();
    assert_eq!(
        waits,
        [
            ("K1".to_owned(), Some(Wait::Parent)),
            ("K2".to_owned(), Some(Wait::SelfReference)),
            ("K3".to_owned(), None),
            ("K4".to_owned(), None),
        ]
    );
    // AND opening it again changes nothing.
    drop(store);
    assert_eq!(
        Store::open(&path).unwrap().queue_depth("m").unwrap(),
        (3, 0, 1)
    );
}

#[test]
fn a_write_mark_tells_which_writes_came_after_a_read() {
    // GIVEN a row Duet wrote once, and a capture that took the mark before reading.
    let (_dir, store) = store();
    assert_eq!(store.write_mark().unwrap(), 0, "no write yet");
    store
        .remember_written("m", "dataverse", "K1", &json!({"name": "A"}))
        .unwrap();
    let mark = store.write_mark().unwrap();
    let written_after = |side: &str, key: &str| {
        store
            .written("m", side, key)
            .unwrap()
            .iter()
            .any(|(id, _)| *id > mark)
    };
    assert!(!written_after("dataverse", "K1"));
    // WHEN Duet writes the row again after the read.
    store
        .remember_written("m", "dataverse", "K1", &json!({"name": "B"}))
        .unwrap();
    // THEN that write is after the mark, for that row and side only; and the mark keeps
    // rising even when older writes are forgotten.
    assert!(written_after("dataverse", "K1"));
    assert!(!written_after("financeOperations", "K1"));
    assert!(!written_after("dataverse", "K2"));
    store.forget_writes_of("m").unwrap();
    assert!(store.write_mark().unwrap() > mark);
    // AND a queued change keeps the mark it was captured with.
    let mut captured = change("dataverse", "K1", "A");
    captured.read_mark = Some(mark);
    store.enqueue("m", &[captured], None).unwrap();
    assert_eq!(
        store.next_changes("m", 1).unwrap()[0].change.read_mark,
        Some(mark)
    );
}

#[test]
fn a_change_with_a_status_this_version_does_not_know_is_an_error_not_a_queued_change() {
    // GIVEN a change whose stored status is none of queued, parked or failed.
    let (_dir, store) = store();
    store
        .enqueue("m", &[change("dataverse", "K1", "A1")], None)
        .unwrap();
    store
        .db()
        .execute("UPDATE queue SET status = 'retrying'", [])
        .unwrap();
    // THEN reading the queue says so, rather than applying it as if it were queued.
    let error = store.queued_changes("m", None, 10).unwrap_err();
    assert!(
        error.to_string().contains("unknown status 'retrying'"),
        "{error}"
    );
}

#[test]
fn a_key_search_takes_percent_and_underscore_as_typed() {
    // GIVEN changes of keys that a wildcard would mix up.
    let (_dir, store) = store();
    store
        .enqueue(
            "m",
            &[
                change("dataverse", "DAT|A_1", "underscore"),
                change("dataverse", "DAT|AB1", "letter"),
                change("dataverse", "DAT|50%", "percent"),
                change("dataverse", "DAT|500", "digits"),
            ],
            None,
        )
        .unwrap();
    let found = |text: &str| -> Vec<String> {
        store
            .queued_changes("m", Some(text), 10)
            .unwrap()
            .into_iter()
            .map(|change| change.change.key.unwrap())
            .collect()
    };
    // THEN each search finds only the key it names, and a part of a key still finds it.
    assert_eq!(found("A_1"), ["DAT|A_1"], "an underscore is not any letter");
    assert_eq!(found("50%"), ["DAT|50%"], "a percent sign is not any text");
    assert_eq!(found("dat|ab"), ["DAT|AB1"], "letters match in either case");
    assert_eq!(found("").len(), 4, "no key lists every change");
}

#[test]
fn queued_changes_are_counted_by_a_text_in_their_key_taken_literally() {
    let (_dir, store) = store();
    store
        .enqueue(
            "m",
            &[
                change("financeOperations", "DAT|CU-1", "A"),
                change("financeOperations", "DAT|CU-2", "B"),
                change("financeOperations", "DAT|CUX", "C"),
                change("financeOperations", "DAT|C_1", "D"),
            ],
            None,
        )
        .unwrap();
    assert_eq!(store.queued_count("m", "CU-").unwrap(), 2);
    assert_eq!(
        store.queued_count("m", "C_").unwrap(),
        1,
        "an underscore is no wildcard"
    );
    assert_eq!(store.queued_count("other", "CU-").unwrap(), 0);
    let head = store.next_changes("m", 1).unwrap();
    store.fail_change(head[0].seq, "refused").unwrap();
    assert_eq!(
        store.queued_count("m", "CU-").unwrap(),
        1,
        "a failed change is not queued"
    );
}

#[test]
fn a_rows_queued_changes_are_found_on_an_index_not_by_reading_the_queue() {
    let (_dir, store) = store();
    let plan: String = store
        .db()
        .query_row(
            "EXPLAIN QUERY PLAN SELECT seq FROM queue
             WHERE map = 'm' AND side = 'dataverse' AND row_key = 'DAT|C1' AND status = 'queued'
             ORDER BY seq",
            [],
            |row| row.get(3),
        )
        .unwrap();
    assert!(
        plan.contains("queue_row"),
        "the conflict and stale-read rules look a row up once per change: {plan}"
    );
}
