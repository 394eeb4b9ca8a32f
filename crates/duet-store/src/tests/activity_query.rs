//! Tests of activity log queries: filtered keyset pages in both orders, counts, text search
//! taken literally, and reads that do not wait for a writer.

use std::time::{Duration, Instant};

use super::{activity, store};
use crate::{ActivityQuery, LogOrder, NewActivity, Store};

/// 3,000 lines: maps `a` and `b` alternate; every seventh line failed.
fn filled() -> (tempfile::TempDir, Store) {
    let (dir, store) = store();
    let lines: Vec<NewActivity> = (0..3000)
        .map(|n| {
            let mut line = activity(
                if n % 2 == 0 { "a" } else { "b" },
                "row",
                &format!("DAT|C{n}"),
            );
            if n % 7 == 0 {
                line.kind = "error".to_owned();
                line.status = "failed".to_owned();
                line.message = format!("refused 50% of C{n}");
            }
            line.at = format!("2026-12-06T10:{:02}:{:02}Z", n / 60 % 60, n % 60);
            line
        })
        .collect();
    store.add_activities(&lines).unwrap();
    (dir, store)
}

/// Every id of every page, following the cursor to the end.
fn walk(store: &Store, mut query: ActivityQuery, limit: u32) -> Vec<i64> {
    let mut ids = Vec::new();
    loop {
        let page = store.activity_page(&query, limit).unwrap();
        assert!(page.entries.len() <= limit as usize);
        ids.extend(page.entries.iter().map(|entry| entry.id));
        match page.next {
            Some(next) => query.after = Some(next),
            None => return ids,
        }
    }
}

#[test]
fn filtered_pages_cover_every_matching_line_once_in_order_and_match_the_count() {
    let (_dir, store) = filled();
    let query = ActivityQuery {
        map: Some("a".to_owned()),
        status: Some("failed".to_owned()),
        ..ActivityQuery::default()
    };
    let newest = walk(&store, query.clone(), 40);
    // Even n that are multiples of 7: multiples of 14 below 3,000.
    assert_eq!(newest.len(), 3000 / 14 + 1);
    assert!(
        newest.windows(2).all(|pair| pair[0] > pair[1]),
        "newest first"
    );
    assert_eq!(store.activity_count(&query).unwrap(), newest.len() as u64);
    let oldest = walk(
        &store,
        ActivityQuery {
            order: LogOrder::OldestFirst,
            ..query
        },
        64,
    );
    let mut reversed = newest.clone();
    reversed.reverse();
    assert_eq!(oldest, reversed, "oldest first is the same lines reversed");
}

#[test]
fn text_matches_key_or_message_literally_and_time_bounds_cut_the_range() {
    let (_dir, store) = filled();
    let percent = ActivityQuery {
        text: Some("50%".to_owned()),
        ..ActivityQuery::default()
    };
    // `%` is taken literally: only the failed lines' messages hold "50%".
    assert_eq!(store.activity_count(&percent).unwrap(), 3000 / 7 + 1);
    // A key is a substring match: C299 is also in C2990…C2999.
    let key = ActivityQuery {
        text: Some("DAT|C299".to_owned()),
        ..ActivityQuery::default()
    };
    assert_eq!(store.activity_count(&key).unwrap(), 11);
    let one = ActivityQuery {
        text: Some("dat|c1234".to_owned()),
        ..ActivityQuery::default()
    };
    let found = store.activity_page(&one, 100).unwrap();
    assert_eq!(
        found.entries.len(),
        1,
        "case-insensitive, and no C12340 exists"
    );
    let minute = ActivityQuery {
        from: Some("2026-12-06T10:10:00Z".to_owned()),
        to: Some("2026-12-06T10:11:00Z".to_owned()),
        ..ActivityQuery::default()
    };
    // Minute 10 of the first hour holds n = 600..659: 60 lines.
    assert_eq!(store.activity_count(&minute).unwrap(), 60);
}

#[test]
fn a_page_is_read_while_another_connection_holds_the_write_lock() {
    let (dir, store) = filled();
    // GIVEN a writer in the middle of a transaction that has written but not committed.
    let writer = rusqlite::Connection::open(dir.path().join("duet.sqlite")).unwrap();
    writer.execute_batch("BEGIN IMMEDIATE").unwrap();
    writer
        .execute(
            "INSERT INTO activity (at, map, kind, status, message) VALUES ('t', 'a', 'row', 'succeeded', 'uncommitted')",
            [],
        )
        .unwrap();
    // WHEN the log is read, THEN the read answers at once with the committed lines only.
    let started = Instant::now();
    let count = store.activity_count(&ActivityQuery::default()).unwrap();
    let page = store.activity_page(&ActivityQuery::default(), 10).unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(count, 3000);
    assert_ne!(page.entries[0].entry.message, "uncommitted");
    writer.execute_batch("COMMIT").unwrap();
    assert_eq!(
        store.activity_count(&ActivityQuery::default()).unwrap(),
        3001
    );
}

#[test]
fn failures_are_found_by_their_error_class_on_its_index() {
    let (_dir, store) = store();
    let lines: Vec<NewActivity> = (0..300)
        .map(|n| {
            let mut line = activity("a", "error", &format!("DAT|C{n}"));
            line.status = "failed".to_owned();
            line.error_class = Some(if n % 3 == 0 { "429" } else { "400" }.to_owned());
            line
        })
        .collect();
    store.add_activities(&lines).unwrap();
    let query = ActivityQuery {
        error_class: Some("429".to_owned()),
        ..ActivityQuery::default()
    };
    assert_eq!(
        store.activity_count(&query).unwrap(),
        100,
        "every third failure is throttled"
    );
    let ids = walk(&store, query, 30);
    assert_eq!(ids.len(), 100, "the pages hold exactly the throttled lines");
    let page = store
        .activity_page(
            &ActivityQuery {
                error_class: Some("429".to_owned()),
                ..ActivityQuery::default()
            },
            1,
        )
        .unwrap();
    assert_eq!(page.entries[0].entry.error_class.as_deref(), Some("429"));
    let plan: String = store
        .reader()
        .query_row(
            "EXPLAIN QUERY PLAN SELECT id FROM activity WHERE error_class = '429' ORDER BY id DESC",
            [],
            |row| row.get(3),
        )
        .unwrap();
    assert!(
        plan.contains("activity_class"),
        "a class filter must be a seek on its index, not a scan: {plan}"
    );
}

#[test]
fn a_store_of_an_earlier_version_gets_the_error_class_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("duet.sqlite");
    {
        let old = rusqlite::Connection::open(&path).unwrap();
        old.execute_batch(
            "CREATE TABLE activity (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL,
                 map TEXT NOT NULL, kind TEXT NOT NULL, direction TEXT, row_key TEXT,
                 operation TEXT, status TEXT NOT NULL, message TEXT NOT NULL,
                 latency_ms INTEGER, payload TEXT);
             INSERT INTO activity (at, map, kind, status, message)
                 VALUES ('2026-01-01T00:00:00Z', 'm', 'lifecycle', 'started', 'old line');",
        )
        .unwrap();
    }
    let store = Store::open(&path).expect("an old store opens and is migrated");
    let old = store.activity(10).unwrap();
    assert_eq!(old[0].entry.message, "old line");
    assert_eq!(old[0].entry.error_class, None, "old lines have no class");
    let mut line = activity("m", "error", "C1");
    line.error_class = Some("400".to_owned());
    store.add_activities(&[line]).unwrap();
    assert_eq!(
        store.activity(1).unwrap()[0].entry.error_class.as_deref(),
        Some("400")
    );
}

#[test]
fn an_offset_jumps_into_the_view_from_its_start_or_from_a_cursor() {
    let (_dir, store) = filled();
    let all = walk(&store, ActivityQuery::default(), 500);
    let jumped = store
        .activity_page(
            &ActivityQuery {
                offset: Some(100),
                ..ActivityQuery::default()
            },
            10,
        )
        .unwrap();
    let ids: Vec<i64> = jumped.entries.iter().map(|entry| entry.id).collect();
    assert_eq!(ids, all[100..110]);
    assert_eq!(jumped.next, Some(all[109]));
    let after = store
        .activity_page(
            &ActivityQuery {
                after: Some(all[9]),
                offset: Some(5),
                ..ActivityQuery::default()
            },
            3,
        )
        .unwrap();
    let ids: Vec<i64> = after.entries.iter().map(|entry| entry.id).collect();
    assert_eq!(ids, all[15..18]);
}
