//! A write the disk has no room for fails as `StoreError::Full` and changes nothing: the
//! changes and the cursor move it carried are where they were, and the write succeeds once
//! there is room again. The full disk is a page limit on the store's own connection.

use duet_maps::Side;
use serde_json::json;

use super::{activity, store};
use crate::{ChangeOperation, CursorMove, NewChange, StoreError};

fn change(key: &str) -> NewChange {
    NewChange {
        side: Side::FinanceOperations,
        operation: ChangeOperation::Upsert,
        key: Some(key.to_owned()),
        source_id: None,
        row: json!({"Name": "x".repeat(2000)}),
        captured_at: "2026-12-01T10:00:00Z".to_owned(),
        read_mark: None,
    }
}

fn watermark(value: &str) -> Option<CursorMove<'_>> {
    Some(CursorMove {
        name: "fo.watermark",
        value,
        forward_only: true,
    })
}

#[test]
fn a_capture_the_disk_has_no_room_for_is_refused_whole_and_taken_later() {
    // GIVEN a store with one captured change, on a disk with no room left.
    let (_dir, store) = store();
    store
        .enqueue("m", &[change("K0")], watermark("2026-12-01T09:00:00Z"))
        .unwrap();
    let pages: i64 = store
        .db()
        .query_row("PRAGMA page_count", [], |row| row.get(0))
        .unwrap();
    store
        .db()
        .pragma_update(None, "max_page_count", pages)
        .unwrap();
    // WHEN a capture of many changes and its cursor move are written.
    let many: Vec<NewChange> = (1..=200).map(|n| change(&format!("K{n}"))).collect();
    let error = store
        .enqueue("m", &many, watermark("2026-12-01T10:00:00Z"))
        .unwrap_err();
    // THEN it fails as a full disk, and nothing of it was kept: the cursor did not move, so
    // the capture reads those changes again.
    assert!(matches!(error, StoreError::Full { .. }), "{error:?}");
    assert!(error.to_string().starts_with("the disk is full"), "{error}");
    assert_eq!(store.queue_depth("m").unwrap(), (1, 0, 0));
    assert_eq!(
        store.cursor("m", "fo.watermark").unwrap().as_deref(),
        Some("2026-12-01T09:00:00Z")
    );
    // AND a log line fails the same way.
    let lines: Vec<_> = (0..200)
        .map(|n| activity("m", "row", &format!("K{n}")))
        .collect();
    let error = store.add_activities(&lines).unwrap_err();
    assert!(matches!(error, StoreError::Full { .. }), "{error:?}");
    // WHEN there is room again THEN the same capture is written.
    store
        .db()
        .pragma_update(None, "max_page_count", 1_000_000)
        .unwrap();
    store
        .enqueue("m", &many, watermark("2026-12-01T10:00:00Z"))
        .unwrap();
    assert_eq!(store.queue_depth("m").unwrap(), (201, 0, 0));
}
