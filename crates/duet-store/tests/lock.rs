//! One holder of a data directory at a time; the lock names its holder and goes with it.

use duet_store::{DataDirLock, LOCK_FILE, StoreError};

#[test]
fn a_second_holder_of_a_data_directory_is_refused_with_the_first_ones_process_id() {
    let dir = tempfile::tempdir().unwrap();
    let first = DataDirLock::acquire(dir.path()).unwrap();
    assert_eq!(first.path(), dir.path().join(LOCK_FILE));
    let pid = std::process::id();
    assert_eq!(
        std::fs::read_to_string(first.path()).unwrap().trim(),
        pid.to_string()
    );

    let error = DataDirLock::acquire(dir.path()).unwrap_err();
    assert!(matches!(error, StoreError::InUse { .. }), "{error:?}");
    let message = error.to_string();
    assert!(
        message.contains(&dir.path().display().to_string()),
        "{message}"
    );
    assert!(message.contains(&format!("(process {pid})")), "{message}");

    drop(first);
    let again = DataDirLock::acquire(dir.path()).expect("free once the first lets go");
    assert_eq!(
        std::fs::read_to_string(again.path()).unwrap().trim(),
        pid.to_string()
    );
}

#[test]
fn a_data_directory_that_does_not_exist_cannot_be_locked() {
    let dir = tempfile::tempdir().unwrap();
    let error = DataDirLock::acquire(&dir.path().join("missing")).unwrap_err();
    assert!(matches!(error, StoreError::Lock { .. }), "{error:?}");
}
