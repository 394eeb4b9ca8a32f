//! Tests of sync cursors and watermarks.

use super::store;

#[test]
fn watermarks_never_move_backward() {
    let (_dir, store) = store();
    store
        .advance_watermark("m", "fo", "2026-11-23T10:00:00.500Z")
        .unwrap();
    store
        .advance_watermark("m", "fo", "2026-11-23T09:00:00.000Z")
        .unwrap();
    assert_eq!(
        store.cursor("m", "fo").unwrap().as_deref(),
        Some("2026-11-23T10:00:00.500Z"),
        "an older watermark would replay changes already applied"
    );
    store
        .advance_watermark("m", "fo", "2026-11-23T10:00:01.000Z")
        .unwrap();
    assert_eq!(
        store.cursor("m", "fo").unwrap().as_deref(),
        Some("2026-11-23T10:00:01.000Z")
    );
}
