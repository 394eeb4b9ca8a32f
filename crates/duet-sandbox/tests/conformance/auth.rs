//! Entra tokens: the token endpoint's answers and errors, and bearer checks on both sides.

use reqwest::StatusCode;

use crate::support::{json_of, request_token, start, token_for};

#[tokio::test]
async fn token_success_has_entra_shape() {
    // GIVEN a fresh sandbox.
    let env = start().await;
    // WHEN the demo client asks for a Dataverse token (with a trailing slash before /.default).
    let resp = request_token(
        &env,
        env.sandbox.client_secret(),
        &format!("{}/.default", env.sandbox.dv_url()).replace("/.default", "//.default"),
    )
    .await;
    // THEN a bearer token with lifetimes is issued.
    assert_eq!(
        resp.status(),
        StatusCode::OK,
        "trailing slash on the resource is tolerated"
    );
    let body = json_of(resp).await;
    assert_eq!(body["token_type"], "Bearer", "Entra issues bearer tokens");
    assert_eq!(body["expires_in"], 3599, "default lifetime");
    assert_eq!(
        body["ext_expires_in"], 3599,
        "ext_expires_in mirrors expires_in"
    );
    assert!(
        body["access_token"].as_str().is_some_and(|t| t.len() > 20),
        "opaque token present"
    );
    // AND the same endpoint is served on the F&O port.
    let fo_token_url = env
        .sandbox
        .token_url()
        .replace(env.sandbox.dv_url(), env.sandbox.fo_url());
    let resp = env
        .http
        .post(fo_token_url)
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", env.sandbox.client_id()),
            ("client_secret", env.sandbox.client_secret()),
            ("scope", &format!("{}/.default", env.sandbox.fo_url())),
        ])
        .send()
        .await
        .expect("token request on the F&O port");
    assert_eq!(
        resp.status(),
        StatusCode::OK,
        "both ports serve the token endpoint"
    );
    let env_lines = env.sandbox.env_lines();
    assert_eq!(env_lines.len(), 7, "seven DUET_* variables");
    assert_eq!(
        env_lines[2],
        ("DUET_TOKEN_URL".to_string(), env.sandbox.token_url())
    );
    assert_eq!(env_lines[5].0, "DUET_CA_FILE", "the authority to trust");
    assert_eq!(
        env_lines[6].0, "DUET_CLIENT_SECRET",
        "the secret comes last"
    );
}

#[tokio::test]
async fn wrong_secret_and_bad_requests_are_refused() {
    // GIVEN a sandbox.
    let env = start().await;
    let scope = format!("{}/.default", env.sandbox.fo_url());
    // WHEN the secret is wrong.
    let resp = request_token(&env, "nope", &scope).await;
    // THEN Entra answers 401 invalid_client AADSTS7000215.
    assert_eq!(
        resp.status(),
        StatusCode::UNAUTHORIZED,
        "wrong secret is a 401"
    );
    let body = json_of(resp).await;
    assert_eq!(body["error"], "invalid_client");
    assert!(
        body["error_description"]
            .as_str()
            .is_some_and(|d| d.starts_with("AADSTS7000215")),
        "description starts with the AADSTS code: {body}"
    );
    assert_eq!(
        body["error_codes"][0], 7000215,
        "error_codes carries the numeric code"
    );
    for field in ["timestamp", "trace_id", "correlation_id"] {
        assert!(
            body[field].is_string(),
            "{field} is part of the Entra error shape"
        );
    }
    // WHEN the scope names an unknown resource.
    let resp = request_token(
        &env,
        env.sandbox.client_secret(),
        "https://example.com/.default",
    )
    .await;
    // THEN it is invalid_scope.
    assert_eq!(
        resp.status(),
        StatusCode::BAD_REQUEST,
        "unknown resource is a 400"
    );
    assert_eq!(json_of(resp).await["error"], "invalid_scope");
    // WHEN the tenant is wrong.
    let url = env
        .sandbox
        .token_url()
        .replace(env.sandbox.tenant(), "other-tenant");
    let resp = env
        .http
        .post(url)
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("token request");
    // THEN it is invalid_request AADSTS90002.
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body = json_of(resp).await;
    assert!(
        body["error_description"]
            .as_str()
            .is_some_and(|d| d.starts_with("AADSTS90002"))
    );
}

#[tokio::test]
async fn requests_without_a_valid_token_get_401() {
    // GIVEN a sandbox and a token for the F&O audience.
    let env = start().await;
    let fo_token = token_for(&env, env.sandbox.fo_url()).await;
    // WHEN F&O is called without a token.
    let resp = env
        .http
        .get(format!("{}/data/CustomersV3", env.sandbox.fo_url()))
        .send()
        .await
        .expect("F&O request");
    // THEN it is refused with a bearer challenge.
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "no token, no data");
    assert_eq!(
        resp.headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok()),
        Some("Bearer"),
        "401 carries the bearer challenge"
    );
    assert_eq!(
        json_of(resp).await["error"]["message"],
        "Authentication failed."
    );
    // WHEN Dataverse is called with the F&O token.
    let resp = env
        .http
        .get(format!("{}/api/data/v9.2/accounts", env.sandbox.dv_url()))
        .bearer_auth(&fo_token)
        .send()
        .await
        .expect("DV request");
    // THEN the audience mismatch is refused.
    assert_eq!(
        resp.status(),
        StatusCode::UNAUTHORIZED,
        "an F&O token is not valid for Dataverse"
    );
    assert_eq!(json_of(resp).await["error"]["code"], "0x80072560");
    // AND the same token works on F&O.
    let resp = env
        .http
        .get(format!("{}/data/LegalEntities", env.sandbox.fo_url()))
        .bearer_auth(&fo_token)
        .send()
        .await
        .expect("F&O request");
    assert_eq!(
        resp.status(),
        StatusCode::OK,
        "the F&O token is valid for F&O"
    );
    let body = json_of(resp).await;
    assert_eq!(
        body["value"].as_array().map(Vec::len),
        Some(2),
        "two seeded legal entities"
    );
}
