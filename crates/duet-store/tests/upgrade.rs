//! A store written by the release before versioned migrations (`fixtures/store-v0.sqlite`,
//! made by `examples/store_fixture.rs`) opens with every row it held, at the latest schema
//! version, with the same schema a fresh store gets.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use duet_store::{ChangeStatus, MapState, Store, Wait};
use rusqlite::Connection;
use serde_json::json;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/store-v0.sqlite"
);

/// A copy of the fixture in a temporary directory: the committed file is never opened.
fn fixture_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("duet.sqlite");
    std::fs::copy(FIXTURE, &path).unwrap();
    (dir, path)
}

fn user_version(path: &Path) -> i64 {
    Connection::open(path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .unwrap()
}

/// Every table's rows, in rowid order, as text: what "nothing changed" compares.
fn dump(path: &Path) -> Vec<String> {
    let connection = Connection::open(path).unwrap();
    let tables: Vec<String> = connection
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut lines = Vec::new();
    for table in tables {
        let mut statement = connection
            .prepare(&format!("SELECT * FROM \"{table}\" ORDER BY rowid"))
            .unwrap();
        let columns = statement.column_count();
        let mut rows = statement.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            let values: Vec<String> = (0..columns)
                .map(|index| format!("{:?}", row.get_ref(index).unwrap()))
                .collect();
            lines.push(format!("{table}: {}", values.join(" | ")));
        }
    }
    lines
}

#[test]
fn the_fixture_is_a_store_of_the_release_before_migrations() {
    let fixture =
        Connection::open_with_flags(FIXTURE, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let version: i64 = fixture
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .unwrap();
    assert_eq!(version, 0);
    assert!(
        !Path::new(&format!("{FIXTURE}-wal")).exists(),
        "the fixture is one file"
    );
}

#[test]
fn a_store_of_the_release_before_migrations_opens_with_its_link_maps_and_versions() {
    let (_dir, path) = fixture_copy();
    let store = Store::open(&path).expect("the old store opens");
    let environments = store.environments().unwrap();
    assert_eq!(environments.len(), 3);
    let sandbox = environments
        .iter()
        .find(|e| e.name == "sandbox-dv")
        .unwrap();
    assert!(sandbox.sandbox);
    assert!(
        sandbox
            .ca_certificate
            .as_deref()
            .unwrap()
            .contains("MIIfixture")
    );
    let link = store.link().unwrap().expect("still linked");
    assert_eq!(link.companies, ["usmf", "demf"]);
    assert_eq!(
        store
            .environment_by_id(link.dataverse_id)
            .unwrap()
            .unwrap()
            .name,
        "contoso-dv"
    );

    let maps = store.maps().unwrap();
    assert_eq!(maps.len(), 3);
    let vendors = store.map("Vendors").unwrap().unwrap();
    assert_eq!(vendors.state, MapState::Error);
    assert_eq!(
        vendors.reason.as_deref(),
        Some("Dataverse refused the token (401)")
    );
    assert_eq!(
        store.map("Products").unwrap().unwrap().state,
        MapState::Paused
    );
    let versions = store.map_versions("Customers").unwrap();
    assert_eq!(versions.len(), 3);
    let third = store.map_version("Customers", 3).unwrap();
    assert_eq!(third.note.as_deref(), Some("add email"));
    assert_eq!(third.author, "fixture");
    assert_eq!(third.definition["fields"][2]["fo"], "Email");
    assert_eq!(store.map_versions("Vendors").unwrap().len(), 2);
    assert_eq!(store.map_versions("Products").unwrap().len(), 1);
}

#[test]
fn a_store_of_the_release_before_migrations_keeps_its_queue_and_cursors() {
    let (_dir, path) = fixture_copy();
    let store = Store::open(&path).unwrap();
    assert_eq!(store.queue_depth("Customers").unwrap(), (4, 0, 2));
    assert_eq!(store.queue_depth("Vendors").unwrap(), (0, 3, 0));
    let customers = store.queued_changes("Customers", None, 20).unwrap();
    let failed: Vec<_> = customers
        .iter()
        .filter(|change| change.status == ChangeStatus::Failed)
        .map(|change| change.error.as_deref().unwrap())
        .collect();
    assert_eq!(
        failed,
        [
            "400 Bad Request: Name is too long",
            "404 Not Found: the row is gone"
        ]
    );
    let waiting = customers
        .iter()
        .find(|change| change.wait.is_some())
        .expect("the deferred change");
    assert_eq!(waiting.wait, Some(Wait::Parent));
    assert_eq!(waiting.change.key.as_deref(), Some("C004"));
    assert_eq!(waiting.change.read_mark, Some(4));
    let next = store.next_changes("Customers", 1).unwrap();
    assert_eq!(next[0].change.row["Name"], "Customer 3");
    assert_eq!(next[0].attempts, 1);

    assert_eq!(
        store
            .cursor("Customers", "fo.watermark")
            .unwrap()
            .as_deref(),
        Some("2026-11-30T11:06:00Z")
    );
    assert_eq!(
        store.cursor("Vendors", "dv.delta").unwrap().as_deref(),
        Some("https://contoso.crm.example.test/delta?t=9")
    );
    assert_eq!(store.reset_counts().unwrap().cursors, 4);
}

#[test]
fn a_store_of_the_release_before_migrations_keeps_shadows_logs_and_settings() {
    let (_dir, path) = fixture_copy();
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.shadow("Customers", "dataverse", "C001").unwrap(),
        Some(json!({"accountnumber": "C001", "name": "Customer 1"}))
    );
    assert_eq!(
        store
            .key_for_dataverse_id("Vendors", "dv-vendor-3")
            .unwrap()
            .as_deref(),
        Some("V003")
    );
    assert_eq!(store.shadow_keys("Vendors", "dataverse").unwrap().len(), 3);
    let written = store.written("Customers", "dataverse", "C001").unwrap();
    assert_eq!(written.len(), 3);

    let lines = store.activity(100).unwrap();
    assert_eq!(lines.len(), 41);
    assert_eq!(
        lines[0].entry.message,
        "map stopped: Dataverse refused the token"
    );
    let failures: Vec<_> = lines
        .iter()
        .filter(|line| line.entry.status == "failed")
        .collect();
    assert_eq!(failures.len(), 10);
    assert!(
        failures
            .iter()
            .all(|line| matches!(line.entry.error_class.as_deref(), Some("400" | "429")))
    );
    let groups = store.error_groups(None).unwrap();
    assert_eq!(groups.len(), 2, "{groups:?}");

    let rules = store.alert_rules().unwrap();
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[0].threshold, 5);
    assert!(!rules[1].enabled);
    assert_eq!(store.state("setup").unwrap().unwrap()["step"], 3);
    let retention = store.retention().unwrap();
    assert_eq!(retention.activity_days, 14);
    assert_eq!(retention.failed_days, Some(60));
    assert_eq!(retention.activity_max_lines, 250_000);
    let since: DateTime<Utc> = "2026-11-30T00:00:00Z".parse().unwrap();
    assert_eq!(store.queue_samples(since, None).unwrap().len(), 3);
}

#[test]
fn an_upgraded_store_is_at_the_latest_version_and_opening_it_again_changes_nothing() {
    let (_dir, path) = fixture_copy();
    let before = dump(&path);
    drop(Store::open(&path).unwrap());
    assert_eq!(user_version(&path), 1);
    let upgraded = dump(&path);
    assert_eq!(before, upgraded, "the upgrade kept every row as it was");
    drop(Store::open(&path).unwrap());
    assert_eq!(user_version(&path), 1);
    assert_eq!(upgraded, dump(&path));
}

/// Tables, their columns (name, type, not null, default, key position) and the indexes, with
/// the SQL SQLite keeps for each.
fn schema(path: &Path) -> Vec<String> {
    let connection = Connection::open(path).unwrap();
    let mut lines: Vec<String> = connection
        .prepare(
            "SELECT m.type || ' ' || m.name || ' ' || COALESCE(p.name, '') || ' ' ||
                 COALESCE(p.type, '') || ' ' || COALESCE(p.\"notnull\", '') || ' ' ||
                 COALESCE(p.dflt_value, '') || ' ' || COALESCE(p.pk, '') || ' ' ||
                 COALESCE(m.sql, '')
             FROM sqlite_master m LEFT JOIN pragma_table_info(m.name) p ON m.type = 'table'",
        )
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    lines.sort();
    lines
}

#[test]
fn an_upgraded_store_has_the_schema_of_a_fresh_one() {
    let (_dir, path) = fixture_copy();
    drop(Store::open(&path).unwrap());
    let fresh_dir = tempfile::tempdir().unwrap();
    let fresh = fresh_dir.path().join("duet.sqlite");
    drop(Store::open(&fresh).unwrap());
    let upgraded = schema(&path);
    assert!(upgraded.len() > 50, "{upgraded:?}");
    assert_eq!(upgraded, schema(&fresh));
}

#[test]
fn a_store_without_the_columns_added_on_opening_gets_them_and_keeps_its_rows() {
    // GIVEN the fixture as a release older still left it: without the queue's wait and read
    // mark, the log's error class and the environments' certificate authority.
    let (_dir, path) = fixture_copy();
    Connection::open(&path)
        .unwrap()
        .execute_batch(
            "DROP INDEX activity_class;
             ALTER TABLE activity DROP COLUMN error_class;
             ALTER TABLE queue DROP COLUMN wait;
             ALTER TABLE queue DROP COLUMN read_mark;
             ALTER TABLE environments DROP COLUMN ca_certificate;",
        )
        .unwrap();
    // WHEN it is opened.
    let store = Store::open(&path).unwrap();
    // THEN the rows are there, and the waits are read back from the error texts.
    assert_eq!(store.queue_depth("Customers").unwrap(), (4, 0, 2));
    let waiting: Vec<_> = store
        .queued_changes("Customers", None, 20)
        .unwrap()
        .into_iter()
        .filter_map(|change| Some((change.change.key?, change.wait?)))
        .collect();
    assert_eq!(waiting, [("C004".to_owned(), Wait::Parent)]);
    assert_eq!(store.activity(100).unwrap().len(), 41);
    assert_eq!(store.environments().unwrap().len(), 3);
    drop(store);
    assert_eq!(user_version(&path), 1);
    let fresh_dir = tempfile::tempdir().unwrap();
    let fresh = fresh_dir.path().join("duet.sqlite");
    drop(Store::open(&fresh).unwrap());
    let names = |path: &Path| -> Vec<String> {
        let mut names: Vec<String> = schema(path)
            .into_iter()
            .map(|line| line.split(' ').take(3).collect::<Vec<_>>().join(" "))
            .collect();
        names.sort();
        names
    };
    assert_eq!(
        names(&path),
        names(&fresh),
        "the same tables, columns and indexes"
    );
}
