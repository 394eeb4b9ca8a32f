//! Tests of the environment registry, the link, its reset, and the migration from the layout
//! before the registry.

use rusqlite::Connection;
use serde_json::json;

use super::{activity, store};
use duet_maps::Side;

use crate::{
    ChangeOperation, EnvironmentRecord, LinkRecord, MapState, NewChange, ResetCounts, Store,
    StoreError,
};

fn environment(kind: &str, name: &str, url: &str) -> EnvironmentRecord {
    EnvironmentRecord {
        id: 0,
        kind: kind.to_owned(),
        name: name.to_owned(),
        url: url.to_owned(),
        token_url: "http://127.0.0.1:1/t/oauth2/v2.0/token".to_owned(),
        tenant: "t".to_owned(),
        client_id: "c".to_owned(),
        sandbox: true,
        ca_certificate: None,
        added_at: "2026-11-23T10:00:00Z".to_owned(),
    }
}

fn link(finance_operations_id: i64, dataverse_id: i64) -> LinkRecord {
    LinkRecord {
        finance_operations_id,
        dataverse_id,
        companies: vec!["DAT".to_owned(), "USMF".to_owned()],
        linked_at: "2026-11-23T10:00:00Z".to_owned(),
    }
}

#[test]
fn environments_and_link_survive_reopening() {
    // GIVEN a store with a linked pair.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("duet.sqlite");
    {
        let store = Store::open(&path).unwrap();
        let fo = store
            .add_environment(&environment(
                "financeOperations",
                "Contoso F&O",
                "http://fo",
            ))
            .unwrap();
        let dv = store
            .add_environment(&environment("dataverse", "Sandbox Dataverse", "http://dv"))
            .unwrap();
        store.save_link(&link(fo, dv)).unwrap();
    }
    // WHEN it is opened again.
    let store = Store::open(&path).unwrap();
    // THEN both are still there, and the link names them.
    let environment = store
        .environment("dataverse")
        .unwrap()
        .expect("linked Dataverse environment");
    assert_eq!(environment.name, "Sandbox Dataverse");
    assert!(environment.sandbox);
    assert_eq!(store.link().unwrap().unwrap().companies, ["DAT", "USMF"]);
    assert_eq!(
        store.environment("financeOperations").unwrap().unwrap().url,
        "http://fo"
    );
    assert_eq!(store.environments().unwrap().len(), 2);
}

#[test]
fn a_second_link_for_either_environment_is_refused() {
    // GIVEN F&O A linked with Dataverse B, and a third environment C.
    let (_dir, store) = store();
    let a = store
        .add_environment(&environment("financeOperations", "A", "http://a"))
        .unwrap();
    let b = store
        .add_environment(&environment("dataverse", "B", "http://b"))
        .unwrap();
    let c = store
        .add_environment(&environment("dataverse", "C", "http://c"))
        .unwrap();
    store.save_link(&link(a, b)).unwrap();
    // WHEN A is linked with C.
    let error = store.save_link(&link(a, c)).unwrap_err();
    // THEN it is refused, naming the existing pair, and the link is unchanged.
    let message = error.to_string();
    assert!(matches!(error, StoreError::Conflict(_)), "{message}");
    assert!(
        message.contains("'A' is already linked with 'B'"),
        "{message}"
    );
    assert_eq!(store.link().unwrap().unwrap().dataverse_id, b);
    // AND linking the same pair again only changes its companies.
    let mut same = link(a, b);
    same.companies = vec!["DAT".to_owned()];
    store.save_link(&same).unwrap();
    assert_eq!(store.link().unwrap().unwrap().companies, ["DAT"]);
    // AND a Dataverse environment cannot stand on the finance and operations side.
    assert!(matches!(
        store.save_link(&link(c, b)),
        Err(StoreError::Conflict(_))
    ));
}

#[test]
fn an_environment_is_added_once_and_removed_only_when_unlinked() {
    let (_dir, store) = store();
    let a = store
        .add_environment(&environment("financeOperations", "A", "http://a"))
        .unwrap();
    let b = store
        .add_environment(&environment("dataverse", "B", "http://b"))
        .unwrap();
    let duplicate = store
        .add_environment(&environment("financeOperations", "A again", "HTTP://A"))
        .unwrap_err();
    assert!(
        duplicate.to_string().contains("already added as 'A'"),
        "{duplicate}"
    );
    store.save_link(&link(a, b)).unwrap();
    let refused = store.remove_environment(a).unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("reset the link without relinking"),
        "{refused}"
    );
    store.reset_link("reset", "t1").unwrap();
    assert_eq!(store.remove_environment(a).unwrap().name, "A");
    assert_eq!(store.environments().unwrap().len(), 1);
}

#[test]
fn reset_deletes_sync_state_and_keeps_maps_and_history() {
    // GIVEN a linked pair with a running map that has a cursor, a shadow, a queued change
    // and an activity line.
    let (_dir, store) = store();
    let a = store
        .add_environment(&environment("financeOperations", "A", "http://a"))
        .unwrap();
    let b = store
        .add_environment(&environment("dataverse", "B", "http://b"))
        .unwrap();
    store.save_link(&link(a, b)).unwrap();
    store
        .ensure_map("customers", &json!({"a": 1}), "t0")
        .unwrap();
    store
        .set_map_state("customers", MapState::Running, None, "t0")
        .unwrap();
    store.set_cursor("customers", "deltaLink", "x").unwrap();
    store
        .save_shadow("customers", "dataverse", "DAT|C1", Some("id"), &json!({}))
        .unwrap();
    store
        .enqueue(
            "customers",
            &[NewChange {
                side: Side::Dataverse,
                operation: ChangeOperation::Upsert,
                key: Some("DAT|C1".to_owned()),
                source_id: None,
                row: json!({}),
                captured_at: "t0".to_owned(),
                read_mark: None,
            }],
            None,
        )
        .unwrap();
    store
        .add_activity(&activity("customers", "row", "DAT|C1"))
        .unwrap();
    // WHEN the counts are read and the link is reset.
    let counts = store.reset_counts().unwrap();
    let done = store.reset_link("Reset by the admin", "t1").unwrap();
    // THEN the counts said exactly what went, and only that went.
    assert_eq!(counts, done);
    assert_eq!(
        counts,
        ResetCounts {
            cursors: 1,
            shadows: 1,
            queued: 1,
            active_maps: vec!["customers".to_owned()],
        }
    );
    assert_eq!(store.link().unwrap(), None);
    assert_eq!(store.reset_counts().unwrap().cursors, 0);
    let map = store.map("customers").unwrap().unwrap();
    assert_eq!(map.state, "notRunning");
    assert_eq!(map.reason.as_deref(), Some("Reset by the admin"));
    assert_eq!(store.activity(10).unwrap().len(), 1);
    assert_eq!(store.environments().unwrap().len(), 2);
}

#[test]
fn a_store_from_before_the_registry_is_migrated() {
    // GIVEN a store file in the old layout: one environment row per kind, implicit link.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("duet.sqlite");
    {
        let connection = Connection::open(&path).unwrap();
        connection
            .execute_batch(
                "CREATE TABLE environment (kind TEXT PRIMARY KEY, name TEXT NOT NULL,
                     url TEXT NOT NULL, token_url TEXT NOT NULL, tenant TEXT NOT NULL,
                     client_id TEXT NOT NULL, sandbox INTEGER NOT NULL);
                 CREATE TABLE link (id INTEGER PRIMARY KEY CHECK (id = 1),
                     companies TEXT NOT NULL, linked_at TEXT NOT NULL);
                 INSERT INTO environment VALUES ('financeOperations', 'Old F&O', 'http://fo', 't', 't', 'c', 0);
                 INSERT INTO environment VALUES ('dataverse', 'Old DV', 'http://dv', 't', 't', 'c', 0);
                 INSERT INTO link VALUES (1, '[\"DAT\"]', '2026-01-01T00:00:00Z');",
            )
            .unwrap();
    }
    // WHEN it is opened.
    let store = Store::open(&path).unwrap();
    // THEN the environments are in the registry and still linked.
    assert_eq!(store.environments().unwrap().len(), 2);
    assert_eq!(
        store
            .environment("financeOperations")
            .unwrap()
            .unwrap()
            .name,
        "Old F&O"
    );
    assert_eq!(
        store.environment("dataverse").unwrap().unwrap().url,
        "http://dv"
    );
    assert_eq!(store.link().unwrap().unwrap().companies, ["DAT"]);
    // AND opening it again changes nothing.
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.environments().unwrap().len(), 2);
}

#[test]
fn a_store_from_before_sandbox_authorities_gets_the_column() {
    // GIVEN a store whose environments table predates the certificate authority column.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("duet.sqlite");
    {
        let connection = Connection::open(&path).unwrap();
        connection
            .execute_batch(
                "CREATE TABLE environments (id INTEGER PRIMARY KEY AUTOINCREMENT,
                     kind TEXT NOT NULL, name TEXT NOT NULL, url TEXT NOT NULL UNIQUE,
                     token_url TEXT NOT NULL, tenant TEXT NOT NULL, client_id TEXT NOT NULL,
                     sandbox INTEGER NOT NULL, added_at TEXT NOT NULL);
                 INSERT INTO environments (kind, name, url, token_url, tenant, client_id, sandbox, added_at)
                     VALUES ('dataverse', 'Sandbox DV', 'http://127.0.0.1:5', 't', 't', 'c', 1, '');",
            )
            .unwrap();
    }
    // WHEN it is opened THEN the environment is kept, without an authority.
    let store = Store::open(&path).unwrap();
    let mut kept = store.environments().unwrap().remove(0);
    assert_eq!(kept.name, "Sandbox DV");
    assert_eq!(kept.ca_certificate, None);
    // AND an authority given later is stored with it.
    kept.ca_certificate = Some("-----BEGIN CERTIFICATE-----".to_owned());
    store.update_environment(&kept).unwrap();
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.environments().unwrap()[0].ca_certificate,
        kept.ca_certificate
    );
}

#[test]
fn the_schema_has_no_place_for_a_secret() {
    let (_dir, store) = store();
    let columns: Vec<String> = store
        .db()
        .prepare("SELECT name FROM pragma_table_info('environments')")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert!(columns.contains(&"client_id".to_owned()), "{columns:?}");
    assert!(
        columns.iter().all(|column| !column.contains("secret")),
        "client secrets belong in the OS keyring, never in SQLite: {columns:?}"
    );
}

#[test]
fn a_reset_never_moves_a_maps_state_time_backward() {
    // GIVEN a map whose state was last written at 10:00, and a reset stamped earlier (a clock
    // that moved back, or two writes in the same millisecond).
    let (_dir, store) = store();
    store
        .ensure_map("customers", &json!({"a": 1}), "2026-11-23T09:00:00.000Z")
        .unwrap();
    store
        .set_map_state(
            "customers",
            MapState::Running,
            None,
            "2026-11-23T10:00:00.000Z",
        )
        .unwrap();
    // WHEN the link is reset.
    store
        .reset_link("Reset by the admin", "2026-11-23T09:30:00.000Z")
        .unwrap();
    // THEN the map's new state has a later time than the one before, so the UI, which keeps
    // the newer view of a map, shows the reset.
    let map = store.map("customers").unwrap().unwrap();
    assert_eq!(map.state, MapState::NotRunning);
    assert!(
        map.updated_at.as_str() > "2026-11-23T10:00:00.000Z",
        "the reset's time {} must come after the state it replaced",
        map.updated_at
    );
}
