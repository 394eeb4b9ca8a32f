//! Tests of the dashboard figures, queue samples and retention.

use serde_json::json;

use super::{activity, store};
use duet_maps::Side;

use crate::{ChangeOperation, NewActivity, NewChange, Retention};

fn line_at(at: &str, map: &str, kind: &str, direction: &str, latency: Option<i64>) -> NewActivity {
    NewActivity {
        at: at.to_owned(),
        direction: Some(direction.to_owned()),
        latency_ms: latency,
        ..activity(map, kind, "C1")
    }
}

fn utc(text: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(text)
        .expect("time")
        .with_timezone(&chrono::Utc)
}

/// Rows and errors over two minutes, on two maps and both directions, with one row before the
/// first minute and one lifecycle line, neither of which is counted.
fn two_minutes_of_lines() -> Vec<NewActivity> {
    let mut lines = Vec::new();
    for (i, latency) in (1..=10).enumerate() {
        lines.push(line_at(
            &format!("2026-11-23T10:00:{:02}.000Z", i * 5),
            "customers",
            "row",
            "toDataverse",
            Some(latency * 10),
        ));
    }
    lines.push(line_at(
        "2026-11-23T10:00:30.000Z",
        "customers",
        "error",
        "toDataverse",
        None,
    ));
    lines.push(line_at(
        "2026-11-23T10:01:10.000Z",
        "customers",
        "row",
        "toFinanceOperations",
        Some(7),
    ));
    lines.push(line_at(
        "2026-11-23T10:01:20.000Z",
        "vendors",
        "row",
        "toDataverse",
        None,
    ));
    lines.push(line_at(
        "2026-11-23T09:59:59.000Z",
        "customers",
        "row",
        "toDataverse",
        Some(1),
    ));
    lines.push(NewActivity {
        direction: None,
        ..line_at(
            "2026-11-23T10:00:01.000Z",
            "customers",
            "lifecycle",
            "toDataverse",
            None,
        )
    });
    lines
}

#[test]
fn metric_buckets_count_rows_errors_and_latency_per_map_and_direction() {
    // GIVEN rows and errors over two minutes, on two maps and both directions.
    let (_dir, store) = store();
    let lines = two_minutes_of_lines();
    store.add_activities(&lines).unwrap();
    // WHEN they are bucketed by minute from 10:00.
    let buckets = store
        .metric_buckets(utc("2026-11-23T10:00:00Z"), 60, None)
        .unwrap();
    // THEN each map, direction and minute has its rows, errors and latency percentiles.
    type Row<'a> = (
        &'a str,
        &'a str,
        &'a str,
        i64,
        i64,
        Option<i64>,
        Option<i64>,
    );
    let summary: Vec<Row> = buckets
        .iter()
        .map(|b| {
            (
                b.start.as_str(),
                b.map.as_str(),
                b.direction.as_str(),
                b.rows,
                b.errors,
                b.p50_ms,
                b.p99_ms,
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                "2026-11-23T10:00:00.000Z",
                "customers",
                "toDataverse",
                10,
                1,
                Some(50),
                Some(100)
            ),
            (
                "2026-11-23T10:01:00.000Z",
                "customers",
                "toFinanceOperations",
                1,
                0,
                Some(7),
                Some(7)
            ),
            (
                "2026-11-23T10:01:00.000Z",
                "vendors",
                "toDataverse",
                1,
                0,
                None,
                None
            ),
        ]
    );
    // AND one map can be asked for alone.
    let vendors = store
        .metric_buckets(utc("2026-11-23T10:00:00Z"), 60, Some("vendors"))
        .unwrap();
    assert_eq!(vendors.len(), 1);
    assert_eq!(vendors[0].map, "vendors");
}

#[test]
fn queue_samples_skip_repeats_for_a_minute_and_prune_keeps_failed_rows_by_default() {
    // GIVEN a map with two queued changes, one of which failed.
    let (_dir, store) = store();
    let change = |key: &str| NewChange {
        side: Side::FinanceOperations,
        operation: ChangeOperation::Upsert,
        key: Some(key.to_owned()),
        source_id: None,
        row: json!({"CustomerAccount": key}),
        captured_at: "2026-11-01T10:00:00.000Z".to_owned(),
        read_mark: None,
    };
    store
        .enqueue("customers", &[change("C1"), change("C2")], None)
        .unwrap();
    let first = store.next_changes("customers", 1).unwrap();
    store.fail_change(first[0].seq, "refused").unwrap();
    // WHEN the queue is sampled three times, the depth unchanged within a minute.
    assert!(
        store
            .sample_queue("customers", utc("2026-11-23T10:00:00Z"))
            .unwrap()
    );
    assert!(
        !store
            .sample_queue("customers", utc("2026-11-23T10:00:30Z"))
            .unwrap()
    );
    assert!(
        store
            .sample_queue("customers", utc("2026-11-23T10:01:05Z"))
            .unwrap()
    );
    // THEN two samples hold the depth.
    let samples = store
        .queue_samples(utc("2026-11-23T09:00:00Z"), None)
        .unwrap();
    assert_eq!(samples.len(), 2);
    assert_eq!((samples[0].queued, samples[0].failed), (1, 1));
    // WHEN old activity and samples are pruned with the default retention (30 days).
    store
        .add_activities(&[
            line_at(
                "2026-10-01T10:00:00.000Z",
                "customers",
                "row",
                "toDataverse",
                None,
            ),
            line_at(
                "2026-12-01T10:00:00.000Z",
                "customers",
                "row",
                "toDataverse",
                None,
            ),
        ])
        .unwrap();
    let retention = store.retention().unwrap();
    assert_eq!(retention, Retention::default());
    let pruned = store
        .prune(&retention, utc("2026-12-24T10:00:00Z"))
        .unwrap();
    // THEN only what is older than 30 days goes, and the failed change stays.
    assert_eq!((pruned.activity, pruned.samples, pruned.failed), (1, 2, 0));
    assert_eq!(store.queue_depth("customers").unwrap(), (1, 0, 1));
    // WHEN failed changes are given a retention of 7 days.
    let strict = Retention {
        activity_days: 30,
        failed_days: Some(7),
        ..Retention::default()
    };
    store
        .set_retention(&strict, "2026-12-24T10:00:00.000Z")
        .unwrap();
    assert_eq!(store.retention().unwrap(), strict);
    let pruned = store.prune(&strict, utc("2026-12-24T10:00:00Z")).unwrap();
    // THEN the old failed change is removed and counted; the queued one stays.
    assert_eq!(pruned.failed, 1);
    assert_eq!(store.queue_depth("customers").unwrap(), (1, 0, 0));
}

#[test]
fn retention_keeps_at_most_its_line_cap_removing_the_oldest() {
    let (_dir, store) = store();
    let lines: Vec<NewActivity> = (0..50)
        .map(|n| NewActivity {
            message: format!("line {n}"),
            ..line_at("2026-12-06T10:00:00.000Z", "m", "row", "toDataverse", None)
        })
        .collect();
    store.add_activities(&lines).unwrap();
    let capped = Retention {
        activity_max_lines: 20,
        ..Retention::default()
    };
    let pruned = store.prune(&capped, utc("2026-12-06T11:00:00Z")).unwrap();
    assert_eq!(pruned.activity, 30, "the 30 oldest lines go");
    let kept = store.activity(100).unwrap();
    assert_eq!(kept.len(), 20);
    assert_eq!(kept[0].entry.message, "line 49", "the newest stays");
    assert_eq!(kept[19].entry.message, "line 30");
    let again = store.prune(&capped, utc("2026-12-06T11:00:00Z")).unwrap();
    assert_eq!(again.activity, 0, "under the cap nothing more goes");
}

#[test]
fn retention_stored_by_an_earlier_version_reads_with_the_new_defaults() {
    let (_dir, store) = store();
    store
        .set_state(
            "retention",
            &serde_json::json!({"activityDays": 9, "failedDays": null}),
            "2026-12-06T10:00:00.000Z",
        )
        .unwrap();
    let retention = store.retention().unwrap();
    assert_eq!(retention.activity_days, 9);
    assert_eq!(
        retention.activity_max_lines,
        crate::DEFAULT_ACTIVITY_MAX_LINES
    );
    assert!(!retention.keep_bulk_payloads);
}
