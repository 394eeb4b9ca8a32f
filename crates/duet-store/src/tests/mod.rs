//! The store's tests, in one module per module of the store, and the fixtures they share.

use serde_json::json;

use crate::{NewActivity, Store};

mod activity;
mod activity_query;
mod alert_rules;
mod cursors;
mod disk_full;
mod error_groups;
mod link;
mod maps;
mod metrics;
mod queue;
mod shadow;
mod state;
mod versions;

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
        error_class: None,
    }
}
