//! preview_map reads live rows from both sandbox sides and marks what an edit changes.
//! Needs a Secret Service (scripts/test provides one).

use duet_api::{Api, ApiOptions};
use duet_maps::{FieldDirection, TableMap};
use serde_json::json;

#[tokio::test]
async fn preview_reads_live_rows_and_marks_changed_fields() {
    let dir = tempfile::tempdir().unwrap();
    let options = ApiOptions {
        keyring_service: format!("dev.duet.app.preview-test.{}", std::process::id()),
        ..ApiOptions::default()
    };
    let api = Api::open(dir.path(), options).await.unwrap();
    api.start_sandbox_demo().await.unwrap();
    let mut edited = TableMap::customers();
    for field in &mut edited.fields {
        if field.dataverse.as_deref() == Some("name") {
            field.direction = FieldDirection::ToFinanceOperations;
        }
    }
    let previews = api
        .call("preview_map", json!({"map": edited, "limit": 3}))
        .await
        .unwrap();
    let previews = previews.as_array().unwrap();
    let from_fo: Vec<_> = previews
        .iter()
        .filter(|p| p["from"] == "financeOperations")
        .collect();
    assert_eq!(from_fo.len(), 3, "the demo sandbox has customers");
    for preview in from_fo {
        assert_eq!(preview["changedFields"], json!(["name"]), "{preview:#}");
        assert!(preview["saved"]["row"]["name"].is_string());
    }
    api.shutdown().await;
}
