//! Whose certificates a client trusts: a sandbox's own authority only where it is given,
//! the system's elsewhere.

use duet_connect::{Credentials, ErrorClass, TokenProvider, Trust};
use duet_sandbox::{Sandbox, SandboxConfig};

async fn sandbox() -> (tempfile::TempDir, Sandbox) {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(SandboxConfig::new(dir.path()))
        .await
        .unwrap();
    (dir, sandbox)
}

/// Signs in to `sandbox`'s token endpoint with a client that trusts `trust`.
async fn sign_in(sandbox: &Sandbox, trust: Trust) -> Result<String, duet_connect::ConnectError> {
    let tokens = TokenProvider::new(
        duet_connect::http_client(&trust).unwrap(),
        Credentials {
            token_url: sandbox.token_url(),
            client_id: sandbox.client_id().to_owned(),
            client_secret: sandbox.client_secret().to_owned(),
        },
    );
    tokens.token(sandbox.dv_url()).await
}

#[tokio::test]
async fn a_cloud_client_does_not_trust_the_sandbox_authority() {
    // GIVEN a sandbox serving HTTPS with its own certificate authority.
    let (_dir, sandbox) = sandbox().await;
    assert!(sandbox.dv_url().starts_with("https://"), "HTTPS by default");
    // WHEN a client with the system's authorities (a cloud environment's) signs in to it.
    let refused = sign_in(&sandbox, Trust::System)
        .await
        .expect_err("the sandbox's certificate is not one the system trusts");
    // THEN it is refused before a secret is sent, and the reason says so.
    assert_eq!(refused.class, ErrorClass::Unavailable);
    assert!(
        refused
            .message
            .contains("the server's certificate is not trusted"),
        "says why: {}",
        refused.message
    );
    // AND a client that trusts the sandbox's authority signs in.
    let pem = sandbox.ca_pem().unwrap().to_owned();
    assert!(sign_in(&sandbox, Trust::Only(pem)).await.is_ok());
}

#[tokio::test]
async fn one_sandbox_authority_does_not_vouch_for_another_sandbox() {
    // GIVEN two sandboxes, each with an authority of its own.
    let (_a, first) = sandbox().await;
    let (_b, second) = sandbox().await;
    assert_ne!(
        first.ca_pem(),
        second.ca_pem(),
        "each directory has its own authority"
    );
    // WHEN a client that trusts the first signs in to the second THEN it is refused.
    let pem = first.ca_pem().unwrap().to_owned();
    let refused = sign_in(&second, Trust::Only(pem)).await.unwrap_err();
    assert!(
        refused.message.contains("not trusted"),
        "{}",
        refused.message
    );
}

#[tokio::test]
async fn a_restarted_sandbox_keeps_its_authority() {
    // GIVEN a sandbox directory whose authority a client was given.
    let (dir, sandbox) = sandbox().await;
    let pem = sandbox.ca_pem().unwrap().to_owned();
    sandbox.shutdown().await;
    // WHEN the sandbox starts again on that directory.
    let again = Sandbox::start(SandboxConfig::new(dir.path()))
        .await
        .unwrap();
    // THEN its new server certificate comes from the same authority.
    assert_eq!(again.ca_pem(), Some(pem.as_str()));
    assert!(sign_in(&again, Trust::Only(pem)).await.is_ok());
}

#[test]
fn a_pem_that_is_not_a_certificate_is_refused() {
    let refused = duet_connect::http_client(&Trust::Only("not a certificate".to_owned()));
    assert!(refused.is_err(), "garbage is not an authority");
}
