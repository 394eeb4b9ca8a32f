//! End to end through the real HTTP protocols: Duet's API starts the sandbox pair, links it
//! and runs the demo map; a customer created in finance and operations appears as an account
//! in Dataverse, a rename in Dataverse reaches the customer, and both rows are in the
//! activity log. Secrets go through the OS keyring (run under a Secret Service).

use std::collections::HashMap;
use std::time::Duration;

use duet_api::{ActivityKind, Api, ApiOptions, Direction, MapState};
use serde_json::{Value, json};

async fn eventually<T, F, Fut>(what: &str, mut probe: F) -> T
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

struct Remote {
    http: reqwest::Client,
    env: HashMap<String, String>,
}

impl Remote {
    async fn token(&self, resource: &str) -> String {
        let response: Value = self
            .http
            .post(&self.env["DUET_TOKEN_URL"])
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", &self.env["DUET_CLIENT_ID"]),
                ("client_secret", &self.env["DUET_CLIENT_SECRET"]),
                ("scope", &format!("{resource}/.default")),
            ])
            .send()
            .await
            .expect("token endpoint answers")
            .json()
            .await
            .expect("token JSON");
        response["access_token"]
            .as_str()
            .expect("a token")
            .to_owned()
    }

    async fn send(
        &self,
        method: reqwest::Method,
        resource_key: &str,
        path: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        let resource = &self.env[resource_key];
        let mut request = self
            .http
            .request(method, format!("{resource}{path}"))
            .bearer_auth(self.token(resource).await)
            .header("OData-Version", "4.0")
            .header("OData-MaxVersion", "4.0")
            .header("Accept", "application/json");
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("the environment answers")
    }
}

#[tokio::test]
async fn a_customer_and_an_account_change_cross_over_and_are_logged() {
    let dir = tempfile::tempdir().unwrap();
    let options = ApiOptions {
        keyring_service: format!("dev.duet.app.e2e.{}", std::process::id()),
        ..ApiOptions::default()
    };
    let api = Api::open(dir.path(), options).await.expect("the API opens");
    let lines = api
        .start_sandbox_demo()
        .await
        .expect("the sandbox demo starts");
    let env: std::collections::HashMap<String, String> = lines.into_iter().collect();
    let authority = std::fs::read(&env["DUET_CA_FILE"]).expect("the sandbox's authority");
    let http = reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&authority).unwrap())
        .build()
        .unwrap();
    let remote = Remote { http, env };
    for key in [
        "DUET_FO_URL",
        "DUET_DV_URL",
        "DUET_TOKEN_URL",
        "DUET_TENANT",
        "DUET_CLIENT_ID",
        "DUET_CLIENT_SECRET",
        "DUET_CA_FILE",
    ] {
        assert!(remote.env.contains_key(key), "the sandbox prints {key}");
    }
    let link = api
        .link()
        .await
        .unwrap()
        .expect("the sandbox pair is linked");
    assert_eq!(link.companies, ["DAT", "USMF"]);
    assert!(
        link.dataverse
            .health
            .iter()
            .all(|check| check.status == duet_api::HealthStatus::Healthy),
        "a fresh sandbox link is healthy: {:?}",
        link.dataverse.health
    );
    eventually("the demo map to run", || async {
        let maps = api.maps().await.ok()?;
        (maps.first()?.state == MapState::Running).then_some(())
    })
    .await;

    // GIVEN a customer created in finance and operations.
    let created = remote
        .send(
            reqwest::Method::POST,
            "DUET_FO_URL",
            "/data/CustomersV3",
            Some(json!({"dataAreaId": "DAT", "CustomerAccount": "E2E-0001",
                "OrganizationName": "End To End Ltd", "CreditLimit": 1234})),
        )
        .await;
    assert_eq!(
        created.status(),
        201,
        "finance and operations creates the customer"
    );

    // THEN the account appears in Dataverse.
    let account = eventually("the account in Dataverse", || async {
        let response = remote
            .send(
                reqwest::Method::GET,
                "DUET_DV_URL",
                "/api/data/v9.2/accounts(accountnumber='E2E-0001')",
                None,
            )
            .await;
        if response.status() != 200 {
            return None;
        }
        response.json::<Value>().await.ok()
    })
    .await;
    assert_eq!(account["name"], "End To End Ltd");

    // WHEN the account is renamed in Dataverse.
    let renamed = remote
        .send(
            reqwest::Method::PATCH,
            "DUET_DV_URL",
            &format!(
                "/api/data/v9.2/accounts({})",
                account["accountid"].as_str().unwrap()
            ),
            Some(json!({"name": "Renamed End To End"})),
        )
        .await;
    assert_eq!(renamed.status(), 204);

    // THEN the customer changes in finance and operations.
    eventually("the rename in finance and operations", || async {
        let response = remote
            .send(
                reqwest::Method::GET,
                "DUET_FO_URL",
                "/data/CustomersV3(dataAreaId='DAT',CustomerAccount='E2E-0001')",
                None,
            )
            .await;
        let customer: Value = response.json().await.ok()?;
        (customer["OrganizationName"] == "Renamed End To End").then_some(())
    })
    .await;

    // AND both rows are in the activity log.
    let activity = eventually("both rows in the activity log", || async {
        let rows: Vec<_> = api
            .activity(200)
            .await
            .ok()?
            .into_iter()
            .filter(|entry| {
                entry.kind == ActivityKind::Row && entry.key.as_deref() == Some("DAT|E2E-0001")
            })
            .collect();
        (rows.len() >= 2).then_some(rows)
    })
    .await;
    assert!(
        activity
            .iter()
            .any(|entry| entry.direction == Some(Direction::ToDataverse))
    );
    assert!(
        activity
            .iter()
            .any(|entry| entry.direction == Some(Direction::ToFinanceOperations))
    );
    let maps = api.maps().await.unwrap();
    assert!(maps[0].rows_synced >= 2, "the map counts its synced rows");

    // AND no secret was written to the SQLite store.
    let secret = remote.env["DUET_CLIENT_SECRET"].as_bytes();
    for file in ["duet.sqlite", "duet.sqlite-wal"] {
        let bytes = std::fs::read(dir.path().join(file)).unwrap_or_default();
        assert!(
            !bytes.windows(secret.len()).any(|window| window == secret),
            "the client secret must live only in the OS keyring, yet {file} holds it"
        );
    }
    api.shutdown().await;
}
