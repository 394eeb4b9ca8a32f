//! Tests of failures grouped by cause.

use serde_json::json;

use super::{activity, store};
use crate::message_pattern;

#[test]
fn a_pattern_leaves_out_what_differs_per_row_and_keeps_status_codes() {
    assert_eq!(
        message_pattern(
            "PATCH http://127.0.0.1:43831/api/data/v9.2/accounts(accountnumber='PW-17965') failed (400): bad"
        ),
        "PATCH http://127.0.0.1:#/api/data/v9.2/accounts(accountnumber='…') failed (400): bad"
    );
    assert_eq!(
        message_pattern("row 8c1f6a2e-1b2c-4d3e-9f00-aa11bb22cc33 is gone; don't retry"),
        "row {id} is gone; don't retry"
    );
    // A row key in the text is left out too, whatever its company and prefix.
    assert_eq!(
        message_pattern("no value for key field 'msdyn_company' (DAT|SEED-0000075)"),
        message_pattern("no value for key field 'msdyn_company' (USMF|C-0012)"),
    );
}

#[test]
fn failures_are_grouped_by_map_status_and_pattern_with_counts_and_a_sample() {
    let (_dir, store) = store();
    let failed = |map: &str, key: &str, message: &str, at: &str| {
        let mut line = activity(map, "error", key);
        line.status = "failed".to_owned();
        line.message = message.to_owned();
        line.at = at.to_owned();
        line.payload = Some(json!({ "key": key }));
        line
    };
    store
        .add_activities(&[
            failed(
                "m",
                "C1",
                "no value for key field 'msdyn_company'",
                "2026-12-06T10:00:00Z",
            ),
            failed(
                "m",
                "C2",
                "name 'Net 30' matches no row",
                "2026-12-06T10:01:00Z",
            ),
            failed(
                "m",
                "C3",
                "no value for key field 'msdyn_company'",
                "2026-12-06T10:02:00Z",
            ),
            failed(
                "other",
                "C4",
                "no value for key field 'msdyn_company'",
                "2026-12-06T10:03:00Z",
            ),
            activity("m", "row", "C5"),
        ])
        .unwrap();
    let groups = store.error_groups(None).unwrap();
    assert_eq!(groups.len(), 3, "{groups:#?}");
    let top = &groups[0];
    assert_eq!((top.map.as_str(), top.count), ("m", 2));
    assert_eq!(top.pattern, "no value for key field '…'");
    assert_eq!(top.first_at, "2026-12-06T10:00:00Z");
    assert_eq!(top.last_at, "2026-12-06T10:02:00Z");
    assert_eq!(top.sample_key.as_deref(), Some("C3"));
    assert_eq!(top.sample_payload, Some(json!({ "key": "C3" })));
    let only_other = store.error_groups(Some("other")).unwrap();
    assert_eq!(only_other.len(), 1);
    assert_eq!(only_other[0].count, 1);
}

#[test]
fn the_same_message_of_two_error_classes_is_two_groups() {
    let (_dir, store) = store();
    let failed = |key: &str, class: &str| {
        let mut line = activity("m", "error", key);
        line.status = "failed".to_owned();
        line.message = "PATCH accounts failed".to_owned();
        line.error_class = Some(class.to_owned());
        line
    };
    store
        .add_activities(&[
            failed("C1", "429"),
            failed("C2", "400"),
            failed("C3", "429"),
        ])
        .unwrap();
    let groups = store.error_groups(None).unwrap();
    let classes: Vec<(Option<&str>, u64)> = groups
        .iter()
        .map(|group| (group.error_class.as_deref(), group.count))
        .collect();
    assert_eq!(classes, vec![(Some("429"), 2), (Some("400"), 1)]);
}

#[test]
fn a_pattern_picks_one_groups_failures_and_a_group_retry_moves_only_its_changes() {
    let (_dir, store) = store();
    let too_long =
        |key: &str| format!("PATCH accounts(accountnumber='{key}') failed (400): too long");
    let pattern = message_pattern(&too_long("K1"));
    // GIVEN two failures of one cause and one of another in map m, one of the first cause in
    // map n, and a row line that merely reads like the first cause.
    let mut lines = Vec::new();
    for (map, key, message) in [
        ("m", "K1", too_long("K1")),
        ("m", "K2", too_long("K2")),
        ("m", "K3", "the name 'Net 30' matches no row".to_owned()),
        ("n", "K4", too_long("K4")),
    ] {
        let mut line = activity(map, "error", key);
        line.status = "failed".to_owned();
        line.message = message;
        lines.push(line);
    }
    let mut row = activity("m", "row", "K5");
    row.message = too_long("K5");
    lines.push(row);
    store.add_activities(&lines).unwrap();
    // WHEN the log is read by the group's pattern, THEN only its failures match.
    let query = crate::ActivityQuery {
        map: Some("m".to_owned()),
        pattern: Some(pattern.clone()),
        ..crate::ActivityQuery::default()
    };
    let page = store.activity_page(&query, 10).unwrap();
    let keys: Vec<_> = page
        .entries
        .iter()
        .map(|record| record.entry.key.clone().unwrap())
        .collect();
    assert_eq!(keys, ["K2", "K1"]);
    assert_eq!(store.activity_count(&query).unwrap(), 2);

    // GIVEN the same failures kept in the queue.
    for (map, key, message) in [
        ("m", "K1", too_long("K1")),
        ("m", "K2", too_long("K2")),
        ("m", "K3", "the name 'Net 30' matches no row".to_owned()),
        ("n", "K4", too_long("K4")),
    ] {
        store.enqueue(map, &[queued(key)], None).unwrap();
        let seq = store.next_changes(map, 10).unwrap().last().unwrap().seq;
        store.fail_change(seq, &message).unwrap();
    }
    // WHEN the group of map m is retried, THEN its two changes are queued again, and the
    // other cause and the other map's change stay failed.
    assert_eq!(store.failed_with_pattern("m", &pattern).unwrap(), 2);
    assert_eq!(store.retry_failed_with_pattern("m", &pattern).unwrap(), 2);
    let requeued: Vec<_> = store
        .next_changes("m", 10)
        .unwrap()
        .iter()
        .map(|change| change.change.key.clone().unwrap())
        .collect();
    assert_eq!(requeued, ["K1", "K2"]);
    assert_eq!(store.queue_depth("m").unwrap(), (2, 0, 1));
    assert_eq!(store.queue_depth("n").unwrap(), (0, 0, 1));
    assert_eq!(store.retry_failed_with_pattern("m", &pattern).unwrap(), 0);
}

fn queued(key: &str) -> crate::NewChange {
    crate::NewChange {
        side: duet_maps::Side::Dataverse,
        operation: crate::ChangeOperation::Upsert,
        key: Some(key.to_owned()),
        source_id: None,
        row: serde_json::json!({ "name": key }),
        captured_at: "2026-11-23T10:00:00.000Z".to_owned(),
        read_mark: None,
    }
}
