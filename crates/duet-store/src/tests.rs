use super::*;
use serde_json::json;

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("duet.sqlite")).expect("open store");
    (dir, store)
}

fn activity(map: &str, kind: &str, key: &str) -> NewActivity {
    NewActivity {
        at: "2026-11-23T10:00:00Z".to_owned(),
        map: map.to_owned(),
        kind: kind.to_owned(),
        direction: Some("toDataverse".to_owned()),
        key: Some(key.to_owned()),
        operation: Some("upsert".to_owned()),
        status: "succeeded".to_owned(),
        message: "written".to_owned(),
        latency_ms: Some(12),
        payload: Some(json!({"name": "Fabrikam"})),
    }
}

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
        .set_map_state("customers", "running", None, "t0")
        .unwrap();
    store.set_cursor("customers", "deltaLink", "x").unwrap();
    store
        .save_shadow("customers", "dataverse", "DAT|C1", Some("id"), &json!({}))
        .unwrap();
    store
        .enqueue(
            "customers",
            &[NewChange {
                side: "dataverse".to_owned(),
                operation: "upsert".to_owned(),
                key: Some("DAT|C1".to_owned()),
                source_id: None,
                row: json!({}),
                captured_at: "t0".to_owned(),
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
fn map_state_changes_and_unknown_maps_are_reported() {
    let (_dir, store) = store();
    store
        .ensure_map("customers", &json!({"a": 1}), "t0")
        .unwrap();
    store
        .ensure_map("customers", &json!({"a": 2}), "t1")
        .unwrap();
    let map = store.map("customers").unwrap().unwrap();
    assert_eq!(map.state, "notRunning");
    assert_eq!(
        map.definition,
        json!({"a": 1}),
        "ensure_map must not overwrite an existing map"
    );
    store
        .set_map_state("customers", "paused", Some("by admin"), "t2")
        .unwrap();
    let map = store.map("customers").unwrap().unwrap();
    assert_eq!(
        (map.state.as_str(), map.reason.as_deref()),
        ("paused", Some("by admin"))
    );
    let error = store
        .set_map_state("vendors", "running", None, "t3")
        .unwrap_err();
    assert_eq!(error.to_string(), "there is no map named 'vendors'");
}

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

#[test]
fn shadow_rows_are_found_by_dataverse_id_and_forgotten() {
    let (_dir, store) = store();
    store
        .save_shadow(
            "m",
            "dataverse",
            "DAT|C1",
            Some("guid-1"),
            &json!({"name": "A"}),
        )
        .unwrap();
    store
        .save_shadow("m", "dataverse", "DAT|C1", None, &json!({"name": "B"}))
        .unwrap();
    assert_eq!(
        store.shadow("m", "dataverse", "DAT|C1").unwrap(),
        Some(json!({"name": "B"}))
    );
    assert_eq!(
        store
            .key_for_dataverse_id("m", "guid-1")
            .unwrap()
            .as_deref(),
        Some("DAT|C1"),
        "an update without an id must keep the id learnt earlier"
    );
    store.forget_row("m", "DAT|C1").unwrap();
    assert_eq!(store.shadow("m", "dataverse", "DAT|C1").unwrap(), None);
}

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

fn change(side: &str, key: &str, name: &str) -> NewChange {
    NewChange {
        side: side.to_owned(),
        operation: "upsert".to_owned(),
        key: Some(key.to_owned()),
        source_id: None,
        row: json!({ "name": name }),
        captured_at: "2026-11-23T10:00:00.000Z".to_owned(),
    }
}

#[test]
fn the_queue_keeps_capture_order_and_moves_the_cursor_with_it() {
    // GIVEN three updates of one row captured in two batches.
    let (_dir, store) = store();
    store
        .enqueue(
            "m",
            &[
                change("dataverse", "DAT|C1", "NameA"),
                change("dataverse", "DAT|C1", "NameB"),
            ],
            Some(CursorMove {
                name: "delta",
                value: "link-2",
                forward_only: false,
            }),
        )
        .unwrap();
    store
        .enqueue(
            "m",
            &[change("dataverse", "DAT|C1", "NameC")],
            Some(CursorMove {
                name: "delta",
                value: "link-3",
                forward_only: false,
            }),
        )
        .unwrap();
    // THEN they come back in the order captured, and the cursor is the latest.
    let names: Vec<_> = store
        .next_changes("m", 10)
        .unwrap()
        .iter()
        .map(|queued| queued.change.row["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        names,
        ["NameA", "NameB", "NameC"],
        "catch-up replays every change in order"
    );
    assert_eq!(
        store.cursor("m", "delta").unwrap().as_deref(),
        Some("link-3")
    );
    assert_eq!(store.queue_depth("m").unwrap(), (3, 0, 0));
}

#[test]
fn a_deferred_change_takes_the_later_changes_of_its_row_along_in_order() {
    // GIVEN two changes of row K1 with one of K2 between them, another map's change of K1,
    // and a failed change of K1.
    let (_dir, store) = store();
    store
        .enqueue(
            "m",
            &[
                change("dataverse", "K1", "A1"),
                change("dataverse", "K2", "B1"),
                change("financeOperations", "K1", "A2"),
            ],
            None,
        )
        .unwrap();
    store
        .enqueue("other", &[change("dataverse", "K1", "X")], None)
        .unwrap();
    let failed = store
        .enqueue_failed("m", &change("dataverse", "K1", "F"), "400")
        .unwrap();
    let first = store.next_changes("m", 10).unwrap()[0].seq;

    // WHEN the first change of K1 is deferred.
    let moved = store
        .defer_change("m", first, "held back until the parent is there", true)
        .unwrap();

    // THEN both changes of K1 went behind K2, still in their order; only the deferred one
    // counts an attempt and carries the reason; the other map and the failed change stay.
    assert_eq!(moved, 2);
    let queued = store.next_changes("m", 10).unwrap();
    let names: Vec<_> = queued
        .iter()
        .map(|queued| queued.change.row["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["B1", "A1", "A2"]);
    assert_eq!(queued[1].attempts, 1);
    assert_eq!(
        queued[1].error.as_deref(),
        Some("held back until the parent is there")
    );
    assert_eq!((queued[2].attempts, queued[2].error.as_deref()), (0, None));
    assert_eq!(store.next_changes("other", 10).unwrap().len(), 1);
    let kept = store.queued_changes("m", Some("K1"), 10).unwrap();
    assert!(
        kept.iter()
            .any(|change| change.seq == failed && change.status == ChangeStatus::Failed)
    );
    assert_eq!(store.queue_depth("m").unwrap(), (3, 0, 1));
    // A change that is no longer queued is not moved.
    assert_eq!(store.defer_change("m", first, "again", true).unwrap(), 0);
    // A wait that does not count leaves the attempts as they were.
    let head = store.next_changes("m", 10).unwrap()[1].clone();
    store.defer_change("m", head.seq, "patient", false).unwrap();
    let moved = store.next_changes("m", 10).unwrap();
    let moved = moved
        .iter()
        .find(|change| change.change.row["name"] == "A1")
        .unwrap();
    assert_eq!(
        (moved.attempts, moved.error.as_deref()),
        (1, Some("patient"))
    );
}

#[test]
fn the_latest_writes_of_a_row_are_remembered_until_a_later_echo_comes() {
    let (_dir, store) = store();
    // GIVEN ten writes of one row, and one of another row.
    for n in 0..10 {
        store
            .remember_written("m", "dataverse", "K1", &json!({ "name": format!("N{n}") }))
            .unwrap();
    }
    store
        .remember_written("m", "dataverse", "K2", &json!({"name": "other"}))
        .unwrap();
    // THEN only the last WRITTEN_KEPT of K1 are kept, oldest first.
    let written = store.written("m", "dataverse", "K1").unwrap();
    let names: Vec<&str> = written
        .iter()
        .map(|(_, values)| values["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["N2", "N3", "N4", "N5", "N6", "N7", "N8", "N9"]);
    assert_eq!(WRITTEN_KEPT, 8);
    // WHEN the echo of N5 came, THEN the writes before it are forgotten, N5 and later stay.
    store
        .forget_written_before("m", "dataverse", "K1", written[3].0)
        .unwrap();
    let left: Vec<String> = store
        .written("m", "dataverse", "K1")
        .unwrap()
        .into_iter()
        .map(|(_, values)| values["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(left, ["N5", "N6", "N7", "N8", "N9"]);
    // AND the other row, and the other side, are untouched; forgetting the row clears it.
    assert_eq!(store.written("m", "dataverse", "K2").unwrap().len(), 1);
    assert!(
        store
            .written("m", "financeOperations", "K1")
            .unwrap()
            .is_empty()
    );
    store.forget_row("m", "K1").unwrap();
    assert!(store.written("m", "dataverse", "K1").unwrap().is_empty());
    store.forget_writes_of("m").unwrap();
    assert!(store.written("m", "dataverse", "K2").unwrap().is_empty());
}

#[test]
fn acknowledged_changes_leave_and_failed_ones_wait_for_retry_behind_newer_ones() {
    let (_dir, store) = store();
    store
        .enqueue(
            "m",
            &[
                change("dataverse", "K1", "A"),
                change("dataverse", "K2", "B"),
            ],
            None,
        )
        .unwrap();
    let queued = store.next_changes("m", 10).unwrap();
    store.fail_change(queued[0].seq, "400: bad value").unwrap();
    store.ack_change(queued[1].seq).unwrap();
    assert!(
        store.next_changes("m", 10).unwrap().is_empty(),
        "a failed change does not block the queue"
    );
    let failed = store.queued_changes("m", Some("K1"), 10).unwrap();
    assert_eq!(failed[0].status, ChangeStatus::Failed);
    assert_eq!(failed[0].error.as_deref(), Some("400: bad value"));
    assert_eq!(failed[0].attempts, 1);
    store
        .enqueue("m", &[change("dataverse", "K3", "C")], None)
        .unwrap();
    assert_eq!(store.retry_changes("m", None).unwrap(), 1);
    let order: Vec<_> = store
        .next_changes("m", 10)
        .unwrap()
        .iter()
        .map(|queued| queued.change.key.clone().unwrap())
        .collect();
    assert_eq!(
        order,
        ["K3", "K1"],
        "a retried change goes behind what was already queued"
    );
}

#[test]
fn skip_to_live_parks_or_discards_only_what_is_queued() {
    let (_dir, store) = store();
    store
        .enqueue(
            "m",
            &[
                change("dataverse", "K1", "A"),
                change("dataverse", "K2", "B"),
            ],
            None,
        )
        .unwrap();
    assert_eq!(
        store.set_queued_status("m", ChangeStatus::Parked).unwrap(),
        2
    );
    assert_eq!(store.queue_depth("m").unwrap(), (0, 2, 0));
    store
        .enqueue("m", &[change("dataverse", "K3", "C")], None)
        .unwrap();
    assert_eq!(
        store.discard_queued("m").unwrap(),
        1,
        "parked changes survive a discard"
    );
    assert_eq!(store.queue_depth("m").unwrap(), (0, 2, 0));
}

#[test]
fn a_watermark_cursor_in_an_enqueue_never_moves_backward() {
    let (_dir, store) = store();
    let forward = |value| {
        Some(CursorMove {
            name: "watermark",
            value,
            forward_only: true,
        })
    };
    store
        .enqueue("m", &[], forward("2026-11-23T10:00:00.500Z"))
        .unwrap();
    store
        .enqueue("m", &[], forward("2026-11-23T09:00:00.000Z"))
        .unwrap();
    assert_eq!(
        store.cursor("m", "watermark").unwrap().as_deref(),
        Some("2026-11-23T10:00:00.500Z")
    );
}

#[test]
fn alert_rules_are_saved_replaced_and_deleted_and_bad_ones_refused() {
    let (_dir, store) = store();
    let mut rule = AlertRule {
        id: None,
        map: Some("customers".to_owned()),
        class: "503".to_owned(),
        threshold: 3,
        window_minutes: 5,
        action: "pause".to_owned(),
        enabled: true,
    };
    let id = store.save_alert_rule(&rule).unwrap();
    rule.id = Some(id);
    rule.threshold = 10;
    assert_eq!(
        store.save_alert_rule(&rule).unwrap(),
        id,
        "saving with an id replaces the rule"
    );
    assert_eq!(store.alert_rules().unwrap(), [rule.clone()]);
    let bad = AlertRule {
        id: None,
        action: "reboot".to_owned(),
        ..rule.clone()
    };
    assert!(
        store.save_alert_rule(&bad).is_err(),
        "only none, pause and stop are actions"
    );
    store.delete_alert_rule(id).unwrap();
    assert!(store.alert_rules().unwrap().is_empty());
    assert_eq!(
        store.delete_alert_rule(id).unwrap_err().to_string(),
        format!("there is no alert rule {id}")
    );
}

#[test]
fn state_documents_are_replaced_and_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("duet.sqlite");
    {
        let store = Store::open(&path).unwrap();
        assert_eq!(store.state("scenario.run").unwrap(), None);
        store
            .set_state("scenario.run", &json!({"step": 1}), "t0")
            .unwrap();
        store
            .set_state("scenario.run", &json!({"step": 2}), "t1")
            .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.state("scenario.run").unwrap(),
        Some(json!({"step": 2}))
    );
}

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
        .set_map_state("vendors", "running", None, "t2")
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
        let store = Store::open(&path).expect("open");
        store
            .db()
            .execute_batch(
                "INSERT INTO map (name, state, reason, definition, updated_at)
                 VALUES ('old', 'running', NULL, '{\"v\":0}', 't0');",
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

fn line_at(at: &str, map: &str, kind: &str, direction: &str, latency: Option<i64>) -> NewActivity {
    NewActivity {
        at: at.to_owned(),
        direction: Some(direction.to_owned()),
        latency_ms: latency,
        ..activity(map, kind, "C1")
    }
}

fn utc(text: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(text)
        .expect("time")
        .with_timezone(&chrono::Utc)
}

#[test]
fn metric_buckets_count_rows_errors_and_latency_per_map_and_direction() {
    // GIVEN rows and errors over two minutes, on two maps and both directions.
    let (_dir, store) = store();
    let mut lines = Vec::new();
    for (i, latency) in (1..=10).enumerate() {
        lines.push(line_at(
            &format!("2026-11-23T10:00:{:02}.000Z", i * 5),
            "customers",
            "row",
            "toDataverse",
            Some(latency * 10),
        ));
    }
    lines.push(line_at(
        "2026-11-23T10:00:30.000Z",
        "customers",
        "error",
        "toDataverse",
        None,
    ));
    lines.push(line_at(
        "2026-11-23T10:01:10.000Z",
        "customers",
        "row",
        "toFinanceOperations",
        Some(7),
    ));
    lines.push(line_at(
        "2026-11-23T10:01:20.000Z",
        "vendors",
        "row",
        "toDataverse",
        None,
    ));
    lines.push(line_at(
        "2026-11-23T09:59:59.000Z",
        "customers",
        "row",
        "toDataverse",
        Some(1),
    ));
    lines.push(NewActivity {
        direction: None,
        ..line_at(
            "2026-11-23T10:00:01.000Z",
            "customers",
            "lifecycle",
            "toDataverse",
            None,
        )
    });
    store.add_activities(&lines).unwrap();
    // WHEN they are bucketed by minute from 10:00.
    let buckets = store
        .metric_buckets(utc("2026-11-23T10:00:00Z"), 60, None)
        .unwrap();
    // THEN each map, direction and minute has its rows, errors and latency percentiles.
    type Row<'a> = (
        &'a str,
        &'a str,
        &'a str,
        i64,
        i64,
        Option<i64>,
        Option<i64>,
    );
    let summary: Vec<Row> = buckets
        .iter()
        .map(|b| {
            (
                b.start.as_str(),
                b.map.as_str(),
                b.direction.as_str(),
                b.rows,
                b.errors,
                b.p50_ms,
                b.p99_ms,
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                "2026-11-23T10:00:00.000Z",
                "customers",
                "toDataverse",
                10,
                1,
                Some(50),
                Some(100)
            ),
            (
                "2026-11-23T10:01:00.000Z",
                "customers",
                "toFinanceOperations",
                1,
                0,
                Some(7),
                Some(7)
            ),
            (
                "2026-11-23T10:01:00.000Z",
                "vendors",
                "toDataverse",
                1,
                0,
                None,
                None
            ),
        ]
    );
    // AND one map can be asked for alone.
    let vendors = store
        .metric_buckets(utc("2026-11-23T10:00:00Z"), 60, Some("vendors"))
        .unwrap();
    assert_eq!(vendors.len(), 1);
    assert_eq!(vendors[0].map, "vendors");
}

#[test]
fn queue_samples_skip_repeats_for_a_minute_and_prune_keeps_failed_rows_by_default() {
    // GIVEN a map with two queued changes, one of which failed.
    let (_dir, store) = store();
    let change = |key: &str| NewChange {
        side: "financeOperations".to_owned(),
        operation: "upsert".to_owned(),
        key: Some(key.to_owned()),
        source_id: None,
        row: json!({"CustomerAccount": key}),
        captured_at: "2026-11-01T10:00:00.000Z".to_owned(),
    };
    store
        .enqueue("customers", &[change("C1"), change("C2")], None)
        .unwrap();
    let first = store.next_changes("customers", 1).unwrap();
    store.fail_change(first[0].seq, "refused").unwrap();
    // WHEN the queue is sampled three times, the depth unchanged within a minute.
    assert!(
        store
            .sample_queue("customers", utc("2026-11-23T10:00:00Z"))
            .unwrap()
    );
    assert!(
        !store
            .sample_queue("customers", utc("2026-11-23T10:00:30Z"))
            .unwrap()
    );
    assert!(
        store
            .sample_queue("customers", utc("2026-11-23T10:01:05Z"))
            .unwrap()
    );
    // THEN two samples hold the depth.
    let samples = store
        .queue_samples(utc("2026-11-23T09:00:00Z"), None)
        .unwrap();
    assert_eq!(samples.len(), 2);
    assert_eq!((samples[0].queued, samples[0].failed), (1, 1));
    // WHEN old activity and samples are pruned with the default retention (30 days).
    store
        .add_activities(&[
            line_at(
                "2026-10-01T10:00:00.000Z",
                "customers",
                "row",
                "toDataverse",
                None,
            ),
            line_at(
                "2026-12-01T10:00:00.000Z",
                "customers",
                "row",
                "toDataverse",
                None,
            ),
        ])
        .unwrap();
    let retention = store.retention().unwrap();
    assert_eq!(retention, Retention::default());
    let pruned = store
        .prune(&retention, utc("2026-12-24T10:00:00Z"))
        .unwrap();
    // THEN only what is older than 30 days goes, and the failed change stays.
    assert_eq!((pruned.activity, pruned.samples, pruned.failed), (1, 2, 0));
    assert_eq!(store.queue_depth("customers").unwrap(), (1, 0, 1));
    // WHEN failed changes are given a retention of 7 days.
    let strict = Retention {
        activity_days: 30,
        failed_days: Some(7),
    };
    store
        .set_retention(&strict, "2026-12-24T10:00:00.000Z")
        .unwrap();
    assert_eq!(store.retention().unwrap(), strict);
    let pruned = store.prune(&strict, utc("2026-12-24T10:00:00Z")).unwrap();
    // THEN the old failed change is removed and counted; the queued one stays.
    assert_eq!(pruned.failed, 1);
    assert_eq!(store.queue_depth("customers").unwrap(), (1, 0, 0));
}

#[test]
fn a_map_state_time_always_moves_forward() {
    // GIVEN a map whose state changes three times within the same millisecond (or with the
    // clock stepping back).
    let (_dir, store) = store();
    store
        .ensure_map("m", &json!({"name": "m"}), "2026-11-23T10:00:00.500Z")
        .unwrap();
    let at = "2026-11-23T10:00:00.500Z";
    store.set_map_state("m", "initializing", None, at).unwrap();
    let first = store.map("m").unwrap().unwrap().updated_at;
    store.set_map_state("m", "running", None, at).unwrap();
    let second = store.map("m").unwrap().unwrap().updated_at;
    assert!(
        store
            .transition_map_state("m", "running", "paused", "2026-11-23T09:00:00.000Z")
            .unwrap()
    );
    let third = store.map("m").unwrap().unwrap().updated_at;
    // THEN each time is later than the one before, in the same format.
    assert_eq!(first, "2026-11-23T10:00:00.501Z");
    assert_eq!(second, "2026-11-23T10:00:00.502Z");
    assert_eq!(third, "2026-11-23T10:00:00.503Z");
    // AND a later clock is taken as it is.
    store
        .set_map_state("m", "running", None, "2026-11-23T11:00:00.000Z")
        .unwrap();
    assert_eq!(
        store.map("m").unwrap().unwrap().updated_at,
        "2026-11-23T11:00:00.000Z"
    );
}
