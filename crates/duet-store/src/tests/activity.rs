//! Tests of the activity log.

use serde_json::json;

use super::{activity, store};

#[test]
fn activity_reads_newest_first_and_counts_per_map() {
    let (_dir, store) = store();
    let first = store.add_activity(&activity("m", "row", "K1")).unwrap();
    store.add_activity(&activity("m", "error", "K2")).unwrap();
    store.add_activity(&activity("other", "row", "K3")).unwrap();
    let lines = store.activity(2).unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0].entry.key.as_deref(), Some("K3"), "newest first");
    assert!(lines[1].id > first.id);
    assert_eq!(lines[1].entry.payload, Some(json!({"name": "Fabrikam"})));
    assert_eq!(store.map_counts("m").unwrap(), (1, 1));
}

#[test]
fn a_rows_activity_holds_only_that_row_of_that_map_newest_first() {
    // GIVEN lines about two rows of a map and the same key in another map.
    let (_dir, store) = store();
    store.add_activity(&activity("m", "row", "DAT|C1")).unwrap();
    store.add_activity(&activity("m", "row", "DAT|C2")).unwrap();
    store
        .add_activity(&activity("other", "row", "DAT|C1"))
        .unwrap();
    let newest = store
        .add_activity(&activity("m", "error", "DAT|C1"))
        .unwrap();
    // WHEN the row's activity is read.
    let lines = store.row_activity("m", "DAT|C1", 10).unwrap();
    // THEN it holds the row's two lines of map m, newest first.
    let ids: Vec<i64> = lines.iter().map(|line| line.id).collect();
    assert_eq!(
        ids.len(),
        2,
        "other rows and other maps are left out: {lines:?}"
    );
    assert_eq!(ids[0], newest.id, "newest first");
    assert!(
        lines
            .iter()
            .all(|line| line.entry.map == "m" && line.entry.key.as_deref() == Some("DAT|C1"))
    );
    assert_eq!(
        store.row_activity("m", "DAT|C1", 1).unwrap().len(),
        1,
        "the limit holds"
    );
}
