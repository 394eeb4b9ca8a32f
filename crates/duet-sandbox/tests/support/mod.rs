//! What the conformance tests share: a sandbox started in a temporary directory, tokens from
//! its Entra endpoint, and signed-in F&O and Dataverse clients with the requests the tests
//! send again and again.

mod batch;

use duet_sandbox::{Sandbox, SandboxConfig};
use reqwest::{Client, Method, RequestBuilder, Response, StatusCode};
use serde_json::Value;

pub(crate) use batch::{change_set, http_part};

/// A running sandbox, the HTTP client the tests share, and the directory that holds its data.
pub(crate) struct Env {
    pub(crate) sandbox: Sandbox,
    pub(crate) http: Client,
    pub(crate) dir: tempfile::TempDir,
}

/// Starts a sandbox in a fresh temporary directory after `config` has adjusted its settings.
pub(crate) async fn start_with(config: impl FnOnce(&mut SandboxConfig)) -> Env {
    let dir = tempfile::tempdir().expect("temp dir for the sandbox");
    let mut cfg = SandboxConfig::new(dir.path());
    config(&mut cfg);
    let sandbox = Sandbox::start(cfg).await.expect("sandbox should start");
    Env {
        http: client_of(&sandbox),
        sandbox,
        dir,
    }
}

/// A client that trusts the sandbox's certificate authority and no other.
pub(crate) fn client_of(sandbox: &Sandbox) -> Client {
    let pem = sandbox.ca_pem().expect("the sandbox serves HTTPS");
    let authority = reqwest::Certificate::from_pem(pem.as_bytes()).expect("a PEM certificate");
    Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(authority)
        .build()
        .expect("a client")
}

/// Starts a sandbox with the default settings.
pub(crate) async fn start() -> Env {
    start_with(|_| {}).await
}

/// Asks the token endpoint for a client-credentials token with `secret` and `scope`.
pub(crate) async fn request_token(env: &Env, secret: &str, scope: &str) -> Response {
    env.http
        .post(env.sandbox.token_url())
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", env.sandbox.client_id()),
            ("client_secret", secret),
            ("scope", scope),
        ])
        .send()
        .await
        .expect("token request should reach the server")
}

/// A bearer token for `resource`, issued to the sandbox's own client.
pub(crate) async fn token_for(env: &Env, resource: &str) -> String {
    let resp = request_token(
        env,
        env.sandbox.client_secret(),
        &format!("{resource}/.default"),
    )
    .await;
    assert_eq!(
        resp.status(),
        StatusCode::OK,
        "valid credentials must get a token"
    );
    let body: Value = resp.json().await.expect("token JSON");
    body["access_token"]
        .as_str()
        .expect("access_token is a string")
        .to_string()
}

pub(crate) async fn json_of(resp: Response) -> Value {
    resp.json().await.expect("response body should be JSON")
}

/// An authenticated F&O client bound to one sandbox.
pub(crate) struct Fo<'a> {
    pub(crate) env: &'a Env,
    pub(crate) token: String,
}

impl<'a> Fo<'a> {
    pub(crate) async fn new(env: &'a Env) -> Self {
        let token = token_for(env, env.sandbox.fo_url()).await;
        Fo { env, token }
    }

    pub(crate) fn url(&self, rest: &str) -> String {
        format!("{}/data/{rest}", self.env.sandbox.fo_url())
    }

    /// A request to `url` that carries the token; the caller adds a body or headers.
    pub(crate) fn req(&self, method: Method, url: &str) -> RequestBuilder {
        self.env.http.request(method, url).bearer_auth(&self.token)
    }

    pub(crate) async fn get(&self, url: &str) -> Response {
        self.req(Method::GET, url).send().await.expect("F&O GET")
    }

    /// Creates a customer from `body`.
    pub(crate) async fn post(&self, body: Value) -> Response {
        self.req(Method::POST, &self.url("CustomersV3"))
            .json(&body)
            .send()
            .await
            .expect("F&O POST")
    }
}

/// An authenticated Dataverse client bound to one sandbox.
pub(crate) struct Dv<'a> {
    pub(crate) env: &'a Env,
    pub(crate) token: String,
}

impl<'a> Dv<'a> {
    pub(crate) async fn new(env: &'a Env) -> Self {
        let token = token_for(env, env.sandbox.dv_url()).await;
        Dv { env, token }
    }

    pub(crate) fn url(&self, rest: &str) -> String {
        format!("{}/api/data/v9.2/{rest}", self.env.sandbox.dv_url())
    }

    /// A request to `url` with the token and the headers every Dataverse client sends.
    pub(crate) fn req(&self, method: Method, url: &str) -> RequestBuilder {
        self.env
            .http
            .request(method, url)
            .bearer_auth(&self.token)
            .header("OData-Version", "4.0")
            .header("Accept", "application/json")
    }

    pub(crate) async fn get(&self, url: &str) -> Response {
        self.req(Method::GET, url).send().await.expect("DV GET")
    }

    pub(crate) async fn post(&self, url: &str, body: Value) -> Response {
        self.req(Method::POST, url)
            .json(&body)
            .send()
            .await
            .expect("DV POST")
    }

    pub(crate) async fn patch(&self, url: &str, body: Value) -> Response {
        self.req(Method::PATCH, url)
            .json(&body)
            .send()
            .await
            .expect("DV PATCH")
    }

    pub(crate) async fn delete(&self, url: &str) -> Response {
        self.req(Method::DELETE, url)
            .send()
            .await
            .expect("DV DELETE")
    }

    pub(crate) async fn status_of(&self, url: &str) -> StatusCode {
        self.get(url).await.status()
    }
}

/// Reads every page of a cross-company customer query, following `@odata.nextLink`.
pub(crate) async fn all_customers(fo: &Fo<'_>, query: &str) -> Vec<Value> {
    let mut url = fo.url(&format!("CustomersV3?cross-company=true&{query}"));
    let mut rows = Vec::new();
    loop {
        let resp = fo.get(&url).await;
        assert_eq!(
            resp.status(),
            StatusCode::OK,
            "customer query {url} succeeds"
        );
        let body = json_of(resp).await;
        rows.extend(
            body["value"]
                .as_array()
                .expect("value array")
                .iter()
                .cloned(),
        );
        match body["@odata.nextLink"].as_str() {
            Some(next) => url = next.to_string(),
            None => return rows,
        }
    }
}

/// Reads every page of a Dataverse query, following `@odata.nextLink`.
pub(crate) async fn all_dv(dv: &Dv<'_>, rest: &str) -> Vec<Value> {
    let mut url = dv.url(rest);
    let mut rows = Vec::new();
    loop {
        let resp = dv.get(&url).await;
        assert_eq!(resp.status(), StatusCode::OK, "query {url} succeeds");
        let body = json_of(resp).await;
        rows.extend(
            body["value"]
                .as_array()
                .expect("value array")
                .iter()
                .cloned(),
        );
        match body["@odata.nextLink"].as_str() {
            Some(next) => url = next.to_string(),
            None => return rows,
        }
    }
}
