//! Duet closed and opened again over the same data directory: the sandbox comes back on new
//! ports, the link follows it, and the running map resumes from its stored cursors.
//! Needs a Secret Service (scripts/test provides one).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use duet_api::{ActivityKind, Api, ApiOptions, MapState};
use duet_connect::{Credentials, FinOpsClient, TokenProvider};
use serde_json::json;

async fn eventually<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(found) = probe().await {
            return found;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn options() -> ApiOptions {
    ApiOptions {
        keyring_service: format!("dev.duet.app.restart-test.{}", std::process::id()),
        ..ApiOptions::default()
    }
}

async fn running(api: &Api) {
    eventually("the demo map to run", || async {
        let map = api.maps().await.ok()?.into_iter().next()?;
        (map.state == MapState::Running && map.reason.is_none()).then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_reopened_duet_resumes_the_running_map_on_the_moved_sandbox() {
    let dir = tempfile::tempdir().unwrap();
    // GIVEN Duet ran the demo once and was closed.
    let first_url = {
        let api = Api::open(dir.path(), options()).await.unwrap();
        api.start_default().await.unwrap();
        running(&api).await;
        let url = api.link().await.unwrap().unwrap().finance_operations.url;
        api.shutdown().await;
        url
    };

    // WHEN it is opened again.
    let api = Api::open(dir.path(), options()).await.unwrap();
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
    let env: HashMap<String, String> = {
        let sandbox_json =
            std::fs::read_to_string(dir.path().join("sandbox/sandbox.json")).unwrap();
        let value: serde_json::Value = serde_json::from_str(&sandbox_json).unwrap();
        value
            .as_object()
            .unwrap()
            .iter()
            .filter_map(|(key, value)| Some((key.clone(), value.as_str()?.to_owned())))
            .collect()
    };
    let http = reqwest::Client::new();
    let secret = env
        .iter()
        .find(|(key, _)| key.contains("secret"))
        .map(|(_, value)| value.clone())
        .expect("sandbox.json keeps the demo secret");
    let tokens = Arc::new(TokenProvider::new(
        http.clone(),
        Credentials {
            token_url: link.finance_operations.token_url.clone(),
            client_id: link.finance_operations.client_id.clone(),
            client_secret: secret,
        },
    ));
    let finops = FinOpsClient::new(http, tokens, &link.finance_operations.url);
    finops
        .create(
            "CustomersV3",
            json!({"dataAreaId": "USMF", "CustomerAccount": "AFTER-RESTART", "OrganizationName": "Restarted"})
                .as_object()
                .unwrap(),
        )
        .await
        .unwrap();
    eventually("the row synced after the restart", || async {
        api.activity(50).await.ok()?.into_iter().find(|entry| {
            entry.kind == ActivityKind::Row && entry.key.as_deref() == Some("USMF|AFTER-RESTART")
        })
    })
    .await;
    api.shutdown().await;
}
