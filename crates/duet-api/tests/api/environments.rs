//! Editing an environment in place: details changed with the stored secret kept, a client
//! id change that needs its own secret, and a secret rotated (wrong, then right).

use duet_api::{Api, EnvironmentKind, HealthStatus, NewEnvironment};

use crate::support::{cloud_environment, options};

#[tokio::test]
async fn an_environment_is_edited_keeping_its_secret_and_its_secret_is_rotated() {
    let dir = tempfile::tempdir().unwrap();
    let cloud =
        duet_sandbox::Sandbox::start(duet_sandbox::SandboxConfig::new(dir.path().join("cloud")))
            .await
            .unwrap();
    let api = Api::open(&dir.path().join("duet"), options("environments"))
        .await
        .unwrap();
    let typed = cloud_environment(&cloud, EnvironmentKind::Dataverse, true);
    let added = api.add_environment(typed.clone()).await.unwrap();
    let signed_in = |checks: &[duet_api::HealthCheck]| {
        checks
            .iter()
            .find(|check| check.code == "DUET-H001")
            .map(|check| check.status)
    };

    // WHEN it is renamed with the secret left empty, THEN the stored secret still signs in.
    let renamed = api
        .update_environment(
            added.id,
            NewEnvironment {
                name: "Contoso CRM (test)".to_owned(),
                client_secret: String::new(),
                ..typed.clone()
            },
        )
        .await
        .unwrap();
    assert_eq!(renamed.name, "Contoso CRM (test)");
    let checks = api.test_connection(added.id).await.unwrap();
    assert_eq!(
        signed_in(&checks),
        Some(HealthStatus::Healthy),
        "{checks:?}"
    );

    // WHEN the client id changes without a secret, THEN the edit is refused and says why.
    let refused = api
        .update_environment(
            added.id,
            NewEnvironment {
                client_id: "00000000-0000-0000-0000-000000000001".to_owned(),
                client_secret: String::new(),
                ..typed.clone()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(refused.code, "invalid_environment");
    assert!(
        refused.message.contains("enter the client secret"),
        "{}",
        refused.message
    );

    // WHEN the secret is rotated to a wrong one, THEN sign-in fails; rotated back, it passes.
    let rotate = |secret: &str| NewEnvironment {
        client_secret: secret.to_owned(),
        ..typed.clone()
    };
    api.update_environment(added.id, rotate("not-the-secret"))
        .await
        .unwrap();
    let checks = api.test_connection(added.id).await.unwrap();
    assert_eq!(
        signed_in(&checks),
        Some(HealthStatus::Unhealthy),
        "{checks:?}"
    );
    api.update_environment(added.id, rotate(cloud.client_secret()))
        .await
        .unwrap();
    let checks = api.test_connection(added.id).await.unwrap();
    assert_eq!(
        signed_in(&checks),
        Some(HealthStatus::Healthy),
        "{checks:?}"
    );
    api.shutdown().await;
    cloud.shutdown().await;
}
