//! End-to-end tests of the sandbox over real HTTP.

use std::time::{Duration, Instant};

use duet_sandbox::{
    DvProfile, FailWrites, Faults, FoProfile, Sandbox, SandboxConfig, ServiceLimits, Side,
};
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};

struct Env {
    sandbox: Sandbox,
    http: Client,
    dir: tempfile::TempDir,
}

async fn start_with(config: impl FnOnce(&mut SandboxConfig)) -> Env {
    let dir = tempfile::tempdir().expect("temp dir for the sandbox");
    let mut cfg = SandboxConfig::new(dir.path());
    config(&mut cfg);
    let sandbox = Sandbox::start(cfg).await.expect("sandbox should start");
    Env {
        sandbox,
        http: Client::new(),
        dir,
    }
}

async fn start() -> Env {
    start_with(|_| {}).await
}

async fn request_token(env: &Env, secret: &str, scope: &str) -> Response {
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

async fn token_for(env: &Env, resource: &str) -> String {
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

async fn json_of(resp: Response) -> Value {
    resp.json().await.expect("response body should be JSON")
}

/// An authenticated F&O client bound to one sandbox.
struct Fo<'a> {
    env: &'a Env,
    token: String,
}

impl<'a> Fo<'a> {
    async fn new(env: &'a Env) -> Self {
        let token = token_for(env, env.sandbox.fo_url()).await;
        Fo { env, token }
    }

    fn url(&self, rest: &str) -> String {
        format!("{}/data/{rest}", self.env.sandbox.fo_url())
    }

    async fn get(&self, url: &str) -> Response {
        self.env
            .http
            .get(url)
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("F&O GET")
    }

    async fn post(&self, body: Value) -> Response {
        self.env
            .http
            .post(self.url("CustomersV3"))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .expect("F&O POST")
    }
}

/// An authenticated Dataverse client bound to one sandbox.
struct Dv<'a> {
    env: &'a Env,
    token: String,
}

impl<'a> Dv<'a> {
    async fn new(env: &'a Env) -> Self {
        let token = token_for(env, env.sandbox.dv_url()).await;
        Dv { env, token }
    }

    fn url(&self, rest: &str) -> String {
        format!("{}/api/data/v9.2/{rest}", self.env.sandbox.dv_url())
    }

    fn req(&self, method: reqwest::Method, url: &str) -> reqwest::RequestBuilder {
        self.env
            .http
            .request(method, url)
            .bearer_auth(&self.token)
            .header("OData-Version", "4.0")
            .header("Accept", "application/json")
    }
}

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
    assert_eq!(env_lines.len(), 6, "six DUET_* variables");
    assert_eq!(
        env_lines[2],
        ("DUET_TOKEN_URL".to_string(), env.sandbox.token_url())
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

#[tokio::test]
async fn fo_crud_and_stale_etag() {
    // GIVEN an F&O client.
    let env = start().await;
    let fo = Fo::new(&env).await;
    // WHEN a customer is created without dataAreaId.
    let resp = fo
        .post(
            json!({"CustomerAccount": "C0001", "OrganizationName": "Contoso", "CreditLimit": 1500}),
        )
        .await;
    // THEN it lands in the default company with server defaults.
    assert_eq!(resp.status(), StatusCode::CREATED, "POST creates");
    let location = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("Location header")
        .to_string();
    let created = json_of(resp).await;
    assert_eq!(
        created["dataAreaId"], "DAT",
        "missing company defaults to DAT"
    );
    assert_eq!(created["PartyType"], "Organization", "enum default");
    assert_eq!(created["SalesMemo"], "", "missing strings default to empty");
    let etag1 = created["@odata.etag"].as_str().expect("etag").to_string();
    // WHEN it is read back by key (key order swapped).
    let resp = fo
        .get(&fo.url("CustomersV3(CustomerAccount='C0001',dataAreaId='DAT')"))
        .await;
    assert_eq!(resp.status(), StatusCode::OK, "key order is free");
    assert_eq!(json_of(resp).await["OrganizationName"], "Contoso");
    // WHEN it is patched with the current etag.
    let resp = env
        .http
        .patch(&location)
        .bearer_auth(&fo.token)
        .header("If-Match", &etag1)
        .json(&json!({"CreditLimit": 2500, "SalesMemo": "vip"}))
        .send()
        .await
        .expect("PATCH");
    assert_eq!(resp.status(), StatusCode::NO_CONTENT, "PATCH answers 204");
    let after = json_of(fo.get(&location).await).await;
    assert_eq!(after["CreditLimit"], 2500, "partial update applied");
    assert_eq!(
        after["OrganizationName"], "Contoso",
        "untouched fields kept"
    );
    assert_ne!(
        after["@odata.etag"],
        etag1.as_str(),
        "etag changes on every write"
    );
    assert!(
        after["ModifiedDateTime"].as_str() > created["ModifiedDateTime"].as_str(),
        "ModifiedDateTime moves forward"
    );
    // WHEN the stale etag is used again.
    let resp = env
        .http
        .patch(&location)
        .bearer_auth(&fo.token)
        .header("If-Match", &etag1)
        .json(&json!({"SalesMemo": "late"}))
        .send()
        .await
        .expect("PATCH");
    // THEN optimistic concurrency refuses it.
    assert_eq!(
        resp.status(),
        StatusCode::PRECONDITION_FAILED,
        "stale etag is a 412"
    );
    // WHEN the same key is created again, or an unknown field or company is written.
    let dup = fo
        .post(json!({"dataAreaId": "DAT", "CustomerAccount": "C0001"}))
        .await;
    assert_eq!(
        dup.status(),
        StatusCode::BAD_REQUEST,
        "duplicate key is refused"
    );
    let dup = json_of(dup).await;
    assert!(
        dup["error"]["innererror"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("The record already exists.")),
        "duplicate uses the write-error shape: {dup}"
    );
    let bad = fo
        .post(json!({"CustomerAccount": "C2", "Colour": "red"}))
        .await;
    assert_eq!(
        bad.status(),
        StatusCode::BAD_REQUEST,
        "unknown property is refused"
    );
    let bad = fo
        .post(json!({"CustomerAccount": "C3", "dataAreaId": "ZZZ"}))
        .await;
    assert_eq!(
        bad.status(),
        StatusCode::BAD_REQUEST,
        "company must be a legal entity"
    );
    let resp = fo
        .get(&fo.url("CustomersV3(CustomerAccount='C0001')"))
        .await;
    assert_eq!(
        resp.status(),
        StatusCode::BAD_REQUEST,
        "both key parts are required"
    );
    // WHEN it is deleted.
    let resp = env
        .http
        .delete(&location)
        .bearer_auth(&fo.token)
        .send()
        .await
        .expect("DELETE");
    assert_eq!(resp.status(), StatusCode::NO_CONTENT, "DELETE answers 204");
    // THEN it is gone.
    let resp = fo.get(&location).await;
    assert_eq!(
        resp.status(),
        StatusCode::NOT_FOUND,
        "deleted row is not found"
    );
    let body = json_of(resp).await;
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("No resource was found for key")),
        "not-found shape: {body}"
    );
}

#[tokio::test]
async fn fo_company_scope_filters_and_wildcards() {
    // GIVEN customers in two companies.
    let env = start().await;
    let fo = Fo::new(&env).await;
    for (company, account, name) in [
        ("DAT", "D1", "Contoso Retail"),
        ("DAT", "D2", "Fabrikam"),
        ("USMF", "U1", "Contoso US"),
    ] {
        let resp = fo
            .post(json!({"dataAreaId": company, "CustomerAccount": account, "OrganizationName": name}))
            .await;
        assert_eq!(resp.status(), StatusCode::CREATED, "seed row {account}");
    }
    // WHEN listing without cross-company.
    let body = json_of(fo.get(&fo.url("CustomersV3")).await).await;
    // THEN only the default company is visible.
    assert_eq!(
        body["value"].as_array().map(Vec::len),
        Some(2),
        "default company only"
    );
    assert!(
        body["@odata.context"]
            .as_str()
            .is_some_and(|c| c.ends_with("/data/$metadata#CustomersV3"))
    );
    // WHEN listing cross-company with a count.
    let body = json_of(
        fo.get(&fo.url("CustomersV3?cross-company=true&$count=true"))
            .await,
    )
    .await;
    assert_eq!(body["@odata.count"], 3, "cross-company sees every company");
    // WHEN filtering on a wildcard.
    let body = json_of(
        fo.get(&fo.url("CustomersV3?cross-company=true&$filter=OrganizationName%20eq%20'*contoso*'&$orderby=CustomerAccount%20desc"))
            .await,
    )
    .await;
    let accounts: Vec<&str> = body["value"]
        .as_array()
        .expect("value array")
        .iter()
        .filter_map(|r| r["CustomerAccount"].as_str())
        .collect();
    assert_eq!(
        accounts,
        vec!["U1", "D1"],
        "wildcard contains, case-insensitive, ordered desc"
    );
    // WHEN filtering on a ModifiedDateTime watermark and company.
    let all = json_of(
        fo.get(&fo.url("CustomersV3?cross-company=true&$orderby=ModifiedDateTime"))
            .await,
    )
    .await;
    let watermark = all["value"][1]["ModifiedDateTime"]
        .as_str()
        .expect("stamp")
        .to_string();
    let url = format!(
        "{}?cross-company=true&$filter=ModifiedDateTime ge {watermark} and dataAreaId eq 'DAT'&$select=CustomerAccount",
        fo.url("CustomersV3")
    );
    let body = json_of(fo.get(&url).await).await;
    let rows = body["value"].as_array().expect("value array");
    assert_eq!(
        rows.len(),
        1,
        "only D2 is at or after the watermark in DAT: {body}"
    );
    assert_eq!(rows[0]["CustomerAccount"], "D2");
    assert!(
        rows[0].get("OrganizationName").is_none(),
        "$select trims columns"
    );
    // WHEN the filter has a syntax error.
    let resp = fo
        .get(&fo.url("CustomersV3?$filter=CustomerAccount eqq 'x'"))
        .await;
    assert_eq!(
        resp.status(),
        StatusCode::BAD_REQUEST,
        "bad filter is a 400"
    );
    let body = json_of(resp).await;
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("position") && m.contains("eqq")),
        "error names position and token: {body}"
    );
}

#[tokio::test]
async fn fo_server_driven_paging() {
    // GIVEN 2,500 customers and a page size of 1,000.
    let env = start_with(|c| c.fo_page_size = 1000).await;
    let token = token_for(&env, env.sandbox.fo_url()).await;
    let mut set = tokio::task::JoinSet::new();
    let url = format!("{}/data/CustomersV3", env.sandbox.fo_url());
    for chunk in 0..16 {
        let (http, url, token) = (env.http.clone(), url.clone(), token.clone());
        set.spawn(async move {
            let mut i = chunk;
            while i < 2500 {
                let resp = http
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&json!({"CustomerAccount": format!("P{i:05}")}))
                    .send()
                    .await
                    .expect("POST");
                assert_eq!(resp.status(), StatusCode::CREATED, "seed row P{i:05}");
                i += 16;
            }
        });
    }
    while let Some(r) = set.join_next().await {
        r.expect("seeding task");
    }
    let fo = Fo { env: &env, token };
    // WHEN following nextLink from the first page.
    let mut next = Some(fo.url("CustomersV3?$count=true&$select=CustomerAccount"));
    let mut seen = Vec::new();
    let mut pages = 0;
    while let Some(url) = next.take() {
        let resp = fo.get(&url).await;
        assert_eq!(resp.status(), StatusCode::OK, "page {pages}");
        let text = resp.text().await.expect("body");
        let body: Value = serde_json::from_str(&text).expect("JSON page");
        if let Some(link) = body["@odata.nextLink"].as_str() {
            assert!(
                text.find("\"value\"") < text.find("@odata.nextLink"),
                "nextLink comes after value"
            );
            assert!(
                link.starts_with(env.sandbox.fo_url()),
                "nextLink is absolute"
            );
            next = Some(link.to_string());
        }
        for r in body["value"].as_array().expect("value") {
            seen.push(r["CustomerAccount"].as_str().expect("account").to_string());
        }
        pages += 1;
    }
    // THEN three pages cover every row exactly once.
    assert_eq!(pages, 3, "2,500 rows at 1,000 per page");
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 2500, "each row seen exactly once");
}

#[tokio::test]
async fn dv_create_upsert_and_conditions() {
    // GIVEN a Dataverse client.
    let env = start().await;
    let dv = Dv::new(&env).await;
    // WHEN an account is created.
    let resp = dv
        .req(reqwest::Method::POST, &dv.url("accounts"))
        .json(&json!({"name": "Contoso", "accountnumber": "A-1", "creditlimit": 100.5}))
        .send()
        .await
        .expect("POST");
    // THEN 204 with OData-EntityId.
    assert_eq!(resp.status(), StatusCode::NO_CONTENT, "create answers 204");
    let entity_id = resp
        .headers()
        .get("OData-EntityId")
        .and_then(|v| v.to_str().ok())
        .expect("OData-EntityId header")
        .to_string();
    assert!(
        entity_id.starts_with(&dv.url("accounts(")),
        "entity id is absolute: {entity_id}"
    );
    let row = json_of(
        dv.req(reqwest::Method::GET, &entity_id)
            .send()
            .await
            .expect("GET"),
    )
    .await;
    assert_eq!(row["name"], "Contoso");
    assert!(row["emailaddress1"].is_null(), "unset columns are null");
    assert!(
        row["@odata.etag"]
            .as_str()
            .is_some_and(|e| e.starts_with("W/\"")),
        "weak etag"
    );
    // WHEN a duplicate accountnumber is posted.
    let resp = dv
        .req(reqwest::Method::POST, &dv.url("accounts"))
        .json(&json!({"name": "Dup", "accountnumber": "A-1"}))
        .send()
        .await
        .expect("POST");
    assert_eq!(
        resp.status(),
        StatusCode::PRECONDITION_FAILED,
        "alternate key is unique"
    );
    assert_eq!(json_of(resp).await["error"]["code"], "0x80040237");
    // WHEN upserting a new alternate key with representation.
    let key_url = dv.url("accounts(accountnumber='B-2')");
    let resp = dv
        .req(reqwest::Method::PATCH, &key_url)
        .header("Prefer", "return=representation")
        .json(&json!({"name": "Fabrikam"}))
        .send()
        .await
        .expect("PATCH");
    // THEN it is created with the key copied from the URL.
    assert_eq!(
        resp.status(),
        StatusCode::CREATED,
        "upsert create answers 201 with representation"
    );
    assert!(
        resp.headers().contains_key("etag"),
        "ETag header on representation"
    );
    let created = json_of(resp).await;
    assert_eq!(created["accountnumber"], "B-2", "key copied from the URL");
    // WHEN upserting the same key again, trying to change the key in the body.
    let resp = dv
        .req(reqwest::Method::PATCH, &key_url)
        .json(&json!({"name": "Fabrikam 2", "accountnumber": "ZZZ"}))
        .send()
        .await
        .expect("PATCH");
    // THEN it is an update and the key is kept.
    assert_eq!(
        resp.status(),
        StatusCode::NO_CONTENT,
        "upsert update answers 204"
    );
    assert!(
        resp.headers().contains_key("odata-entityid"),
        "upsert echoes OData-EntityId"
    );
    let row = json_of(
        dv.req(reqwest::Method::GET, &key_url)
            .send()
            .await
            .expect("GET"),
    )
    .await;
    assert_eq!(row["name"], "Fabrikam 2", "update applied");
    assert_eq!(row["accountnumber"], "B-2", "body key ignored on update");
    assert_eq!(row["accountid"], created["accountid"], "same row");
    // WHEN create-only is requested for an existing key.
    let resp = dv
        .req(reqwest::Method::PATCH, &key_url)
        .header("If-None-Match", "*")
        .json(&json!({"name": "x"}))
        .send()
        .await
        .expect("PATCH");
    assert_eq!(
        resp.status(),
        StatusCode::PRECONDITION_FAILED,
        "If-None-Match:* refuses an existing row"
    );
    assert_eq!(json_of(resp).await["error"]["code"], "0x80040237");
    // WHEN update-only is requested for a missing key.
    let resp = dv
        .req(
            reqwest::Method::PATCH,
            &dv.url("accounts(accountnumber='NOPE')"),
        )
        .header("If-Match", "*")
        .json(&json!({"name": "x"}))
        .send()
        .await
        .expect("PATCH");
    assert_eq!(
        resp.status(),
        StatusCode::NOT_FOUND,
        "If-Match:* never creates"
    );
    // WHEN a stale etag is used.
    let resp = dv
        .req(reqwest::Method::PATCH, &key_url)
        .header("If-Match", created["@odata.etag"].as_str().expect("etag"))
        .json(&json!({"name": "x"}))
        .send()
        .await
        .expect("PATCH");
    assert_eq!(
        resp.status(),
        StatusCode::PRECONDITION_FAILED,
        "stale row version"
    );
    assert_eq!(json_of(resp).await["error"]["code"], "0x80060882");
    // WHEN an unknown property is written.
    let resp = dv
        .req(reqwest::Method::PATCH, &key_url)
        .json(&json!({"colour": "red"}))
        .send()
        .await
        .expect("PATCH");
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "unknown property");
    assert_eq!(
        json_of(resp).await["error"]["message"],
        "Invalid property 'colour' was found in entity 'Microsoft.Dynamics.CRM.account'."
    );
    // WHEN deleting a missing row.
    let resp = dv
        .req(
            reqwest::Method::DELETE,
            &dv.url("accounts(00000000-0000-0000-0000-000000000001)"),
        )
        .send()
        .await
        .expect("DELETE");
    assert_eq!(resp.status(), StatusCode::NOT_FOUND, "missing row");
    assert_eq!(json_of(resp).await["error"]["code"], "0x80040217");
    // AND WhoAmI answers.
    let who = json_of(
        dv.req(reqwest::Method::GET, &dv.url("WhoAmI"))
            .send()
            .await
            .expect("GET"),
    )
    .await;
    assert!(who["UserId"].is_string(), "WhoAmI has a user id");
}

#[tokio::test]
async fn dv_patch_refuses_a_body_id_that_differs_from_the_url() {
    // GIVEN an account with a known id.
    let env = start().await;
    let dv = Dv::new(&env).await;
    let url_id = "11111111-2222-3333-4444-555555555555";
    let body_id = "99999999-8888-7777-6666-555555555555";
    let resp = dv
        .req(reqwest::Method::POST, &dv.url("accounts"))
        .json(&json!({"accountid": url_id, "name": "Original", "accountnumber": "ID-1"}))
        .send()
        .await
        .expect("POST");
    assert_eq!(resp.status(), StatusCode::NO_CONTENT, "create with an id");
    let row_url = dv.url(&format!("accounts({url_id})"));
    // WHEN it is patched with a body that carries another accountid.
    let resp = dv
        .req(reqwest::Method::PATCH, &row_url)
        .json(&json!({"accountid": body_id, "name": "Changed"}))
        .send()
        .await
        .expect("PATCH");
    // THEN Dataverse refuses the body with a 400 naming both ids, rather than updating the
    // URL's row and dropping the body's id.
    assert_eq!(
        resp.status(),
        StatusCode::BAD_REQUEST,
        "a body id that differs from the URL's is refused"
    );
    let body = json_of(resp).await;
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(url_id) && message.contains(body_id),
        "the error names the URL's id and the body's id: {body}"
    );
    // AND nothing was written: the row keeps its name and no row has the body's id.
    let row = json_of(
        dv.req(reqwest::Method::GET, &row_url)
            .send()
            .await
            .expect("GET"),
    )
    .await;
    assert_eq!(
        row["name"], "Original",
        "the refused update left the row alone"
    );
    let other = dv
        .req(
            reqwest::Method::GET,
            &dv.url(&format!("accounts({body_id})")),
        )
        .send()
        .await
        .expect("GET");
    assert_eq!(
        other.status(),
        StatusCode::NOT_FOUND,
        "no row was created under the body's id"
    );
    // WHEN a missing row's URL is upserted with a body that carries another accountid.
    let missing_id = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    let resp = dv
        .req(
            reqwest::Method::PATCH,
            &dv.url(&format!("accounts({missing_id})")),
        )
        .json(&json!({"accountid": body_id, "name": "New"}))
        .send()
        .await
        .expect("PATCH");
    // THEN that is refused the same way.
    assert_eq!(
        resp.status(),
        StatusCode::BAD_REQUEST,
        "an upsert whose body id differs from the URL's is refused too"
    );
    // WHEN the body repeats the URL's id (in upper case and braces).
    let resp = dv
        .req(reqwest::Method::PATCH, &row_url)
        .json(&json!({"accountid": format!("{{{}}}", url_id.to_uppercase()), "name": "Same id"}))
        .send()
        .await
        .expect("PATCH");
    // THEN it is an ordinary update.
    assert_eq!(
        resp.status(),
        StatusCode::NO_CONTENT,
        "the same id written another way is not a mismatch"
    );
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn dv_company_bind_and_paging() {
    // GIVEN a Dataverse client.
    let env = start().await;
    let dv = Dv::new(&env).await;
    let companies = json_of(
        dv.req(
            reqwest::Method::GET,
            &dv.url("cdm_companies(cdm_companycode='USMF')"),
        )
        .send()
        .await
        .expect("GET"),
    )
    .await;
    let usmf = companies["cdm_companyid"]
        .as_str()
        .expect("company id")
        .to_string();
    // WHEN accounts are bound to a company by alternate key and by guid.
    for (i, bind) in [
        json!("/cdm_companies(cdm_companycode='DAT')"),
        json!(format!("cdm_companies({usmf})")),
        Value::Null,
    ]
    .into_iter()
    .enumerate()
    {
        let resp = dv
            .req(reqwest::Method::POST, &dv.url("accounts"))
            .json(&json!({"name": format!("N{i}"), "accountnumber": format!("K{i}"), "msdyn_company@odata.bind": bind}))
            .send()
            .await
            .expect("POST");
        assert_eq!(resp.status(), StatusCode::NO_CONTENT, "bound create {i}");
    }
    let resp = dv
        .req(reqwest::Method::POST, &dv.url("accounts"))
        .json(&json!({"name": "bad", "msdyn_company@odata.bind": "/cdm_companies(cdm_companycode='ZZ')"}))
        .send()
        .await
        .expect("POST");
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "unresolvable bind");
    // THEN the lookup reads back as _msdyn_company_value.
    let url = dv.url(&format!(
        "accounts?$select=name,_msdyn_company_value&$filter=_msdyn_company_value eq {usmf}"
    ));
    let body = json_of(
        dv.req(reqwest::Method::GET, &url)
            .send()
            .await
            .expect("GET"),
    )
    .await;
    let rows = body["value"].as_array().expect("value");
    assert_eq!(rows.len(), 1, "one account in USMF: {body}");
    assert_eq!(rows[0]["name"], "N1");
    assert!(
        rows[0]["accountid"].is_string(),
        "primary id always included"
    );
    assert!(
        body["@odata.context"]
            .as_str()
            .is_some_and(|c| c.ends_with("#accounts(name,_msdyn_company_value)")),
        "context names the select list"
    );
    let body = json_of(
        dv.req(
            reqwest::Method::GET,
            &dv.url("accounts?$filter=_msdyn_company_value eq null"),
        )
        .send()
        .await
        .expect("GET"),
    )
    .await;
    assert_eq!(
        body["value"][0]["name"], "N2",
        "null bind leaves the lookup empty"
    );
    // WHEN paging with maxpagesize 2 over three rows.
    let mut next = Some(dv.url("accounts?$select=name&$orderby=name desc"));
    let mut names = Vec::new();
    let mut pages = 0;
    while let Some(url) = next.take() {
        let resp = dv
            .req(reqwest::Method::GET, &url)
            .header(
                "Prefer",
                "odata.include-annotations=\"*\",odata.maxpagesize=2",
            )
            .send()
            .await
            .expect("GET");
        assert_eq!(
            resp.headers()
                .get("preference-applied")
                .and_then(|v| v.to_str().ok()),
            Some("odata.maxpagesize=2"),
            "page size is echoed"
        );
        let body = json_of(resp).await;
        next = body["@odata.nextLink"].as_str().map(str::to_string);
        names.extend(
            body["value"]
                .as_array()
                .expect("value")
                .iter()
                .map(|r| r["name"].clone()),
        );
        pages += 1;
    }
    // THEN two pages return all rows in order.
    assert_eq!(pages, 2, "three rows at two per page");
    assert_eq!(
        names,
        vec![json!("N2"), json!("N1"), json!("N0")],
        "order kept across pages"
    );
    let resp = dv
        .req(reqwest::Method::GET, &dv.url("accounts?$skip=1"))
        .send()
        .await
        .expect("GET");
    assert_eq!(
        resp.status(),
        StatusCode::BAD_REQUEST,
        "$skip is not supported by Dataverse"
    );
}

#[tokio::test]
async fn dv_change_tracking_and_wait() {
    // GIVEN two accounts and an initial change-tracking read.
    let env = start().await;
    let dv = Dv::new(&env).await;
    let mut ids = Vec::new();
    for n in ["keep", "gone"] {
        let resp = dv
            .req(reqwest::Method::POST, &dv.url("accounts"))
            .header("Prefer", "return=representation")
            .json(&json!({"name": n}))
            .send()
            .await
            .expect("POST");
        ids.push(
            json_of(resp).await["accountid"]
                .as_str()
                .expect("id")
                .to_string(),
        );
    }
    let resp = dv
        .req(reqwest::Method::GET, &dv.url("accounts?$select=name"))
        .header("Prefer", "odata.track-changes")
        .send()
        .await
        .expect("GET");
    assert_eq!(
        resp.headers()
            .get("preference-applied")
            .and_then(|v| v.to_str().ok()),
        Some("odata.track-changes")
    );
    let body = json_of(resp).await;
    assert_eq!(
        body["value"].as_array().map(Vec::len),
        Some(2),
        "initial read returns all rows"
    );
    let delta = body["@odata.deltaLink"]
        .as_str()
        .expect("deltaLink")
        .to_string();
    assert!(
        delta.contains("$deltatoken=") && delta.contains("%21"),
        "token is version!stamp: {delta}"
    );
    let resp = dv
        .req(
            reqwest::Method::GET,
            &dv.url("accounts?$select=name&$filter=name eq 'x'"),
        )
        .header("Prefer", "odata.track-changes")
        .send()
        .await
        .expect("GET");
    assert_eq!(
        resp.status(),
        StatusCode::BAD_REQUEST,
        "$filter is refused with change tracking"
    );
    assert!(
        json_of(resp).await["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("\"$filter\""))
    );
    // WHEN one row is updated and the other deleted, plus one created and deleted in between.
    let resp = dv
        .req(
            reqwest::Method::PATCH,
            &dv.url(&format!("accounts({})", ids[0])),
        )
        .json(&json!({"name": "kept"}))
        .send()
        .await
        .expect("PATCH");
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    for url in [dv.url(&format!("accounts({})", ids[1]))] {
        let resp = dv
            .req(reqwest::Method::DELETE, &url)
            .send()
            .await
            .expect("DELETE");
        assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    }
    let resp = dv
        .req(reqwest::Method::POST, &dv.url("accounts"))
        .json(&json!({"name": "flash"}))
        .send()
        .await
        .expect("POST");
    let flash = resp.headers()["OData-EntityId"]
        .to_str()
        .expect("id")
        .to_string();
    dv.req(reqwest::Method::DELETE, &flash)
        .send()
        .await
        .expect("DELETE");
    // THEN the delta has the update first, then the tombstones.
    let body = json_of(
        dv.req(reqwest::Method::GET, &delta)
            .send()
            .await
            .expect("GET"),
    )
    .await;
    let value = body["value"].as_array().expect("value");
    assert_eq!(value.len(), 3, "one update and two deletions: {body}");
    assert_eq!(
        value[0]["name"], "kept",
        "updated row carries its current state"
    );
    assert_eq!(
        value[1]["id"],
        ids[1].as_str(),
        "deleted row reported by id"
    );
    assert_eq!(value[1]["reason"], "deleted");
    assert!(
        value[1]["@odata.context"]
            .as_str()
            .is_some_and(|c| c.ends_with("$metadata#accounts/$deletedEntity")),
        "tombstone context"
    );
    assert_eq!(
        value[2]["reason"], "deleted",
        "created-and-deleted row appears only as deleted"
    );
    assert!(
        body["@odata.context"]
            .as_str()
            .is_some_and(|c| c.ends_with("/$delta"))
    );
    let next_delta = body["@odata.deltaLink"]
        .as_str()
        .expect("fresh deltaLink")
        .to_string();
    let resp = dv
        .req(
            reqwest::Method::GET,
            &dv.url("accounts?$deltatoken=garbage"),
        )
        .send()
        .await
        .expect("GET");
    assert_eq!(
        resp.status(),
        StatusCode::BAD_REQUEST,
        "malformed delta token"
    );
    // WHEN waiting on the fresh link while another task writes after a short delay.
    let writer = {
        let (http, url, token) = (env.http.clone(), dv.url("accounts"), dv.token.clone());
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            http.post(url)
                .bearer_auth(token)
                .json(&json!({"name": "late"}))
                .send()
                .await
                .expect("POST")
                .status()
        })
    };
    let started = Instant::now();
    let body = json_of(
        dv.req(reqwest::Method::GET, &next_delta)
            .header("Prefer", "odata.track-changes")
            .header("Prefer", "wait=5")
            .send()
            .await
            .expect("GET"),
    )
    .await;
    // THEN the answer arrives early with the new row.
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "wait returns as soon as a change lands"
    );
    assert_eq!(
        body["value"][0]["name"], "late",
        "the concurrent write is in the delta: {body}"
    );
    assert_eq!(writer.await.expect("writer"), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn restart_keeps_data_and_credentials() {
    // GIVEN a sandbox with data in both emulators.
    let env = start().await;
    let (secret, client) = (
        env.sandbox.client_secret().to_string(),
        env.sandbox.client_id().to_string(),
    );
    {
        let fo = Fo::new(&env).await;
        let resp = fo.post(json!({"CustomerAccount": "R1"})).await;
        assert_eq!(resp.status(), StatusCode::CREATED);
        let dv = Dv::new(&env).await;
        let resp = dv
            .req(reqwest::Method::POST, &dv.url("accounts"))
            .json(&json!({"name": "persisted", "accountnumber": "R1"}))
            .send()
            .await
            .expect("POST");
        assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    }
    let dv_before = Dv::new(&env).await;
    let version_before = json_of(
        dv_before
            .req(
                reqwest::Method::GET,
                &dv_before.url("accounts(accountnumber='R1')"),
            )
            .send()
            .await
            .expect("GET"),
    )
    .await["versionnumber"]
        .as_i64()
        .expect("versionnumber");
    // WHEN it is shut down and started again over the same directory.
    let Env { sandbox, http, dir } = env;
    sandbox.shutdown().await;
    let sandbox = Sandbox::start(SandboxConfig::new(dir.path()))
        .await
        .expect("restart");
    let env = Env { sandbox, http, dir };
    // THEN credentials and data survive, and the version counter keeps climbing.
    assert_eq!(
        env.sandbox.client_secret(),
        secret,
        "same secret after restart"
    );
    assert_eq!(env.sandbox.client_id(), client, "same client after restart");
    let fo = Fo::new(&env).await;
    let resp = fo
        .get(&fo.url("CustomersV3(dataAreaId='DAT',CustomerAccount='R1')"))
        .await;
    assert_eq!(resp.status(), StatusCode::OK, "F&O row survives a restart");
    let dv = Dv::new(&env).await;
    let resp = dv
        .req(
            reqwest::Method::PATCH,
            &dv.url("accounts(accountnumber='R1')"),
        )
        .header("Prefer", "return=representation")
        .json(&json!({"name": "again"}))
        .send()
        .await
        .expect("PATCH");
    assert_eq!(
        resp.status(),
        StatusCode::OK,
        "existing DV row is updated after restart"
    );
    let after = json_of(resp).await["versionnumber"]
        .as_i64()
        .expect("versionnumber");
    assert!(
        after > version_before,
        "version counter persisted: {after} > {version_before}"
    );
    env.sandbox.shutdown().await;
}

/// Reads every page of a cross-company customer query, following `@odata.nextLink`.
async fn all_customers(fo: &Fo<'_>, query: &str) -> Vec<Value> {
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

/// The first customer by account of a fresh sandbox generated with `seed`.
async fn first_generated(seed: u64) -> Value {
    let env = start_with(|c| {
        c.rows = 20;
        c.seed = seed;
    })
    .await;
    let fo = Fo::new(&env).await;
    let body = json_of(
        fo.get(&fo.url("CustomersV3?cross-company=true&$orderby=CustomerAccount&$top=1"))
            .await,
    )
    .await;
    let first = body["value"][0].clone();
    env.sandbox.shutdown().await;
    first
}

#[tokio::test]
async fn generated_rows_are_served_and_seeded() {
    // GIVEN a fresh sandbox asked for 500 sample rows with seed 7.
    let env = start_with(|c| {
        c.rows = 500;
        c.seed = 7;
    })
    .await;
    assert_eq!(env.sandbox.generated_rows(), 500, "a fresh store is filled");
    let fo = Fo::new(&env).await;
    // WHEN every company is counted.
    let body = json_of(
        fo.get(&fo.url("CustomersV3?$count=true&cross-company=true&$top=1"))
            .await,
    )
    .await;
    // THEN all rows are there.
    assert_eq!(body["@odata.count"], 500, "every generated row is served");
    // WHEN all rows are read.
    let rows = all_customers(&fo, "$orderby=CustomerAccount").await;
    // THEN both companies appear in a plausible mix and every row has the API's shape.
    let dat = rows.iter().filter(|r| r["dataAreaId"] == "DAT").count();
    let usmf = rows.iter().filter(|r| r["dataAreaId"] == "USMF").count();
    assert_eq!(dat + usmf, 500, "rows belong to the seeded companies only");
    assert!(
        (250..=350).contains(&dat),
        "about 60% of rows go to DAT, got {dat}"
    );
    for r in &rows {
        let account = r["CustomerAccount"].as_str().expect("account");
        let company = r["dataAreaId"].as_str().expect("company");
        assert!(
            account.starts_with(&format!("{company}-")) && account.len() == company.len() + 7,
            "accounts are company-prefixed and zero-padded: {account}"
        );
        assert_eq!(
            r["PartyType"], "Organization",
            "sample parties are organisations"
        );
        assert!(
            r["@odata.etag"]
                .as_str()
                .is_some_and(|e| e.starts_with("W/\"")),
            "generated rows carry the API's weak etag: {r}"
        );
        assert!(
            r["PrimaryContactEmail"]
                .as_str()
                .is_some_and(|e| e.starts_with("accounts@") && e.ends_with(".example")),
            "email derives from the name on a reserved domain: {r}"
        );
    }
    let fetched = json_of(
        fo.get(&fo.url(&format!(
            "CustomersV3(dataAreaId='{}',CustomerAccount='{}')",
            rows[0]["dataAreaId"].as_str().expect("company"),
            rows[0]["CustomerAccount"].as_str().expect("account"),
        )))
        .await,
    )
    .await;
    assert_eq!(
        fetched["@odata.etag"], rows[0]["@odata.etag"],
        "a generated row is addressable by key like a posted one"
    );
    env.sandbox.shutdown().await;

    // WHEN the same seed runs in another directory, and a different seed in a third.
    let again = first_generated(7).await;
    let other = first_generated(8).await;
    // THEN the seed alone decides the content.
    let fields = ["OrganizationName", "CustomerGroupId", "CreditLimit"];
    let pick = |v: &Value| fields.map(|f| v[f].clone());
    assert_eq!(
        pick(&rows[0]),
        pick(&again),
        "the same seed must reproduce the first row in a new directory"
    );
    assert_ne!(
        pick(&rows[0]),
        pick(&other),
        "another seed must produce other rows"
    );
}

#[tokio::test]
async fn restart_does_not_generate_again() {
    // GIVEN a sandbox generated with 500 rows.
    let env = start_with(|c| c.rows = 500).await;
    assert_eq!(env.sandbox.generated_rows(), 500, "a fresh store is filled");
    // WHEN it restarts over the same directory with the same request.
    let Env { sandbox, http, dir } = env;
    sandbox.shutdown().await;
    let mut config = SandboxConfig::new(dir.path());
    config.rows = 500;
    let sandbox = Sandbox::start(config).await.expect("restart");
    let env = Env { sandbox, http, dir };
    // THEN nothing is generated and the original rows remain.
    assert_eq!(
        env.sandbox.generated_rows(),
        0,
        "a store that already holds customers is left alone"
    );
    let fo = Fo::new(&env).await;
    let body = json_of(
        fo.get(&fo.url("CustomersV3?$count=true&cross-company=true&$top=1"))
            .await,
    )
    .await;
    assert_eq!(body["@odata.count"], 500, "no second batch was added");
    // WHEN a customer is posted after the restart.
    let resp = fo.post(json!({"CustomerAccount": "AFTER"})).await;
    assert_eq!(resp.status(), StatusCode::CREATED, "POST still works");
    // THEN its RecId follows the generated block instead of colliding with it.
    let rows = all_customers(&fo, "").await;
    let mut etags: Vec<&str> = rows
        .iter()
        .map(|r| r["@odata.etag"].as_str().expect("etag"))
        .collect();
    etags.sort_unstable();
    etags.dedup();
    assert_eq!(
        etags.len(),
        501,
        "every row has its own RecId and so its own etag"
    );
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn generated_rows_follow_the_modified_watermark() {
    // GIVEN a fresh sandbox with 300 generated rows.
    let env = start_with(|c| {
        c.rows = 300;
        c.seed = 3;
    })
    .await;
    let fo = Fo::new(&env).await;
    // WHEN they are read ordered by ModifiedDateTime.
    let rows = all_customers(&fo, "$orderby=ModifiedDateTime").await;
    let stamps: Vec<&str> = rows
        .iter()
        .map(|r| r["ModifiedDateTime"].as_str().expect("stamp"))
        .collect();
    // THEN stamps strictly increase in account order, as if the rows had been posted one by one.
    assert_eq!(stamps.len(), 300, "every generated row is read");
    assert!(
        stamps.windows(2).all(|w| w[0] < w[1]),
        "generated stamps are strictly increasing so pollers never miss a row"
    );
    let accounts: Vec<&str> = rows
        .iter()
        .map(|r| r["CustomerAccount"].as_str().expect("account"))
        .collect();
    let numbers: Vec<&str> = accounts
        .iter()
        .map(|a| a.rsplit('-').next().expect("number"))
        .collect();
    assert!(
        numbers.windows(2).all(|w| w[0] < w[1]),
        "stamps follow account numbering: {accounts:?}"
    );
    // WHEN a watermark poll asks for rows at or after the newest stamp.
    let last = stamps[stamps.len() - 1];
    let newest = all_customers(&fo, &format!("$filter=ModifiedDateTime ge {last}")).await;
    // THEN only the newest row comes back.
    assert_eq!(newest.len(), 1, "only the newest row is at the watermark");
    assert_eq!(
        newest[0]["CustomerAccount"],
        rows[rows.len() - 1]["CustomerAccount"],
        "the watermark row is the last generated one"
    );
    // WHEN a customer is posted afterwards.
    let resp = fo.post(json!({"CustomerAccount": "LATER"})).await;
    let created = json_of(resp).await;
    // THEN its stamp is newer than every generated one.
    assert!(
        created["ModifiedDateTime"]
            .as_str()
            .is_some_and(|s| s > last),
        "writes after generation move the watermark forward: {created}"
    );
    env.sandbox.shutdown().await;
}

#[tokio::test]
#[ignore = "measures bulk generation speed; run explicitly with --ignored --nocapture"]
async fn generation_speed() {
    // GIVEN a fresh directory and a large row count (DUET_GEN_ROWS overrides 100,000).
    let rows = std::env::var("DUET_GEN_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let started = Instant::now();
    // WHEN the sandbox starts.
    let env = start_with(|c| c.rows = rows).await;
    let elapsed = started.elapsed();
    // THEN all rows are generated, and the rate is reported.
    assert_eq!(env.sandbox.generated_rows(), rows, "every row is generated");
    println!(
        "generated {rows} rows in {:.2?} ({:.0} rows/s)",
        elapsed,
        rows as f64 / elapsed.as_secs_f64()
    );
    env.sandbox.shutdown().await;
}

/// One `application/http` part of a batch or change set.
fn http_part(content_id: Option<&str>, method: &str, url: &str, body: Option<&Value>) -> String {
    let mut part =
        String::from("Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n");
    if let Some(id) = content_id {
        part.push_str(&format!("Content-ID: {id}\r\n"));
    }
    part.push_str(&format!(
        "\r\n{method} {url} HTTP/1.1\r\nAccept: application/json\r\n"
    ));
    match body {
        Some(b) => part.push_str(&format!("Content-Type: application/json\r\n\r\n{b}\r\n")),
        None => part.push_str("\r\n"),
    }
    part
}

/// A multipart body of `parts` delimited by `boundary`, closed with the end delimiter.
fn multipart_body(boundary: &str, parts: &[String]) -> String {
    let mut out = String::new();
    for p in parts {
        out.push_str(&format!("--{boundary}\r\n{p}"));
    }
    out.push_str(&format!("--{boundary}--\r\n"));
    out
}

/// A change set as one part of a batch.
fn change_set(boundary: &str, parts: &[String]) -> String {
    format!(
        "Content-Type: multipart/mixed; boundary={boundary}\r\n\r\n{}",
        multipart_body(boundary, parts)
    )
}

/// The parts of a batch response as read from its text.
struct BatchReply {
    status: StatusCode,
    content_type: String,
    text: String,
}

impl BatchReply {
    async fn read(resp: Response) -> Self {
        let status = resp.status();
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let text = resp.text().await.expect("batch response body");
        BatchReply {
            status,
            content_type,
            text,
        }
    }

    /// Status codes of the inner responses, in order.
    fn statuses(&self) -> Vec<u16> {
        self.text
            .lines()
            .filter_map(|l| l.strip_prefix("HTTP/1.1 "))
            .filter_map(|l| l.split(' ').next()?.parse().ok())
            .collect()
    }

    fn content_ids(&self) -> Vec<String> {
        self.text
            .lines()
            .filter_map(|l| l.strip_prefix("Content-ID: "))
            .map(|l| l.trim().to_string())
            .collect()
    }

    /// JSON bodies of the inner responses, in order.
    fn bodies(&self) -> Vec<Value> {
        self.text
            .lines()
            .filter(|l| l.starts_with('{'))
            .map(|l| serde_json::from_str(l).expect("inner body is JSON"))
            .collect()
    }
}

impl Dv<'_> {
    async fn batch(&self, boundary: &str, parts: &[String], prefer: Option<&str>) -> BatchReply {
        let mut req = self
            .req(reqwest::Method::POST, &self.url("$batch"))
            .header(
                "Content-Type",
                format!("multipart/mixed; boundary=\"{boundary}\""),
            )
            .body(multipart_body(boundary, parts));
        if let Some(p) = prefer {
            req = req.header("Prefer", p);
        }
        BatchReply::read(req.send().await.expect("DV $batch")).await
    }

    async fn status_of(&self, url: &str) -> StatusCode {
        self.req(reqwest::Method::GET, url)
            .send()
            .await
            .expect("DV GET")
            .status()
    }
}

impl Fo<'_> {
    async fn batch(&self, boundary: &str, parts: &[String]) -> BatchReply {
        let resp = self
            .env
            .http
            .post(self.url("$batch"))
            .bearer_auth(&self.token)
            .header(
                "Content-Type",
                format!("multipart/mixed; boundary={boundary}"),
            )
            .body(multipart_body(boundary, parts))
            .send()
            .await
            .expect("F&O $batch");
        BatchReply::read(resp).await
    }
}

#[tokio::test]
async fn dv_batch_change_set_resolves_content_ids_in_urls_and_binds() {
    // GIVEN a Dataverse client.
    let env = start().await;
    let dv = Dv::new(&env).await;
    let root = dv.url("");
    // WHEN a change set creates a company, an account bound to it with `$1`, then patches `$2`,
    // followed by a GET with an absolute URL and one relative to the service root.
    let cs = change_set(
        "changeset_1",
        &[
            http_part(
                Some("1"),
                "POST",
                "/api/data/v9.2/cdm_companies",
                Some(&json!({"cdm_companycode": "NEW", "cdm_name": "New Co"})),
            ),
            http_part(
                Some("2"),
                "POST",
                &format!("{root}accounts"),
                Some(
                    &json!({"name": "Bound", "accountnumber": "B-1", "msdyn_company@odata.bind": "$1"}),
                ),
            ),
            http_part(
                Some("3"),
                "PATCH",
                "$2",
                Some(&json!({"description": "patched through $2"})),
            ),
        ],
    );
    let reply = dv
        .batch(
            "batch_x",
            &[
                cs,
                http_part(
                    None,
                    "GET",
                    &format!("{root}accounts(accountnumber='B-1')"),
                    None,
                ),
                http_part(
                    None,
                    "GET",
                    "cdm_companies(cdm_companycode='NEW')?$select=cdm_name",
                    None,
                ),
            ],
            None,
        )
        .await;
    // THEN every part succeeds, in order, with the Content-IDs echoed.
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "a successful batch answers 200"
    );
    assert!(
        reply
            .content_type
            .starts_with("multipart/mixed; boundary=batchresponse_"),
        "the response is multipart with a server-chosen boundary: {}",
        reply.content_type
    );
    assert_eq!(
        reply.statuses(),
        vec![204, 204, 204, 200, 200],
        "three writes then two reads, in request order: {}",
        reply.text
    );
    assert_eq!(
        reply.content_ids(),
        vec!["1", "2", "3"],
        "Content-IDs echoed"
    );
    assert!(
        reply
            .text
            .contains("Content-Type: multipart/mixed; boundary=changesetresponse_"),
        "a kept change set answers as a nested multipart"
    );
    let bodies = reply.bodies();
    let account = &bodies[0];
    let company = &bodies[1];
    assert_eq!(
        account["description"], "patched through $2",
        "PATCH $2 reached the account created earlier in the change set"
    );
    assert_eq!(
        account["_msdyn_company_value"], company["cdm_companyid"],
        "the bind value $1 resolved to the company created in the same change set"
    );
    assert_eq!(
        company["cdm_name"], "New Co",
        "relative URL and $select honoured"
    );
}

#[tokio::test]
async fn dv_batch_change_set_failure_rolls_back_and_stops_unless_continue_on_error() {
    // GIVEN a Dataverse client and a batch whose change set fails on its second request.
    let env = start().await;
    let dv = Dv::new(&env).await;
    let parts = |prefix: &str| {
        vec![
            change_set(
                "cs",
                &[
                    http_part(
                        Some("1"),
                        "POST",
                        "accounts",
                        Some(&json!({"name": "First", "accountnumber": format!("{prefix}-1")})),
                    ),
                    http_part(
                        Some("2"),
                        "POST",
                        "accounts",
                        Some(&json!({"name": "Clash", "accountnumber": format!("{prefix}-1")})),
                    ),
                ],
            ),
            http_part(
                None,
                "POST",
                "accounts",
                Some(&json!({"name": "After", "accountnumber": format!("{prefix}-3")})),
            ),
        ]
    };
    // WHEN it is sent without continue-on-error.
    let reply = dv.batch("batch_stop", &parts("S"), None).await;
    // THEN the batch answers with the failing status and only the failing part.
    assert_eq!(
        reply.status,
        StatusCode::PRECONDITION_FAILED,
        "Dataverse answers a stopped batch with the first error's status"
    );
    assert_eq!(
        reply.statuses(),
        vec![412],
        "only the error part: {}",
        reply.text
    );
    assert_eq!(
        reply.content_ids(),
        vec!["2"],
        "the failing request's Content-ID"
    );
    assert_eq!(
        reply.bodies()[0]["error"]["code"],
        "0x80040237",
        "duplicate key error"
    );
    for key in ["S-1", "S-3"] {
        assert_eq!(
            dv.status_of(&dv.url(&format!("accounts(accountnumber='{key}')")))
                .await,
            StatusCode::NOT_FOUND,
            "{key}: the change set was rolled back and processing stopped"
        );
    }
    // WHEN the same shape is sent with continue-on-error.
    let reply = dv
        .batch("batch_go", &parts("C"), Some("odata.continue-on-error"))
        .await;
    // THEN the batch answers 200, the change set is one error part and later parts still run.
    assert_eq!(reply.status, StatusCode::OK, "continue-on-error gives 200");
    assert_eq!(
        reply.statuses(),
        vec![412, 204],
        "error then success: {}",
        reply.text
    );
    assert_eq!(
        dv.status_of(&dv.url("accounts(accountnumber='C-1')")).await,
        StatusCode::NOT_FOUND,
        "the first write of the failed change set is not kept"
    );
    assert_eq!(
        dv.status_of(&dv.url("accounts(accountnumber='C-3')")).await,
        StatusCode::OK,
        "the request after the failed change set ran"
    );
}

#[tokio::test]
async fn dv_batch_limits_and_unknown_references() {
    // GIVEN a Dataverse client.
    let env = start().await;
    let dv = Dv::new(&env).await;
    // WHEN a batch holds 1,001 requests.
    let many: Vec<String> = (0..1001)
        .map(|_| http_part(None, "GET", "WhoAmI", None))
        .collect();
    let reply = dv.batch("batch_big", &many, None).await;
    // THEN it is refused as a whole.
    assert_eq!(
        reply.status,
        StatusCode::BAD_REQUEST,
        "more than 1,000 requests is a 400"
    );
    // WHEN a change set references a Content-ID that was never declared.
    let reply = dv
        .batch(
            "batch_ref",
            &[change_set(
                "cs",
                &[http_part(
                    Some("1"),
                    "PATCH",
                    "$9",
                    Some(&json!({"name": "x"})),
                )],
            )],
            None,
        )
        .await;
    // THEN the documented message names the reference.
    assert_eq!(
        reply.status,
        StatusCode::BAD_REQUEST,
        "unknown reference is a 400"
    );
    let message = reply.bodies()[0]["error"]["message"].clone();
    assert_eq!(
        message, "Content-ID Reference: '$9' does not exist in the batch context.",
        "the documented message"
    );
    // WHEN the body is not multipart.
    let resp = dv
        .req(reqwest::Method::POST, &dv.url("$batch"))
        .json(&json!({}))
        .send()
        .await
        .expect("POST $batch");
    // THEN it is a 400 in the JSON error shape.
    assert_eq!(
        resp.status(),
        StatusCode::BAD_REQUEST,
        "JSON is not a batch"
    );
    assert!(
        json_of(resp).await["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("multipart/mixed")),
        "the error says what was expected"
    );
}

#[tokio::test]
async fn fo_batch_answers_200_with_atomic_change_sets() {
    // GIVEN an F&O client.
    let env = start().await;
    let fo = Fo::new(&env).await;
    let absolute = fo.url("CustomersV3");
    // WHEN a change set creates a customer, patches it through `$1`, then creates a duplicate.
    let failing = change_set(
        "changeset_a",
        &[
            http_part(
                Some("1"),
                "POST",
                &absolute,
                Some(&json!({"CustomerAccount": "B-1", "OrganizationName": "Batch one"})),
            ),
            http_part(
                Some("2"),
                "PATCH",
                "$1",
                Some(&json!({"SalesMemo": "memo"})),
            ),
            http_part(
                Some("3"),
                "POST",
                "CustomersV3",
                Some(&json!({"CustomerAccount": "B-1", "OrganizationName": "Duplicate"})),
            ),
        ],
    );
    let working = change_set(
        "changeset_b",
        &[
            http_part(
                Some("1"),
                "POST",
                "/data/CustomersV3",
                Some(&json!({"CustomerAccount": "B-2", "OrganizationName": "Batch two"})),
            ),
            http_part(Some("2"), "PATCH", "$1", Some(&json!({"CreditLimit": 42}))),
        ],
    );
    let reply = fo
        .batch(
            "batch_boundary",
            &[
                failing,
                working,
                http_part(
                    None,
                    "GET",
                    "CustomersV3(dataAreaId='DAT',CustomerAccount='B-2')",
                    None,
                ),
            ],
        )
        .await;
    // THEN the batch is 200, the failed change set is one error part, the rest succeed.
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "an F&O batch always answers 200"
    );
    assert_eq!(
        reply.statuses(),
        vec![400, 201, 204, 200],
        "failed change set as one part, then the kept change set, then the GET: {}",
        reply.text
    );
    assert_eq!(
        reply.content_ids(),
        vec!["3", "1", "2"],
        "the error part carries the failing request's Content-ID"
    );
    let bodies = reply.bodies();
    assert_eq!(
        bodies[0]["error"]["innererror"]["type"],
        "Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException",
        "write failures keep the F&O error shape inside a batch"
    );
    let fetched = bodies.last().expect("GET body");
    assert_eq!(
        fetched["CreditLimit"], 42,
        "PATCH $1 updated the row created in the set"
    );
    let resp = fo
        .get(&fo.url("CustomersV3(dataAreaId='DAT',CustomerAccount='B-1')"))
        .await;
    assert_eq!(
        resp.status(),
        StatusCode::NOT_FOUND,
        "the failed change set left nothing behind"
    );
}

#[tokio::test]
async fn dv_bulk_messages_are_atomic_and_tracked() {
    // GIVEN a Dataverse client holding a change-tracking delta link.
    let env = start().await;
    let dv = Dv::new(&env).await;
    let resp = dv
        .req(reqwest::Method::GET, &dv.url("accounts?$select=name"))
        .header("Prefer", "odata.track-changes")
        .send()
        .await
        .expect("initial tracking GET");
    let delta = json_of(resp).await["@odata.deltaLink"]
        .as_str()
        .expect("deltaLink")
        .to_string();
    let account = "Microsoft.Dynamics.CRM.account";
    // WHEN CreateMultiple creates two accounts.
    let resp = dv
        .req(
            reqwest::Method::POST,
            &dv.url("accounts/Microsoft.Dynamics.CRM.CreateMultiple"),
        )
        .json(&json!({"Targets": [
            {"@odata.type": account, "name": "One", "accountnumber": "M-1"},
            {"@odata.type": account, "name": "Two", "accountnumber": "M-2"},
        ]}))
        .send()
        .await
        .expect("CreateMultiple");
    // THEN it answers the new ids in order.
    assert_eq!(resp.status(), StatusCode::OK, "CreateMultiple answers 200");
    let ids: Vec<String> = json_of(resp).await["Ids"]
        .as_array()
        .expect("Ids array")
        .iter()
        .map(|v| v.as_str().expect("id string").to_string())
        .collect();
    assert_eq!(ids.len(), 2, "one id per target");
    // WHEN UpdateMultiple changes the first by id and UpsertMultiple touches the second by
    // alternate key and creates a third.
    let resp = dv
        .req(
            reqwest::Method::POST,
            &dv.url("accounts/Microsoft.Dynamics.CRM.UpdateMultiple"),
        )
        .json(&json!({"Targets": [
            {"@odata.type": account, "accountid": ids[0], "name": "One updated"},
        ]}))
        .send()
        .await
        .expect("UpdateMultiple");
    assert_eq!(
        resp.status(),
        StatusCode::NO_CONTENT,
        "UpdateMultiple answers 204"
    );
    let resp = dv
        .req(
            reqwest::Method::POST,
            &dv.url("accounts/Microsoft.Dynamics.CRM.UpsertMultiple"),
        )
        .json(&json!({"Targets": [
            {"@odata.type": account, "accountnumber": "M-2", "name": "Two upserted"},
            {"@odata.type": account, "accountnumber": "M-3", "name": "Three"},
        ]}))
        .send()
        .await
        .expect("UpsertMultiple");
    assert_eq!(
        resp.status(),
        StatusCode::NO_CONTENT,
        "UpsertMultiple answers 204"
    );
    // THEN the delta link reports the three rows with their latest values, in version order.
    let changes = json_of(
        dv.req(reqwest::Method::GET, &delta)
            .send()
            .await
            .expect("delta"),
    )
    .await["value"]
        .as_array()
        .expect("delta value")
        .iter()
        .map(|r| r["name"].as_str().unwrap_or("").to_string())
        .collect::<Vec<_>>();
    assert_eq!(
        changes,
        vec!["One updated", "Two upserted", "Three"],
        "every bulk write bumps the version like a single write"
    );
    let second = json_of(
        dv.req(
            reqwest::Method::GET,
            &dv.url(&format!("accounts({})", ids[1])),
        )
        .send()
        .await
        .expect("GET"),
    )
    .await;
    assert_eq!(
        second["name"], "Two upserted",
        "upsert by alternate key updated the row"
    );
    // WHEN CreateMultiple holds a duplicate key in its second target.
    let resp = dv
        .req(
            reqwest::Method::POST,
            &dv.url("accounts/Microsoft.Dynamics.CRM.CreateMultiple"),
        )
        .json(&json!({"Targets": [
            {"@odata.type": account, "name": "Four", "accountnumber": "M-4"},
            {"@odata.type": account, "name": "Dup", "accountnumber": "M-1"},
        ]}))
        .send()
        .await
        .expect("CreateMultiple");
    // THEN nothing is created.
    assert_eq!(
        resp.status(),
        StatusCode::PRECONDITION_FAILED,
        "duplicate key fails the call"
    );
    assert_eq!(
        dv.status_of(&dv.url("accounts(accountnumber='M-4')")).await,
        StatusCode::NOT_FOUND,
        "bulk messages are all or nothing"
    );
    // WHEN a target lacks @odata.type, or UpdateMultiple addresses a missing row.
    let resp = dv
        .req(
            reqwest::Method::POST,
            &dv.url("accounts/Microsoft.Dynamics.CRM.CreateMultiple"),
        )
        .json(&json!({"Targets": [{"name": "Untyped"}]}))
        .send()
        .await
        .expect("CreateMultiple");
    assert_eq!(
        resp.status(),
        StatusCode::BAD_REQUEST,
        "@odata.type is required"
    );
    let resp = dv
        .req(
            reqwest::Method::POST,
            &dv.url("accounts/Microsoft.Dynamics.CRM.UpdateMultiple"),
        )
        .json(&json!({"Targets": [
            {"@odata.type": account, "accountnumber": "NOPE", "name": "x"},
        ]}))
        .send()
        .await
        .expect("UpdateMultiple");
    // THEN both are refused.
    assert_eq!(
        resp.status(),
        StatusCode::NOT_FOUND,
        "UpdateMultiple never creates"
    );
}

#[tokio::test]
async fn request_limits_answer_429_with_retry_after() {
    // GIVEN both emulators limited to 3 requests per 60 seconds per client.
    let limits = ServiceLimits {
        requests: 3,
        window: Duration::from_secs(60),
        concurrent: 0,
    };
    let env = start_with(|c| {
        c.dv_limits = limits;
        c.fo_limits = limits;
    })
    .await;
    let dv = Dv::new(&env).await;
    let fo = Fo::new(&env).await;
    // WHEN a fourth request is sent within the window on each side.
    for _ in 0..3 {
        assert_eq!(
            dv.status_of(&dv.url("WhoAmI")).await,
            StatusCode::OK,
            "within the limit"
        );
        assert_eq!(
            fo.get(&fo.url("LegalEntities")).await.status(),
            StatusCode::OK,
            "within the limit"
        );
    }
    let dv_resp = dv
        .req(reqwest::Method::GET, &dv.url("WhoAmI"))
        .send()
        .await
        .expect("GET");
    let fo_resp = fo.get(&fo.url("LegalEntities")).await;
    // THEN both answer 429 with Retry-After and the documented messages.
    for resp in [&dv_resp, &fo_resp] {
        assert_eq!(
            resp.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "over the limit"
        );
        let retry = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .expect("Retry-After in whole seconds");
        assert!(
            (1..=60).contains(&retry),
            "retry within the window: {retry}"
        );
    }
    let dv_err = json_of(dv_resp).await;
    assert_eq!(
        dv_err["error"]["code"], "0x80072322",
        "Dataverse request-count code"
    );
    assert_eq!(
        dv_err["error"]["message"],
        "Number of requests exceeded the limit of 3 over time window of 60 seconds.",
        "Dataverse message with the configured numbers"
    );
    assert_eq!(
        json_of(fo_resp).await["error"]["message"],
        "Number of requests exceeded the limit of 3 over the time window of 60 seconds.",
        "F&O message wording differs slightly from Dataverse's"
    );
}

#[tokio::test]
async fn concurrency_limit_answers_429() {
    // GIVEN Dataverse limited to one concurrent request per client, and slowed down.
    let env = start_with(|c| {
        c.dv_limits = ServiceLimits {
            concurrent: 1,
            ..ServiceLimits::off()
        };
    })
    .await;
    let dv = Dv::new(&env).await;
    env.sandbox
        .set_faults(
            Side::Dataverse,
            Faults {
                latency_ms: 400,
                ..Faults::default()
            },
        )
        .expect("valid faults");
    // WHEN two requests run at the same time.
    let url = dv.url("WhoAmI");
    let (a, b) = tokio::join!(
        dv.req(reqwest::Method::GET, &url).send(),
        dv.req(reqwest::Method::GET, &url).send()
    );
    let mut statuses = [a.expect("first").status(), b.expect("second").status()];
    statuses.sort();
    // THEN one is served and the other is refused at once.
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::TOO_MANY_REQUESTS],
        "the second concurrent request exceeds the limit of 1"
    );
    let resp = dv
        .req(reqwest::Method::GET, &url)
        .send()
        .await
        .expect("GET");
    assert_eq!(
        resp.status(),
        StatusCode::OK,
        "the slot is free again afterwards"
    );
}

#[tokio::test]
async fn faults_take_a_side_down_and_fail_writes() {
    // GIVEN both emulators with their clients.
    let env = start().await;
    let dv = Dv::new(&env).await;
    let fo = Fo::new(&env).await;
    let admin = format!("{}/_sandbox/faults", env.sandbox.fo_url());
    // WHEN the admin endpoint is called without a token.
    let resp = env
        .http
        .post(&admin)
        .json(&json!({"down": true}))
        .send()
        .await
        .expect("admin POST");
    // THEN it is refused.
    assert_eq!(
        resp.status(),
        StatusCode::UNAUTHORIZED,
        "faults need the bearer token"
    );
    // WHEN F&O is taken down over HTTP.
    let resp = env
        .http
        .post(&admin)
        .bearer_auth(&fo.token)
        .json(&json!({"down": true}))
        .send()
        .await
        .expect("admin POST");
    assert_eq!(resp.status(), StatusCode::OK, "faults accepted");
    // THEN F&O answers 503 while Dataverse is unaffected, and GET shows the setting.
    assert_eq!(
        fo.get(&fo.url("LegalEntities")).await.status(),
        StatusCode::SERVICE_UNAVAILABLE,
        "a down side answers 503"
    );
    assert_eq!(
        dv.status_of(&dv.url("WhoAmI")).await,
        StatusCode::OK,
        "other side up"
    );
    let current = json_of(
        env.http
            .get(&admin)
            .bearer_auth(&fo.token)
            .send()
            .await
            .expect("admin GET"),
    )
    .await;
    assert_eq!(current["down"], true, "GET reports the current faults");
    assert!(
        env.sandbox.faults(Side::FinOps).down,
        "the Rust view agrees with the HTTP view"
    );
    // WHEN the faults are cleared with DELETE.
    let resp = env
        .http
        .delete(&admin)
        .bearer_auth(&fo.token)
        .send()
        .await
        .expect("admin DELETE");
    assert_eq!(resp.status(), StatusCode::OK, "cleared");
    // THEN F&O serves again.
    assert_eq!(
        fo.get(&fo.url("LegalEntities")).await.status(),
        StatusCode::OK,
        "back up after clearing"
    );
    // WHEN Dataverse is taken down and brought back from Rust.
    let down = Faults {
        down: true,
        ..Faults::default()
    };
    env.sandbox
        .set_faults(Side::Dataverse, down)
        .expect("valid");
    assert_eq!(
        dv.status_of(&dv.url("WhoAmI")).await,
        StatusCode::SERVICE_UNAVAILABLE,
        "down from Rust"
    );
    env.sandbox
        .set_faults(Side::Dataverse, Faults::default())
        .expect("valid");
    assert_eq!(
        dv.status_of(&dv.url("WhoAmI")).await,
        StatusCode::OK,
        "up again"
    );
    // WHEN every F&O write fails with 503.
    env.sandbox
        .set_faults(
            Side::FinOps,
            Faults {
                fail_writes: Some(FailWrites {
                    fraction: 1.0,
                    status: 503,
                }),
                ..Faults::default()
            },
        )
        .expect("valid");
    let resp = fo
        .post(json!({"CustomerAccount": "F-1", "OrganizationName": "Fails"}))
        .await;
    // THEN single writes and batched writes fail, while reads still work.
    assert_eq!(
        resp.status(),
        StatusCode::SERVICE_UNAVAILABLE,
        "write failed on purpose"
    );
    assert_eq!(
        fo.get(&fo.url("LegalEntities")).await.status(),
        StatusCode::OK,
        "reads are not affected by fail_writes"
    );
    let reply = fo
        .batch(
            "batch_f",
            &[change_set(
                "cs",
                &[http_part(
                    Some("1"),
                    "POST",
                    "CustomersV3",
                    Some(&json!({"CustomerAccount": "F-2"})),
                )],
            )],
        )
        .await;
    assert_eq!(
        reply.statuses(),
        vec![503],
        "the change set fails with the injected status"
    );
    // WHEN invalid faults are posted.
    let resp = env
        .http
        .post(&admin)
        .bearer_auth(&fo.token)
        .json(&json!({"fail_writes": {"fraction": 2.0}}))
        .send()
        .await
        .expect("admin POST");
    // THEN they are refused.
    assert_eq!(
        resp.status(),
        StatusCode::BAD_REQUEST,
        "fraction above 1 is refused"
    );
}

/// Reads every page of a Dataverse query, following `@odata.nextLink`.
async fn all_dv(dv: &Dv<'_>, rest: &str) -> Vec<Value> {
    let mut url = dv.url(rest);
    let mut rows = Vec::new();
    loop {
        let resp = dv
            .req(reqwest::Method::GET, &url)
            .send()
            .await
            .expect("GET");
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

#[tokio::test]
async fn new_profiles_start_empty() {
    // GIVEN a sandbox with both sides new, even though rows were asked for.
    let env = start_with(|c| {
        c.rows = 50;
        c.fo_profile = FoProfile::New;
        c.dv_profile = DvProfile::New;
    })
    .await;
    let (fo, dv) = (Fo::new(&env).await, Dv::new(&env).await);
    // WHEN both sides are read.
    let customers = all_customers(&fo, "").await;
    let legal = json_of(fo.get(&fo.url("LegalEntities")).await).await;
    let companies = all_dv(&dv, "cdm_companies").await;
    let accounts = all_dv(&dv, "accounts").await;
    // THEN F&O has its legal entities only and Dataverse has nothing.
    assert_eq!(env.sandbox.generated_rows(), 0, "New F&O generates nothing");
    assert!(customers.is_empty(), "New F&O has no customers");
    let ids: Vec<&str> = legal["value"]
        .as_array()
        .expect("legal entities")
        .iter()
        .filter_map(|r| r["LegalEntityId"].as_str())
        .collect();
    assert!(ids.contains(&"DAT"), "legal entity DAT present: {ids:?}");
    assert!(companies.is_empty(), "New Dataverse has no companies");
    assert!(accounts.is_empty(), "New Dataverse has no accounts");
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn default_profiles_keep_todays_behaviour() {
    // GIVEN a sandbox with default profiles and 30 rows.
    let env = start_with(|c| c.rows = 30).await;
    let (fo, dv) = (Fo::new(&env).await, Dv::new(&env).await);
    // WHEN both sides are read.
    let customers = all_customers(&fo, "").await;
    let companies = all_dv(&dv, "cdm_companies?$orderby=cdm_companycode").await;
    let accounts = all_dv(&dv, "accounts").await;
    // THEN F&O holds the generated customers and Dataverse is linked with no accounts.
    assert_eq!(customers.len(), 30, "WithData generates the rows");
    let codes: Vec<&str> = companies
        .iter()
        .filter_map(|r| r["cdm_companycode"].as_str())
        .collect();
    assert_eq!(codes, ["DAT", "USMF"], "Linked seeds DAT and USMF");
    assert!(accounts.is_empty(), "Linked starts without accounts");
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn existing_profile_has_unlinked_accounts_half_matching_fo() {
    // GIVEN F&O with data and an existing Dataverse of 10 accounts, same seed.
    let env = start_with(|c| {
        c.rows = 40;
        c.seed = 11;
        c.dv_profile = DvProfile::Existing;
        c.dv_existing_rows = 10;
    })
    .await;
    let (fo, dv) = (Fo::new(&env).await, Dv::new(&env).await);
    // WHEN both sides are read.
    let customers = all_customers(&fo, "").await;
    let companies = all_dv(&dv, "cdm_companies").await;
    let accounts = all_dv(&dv, "accounts?$orderby=accountnumber").await;
    // THEN there are no companies, no account has a company and exactly five match F&O.
    assert!(companies.is_empty(), "Existing has no cdm_companies rows");
    assert_eq!(
        accounts.len(),
        10,
        "Existing generates dv_existing_rows accounts"
    );
    assert!(
        accounts.iter().all(|a| a["_msdyn_company_value"].is_null()),
        "no account is linked to a company: {accounts:?}"
    );
    let fo_numbers: std::collections::HashSet<&str> = customers
        .iter()
        .filter_map(|c| c["CustomerAccount"].as_str())
        .collect();
    let matching: Vec<&Value> = accounts
        .iter()
        .filter(|a| fo_numbers.contains(a["accountnumber"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(matching.len(), 5, "half the accounts match F&O by number");
    for a in &matching {
        let number = a["accountnumber"].as_str().expect("number");
        let customer = customers
            .iter()
            .find(|c| c["CustomerAccount"] == number)
            .expect("matching customer");
        assert_eq!(
            a["name"], customer["OrganizationName"],
            "a matching account carries the customer's name"
        );
    }
    // AND a second sandbox with the same seed produces the same accounts.
    let again = start_with(|c| {
        c.rows = 40;
        c.seed = 11;
        c.dv_profile = DvProfile::Existing;
        c.dv_existing_rows = 10;
    })
    .await;
    let dv2 = Dv::new(&again).await;
    let accounts2 = all_dv(&dv2, "accounts?$orderby=accountnumber").await;
    let pick = |rows: &[Value]| {
        rows.iter()
            .map(|r| format!("{}|{}", r["accountnumber"], r["name"]))
            .collect::<Vec<_>>()
    };
    assert_eq!(pick(&accounts), pick(&accounts2), "deterministic by seed");
    again.sandbox.shutdown().await;
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn dv_serves_every_catalog_table() {
    // GIVEN a sandbox and the catalog.
    let env = start().await;
    let dv = Dv::new(&env).await;
    let cat = duet_sandbox::catalog();
    // WHEN every catalog table is listed.
    for t in &cat.dataverse {
        let resp = dv
            .req(
                reqwest::Method::GET,
                &dv.url(&format!("{}?$top=1", t.entity_set)),
            )
            .send()
            .await
            .expect("GET");
        // THEN each one answers 200.
        assert_eq!(resp.status(), StatusCode::OK, "{} is served", t.entity_set);
    }
    // AND a catalog table round-trips a row by its alternate key, with a company lookup.
    let resp = dv
        .req(reqwest::Method::POST, &dv.url("msdyn_customergroups"))
        .header("Prefer", "return=representation")
        .json(&json!({
            "msdyn_groupid": "10",
            "msdyn_description": "Wholesale",
            "msdyn_company@odata.bind": "/cdm_companies(cdm_companycode='DAT')"
        }))
        .send()
        .await
        .expect("POST");
    assert_eq!(resp.status(), StatusCode::CREATED, "group created");
    let row = json_of(
        dv.req(
            reqwest::Method::GET,
            &dv.url("msdyn_customergroups(msdyn_groupid='10')"),
        )
        .send()
        .await
        .expect("GET"),
    )
    .await;
    assert_eq!(row["msdyn_description"], "Wholesale", "value stored");
    assert!(
        row["_msdyn_company_value"].is_string(),
        "lookup surfaces as _x_value: {row}"
    );
    // AND typed columns refuse the wrong JSON type.
    let resp = dv
        .req(reqwest::Method::POST, &dv.url("accounts"))
        .json(&json!({"accountnumber": "T1", "msdyn_onetimecustomer": "yes"}))
        .send()
        .await
        .expect("POST");
    assert_eq!(
        resp.status(),
        StatusCode::BAD_REQUEST,
        "boolean column needs a boolean"
    );
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn fo_serves_every_catalog_entity_with_a_modified_watermark() {
    // GIVEN a sandbox and the catalog.
    let env = start().await;
    let fo = Fo::new(&env).await;
    let cat = duet_sandbox::catalog();
    // WHEN every catalog entity is listed across companies.
    for e in &cat.finops {
        let resp = fo
            .get(&fo.url(&format!("{}?cross-company=true&$top=1", e.entity_set)))
            .await;
        // THEN each one answers 200.
        assert_eq!(resp.status(), StatusCode::OK, "{} is served", e.entity_set);
    }
    // AND a company-specific entity takes writes keyed by dataAreaId and stamps them.
    let post = |body: Value| {
        let url = fo.url("CustomerGroups");
        let req = env.http.post(url).bearer_auth(&fo.token).json(&body);
        async move { req.send().await.expect("POST") }
    };
    let resp =
        post(json!({"dataAreaId": "DAT", "CustomerGroupId": "10", "Description": "Wholesale"}))
            .await;
    assert_eq!(resp.status(), StatusCode::CREATED, "group created");
    let first = json_of(resp).await;
    let stamp = first["ModifiedDateTime"]
        .as_str()
        .expect("stamp")
        .to_string();
    let resp =
        post(json!({"dataAreaId": "DAT", "CustomerGroupId": "20", "Description": "Retail"})).await;
    assert_eq!(resp.status(), StatusCode::CREATED, "second group created");
    // AND a watermark query on the modified time returns only the later row, in order.
    let body = json_of(
        fo.get(&fo.url(&format!(
            "CustomerGroups?$filter=ModifiedDateTime gt {stamp}&$orderby=ModifiedDateTime"
        )))
        .await,
    )
    .await;
    let ids: Vec<&str> = body["value"]
        .as_array()
        .expect("value")
        .iter()
        .filter_map(|r| r["CustomerGroupId"].as_str())
        .collect();
    assert_eq!(
        ids,
        ["20"],
        "only rows modified after the watermark: {body}"
    );
    // AND an enum field refuses an unknown member.
    let resp = fo
        .post(json!({"dataAreaId": "DAT", "CustomerAccount": "E1", "OnHoldStatus": "Sometimes"}))
        .await;
    assert_eq!(
        resp.status(),
        StatusCode::BAD_REQUEST,
        "unknown enum member refused"
    );
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn dv_entity_definitions_and_metadata_come_from_the_catalog() {
    // GIVEN a sandbox.
    let env = start().await;
    let dv = Dv::new(&env).await;
    // WHEN a table definition is read with $select.
    let resp = dv
        .req(
            reqwest::Method::GET,
            &dv.url("EntityDefinitions(LogicalName='msdyn_customergroup')?$select=EntitySetName"),
        )
        .send()
        .await
        .expect("GET");
    assert_eq!(resp.status(), StatusCode::OK, "definition found");
    let body = json_of(resp).await;
    // THEN it names the entity set and leaves out unselected properties.
    assert_eq!(body["EntitySetName"], "msdyn_customergroups", "{body}");
    assert!(
        body.get("PrimaryIdAttribute").is_none(),
        "only selected: {body}"
    );
    assert!(body["MetadataId"].is_string(), "MetadataId always present");
    // WHEN the attributes are expanded.
    let body = json_of(
        dv.req(
            reqwest::Method::GET,
            &dv.url(
                "EntityDefinitions(LogicalName='account')?$select=LogicalName\
                 &$expand=Attributes($select=LogicalName,AttributeType)",
            ),
        )
        .send()
        .await
        .expect("GET"),
    )
    .await;
    let attrs = body["Attributes"].as_array().expect("Attributes");
    let kind = |name: &str| {
        attrs
            .iter()
            .find(|a| a["LogicalName"] == name)
            .map(|a| a["AttributeType"].clone())
            .unwrap_or(Value::Null)
    };
    // THEN each column has its documented attribute type.
    assert_eq!(kind("accountnumber"), "String");
    assert_eq!(kind("creditlimit"), "Money");
    assert_eq!(kind("msdyn_onholdstatus"), "Picklist");
    assert_eq!(kind("msdyn_company"), "Lookup");
    assert_eq!(kind("msdyn_onetimecustomer"), "Boolean");
    assert_eq!(kind("accountid"), "Uniqueidentifier");
    // AND an unknown table is a 404.
    let resp = dv
        .req(
            reqwest::Method::GET,
            &dv.url("EntityDefinitions(LogicalName='nosuchtable')"),
        )
        .send()
        .await
        .expect("GET");
    assert_eq!(resp.status(), StatusCode::NOT_FOUND, "unknown table");
    // AND both services serve CSDL built from the catalog.
    let resp = dv
        .req(reqwest::Method::GET, &dv.url("$metadata"))
        .header("Accept", "application/xml")
        .send()
        .await
        .expect("GET");
    assert_eq!(resp.status(), StatusCode::OK);
    let xml = resp.text().await.expect("text");
    assert!(
        xml.contains("<EntitySet Name=\"msdyn_paymentterms\""),
        "DV set listed"
    );
    assert!(
        xml.contains("<NavigationProperty Name=\"msdyn_company\""),
        "lookup navigation"
    );
    let fo = Fo::new(&env).await;
    let resp = fo.get(&fo.url("$metadata")).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let xml = resp.text().await.expect("text");
    assert!(
        xml.contains("<EnumType Name=\"NoYes\">"),
        "enum types in F&O CSDL"
    );
    assert!(
        xml.contains("<EntitySet Name=\"CustomersV3\""),
        "F&O set listed"
    );
    assert!(
        xml.contains("<PropertyRef Name=\"dataAreaId\"/>"),
        "company keys in F&O CSDL"
    );
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn dv_expand_lookups_annotations_and_skip() {
    // GIVEN an account bound to company DAT with a choice, a boolean and money set.
    let env = start().await;
    let dv = Dv::new(&env).await;
    let resp = dv
        .req(reqwest::Method::POST, &dv.url("accounts"))
        .json(&json!({
            "accountnumber": "X1",
            "name": "Expand Ltd",
            "creditlimit": 12500,
            "msdyn_onholdstatus": 806380001,
            "msdyn_onetimecustomer": true,
            "msdyn_company@odata.bind": "/cdm_companies(cdm_companycode='DAT')"
        }))
        .send()
        .await
        .expect("POST");
    assert_eq!(resp.status(), StatusCode::NO_CONTENT, "account created");
    // WHEN it is read with the company expanded and every annotation asked for.
    let resp = dv
        .req(
            reqwest::Method::GET,
            &dv.url(
                "accounts?$select=name,creditlimit,msdyn_onholdstatus,msdyn_onetimecustomer,_msdyn_company_value\
                 &$expand=msdyn_company($select=cdm_companycode)&$filter=accountnumber eq 'X1'",
            ),
        )
        .header("Prefer", "odata.include-annotations=\"*\"")
        .send()
        .await
        .expect("GET");
    assert_eq!(resp.status(), StatusCode::OK);
    let applied = resp
        .headers()
        .get_all("Preference-Applied")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.starts_with("odata.include-annotations"));
    assert!(applied, "annotations preference is echoed");
    let row = json_of(resp).await["value"][0].clone();
    // THEN the lookup is expanded to the target row and values carry their labels.
    assert_eq!(row["msdyn_company"]["cdm_companycode"], "DAT", "{row}");
    let f = "@OData.Community.Display.V1.FormattedValue";
    assert_eq!(row[format!("msdyn_onholdstatus{f}")], "Invoice", "{row}");
    assert_eq!(row[format!("msdyn_onetimecustomer{f}")], "Yes", "{row}");
    assert_eq!(row[format!("creditlimit{f}")], "12,500.00", "{row}");
    assert_eq!(
        row[format!("_msdyn_company_value{f}")],
        "Contoso Demo",
        "{row}"
    );
    assert_eq!(
        row["_msdyn_company_value@Microsoft.Dynamics.CRM.lookuplogicalname"],
        "cdm_company"
    );
    // AND without the preference there are no annotations.
    let plain = json_of(
        dv.req(
            reqwest::Method::GET,
            &dv.url("accounts(accountnumber='X1')"),
        )
        .send()
        .await
        .expect("GET"),
    )
    .await;
    assert!(
        plain.get(format!("msdyn_onholdstatus{f}")).is_none(),
        "annotations only on request: {plain}"
    );
    // AND a single row expands too, and an unknown navigation property is a 400.
    let one = json_of(
        dv.req(
            reqwest::Method::GET,
            &dv.url("accounts(accountnumber='X1')?$expand=msdyn_company"),
        )
        .send()
        .await
        .expect("GET"),
    )
    .await;
    assert_eq!(one["msdyn_company"]["cdm_name"], "Contoso Demo", "{one}");
    let resp = dv
        .req(
            reqwest::Method::GET,
            &dv.url("accounts?$expand=Account_Tasks"),
        )
        .send()
        .await
        .expect("GET");
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "unknown navigation");
    // AND $skip is refused with Dataverse's error shape.
    let resp = dv
        .req(reqwest::Method::GET, &dv.url("accounts?$skip=1"))
        .send()
        .await
        .expect("GET");
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "$skip rejected");
    let body = json_of(resp).await;
    assert_eq!(body["error"]["code"], "0x80060888", "{body}");
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn fo_enum_literals_in_filter() {
    // GIVEN two customers, one a one-time customer.
    let env = start().await;
    let fo = Fo::new(&env).await;
    for (account, once) in [("N1", "No"), ("Y1", "Yes")] {
        let resp = fo
            .post(
                json!({"dataAreaId": "DAT", "CustomerAccount": account, "IsOneTimeCustomer": once}),
            )
            .await;
        assert_eq!(resp.status(), StatusCode::CREATED, "customer {account}");
    }
    // WHEN filtering with an enum literal.
    let resp = fo
        .get(&fo.url(
            "CustomersV3?$filter=IsOneTimeCustomer eq Microsoft.Dynamics.DataEntities.NoYes'Yes'",
        ))
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let body = json_of(resp).await;
    let ids: Vec<&str> = body["value"]
        .as_array()
        .expect("value")
        .iter()
        .filter_map(|r| r["CustomerAccount"].as_str())
        .collect();
    // THEN only the matching row comes back.
    assert_eq!(ids, ["Y1"], "{body}");
    // AND an unknown member is refused.
    let resp = fo
        .get(&fo.url(
            "CustomersV3?$filter=IsOneTimeCustomer eq Microsoft.Dynamics.DataEntities.NoYes'Maybe'",
        ))
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "bad member");
    let body = json_of(resp).await;
    assert_eq!(
        body["error"]["message"], "The string 'Maybe' is not a valid enumeration type constant.",
        "{body}"
    );
    // AND $expand of an unknown navigation property is refused.
    let resp = fo.get(&fo.url("CustomersV3?$expand=Nothing")).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "no such navigation");
    env.sandbox.shutdown().await;
}

/// A local webhook receiver: every JSON body posted to it arrives on the returned channel.
async fn webhook_receiver(
    status: StatusCode,
) -> (String, tokio::sync::mpsc::UnboundedReceiver<Value>) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(body);
                axum::http::StatusCode::from_u16(status.as_u16()).expect("status")
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind receiver");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, rx)
}

async fn next_event(rx: &mut tokio::sync::mpsc::UnboundedReceiver<Value>) -> Value {
    tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("an event arrives within 10 s")
        .expect("receiver open")
}

#[tokio::test]
async fn fo_data_events_reach_registered_webhooks_after_commit() {
    // GIVEN a receiver registered for every operation on CustomersV3, and a failing endpoint.
    let env = start().await;
    let fo = Fo::new(&env).await;
    let (url, mut rx) = webhook_receiver(StatusCode::OK).await;
    let (bad_url, _bad_rx) = webhook_receiver(StatusCode::INTERNAL_SERVER_ERROR).await;
    let admin = format!("{}/_sandbox/dataevents", env.sandbox.fo_url());
    for (target, entity) in [(&url, "CustomersV3"), (&bad_url, "CustomersV3")] {
        let resp = env
            .http
            .post(&admin)
            .bearer_auth(&fo.token)
            .json(&json!({"url": target, "entity": entity}))
            .send()
            .await
            .expect("register");
        assert_eq!(resp.status(), StatusCode::CREATED, "endpoint registered");
    }
    // AND registrations that are not HTTP(S) or name no catalog entity are refused.
    for body in [
        json!({"url": "ftp://x/y", "entity": "CustomersV3"}),
        json!({"url": url, "entity": "customersv3"}),
    ] {
        let resp = env
            .http
            .post(&admin)
            .bearer_auth(&fo.token)
            .json(&body)
            .send()
            .await
            .expect("register");
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "refused: {body}");
    }
    // WHEN a customer is created, updated and deleted.
    let resp = fo
        .post(
            json!({"dataAreaId": "USMF", "CustomerAccount": "EV-1", "OrganizationName": "Events"}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let key = "CustomersV3(dataAreaId='USMF',CustomerAccount='EV-1')";
    let resp = env
        .http
        .patch(fo.url(key))
        .bearer_auth(&fo.token)
        .json(&json!({"SalesMemo": "changed"}))
        .send()
        .await
        .expect("PATCH");
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let resp = env
        .http
        .delete(fo.url(key))
        .bearer_auth(&fo.token)
        .send()
        .await
        .expect("DELETE");
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    // THEN three envelopes arrive in order with the business-event fields and the key.
    let mut controls = Vec::new();
    for op in ["Create", "Update", "Delete"] {
        let e = next_event(&mut rx).await;
        assert_eq!(e["Operation"], op, "{e}");
        assert_eq!(e["EntityName"], "CustomersV3", "{e}");
        assert_eq!(e["CustomerAccount"], "EV-1", "{e}");
        assert_eq!(e["dataAreaId"], "USMF", "{e}");
        assert_eq!(e["BusinessEventLegalEntity"], "USMF", "{e}");
        for field in ["BusinessEventId", "EventId", "EventTime"] {
            assert!(e[field].is_string(), "{field} present: {e}");
        }
        for field in ["MajorVersion", "MinorVersion"] {
            assert!(e[field].is_i64(), "{field} present: {e}");
        }
        controls.push(e["ControlNumber"].as_i64().expect("ControlNumber"));
    }
    assert!(
        controls.windows(2).all(|w| w[0] < w[1]),
        "control numbers increase: {controls:?}"
    );
    // WHEN a batch holds a failing change set and a working one.
    let failing = change_set(
        "cs_fail",
        &[
            http_part(
                Some("1"),
                "POST",
                "CustomersV3",
                Some(&json!({"CustomerAccount": "EV-2"})),
            ),
            http_part(
                Some("2"),
                "POST",
                "CustomersV3",
                Some(&json!({"CustomerAccount": "EV-2"})),
            ),
        ],
    );
    let working = change_set(
        "cs_ok",
        &[http_part(
            Some("1"),
            "POST",
            "CustomersV3",
            Some(&json!({"CustomerAccount": "EV-3"})),
        )],
    );
    let reply = fo.batch("batch_ev", &[failing, working]).await;
    assert_eq!(reply.status, StatusCode::OK);
    // THEN only the committed change set raises an event.
    let e = next_event(&mut rx).await;
    assert_eq!(
        e["CustomerAccount"], "EV-3",
        "rolled-back writes raise nothing: {e}"
    );
    assert_eq!(e["Operation"], "Create");
    // AND after all endpoints are removed, writes raise nothing.
    let resp = env
        .http
        .delete(&admin)
        .bearer_auth(&fo.token)
        .send()
        .await
        .expect("clear");
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let resp = fo.post(json!({"CustomerAccount": "EV-4"})).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let quiet = tokio::time::timeout(Duration::from_millis(500), rx.recv()).await;
    assert!(quiet.is_err(), "no event after unregistering: {quiet:?}");
    env.sandbox.shutdown().await;
}

/// Every value of `field` over all pages of `set` across companies, as `company|value`.
async fn company_values(fo: &Fo<'_>, set: &str, field: &str) -> std::collections::HashSet<String> {
    let body = json_of(fo.get(&fo.url(&format!("{set}?cross-company=true"))).await).await;
    body["value"]
        .as_array()
        .expect("value")
        .iter()
        .map(|r| {
            format!(
                "{}|{}",
                r["dataAreaId"].as_str().unwrap_or(""),
                r[field].as_str().unwrap_or("")
            )
        })
        .collect()
}

#[tokio::test]
async fn generated_customers_reference_generated_reference_data() {
    // GIVEN a sandbox with 300 generated customers.
    let env = start_with(|c| {
        c.rows = 300;
        c.seed = 5;
    })
    .await;
    let fo = Fo::new(&env).await;
    // WHEN the customers and their reference data are read.
    let customers = all_customers(&fo, "").await;
    let groups = company_values(&fo, "CustomerGroups", "CustomerGroupId").await;
    let terms = company_values(&fo, "PaymentTerms", "Name").await;
    let currencies = company_values(&fo, "Currencies", "CurrencyCode").await;
    // THEN every customer's group, terms and currency exist, and it has an address.
    assert_eq!(customers.len(), 300);
    for c in &customers {
        let company = c["dataAreaId"].as_str().expect("company");
        let group = format!("{company}|{}", c["CustomerGroupId"].as_str().unwrap_or(""));
        let term = format!("{company}|{}", c["PaymentTerms"].as_str().unwrap_or(""));
        let currency = format!("|{}", c["SalesCurrencyCode"].as_str().unwrap_or(""));
        assert!(groups.contains(&group), "group {group} exists");
        assert!(terms.contains(&term), "terms {term} exist");
        assert!(currencies.contains(&currency), "currency {currency} exists");
        assert!(
            !c["AddressCity"].as_str().unwrap_or("").is_empty()
                && !c["AddressCountryRegionId"]
                    .as_str()
                    .unwrap_or("")
                    .is_empty(),
            "address filled: {c}"
        );
    }
    env.sandbox.shutdown().await;
}

/// Measures `$batch` ingest (change sets of 1,000 creates) and paging reads on both
/// emulators; run with `--ignored --nocapture` in a release build and record the output.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark; see docs/BENCHMARKS.md"]
async fn batch_ingest_and_paging_rates() {
    let rows: usize = std::env::var("DUET_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let per_batch = 1_000;
    let env = start_with(|c| c.fo_page_size = 5_000).await;
    let (fo, dv) = (Fo::new(&env).await, Dv::new(&env).await);

    // F&O: each batch is one change set of `per_batch` POSTs.
    let started = Instant::now();
    for b in 0..rows / per_batch {
        let parts: Vec<String> = (0..per_batch)
            .map(|i| {
                let n = b * per_batch + i;
                http_part(
                    Some(&(i + 1).to_string()),
                    "POST",
                    "CustomersV3",
                    Some(&json!({"CustomerAccount": format!("BF-{n:07}"), "OrganizationName": format!("Bench {n}")})),
                )
            })
            .collect();
        let reply = fo.batch("bench", &[change_set("cs", &parts)]).await;
        assert_eq!(reply.status, StatusCode::OK, "F&O batch {b}");
    }
    let fo_ingest = started.elapsed();
    let started = Instant::now();
    let read = all_customers(&fo, "").await.len();
    let fo_read = started.elapsed();
    assert_eq!(read, rows, "every F&O row is read back");

    // Dataverse: the same through change sets of creates.
    let started = Instant::now();
    for b in 0..rows / per_batch {
        let parts: Vec<String> = (0..per_batch)
            .map(|i| {
                let n = b * per_batch + i;
                http_part(
                    Some(&(i + 1).to_string()),
                    "POST",
                    "accounts",
                    Some(&json!({"accountnumber": format!("BD-{n:07}"), "name": format!("Bench {n}")})),
                )
            })
            .collect();
        let reply = dv.batch("bench", &[change_set("cs", &parts)], None).await;
        assert_eq!(reply.status, StatusCode::OK, "Dataverse batch {b}");
    }
    let dv_ingest = started.elapsed();
    let started = Instant::now();
    let read = all_dv(&dv, "accounts?$select=accountnumber").await.len();
    let dv_read = started.elapsed();
    assert_eq!(read, rows, "every Dataverse row is read back");

    let rate = |d: Duration| rows as f64 / d.as_secs_f64();
    println!(
        "F&O: $batch ingest {rows} rows in {fo_ingest:.2?} ({:.0} rows/s); paging read in {fo_read:.2?} ({:.0} rows/s)",
        rate(fo_ingest),
        rate(fo_read)
    );
    println!(
        "Dataverse: $batch ingest {rows} rows in {dv_ingest:.2?} ({:.0} rows/s); paging read in {dv_read:.2?} ({:.0} rows/s)",
        rate(dv_ingest),
        rate(dv_read)
    );
    env.sandbox.shutdown().await;
}

#[path = "conformance/events.rs"]
mod events;

#[path = "conformance/fo_expand.rs"]
mod fo_expand;

#[path = "conformance/queries.rs"]
mod queries;

#[path = "conformance/templates.rs"]
mod templates;
