//! Tests of the named state documents.

use serde_json::json;

use crate::Store;

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
