//! A database file Duet cannot use as it is — not a database, cut short, written by a newer
//! Duet, locked by another program — is refused with an error that names the file and says
//! what to do, and is left exactly as it was.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use duet_store::{Store, StoreError};
use rusqlite::Connection;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/store-v0.sqlite"
);

fn file_with(bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("duet.sqlite");
    std::fs::write(&path, bytes).unwrap();
    (dir, path)
}

/// Opens `path`, expecting a refusal, and checks the file was not touched.
fn refused(path: &Path) -> StoreError {
    let before = std::fs::read(path).unwrap();
    let Err(error) = Store::open(path) else {
        panic!("{} opened", path.display());
    };
    assert_eq!(
        std::fs::read(path).unwrap(),
        before,
        "the file is unchanged"
    );
    assert!(
        !path.with_extension("sqlite-wal").exists(),
        "no journal was started beside it"
    );
    error
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_left_alone() {
    let noise: Vec<u8> = (0..64 * 1024u32)
        .map(|n| (n.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let (_dir, path) = file_with(&noise);
    let error = refused(&path);
    assert!(matches!(error, StoreError::Corrupt { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(message.contains("restore it from a backup"), "{message}");
    assert!(message.contains("move the file aside"), "{message}");
}

#[test]
fn a_database_cut_short_is_refused_and_left_alone() {
    let whole = std::fs::read(FIXTURE).unwrap();
    let (_dir, path) = file_with(&whole[..whole.len() / 2]);
    let error = refused(&path);
    assert!(matches!(error, StoreError::Corrupt { .. }), "{error:?}");
    assert!(error.to_string().contains("is damaged"), "{error}");
}

#[test]
fn a_store_from_a_newer_duet_is_refused_and_left_alone() {
    let (_dir, path) = file_with(&std::fs::read(FIXTURE).unwrap());
    Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", 7)
        .unwrap();
    let error = refused(&path);
    assert!(
        matches!(
            error,
            StoreError::NewerSchema {
                found: 7,
                known: 1,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("written by a newer Duet"),
        "{error}"
    );
}

#[test]
fn a_store_another_program_holds_locked_is_busy_after_the_timeout() {
    // GIVEN another program holds an exclusive transaction on a store in rollback-journal
    // mode (as the release before migrations left it when closed), so nobody can read it.
    let (_dir, path) = file_with(&std::fs::read(FIXTURE).unwrap());
    let other = Connection::open(&path).unwrap();
    other.execute_batch("BEGIN EXCLUSIVE;").unwrap();
    // WHEN Duet opens it THEN it waits a while, then says who is in the way.
    let started = Instant::now();
    let error = refused(&path);
    assert!(
        started.elapsed() >= Duration::from_secs(4),
        "it waited first"
    );
    assert!(matches!(error, StoreError::Busy { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(
        message.contains("another program has it locked"),
        "{message}"
    );
    // AND once the other program lets go, it opens with its data.
    other.execute_batch("ROLLBACK;").unwrap();
    let store = Store::open(&path).unwrap();
    assert_eq!(store.maps().unwrap().len(), 3);
}

#[test]
fn a_write_while_another_program_holds_the_write_lock_fails_as_busy() {
    let (_dir, path) = file_with(&std::fs::read(FIXTURE).unwrap());
    let store = Store::open(&path).unwrap();
    let other = Connection::open(&path).unwrap();
    other
        .execute_batch("BEGIN EXCLUSIVE; DELETE FROM state WHERE name = 'nothing';")
        .unwrap();
    let error = store
        .set_state("setup", &serde_json::json!({"step": 4}), "t")
        .unwrap_err();
    assert!(matches!(error, StoreError::Busy { .. }), "{error:?}");
    // Reads go on meanwhile (WAL), and see the last commit.
    assert_eq!(store.state("setup").unwrap().unwrap()["step"], 3);
    other.execute_batch("ROLLBACK;").unwrap();
    store
        .set_state("setup", &serde_json::json!({"step": 4}), "t")
        .unwrap();
}

#[test]
fn a_store_with_a_damaged_page_inside_is_refused_on_opening() {
    // GIVEN a store whose header and schema are whole but one of its later pages is not.
    let mut bytes = std::fs::read(FIXTURE).unwrap();
    let page = 4096;
    let pages = bytes.len() / page;
    for byte in &mut bytes[(pages - 3) * page..(pages - 2) * page] {
        *byte = 0x5a;
    }
    let (_dir, path) = file_with(&bytes);
    // WHEN it is opened THEN the whole-file check finds it, before anything is written.
    let error = refused(&path);
    assert!(matches!(error, StoreError::Corrupt { .. }), "{error:?}");
}
