//! A client secret, written once to the keyring or to a secrets file, is found nowhere else.

use std::path::Path;
use std::sync::Arc;

use duet_api::{
    Api, ApiOptions, EnvironmentKind, EnvironmentView, HealthStatus, LogQuery, MapState, SecretsAt,
};
use duet_maps::TableMap;
use duet_sandbox::{Sandbox, SandboxConfig};
use serde_json::json;

use crate::capture::{canary, logs};
use crate::support::{call, cloud_environment, eventually, options};

/// A sandbox pair whose application user signs in with `secret`: its identity file is
/// written before the first start, which keeps it.
async fn sandbox_with_secret(dir: &Path, secret: &str) -> Sandbox {
    std::fs::create_dir_all(dir).unwrap();
    let identity = json!({
        "tenant": "0b1c2d3e-0000-4000-8000-00000000c0de",
        "client_id": "5e6f7a8b-0000-4000-8000-00000000c0de",
        "client_secret": secret,
        "user_id": "00000000-0000-4000-8000-000000000001",
        "business_unit_id": "00000000-0000-4000-8000-000000000002",
        "organization_id": "00000000-0000-4000-8000-000000000003",
    });
    std::fs::write(dir.join("sandbox.json"), identity.to_string()).unwrap();
    let mut config = SandboxConfig::new(dir);
    config.rows = 10;
    let sandbox = Sandbox::start(config).await.unwrap();
    assert_eq!(sandbox.client_secret(), secret);
    sandbox
}

/// Fails naming `what` if any of `secrets` occurs in `haystack`.
fn assert_absent(what: &str, haystack: &[u8], secrets: &[&str]) {
    for secret in secrets {
        let found = haystack
            .windows(secret.len())
            .position(|window| window == secret.as_bytes());
        if let Some(at) = found {
            let from = at.saturating_sub(200);
            let context = String::from_utf8_lossy(&haystack[from..(at + 200).min(haystack.len())]);
            panic!("the client secret leaked into {what}: …{context}…");
        }
    }
}

/// Every file under `dir` (the store, its WAL and shared memory, anything else), read raw.
fn assert_absent_from_files(dir: &Path, secrets: &[&str]) -> usize {
    let mut files = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files += assert_absent_from_files(&path, secrets);
        } else if let Ok(bytes) = std::fs::read(&path) {
            assert_absent(&path.display().to_string(), &bytes, secrets);
            files += 1;
        }
    }
    files
}

/// Every activity line and error group, as the window receives them.
fn assert_absent_from_activity(api: &Api, secrets: &[&str]) -> usize {
    let page = api.log_page(&LogQuery::default(), 10_000).unwrap();
    let text = serde_json::to_string(&page.entries).unwrap();
    assert_absent("the activity log", text.as_bytes(), secrets);
    let groups = serde_json::to_string(&api.error_groups(None).unwrap()).unwrap();
    assert_absent("the error groups", groups.as_bytes(), secrets);
    page.entries.len()
}

/// Adds both environments of `cloud` through the command dispatcher, as the window and
/// `duet serve` add them, links them and waits for the customers map's initial sync; answers
/// their ids (finance and operations, Dataverse).
async fn link_and_sync(api: &Arc<Api>, cloud: &Sandbox, secret: &str) -> (i64, i64) {
    let mut ids = Vec::new();
    for kind in [
        EnvironmentKind::FinanceOperations,
        EnvironmentKind::Dataverse,
    ] {
        let environment = cloud_environment(cloud, kind, true);
        assert_eq!(environment.client_secret, secret);
        let added: EnvironmentView = call(
            api,
            "add_environment",
            json!({ "environment": environment }),
        )
        .await;
        ids.push(added.id);
    }
    api.link_environments(ids[0], ids[1], vec!["DAT".to_owned()])
        .await
        .unwrap();
    api.add_map(&TableMap::customers()).unwrap();
    api.run_map("customers").await.unwrap();
    eventually("the initial sync", || async {
        let map = api.maps().await.ok()?.into_iter().next()?;
        (map.state == MapState::Running && map.rows_synced > 0).then_some(())
    })
    .await;
    (ids[0], ids[1])
}

/// Gives finance and operations the `wrong` secret, so the engine, its health check and a
/// new link fail to sign in; answers what each of them says, and the changed environment's
/// and its credentials' debug text, by name.
async fn fail_to_sign_in(
    api: &Arc<Api>,
    cloud: &Sandbox,
    (finops, dataverse): (i64, i64),
    wrong: &str,
) -> Vec<(&'static str, String)> {
    let mut changed = cloud_environment(cloud, EnvironmentKind::FinanceOperations, true);
    changed.client_secret = wrong.to_owned();
    let _: EnvironmentView = call(
        api,
        "update_environment",
        json!({ "id": finops, "environment": changed }),
    )
    .await;
    let checks = api.test_connection(finops).await.unwrap();
    let sign_in = checks
        .iter()
        .find(|check| check.code == "DUET-H001")
        .unwrap();
    assert_eq!(sign_in.status, HealthStatus::Unhealthy, "{sign_in:?}");
    assert!(sign_in.message.contains("client secret"), "{sign_in:?}");
    let refused = api
        .call(
            "link_environments",
            json!({ "financeOperationsId": finops, "dataverseId": dataverse, "companies": ["DAT"] }),
        )
        .await
        .expect_err("a link needs finance and operations to sign in");
    let reason = eventually("the map's sign-in failure", || async {
        api.maps().await.ok()?.into_iter().next()?.reason
    })
    .await;
    assert!(reason.contains("client secret"), "{reason}");
    let credentials = duet_connect::Credentials {
        token_url: cloud.token_url(),
        client_id: changed.client_id.clone(),
        client_secret: wrong.to_owned(),
    };
    vec![
        ("the health check", format!("{checks:?}")),
        ("the refused link", format!("{refused} {refused:?}")),
        ("the map's reason", reason),
        ("an environment's debug text", format!("{changed:?}")),
        ("the credentials' debug text", format!("{credentials:?}")),
    ]
}

/// The whole story with `options`: the pair added with `secret`, linked and synced, then
/// finance and operations given `wrong`; neither is anywhere under `data` nor in anything a
/// user, a log reader or a crash report sees.
async fn secrets_stay_in_their_place(dir: &Path, options: ApiOptions, secret: &str, wrong: &str) {
    let (all_levels, _) = logs();
    let secrets = [secret, wrong];
    let cloud = sandbox_with_secret(&dir.join("cloud"), secret).await;
    let data = dir.join("duet");
    let api = Api::open(&data, options).await.unwrap();

    // GIVEN the pair added with the secret, linked, and the customers map's initial sync done.
    let ids = link_and_sync(&api, &cloud, secret).await;
    // WHEN finance and operations is given a wrong secret: the engine, the health check and
    // a new link all fail to sign in.
    let said = fail_to_sign_in(&api, &cloud, ids, wrong).await;

    // THEN neither secret is in what a user, a log reader or a crash report sees.
    for (what, text) in said {
        assert_absent(what, text.as_bytes(), &secrets);
    }
    let environments = serde_json::to_string(&api.environments().unwrap()).unwrap();
    assert_absent("the environments", environments.as_bytes(), &secrets);
    assert!(assert_absent_from_activity(&api, &secrets) > 5);
    assert_absent_from_files(&data, &secrets);
    api.shutdown().await;
    drop(api);
    // AND once the store is closed (its WAL checkpointed), the files still hold neither.
    assert!(assert_absent_from_files(&data, &secrets) >= 1);
    let traces = all_levels.text();
    assert_absent("the log lines at every level", traces.as_bytes(), &secrets);
    // The capture did see the sign-ins, down to the HTTP client's own trace lines.
    assert!(traces.contains(" TRACE "), "no TRACE line was captured");
    assert!(
        traces.contains("/oauth2/v2.0/token"),
        "no sign-in was captured"
    );
    cloud.shutdown().await;
}

#[tokio::test]
async fn a_client_secret_stays_out_of_the_store_the_logs_the_traces_and_the_errors() {
    let secret = canary("S3cr3t-canary");
    let wrong = canary("S3cr3t-canary-wrong");
    let dir = tempfile::tempdir().unwrap();
    secrets_stay_in_their_place(dir.path(), options("leaks-secret"), &secret, &wrong).await;
}

#[tokio::test]
async fn with_a_secrets_file_the_secret_is_in_that_file_and_nowhere_else() {
    let secret = canary("F1le-canary");
    let wrong = canary("F1le-canary-wrong");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("etc").join("secrets.json");
    let options = ApiOptions {
        secrets: SecretsAt::File(file.clone()),
        ..options("leaks-file")
    };
    secrets_stay_in_their_place(dir.path(), options, &secret, &wrong).await;
    // The file holds Dataverse's secret and finance and operations' newer one, as accounts.
    let held: std::collections::BTreeMap<String, String> =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let mut values: Vec<&str> = held.values().map(String::as_str).collect();
    values.sort_unstable();
    let mut expected = vec![secret.as_str(), wrong.as_str()];
    expected.sort_unstable();
    assert_eq!(values, expected, "{:?}", held.keys());
    assert!(
        held.keys()
            .all(|account| account.starts_with("environment-"))
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}
