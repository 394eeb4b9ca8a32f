//! What the API tests share: polling, options with a private keyring service, waiting for
//! the demo map, and a client signed in to the demo sandbox's F&O side.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use duet_api::{Api, ApiOptions, MapState};
use duet_connect::{Credentials, DataverseClient, FinOpsClient, TokenProvider, Trust};

/// Polls `probe` until it finds something, for at most 30 seconds.
pub async fn eventually<T, F, Fut>(what: &str, mut probe: F) -> T
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

/// API options whose keyring service is private to this test process and `name`.
pub fn options(name: &str) -> ApiOptions {
    ApiOptions {
        keyring_service: format!("dev.duet.app.{name}-test.{}", std::process::id()),
        ..ApiOptions::default()
    }
}

/// Waits until the demo map runs without a reason.
pub async fn running(api: &Api) {
    eventually("the demo map to run", || async {
        let map = api.maps().await.ok()?.into_iter().next()?;
        (map.state == MapState::Running && map.reason.is_none()).then_some(())
    })
    .await;
}

/// A token provider for the linked sandbox, signed in with the demo secret from
/// `sandbox.json` (both sides share one identity).
async fn demo_tokens(
    api: &Api,
    data_dir: &Path,
) -> (duet_api::LinkView, reqwest::Client, Arc<TokenProvider>) {
    let link = api.link().await.unwrap().expect("linked");
    let sandbox_json = std::fs::read_to_string(data_dir.join("sandbox/sandbox.json")).unwrap();
    let value: serde_json::Value = serde_json::from_str(&sandbox_json).unwrap();
    let env: HashMap<String, String> = value
        .as_object()
        .unwrap()
        .iter()
        .filter_map(|(key, value)| Some((key.clone(), value.as_str()?.to_owned())))
        .collect();
    let secret = env
        .iter()
        .find(|(key, _)| key.contains("secret"))
        .map(|(_, value)| value.clone())
        .expect("sandbox.json keeps the demo secret");
    let authority = std::fs::read_to_string(data_dir.join("sandbox/ca.pem")).unwrap();
    let http = duet_connect::http_client(&Trust::Only(authority)).unwrap();
    let tokens = Arc::new(TokenProvider::new(
        http.clone(),
        Credentials {
            token_url: link.finance_operations.token_url.clone(),
            client_id: link.finance_operations.client_id.clone(),
            client_secret: secret,
        },
    ));
    (link, http, tokens)
}

/// A client of the linked F&O sandbox.
pub async fn demo_finops(api: &Api, data_dir: &Path) -> FinOpsClient {
    let (link, http, tokens) = demo_tokens(api, data_dir).await;
    FinOpsClient::new(http, tokens, &link.finance_operations.url)
}

/// A client of the linked Dataverse sandbox.
pub async fn demo_dataverse(api: &Api, data_dir: &Path) -> DataverseClient {
    let (link, http, tokens) = demo_tokens(api, data_dir).await;
    DataverseClient::new(http, tokens, &link.dataverse.url)
}

/// An environment of a stand-in cloud sandbox, entered as a user types it; `sandbox` marks
/// it as a sandbox (whose missing legal entities a scenario may create), given the sandbox's
/// certificate authority.
pub fn cloud_environment(
    cloud: &duet_sandbox::Sandbox,
    kind: duet_api::EnvironmentKind,
    sandbox: bool,
) -> duet_api::NewEnvironment {
    let (name, url) = match kind {
        duet_api::EnvironmentKind::FinanceOperations => ("Contoso F&O", cloud.fo_url()),
        duet_api::EnvironmentKind::Dataverse => ("Contoso CRM", cloud.dv_url()),
    };
    duet_api::NewEnvironment {
        kind,
        name: name.to_owned(),
        url: url.to_owned(),
        token_url: cloud.token_url(),
        tenant: cloud.tenant().to_owned(),
        client_id: cloud.client_id().to_owned(),
        client_secret: cloud.client_secret().to_owned(),
        sandbox,
        ca_certificate: cloud.ca_pem().filter(|_| sandbox).map(str::to_owned),
    }
}

/// Adds both environments of a stand-in cloud sandbox; answers their ids (finance and
/// operations, Dataverse).
pub async fn add_cloud_pair(api: &Api, cloud: &duet_sandbox::Sandbox, sandbox: bool) -> (i64, i64) {
    let mut ids = Vec::new();
    for kind in [
        duet_api::EnvironmentKind::FinanceOperations,
        duet_api::EnvironmentKind::Dataverse,
    ] {
        let added = api
            .add_environment(cloud_environment(cloud, kind, sandbox))
            .await
            .unwrap();
        ids.push(added.id);
    }
    (ids[0], ids[1])
}

/// Calls a command that must succeed, and reads its answer as `T`.
pub async fn call<T: serde::de::DeserializeOwned>(
    api: &Arc<Api>,
    command: &str,
    args: serde_json::Value,
) -> T {
    let answer = api
        .call(command, args)
        .await
        .unwrap_or_else(|error| panic!("{command} failed: {error}"));
    serde_json::from_value(answer).expect("answer shape")
}

/// Scenario options for a small run of `maps`: 30 rows, 20 existing.
pub fn small(maps: &[&str]) -> duet_api::ScenarioOptions {
    duet_api::ScenarioOptions {
        rows: 30,
        existing_rows: 20,
        maps: maps.iter().map(|name| (*name).to_owned()).collect(),
        ..duet_api::ScenarioOptions::default()
    }
}
