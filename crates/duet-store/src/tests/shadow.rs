//! Tests of each side's remembered row values and of Duet's remembered writes.

use serde_json::json;

use super::store;
use crate::WRITTEN_KEPT;

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
fn a_chunk_of_shadows_is_read_at_once_with_only_the_keys_known_on_that_side() {
    let (_dir, store) = store();
    for (side, key, name) in [
        ("dataverse", "DAT|C1", "A"),
        ("dataverse", "DAT|C'2", "B"),
        ("financeOperations", "DAT|C3", "C"),
    ] {
        store
            .save_shadow("m", side, key, None, &json!({ "name": name }))
            .unwrap();
    }
    let keys: Vec<String> = ["DAT|C1", "DAT|C'2", "DAT|C3", "DAT|C4"]
        .map(str::to_owned)
        .to_vec();
    let found = store.shadows("m", "dataverse", &keys).unwrap();
    assert_eq!(found.len(), 2, "C3 is on the other side and C4 unknown");
    assert_eq!(found["DAT|C1"], json!({"name": "A"}));
    assert_eq!(
        found["DAT|C'2"],
        json!({"name": "B"}),
        "a quote in a key is a key"
    );
    assert!(store.shadows("m", "dataverse", &[]).unwrap().is_empty());
}
