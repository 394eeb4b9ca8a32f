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
