//! A real full disk, not a page limit: run with a small filesystem of your own, e.g.
//!
//! ```sh
//! mkdir -p /tmp/small && sudo mount -t tmpfs -o size=4m tmpfs /tmp/small
//! DUET_SMALL_FS=/tmp/small cargo test -p duet-store --test disk_full_real -- --ignored
//! ```
//!
//! The store fills the disk with captures until one is refused; the refusal is
//! `StoreError::Full`, every capture before it is kept with its cursor, and once space is
//! freed the refused capture is written.

use duet_maps::Side;
use duet_store::{ChangeOperation, CursorMove, NewChange, Store, StoreError};
use serde_json::json;

fn batch(number: usize) -> Vec<NewChange> {
    (0..50)
        .map(|n| NewChange {
            side: Side::Dataverse,
            operation: ChangeOperation::Upsert,
            key: Some(format!("B{number}-{n}")),
            source_id: None,
            row: json!({"notes": "n".repeat(1500)}),
            captured_at: "2026-12-01T10:00:00Z".to_owned(),
            read_mark: None,
        })
        .collect()
}

fn capture(store: &Store, number: usize) -> Result<(), StoreError> {
    let value = format!("{number:06}");
    let cursor = CursorMove {
        name: "dv.watermark",
        value: &value,
        forward_only: true,
    };
    store.enqueue("m", &batch(number), Some(cursor))
}

#[test]
#[ignore = "needs a small filesystem named by DUET_SMALL_FS"]
fn a_full_disk_refuses_a_capture_whole_and_keeps_every_one_before_it() {
    let small = std::env::var("DUET_SMALL_FS").expect("DUET_SMALL_FS names a small filesystem");
    let dir = tempfile::tempdir_in(small).unwrap();
    let filler = dir.path().join("filler");
    let store = Store::open(&dir.path().join("duet.sqlite")).unwrap();
    // Leave the store about half of the filesystem.
    std::fs::write(&filler, vec![0u8; 2 << 20]).unwrap();
    let mut written = 0;
    let error = loop {
        match capture(&store, written + 1) {
            Ok(()) => written += 1,
            Err(error) => break error,
        }
        assert!(written < 10_000, "the filesystem never filled up");
    };
    assert!(written > 0, "some captures fit");
    assert!(matches!(error, StoreError::Full { .. }), "{error:?}");
    assert!(error.to_string().starts_with("the disk is full"), "{error}");
    let depth = store.queue_depth("m").unwrap().0;
    assert_eq!(
        depth,
        50 * written as i64,
        "every capture before it is kept"
    );
    assert_eq!(
        store.cursor("m", "dv.watermark").unwrap(),
        Some(format!("{written:06}")),
        "the cursor stayed at the last capture kept"
    );
    std::fs::remove_file(&filler).unwrap();
    capture(&store, written + 1).expect("written once there is room");
    assert_eq!(store.queue_depth("m").unwrap().0, depth + 50);
    eprintln!("{written} captures fit before the disk was full: {error}");
}
