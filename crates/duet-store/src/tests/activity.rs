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
