//! The environments page against a running sandbox: add environments (secrets in the OS
//! keyring), test connections, link exactly one of each kind, change the legal entities, and
//! reset the link after a refresh. Needs a Secret Service (scripts/test provides one).

use std::sync::Arc;
use std::time::Duration;

use duet_api::{Api, ApiOptions, EnvironmentKind, HealthStatus, MapState, NewEnvironment};
use duet_maps::TableMap;
use duet_sandbox::{Sandbox, SandboxConfig};
use serde_json::json;

fn options() -> ApiOptions {
    ApiOptions {
        keyring_service: format!("dev.duet.app.link-test.{}", std::process::id()),
        ..ApiOptions::default()
    }
}

fn environment(sandbox: &Sandbox, kind: EnvironmentKind, name: &str) -> NewEnvironment {
    NewEnvironment {
        kind,
        name: name.to_owned(),
        url: match kind {
            EnvironmentKind::FinanceOperations => sandbox.fo_url().to_owned(),
            EnvironmentKind::Dataverse => sandbox.dv_url().to_owned(),
        },
        token_url: sandbox.token_url(),
        tenant: sandbox.tenant().to_owned(),
        client_id: sandbox.client_id().to_owned(),
        client_secret: sandbox.client_secret().to_owned(),
        sandbox: true,
        ca_certificate: sandbox.ca_pem().map(str::to_owned),
    }
}

async fn sandbox(dir: &std::path::Path) -> Sandbox {
    let mut config = SandboxConfig::new(dir.join("sandbox"));
    config.rows = 30;
    Sandbox::start(config).await.expect("sandbox starts")
}

async fn wait_for_state(api: &Api, name: &str, state: MapState) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let map = api
            .maps()
            .await
            .unwrap()
            .into_iter()
            .find(|map| map.name == name)
            .expect("the map exists");
        if map.state == state {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "map {name} stayed {:?} ({:?}), expected {state:?}",
            map.state,
            map.reason
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Adds both sandbox environments and links them for DAT; returns their ids.
async fn linked(api: &Arc<Api>, sandbox: &Sandbox) -> (i64, i64) {
    let fo = api
        .add_environment(environment(
            sandbox,
            EnvironmentKind::FinanceOperations,
            "Contoso F&O",
        ))
        .await
        .unwrap();
    let dv = api
        .add_environment(environment(
            sandbox,
            EnvironmentKind::Dataverse,
            "Contoso CRM",
        ))
        .await
        .unwrap();
    api.link_environments(fo.id, dv.id, vec!["dat".to_owned()])
        .await
        .unwrap();
    (fo.id, dv.id)
}

#[tokio::test]
async fn environments_are_added_tested_and_linked_once() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path()).await;
    let api = Api::open(&dir.path().join("duet"), options())
        .await
        .unwrap();

    // GIVEN both environments added, and one more Dataverse environment with a wrong secret.
    let fo = api
        .add_environment(environment(
            &sandbox,
            EnvironmentKind::FinanceOperations,
            "Contoso F&O",
        ))
        .await
        .unwrap();
    let dv = api
        .add_environment(environment(
            &sandbox,
            EnvironmentKind::Dataverse,
            "Contoso CRM",
        ))
        .await
        .unwrap();
    let mut wrong = environment(&sandbox, EnvironmentKind::Dataverse, "Fabrikam CRM");
    wrong.url = wrong.url.replace("127.0.0.1", "localhost");
    wrong.client_secret = "not-the-secret".to_owned();
    let other = api.add_environment(wrong).await.unwrap();
    assert_eq!(api.environments().unwrap().len(), 3);
    assert!(api.environments().unwrap().iter().all(|e| !e.linked));

    // WHEN their connections are tested.
    let fo_checks = api.test_connection(fo.id).await.unwrap();
    let dv_checks = api.test_connection(dv.id).await.unwrap();
    let wrong_checks = api.test_connection(other.id).await.unwrap();

    // THEN the good ones sign in, read and have a sane clock; the wrong secret is named.
    for checks in [&fo_checks, &dv_checks] {
        let codes: Vec<&str> = checks.iter().map(|c| c.code.as_str()).collect();
        assert_eq!(codes, ["DUET-H001", "DUET-H002", "DUET-H005"], "{checks:?}");
        assert!(
            checks.iter().all(|c| c.status == HealthStatus::Healthy),
            "{checks:?}"
        );
    }
    let token = &wrong_checks[0];
    assert_eq!(token.code, "DUET-H001");
    assert_eq!(token.status, HealthStatus::Unhealthy);
    assert!(token.message.contains("secret"), "{}", token.message);

    // AND the legal entities are offered for the link.
    let entities = api.legal_entities(fo.id).await.unwrap();
    let codes: Vec<&str> = entities.iter().map(|e| e.code.as_str()).collect();
    assert!(
        codes.contains(&"DAT") && codes.contains(&"USMF"),
        "{codes:?}"
    );

    // WHEN a legal entity that does not exist is linked, THEN that is refused by name.
    let error = api
        .link_environments(fo.id, dv.id, vec!["ZZZ".to_owned()])
        .await
        .unwrap_err();
    assert_eq!(error.code, "invalid_link");
    assert!(error.message.contains("ZZZ"), "{}", error.message);

    // WHEN the pair is linked for DAT.
    let link = api
        .link_environments(fo.id, dv.id, vec!["dat".to_owned()])
        .await
        .unwrap();
    assert_eq!(link.companies, ["DAT"]);
    assert_eq!(link.finance_operations.name, "Contoso F&O");

    // THEN a second link for the finance and operations environment is refused, clearly.
    let error = api
        .link_environments(fo.id, other.id, vec!["DAT".to_owned()])
        .await
        .unwrap_err();
    assert_eq!(error.code, "conflict");
    assert!(
        error
            .message
            .contains("'Contoso F&O' is already linked with 'Contoso CRM'"),
        "{}",
        error.message
    );
    // AND a linked environment cannot be removed; an unlinked one can.
    assert_eq!(
        api.remove_environment(dv.id).await.unwrap_err().code,
        "conflict"
    );
    api.remove_environment(other.id).await.unwrap();
    let listed = api.environments().unwrap();
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().all(|e| e.linked));

    // AND adding the same URL twice is refused.
    let error = api
        .add_environment(environment(&sandbox, EnvironmentKind::Dataverse, "Again"))
        .await
        .unwrap_err();
    assert_eq!(error.code, "conflict");

    // AND the link's health names every check, with the integration key of no map yet.
    let health = api.check_health().await.unwrap();
    let codes: Vec<&str> = health
        .dataverse
        .health
        .iter()
        .map(|c| c.code.as_str())
        .collect();
    assert_eq!(
        codes,
        ["DUET-H001", "DUET-H002", "DUET-H003", "DUET-H005"],
        "{:?}",
        health.dataverse.health
    );
    api.shutdown().await;
    sandbox.shutdown().await;
}

#[tokio::test]
async fn bad_environment_input_is_refused_with_what_to_fix() {
    let dir = tempfile::tempdir().unwrap();
    let api = Api::open(dir.path(), options()).await.unwrap();
    let base = NewEnvironment {
        kind: EnvironmentKind::Dataverse,
        name: "Contoso".to_owned(),
        url: "https://contoso.crm.dynamics.com".to_owned(),
        token_url: String::new(),
        tenant: "contoso.onmicrosoft.com".to_owned(),
        client_id: "00000000-0000-0000-0000-000000000001".to_owned(),
        client_secret: "s".to_owned(),
        sandbox: false,
        ca_certificate: None,
    };
    let cases = [
        (
            NewEnvironment {
                url: "contoso".to_owned(),
                ..base.clone()
            },
            "is not a URL",
        ),
        (
            NewEnvironment {
                url: "http://contoso.crm.dynamics.com".to_owned(),
                ..base.clone()
            },
            "https://",
        ),
        (
            NewEnvironment {
                client_secret: String::new(),
                ..base.clone()
            },
            "client secret",
        ),
        (
            NewEnvironment {
                tenant: " ".to_owned(),
                ..base.clone()
            },
            "tenant",
        ),
        (
            NewEnvironment {
                ca_certificate: Some("-----BEGIN CERTIFICATE-----".to_owned()),
                ..base.clone()
            },
            "Only a sandbox environment can bring its own certificate authority",
        ),
        (
            NewEnvironment {
                url: "https://127.0.0.1:9".to_owned(),
                sandbox: true,
                ca_certificate: Some("not a certificate".to_owned()),
                ..base.clone()
            },
            "is not a PEM certificate",
        ),
    ];
    for (environment, expected) in cases {
        let error = api.add_environment(environment).await.unwrap_err();
        assert_eq!(error.code, "invalid_environment");
        assert!(error.message.contains(expected), "{}", error.message);
    }
    assert!(api.environments().unwrap().is_empty(), "nothing half-added");
    // A cloud environment gets the Entra token URL of its tenant.
    let added = api.add_environment(base).await.unwrap();
    assert_eq!(
        added.token_url,
        "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
    );
}

#[tokio::test]
async fn the_commands_are_reachable_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path()).await;
    let api = Api::open(&dir.path().join("duet"), options())
        .await
        .unwrap();
    let fo = api
        .call(
            "add_environment",
            json!({"environment": environment(&sandbox, EnvironmentKind::FinanceOperations, "F&O")}),
        )
        .await
        .unwrap();
    let dv = api
        .call(
            "add_environment",
            json!({"environment": environment(&sandbox, EnvironmentKind::Dataverse, "CRM")}),
        )
        .await
        .unwrap();
    let link = api
        .call(
            "link_environments",
            json!({"financeOperationsId": fo["id"], "dataverseId": dv["id"], "companies": ["USMF"]}),
        )
        .await
        .unwrap();
    assert_eq!(link["companies"], json!(["USMF"]));
    let error = api.call("reset_link", json!({"confirm": "nope"})).await;
    assert_eq!(error.unwrap_err().code, "confirmation_mismatch");
    let listed = api.call("environments", json!({})).await.unwrap();
    assert_eq!(listed.as_array().map(Vec::len), Some(2));
    api.shutdown().await;
    sandbox.shutdown().await;
}

#[tokio::test]
async fn legal_entities_change_and_a_reset_relinks_and_reactivates_maps() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = sandbox(dir.path()).await;
    let api = Api::open(&dir.path().join("duet"), options())
        .await
        .unwrap();
    // GIVEN a linked pair running the customers map for DAT.
    let (fo, dv) = linked(&api, &sandbox).await;
    api.add_map(&TableMap::customers()).unwrap();
    api.run_map("customers").await.unwrap();
    wait_for_state(&api, "customers", MapState::Running).await;

    // WHEN USMF is added to the link.
    let link = api
        .set_link_companies(vec!["DAT".to_owned(), "USMF".to_owned()])
        .await
        .unwrap();
    // THEN the link has both and the map runs again (its initial sync reads USMF too).
    assert_eq!(link.companies, ["DAT", "USMF"]);
    wait_for_state(&api, "customers", MapState::Running).await;

    // WHEN a paused map is there, THEN the legal entities cannot change.
    api.pause_map("customers").await.unwrap();
    wait_for_state(&api, "customers", MapState::Paused).await;
    let error = api
        .set_link_companies(vec!["DAT".to_owned()])
        .await
        .unwrap_err();
    assert_eq!(error.code, "map_busy");
    api.resume_map("customers", duet_api::ResumeMode::CatchUp)
        .await
        .unwrap();
    wait_for_state(&api, "customers", MapState::Running).await;

    // WHEN the reset is planned, THEN it says what goes and what stays.
    let plan = api.reset_plan().unwrap();
    assert_eq!(plan.confirmation, "Contoso F&O");
    assert_eq!(plan.maps_to_reactivate, ["customers"]);
    assert!(plan.deletes[0].contains("'Contoso F&O' and 'Contoso CRM'"));
    assert!(
        plan.deletes
            .iter()
            .any(|line| line.contains("sync positions"))
    );
    assert!(
        plan.keeps
            .iter()
            .any(|line| line.contains("map definition"))
    );

    // WHEN the admin confirms with the wrong name, THEN nothing happens.
    let error = api.reset_link("Contoso", true).await.unwrap_err();
    assert_eq!(error.code, "confirmation_mismatch");
    assert!(api.link().await.unwrap().is_some());

    // WHEN the admin confirms the reset with relink.
    api.reset_link("Contoso F&O", true).await.unwrap();
    // THEN the same pair is linked again and the map was reactivated.
    let link = api.link().await.unwrap().expect("relinked");
    assert_eq!(link.finance_operations.id, fo);
    assert_eq!(link.dataverse.id, dv);
    wait_for_state(&api, "customers", MapState::Running).await;
    let activity = api.activity(200).await.unwrap();
    assert!(
        activity
            .iter()
            .any(|entry| entry.map == "link" && entry.message.starts_with("Link reset")),
        "the reset is in the activity log"
    );

    // WHEN it is reset without relink, THEN there is no link and the map is not running.
    api.reset_link("Contoso F&O", false).await.unwrap();
    assert!(api.link().await.unwrap().is_none());
    let map = api.maps().await.unwrap().remove(0);
    assert_eq!(map.state, MapState::NotRunning);
    assert!(map.reason.unwrap().contains("link the environments again"));
    api.shutdown().await;
    sandbox.shutdown().await;
}
