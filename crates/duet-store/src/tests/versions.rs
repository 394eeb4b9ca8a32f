//! Tests of map versions.

use serde_json::json;

use super::store;
use crate::{MapState, Store, StoreError};

#[test]
fn adding_a_map_records_version_one_and_each_save_the_next() {
    let (_dir, store) = store();
    store
        .ensure_map("customers", &json!({"title": "first"}), "t1")
        .expect("add");
    // Adding again changes nothing, and records no version.
    store
        .ensure_map("customers", &json!({"title": "ignored"}), "t2")
        .expect("add again");
    let versions = store.map_versions("customers").expect("versions");
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0].version, 1);
    assert_eq!(versions[0].definition, json!({"title": "first"}));
    assert!(!versions[0].author.is_empty());

    let saved = store
        .save_map(
            "customers",
            &json!({"title": "second"}),
            Some("renamed"),
            "ada",
            "t3",
        )
        .expect("save");
    assert_eq!(saved.version, 2);
    let record = store.map("customers").expect("read").expect("map");
    assert_eq!(record.definition, json!({"title": "second"}));
    assert_eq!(record.state, "notRunning");
    let second = store.map_version("customers", 2).expect("version 2");
    assert_eq!(second.author, "ada");
    assert_eq!(second.note.as_deref(), Some("renamed"));
    assert_eq!(second.at, "t3");
    assert_eq!(
        store.map_version("customers", 1).expect("v1").definition,
        json!({"title": "first"})
    );
    assert!(matches!(
        store.map_version("customers", 3),
        Err(StoreError::NotFound(_))
    ));
}

#[test]
fn saving_a_new_map_adds_it_and_keeps_its_state_on_later_saves() {
    let (_dir, store) = store();
    store
        .save_map("vendors", &json!({"a": 1}), None, "duet", "t1")
        .expect("save new");
    store
        .set_map_state("vendors", MapState::Running, None, "t2")
        .expect("state");
    store
        .save_map("vendors", &json!({"a": 2}), None, "duet", "t3")
        .expect("save again");
    let record = store.map("vendors").expect("read").expect("map");
    assert_eq!(record.state, "running");
    let numbers: Vec<i64> = store
        .map_versions("vendors")
        .expect("versions")
        .iter()
        .map(|version| version.version)
        .collect();
    assert_eq!(numbers, [1, 2]);
    assert!(store.map_versions("nobody").expect("versions").is_empty());
}

#[test]
fn a_map_stored_before_versions_gets_its_old_definition_as_version_one() {
    let (_dir, store) = store();
    store
        .db()
        .execute(
            "INSERT INTO map (name, state, reason, definition, updated_at)
             VALUES ('legacy', 'notRunning', NULL, '{\"old\":true}', 't0')",
            [],
        )
        .expect("legacy row");
    let saved = store
        .save_map("legacy", &json!({"old": false}), None, "duet", "t1")
        .expect("save");
    assert_eq!(saved.version, 2);
    assert_eq!(
        store.map_version("legacy", 1).expect("v1").definition,
        json!({"old": true})
    );
}

#[test]
fn opening_a_store_gives_maps_without_history_their_definition_as_version_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("duet.sqlite");
    {
        // A store of a release before versions (and before versioned migrations, so its
        // user_version is 0) holds a map without history.
        let store = Store::open(&path).expect("open");
        store
            .db()
            .execute_batch(
                "INSERT INTO map (name, state, reason, definition, updated_at)
                 VALUES ('old', 'running', NULL, '{\"v\":0}', 't0');
                 PRAGMA user_version = 0;",
            )
            .expect("a map from before versions");
        assert!(store.map_versions("old").expect("versions").is_empty());
    }
    let store = Store::open(&path).expect("reopen");
    let versions = store.map_versions("old").expect("versions");
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0].version, 1);
    assert_eq!(versions[0].at, "t0");
    assert_eq!(versions[0].definition, json!({"v": 0}));
    // Opening again adds nothing.
    drop(store);
    let store = Store::open(&path).expect("reopen again");
    assert_eq!(store.map_versions("old").expect("versions").len(), 1);
}
