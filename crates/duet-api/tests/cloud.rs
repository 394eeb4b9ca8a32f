//! Environments added as cloud ones, which Duet reaches trusting the system's certificate
//! authorities and nothing else.
//!
//! A stand-in cloud is a sandbox whose certificate authority this test process trusts as a
//! system one: `SSL_CERT_FILE`, which the system trust store loader reads, names it. It is set
//! once, before any test here connects anywhere, which is why these tests are a binary of
//! their own: no other test's thread can be reading the environment while it is set.

#[allow(dead_code)]
#[path = "support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use duet_api::{Api, EnvironmentKind, HealthStatus, ScenarioOptions, StepStatus};
use duet_sandbox::{Sandbox, SandboxConfig};

use support::{add_cloud_pair, cloud_environment, options, small};

/// The authority every stand-in cloud of this process presents, trusted as a system one.
fn system_authority() -> &'static Path {
    static AUTHORITY: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, dir) = AUTHORITY.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let file = duet_sandbox::ensure_authority(dir.path()).unwrap();
        // SAFETY: every test of this binary calls this first, before it starts a thread or a
        // connection, so nothing reads the environment while it changes.
        unsafe { std::env::set_var("SSL_CERT_FILE", &file) };
        let kept = dir.path().to_owned();
        (dir, kept)
    });
    dir
}

/// A sandbox in `dir` that stands in for a cloud pair: its server certificate comes from the
/// authority the system trusts.
async fn stand_in_cloud(dir: &Path, config: impl FnOnce(&mut SandboxConfig)) -> Sandbox {
    let authority = system_authority();
    std::fs::create_dir_all(dir).unwrap();
    for file in ["ca.pem", "ca-key.pem"] {
        std::fs::copy(authority.join(file), dir.join(file)).unwrap();
    }
    let mut settings = SandboxConfig::new(dir);
    config(&mut settings);
    Sandbox::start(settings).await.unwrap()
}

#[tokio::test]
async fn a_cloud_environment_trusts_the_system_and_not_a_sandbox_authority() {
    system_authority();
    let dir = tempfile::tempdir().unwrap();
    let api = Api::open(&dir.path().join("duet"), options("cloud-trust"))
        .await
        .unwrap();
    // GIVEN a stand-in cloud whose certificate the system trusts, and a sandbox with an
    // authority of its own.
    let cloud = stand_in_cloud(&dir.path().join("cloud"), |_| {}).await;
    let sandbox = Sandbox::start(SandboxConfig::new(dir.path().join("sandbox")))
        .await
        .unwrap();
    let signed_in = |checks: &[duet_api::HealthCheck]| {
        checks
            .iter()
            .find(|check| check.code == "DUET-H001")
            .map(|check| (check.status, check.message.clone()))
            .unwrap()
    };
    // WHEN both are added as cloud environments.
    let trusted = api
        .add_environment(cloud_environment(&cloud, EnvironmentKind::Dataverse, false))
        .await
        .unwrap();
    let untrusted = api
        .add_environment(cloud_environment(
            &sandbox,
            EnvironmentKind::Dataverse,
            false,
        ))
        .await
        .unwrap();
    assert!(!untrusted.own_certificate_authority);
    // THEN the one the system vouches for signs in.
    let (status, message) = signed_in(&api.test_connection(trusted.id).await.unwrap());
    assert_eq!(status, HealthStatus::Healthy, "{message}");
    // AND the sandbox's own authority is not trusted for a cloud environment, and the check
    // says so.
    let (status, message) = signed_in(&api.test_connection(untrusted.id).await.unwrap());
    assert_eq!(status, HealthStatus::Unhealthy);
    assert!(
        message.contains("the server's certificate is not trusted"),
        "{message}"
    );
    // AND marked as a sandbox with that authority, the same environment signs in.
    let mut as_sandbox = cloud_environment(&sandbox, EnvironmentKind::Dataverse, true);
    as_sandbox.name = "Sandbox CRM".to_owned();
    let updated = api
        .update_environment(untrusted.id, as_sandbox)
        .await
        .unwrap();
    assert!(updated.own_certificate_authority);
    let (status, message) = signed_in(&api.test_connection(untrusted.id).await.unwrap());
    assert_eq!(status, HealthStatus::Healthy, "{message}");
    api.shutdown().await;
    sandbox.shutdown().await;
    cloud.shutdown().await;
}

#[tokio::test]
async fn a_cloud_environment_missing_a_legal_entity_stops_the_run_with_how_to_create_it() {
    system_authority();
    // GIVEN environments added as cloud ones (a separate sandbox behind them).
    let dir = tempfile::tempdir().unwrap();
    let cloud = stand_in_cloud(&dir.path().join("cloud"), |config| {
        config.rows = 10;
        config.dv_profile = duet_sandbox::DvProfile::New;
    })
    .await;
    let api = Api::open(&dir.path().join("duet"), options("setup-cloud"))
        .await
        .unwrap();
    let (fo, dv) = add_cloud_pair(&api, &cloud, false).await;
    let options = ScenarioOptions {
        environments: Some((fo, dv)),
        companies: vec!["DAT".to_owned(), "ZZZ".to_owned()],
        ..small(&["customers"])
    };
    // WHEN the scenario runs.
    let run = api.run_scenario("new-data-new", options).await.unwrap();
    // THEN the health checks pass, and the legal entity step says how to create ZZZ.
    assert_eq!(run.status, StepStatus::Failed);
    assert_eq!(run.steps[0].status, StepStatus::Done, "{:?}", run.steps[0]);
    let step = &run.steps[1];
    assert_eq!(step.id, "createLegalEntity");
    assert_eq!(step.status, StepStatus::Failed);
    let message = step.message.as_deref().unwrap();
    assert!(
        message.contains("has no legal entity ZZZ") && message.contains("Legal entities > New"),
        "{message}"
    );
    assert!(api.link().await.unwrap().is_none());
    api.shutdown().await;
    cloud.shutdown().await;
}
