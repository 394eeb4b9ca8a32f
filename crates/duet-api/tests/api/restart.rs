//! Duet closed and opened again over the same data directory: the sandbox comes back on new
//! ports, the link follows it, and the running map resumes from its stored cursors.
//! Needs a Secret Service (scripts/test provides one).

use duet_api::{ActivityKind, Api};
use serde_json::json;

use crate::support::{self, demo_finops, options, running};

#[tokio::test]
async fn a_reopened_duet_resumes_the_running_map_on_the_moved_sandbox() {
    let dir = tempfile::tempdir().unwrap();
    // GIVEN Duet ran the demo once and was closed.
    let first_url = {
        let api = Api::open(dir.path(), options("restart")).await.unwrap();
        api.start_default().await.unwrap();
        running(&api).await;
        let url = api.link().await.unwrap().unwrap().finance_operations.url;
        api.shutdown().await;
        url
    };

    // WHEN it is opened again.
    let api = Api::open(dir.path(), options("restart")).await.unwrap();
    api.start_default().await.unwrap();
    let link = api
        .link()
        .await
        .unwrap()
        .expect("the link survives a restart");
    assert_ne!(
        link.finance_operations.url, first_url,
        "the sandbox picked new free ports, so the link must have followed it"
    );
    running(&api).await;

    // THEN a change made now still crosses, through the cursors stored by the first run.
    let finops = demo_finops(&api, dir.path()).await;
    finops
        .create(
            "CustomersV3",
            json!({"dataAreaId": "USMF", "CustomerAccount": "AFTER-RESTART", "OrganizationName": "Restarted"})
                .as_object()
                .unwrap(),
        )
        .await
        .unwrap();
    let synced = support::eventually("the row synced after the restart", || async {
        api.activity(50).await.ok()?.into_iter().find(|entry| {
            entry.kind == ActivityKind::Row && entry.key.as_deref() == Some("USMF|AFTER-RESTART")
        })
    })
    .await;
    // AND its log line carries the row as written (the key travels in the URL, not the
    // body), for the UI's detail panel.
    let payload = synced.payload.expect("a synced row keeps its payload");
    assert_eq!(
        payload["name"], "Restarted",
        "the payload is the written row: {payload}"
    );
    api.shutdown().await;
}
