//! Tests of map records and their states.

use serde_json::json;

use super::store;
use crate::MapState;

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
        .set_map_state("customers", MapState::Paused, Some("by admin"), "t2")
        .unwrap();
    let map = store.map("customers").unwrap().unwrap();
    assert_eq!(
        (map.state.as_str(), map.reason.as_deref()),
        ("paused", Some("by admin"))
    );
    let error = store
        .set_map_state("vendors", MapState::Running, None, "t3")
        .unwrap_err();
    assert_eq!(error.to_string(), "there is no map named 'vendors'");
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
    store
        .set_map_state("m", MapState::Initializing, None, at)
        .unwrap();
    let first = store.map("m").unwrap().unwrap().updated_at;
    store
        .set_map_state("m", MapState::Running, None, at)
        .unwrap();
    let second = store.map("m").unwrap().unwrap().updated_at;
    assert!(
        store
            .transition_map_state(
                "m",
                MapState::Running,
                MapState::Paused,
                "2026-11-23T09:00:00.000Z"
            )
            .unwrap()
    );
    let third = store.map("m").unwrap().unwrap().updated_at;
    // THEN each time is later than the one before, in the same format.
    assert_eq!(first, "2026-11-23T10:00:00.501Z");
    assert_eq!(second, "2026-11-23T10:00:00.502Z");
    assert_eq!(third, "2026-11-23T10:00:00.503Z");
    // AND a later clock is taken as it is.
    store
        .set_map_state("m", MapState::Running, None, "2026-11-23T11:00:00.000Z")
        .unwrap();
    assert_eq!(
        store.map("m").unwrap().unwrap().updated_at,
        "2026-11-23T11:00:00.000Z"
    );
}
