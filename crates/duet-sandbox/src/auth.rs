//! The Entra ID client-credentials token endpoint and bearer-token checks.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rand::RngCore;
use serde_json::json;

struct Issued {
    audience: String,
    client_id: String,
    expires: Instant,
}

/// The demo application user and the registry of issued tokens, shared by both servers.
pub(crate) struct Auth {
    pub tenant: String,
    pub client_id: String,
    pub client_secret: String,
    pub fo_url: String,
    pub dv_url: String,
    lifetime: Duration,
    tokens: Mutex<HashMap<String, Issued>>,
    /// Set by [`crate::Sandbox::set_sign_in_down`]: the token endpoint answers 503.
    pub(crate) sign_in_down: std::sync::atomic::AtomicBool,
}

impl Auth {
    pub(crate) fn new(
        tenant: String,
        client_id: String,
        client_secret: String,
        fo_url: String,
        dv_url: String,
        lifetime: Duration,
    ) -> Self {
        Auth {
            tenant,
            client_id,
            client_secret,
            fo_url,
            dv_url,
            lifetime,
            tokens: Mutex::new(HashMap::new()),
            sign_in_down: std::sync::atomic::AtomicBool::new(false),
        }
    }

    fn issue(&self, audience: &str, client_id: &str) -> String {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let token = URL_SAFE_NO_PAD.encode(bytes);
        let now = Instant::now();
        let mut tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        // Dropping expired entries on issue keeps the registry bounded without a sweeper task.
        tokens.retain(|_, t| t.expires > now);
        tokens.insert(
            token.clone(),
            Issued {
                audience: audience.to_string(),
                client_id: client_id.to_string(),
                expires: now + self.lifetime,
            },
        );
        token
    }

    /// True when the request carries an unexpired bearer token issued for `audience`.
    pub(crate) fn authorized(&self, headers: &HeaderMap, audience: &str) -> bool {
        self.client_of(headers, audience).is_some()
    }

    /// The client id the request's bearer token was issued to, when the token is unexpired and
    /// was issued for `audience`.
    pub(crate) fn client_of(&self, headers: &HeaderMap, audience: &str) -> Option<String> {
        let value = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())?;
        let (scheme, token) = value.trim().split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return None;
        }
        let tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        tokens
            .get(token.trim())
            .filter(|t| t.audience == audience && t.expires > Instant::now())
            .map(|t| t.client_id.clone())
    }
}

fn entra_error(status: StatusCode, error: &str, code: u32, description: &str) -> Response {
    let now = chrono::Utc::now();
    let trace_id = uuid::Uuid::new_v4().to_string();
    let correlation_id = uuid::Uuid::new_v4().to_string();
    let timestamp = now.format("%Y-%m-%d %H:%M:%SZ").to_string();
    let body = json!({
        "error": error,
        "error_description": format!(
            "AADSTS{code}: {description} Trace ID: {trace_id} Correlation ID: {correlation_id} Timestamp: {timestamp}"
        ),
        "error_codes": [code],
        "timestamp": timestamp,
        "trace_id": trace_id,
        "correlation_id": correlation_id,
        "error_uri": format!("https://login.microsoftonline.com/error?code={code}"),
    });
    json_response(status, body)
}

fn json_response(status: StatusCode, body: serde_json::Value) -> Response {
    let mut resp = (status, body.to_string()).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store, no-cache"),
    );
    resp
}

/// Credentials sent with HTTP Basic, which Entra accepts as an alternative to the form fields.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_string(), secret.to_string()))
}

/// `POST /{tenant}/oauth2/v2.0/token`.
pub(crate) async fn token_endpoint(
    State(auth): State<Arc<Auth>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if auth.sign_in_down.load(std::sync::atomic::Ordering::SeqCst) {
        return entra_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            90033,
            "A transient error has occurred. Please try again.",
        );
    }
    let form: HashMap<String, String> = url::form_urlencoded::parse(&body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if !tenant.eq_ignore_ascii_case(&auth.tenant) {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            90002,
            &format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."
            ),
        );
    }
    let grant = form.get("grant_type").map(String::as_str).unwrap_or("");
    if grant != "client_credentials" {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            &format!("The app requested an unsupported grant type '{grant}'."),
        );
    }
    let basic = basic_credentials(&headers);
    let client_id = form
        .get("client_id")
        .cloned()
        .or_else(|| basic.as_ref().map(|b| b.0.clone()))
        .unwrap_or_default();
    let secret = form
        .get("client_secret")
        .cloned()
        .or_else(|| basic.as_ref().map(|b| b.1.clone()))
        .unwrap_or_default();
    if client_id != auth.client_id {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "invalid_client",
            700016,
            &format!(
                "Application with identifier '{client_id}' was not found in the directory '{}'.",
                auth.tenant
            ),
        );
    }
    if secret != auth.client_secret {
        return entra_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000215,
            &format!(
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client_id}'."
            ),
        );
    }
    let scope = form.get("scope").map(String::as_str).unwrap_or("").trim();
    let audience = scope
        .strip_suffix("/.default")
        .map(|r| r.trim_end_matches('/'))
        .filter(|r| !r.contains(char::is_whitespace))
        .and_then(|r| {
            [&auth.fo_url, &auth.dv_url]
                .into_iter()
                .find(|u| u.eq_ignore_ascii_case(r))
                .cloned()
        });
    let Some(audience) = audience else {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            70011,
            &format!(
                "The provided value for the input parameter 'scope' is not valid. The scope {scope} is not valid."
            ),
        );
    };
    let token = auth.issue(&audience, &client_id);
    let secs = auth.lifetime.as_secs();
    json_response(
        StatusCode::OK,
        json!({
            "token_type": "Bearer",
            "expires_in": secs,
            "ext_expires_in": secs,
            "access_token": token,
        }),
    )
}

/// `GET /{tenant}/v2.0/.well-known/openid-configuration`: the tenant discovery document an
/// OAuth library (MSAL among them) reads before asking for a token, naming this port's token
/// endpoint.
pub(crate) async fn openid_configuration(
    State(auth): State<Arc<Auth>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !tenant.eq_ignore_ascii_case(&auth.tenant) {
        return entra_error(
            StatusCode::BAD_REQUEST,
            "invalid_tenant",
            90002,
            &format!("Tenant '{tenant}' not found."),
        );
    }
    let scheme = auth.fo_url.split("://").next().unwrap_or("https");
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let base = format!("{scheme}://{host}/{}", auth.tenant);
    json_response(
        StatusCode::OK,
        json!({
            "issuer": format!("{base}/v2.0"),
            "authorization_endpoint": format!("{base}/oauth2/v2.0/authorize"),
            "token_endpoint": format!("{base}/oauth2/v2.0/token"),
            "device_authorization_endpoint": format!("{base}/oauth2/v2.0/devicecode"),
            "jwks_uri": format!("{scheme}://{host}/{}/discovery/v2.0/keys", auth.tenant),
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "grant_types_supported": ["client_credentials"],
            "tenant_region_scope": "EU",
            "cloud_instance_name": "microsoftonline.com",
        }),
    )
}
