//! What an F&O client library calls besides the metadata service: the version actions and
//! installed modules, the JSON services' discovery tree and session info, and the data
//! requests exactly as such a client encodes them (percent-encoded `$` options, composite keys
//! with a lower-case company and `cross-company=true`). Metadata requests count for service
//! protection like data requests.

use std::time::Duration;

use duet_sandbox::ServiceLimits;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{Fo, json_of, start, start_with};

fn action(fo: &Fo<'_>, set: &str, name: &str) -> String {
    fo.url(&format!("{set}/Microsoft.Dynamics.DataEntities.{name}"))
}

#[tokio::test]
async fn fo_version_actions_and_installed_modules_answer_strings() {
    // GIVEN a signed-in F&O client.
    let env = start().await;
    let fo = Fo::new(&env).await;
    // WHEN each version action is posted with `{}`.
    for name in [
        "GetApplicationVersion",
        "GetPlatformBuildVersion",
        "GetApplicationBuildVersion",
    ] {
        let resp = fo
            .req(Method::POST, &action(&fo, "DataManagementEntities", name))
            .json(&json!({}))
            .send()
            .await
            .expect("POST");
        assert_eq!(resp.status(), StatusCode::OK, "{name}");
        assert!(
            resp.headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("application/json")),
            "{name} answers JSON"
        );
        let body = json_of(resp).await;
        // THEN each answers one string in an `Edm.String` envelope.
        assert!(
            body["@odata.context"]
                .as_str()
                .is_some_and(|c| c.ends_with("/data/$metadata#Edm.String")),
            "{body}"
        );
        let version = body["value"].as_str().expect("version string");
        assert!(
            version.split('.').all(|p| p.parse::<u32>().is_ok()),
            "{version}"
        );
    }
    // AND the modules come as a collection of `Name: … | Version: … | …` strings, with or
    // without a body.
    let resp = fo
        .req(
            Method::POST,
            &action(&fo, "SystemNotifications", "GetInstalledModules"),
        )
        .send()
        .await
        .expect("POST");
    let body = json_of(resp).await;
    assert!(
        body["@odata.context"]
            .as_str()
            .is_some_and(|c| c.ends_with("/data/$metadata#Collection(Edm.String)"))
    );
    let modules = body["value"].as_array().expect("modules");
    assert!(!modules.is_empty());
    for m in modules {
        let parts: Vec<&str> = m.as_str().expect("module string").split(" | ").collect();
        assert_eq!(parts.len(), 5, "{m}");
        assert!(parts[0].starts_with("Name: ") && parts[1].starts_with("Version: "));
    }
    // AND a GET, a parameter the action does not take, the wrong set or no token are refused.
    let url = action(&fo, "DataManagementEntities", "GetApplicationVersion");
    assert_eq!(fo.get(&url).await.status(), StatusCode::METHOD_NOT_ALLOWED);
    let resp = fo
        .req(Method::POST, &url)
        .json(&json!({"version": 1}))
        .send()
        .await
        .expect("POST");
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let wrong = action(&fo, "SystemNotifications", "GetApplicationVersion");
    let resp = fo.req(Method::POST, &wrong).send().await.expect("POST");
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let resp = env
        .http
        .post(&url)
        .json(&json!({}))
        .send()
        .await
        .expect("POST");
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn fo_json_services_list_their_tree_and_answer_user_session_info() {
    // GIVEN a signed-in F&O client.
    let env = start().await;
    let fo = Fo::new(&env).await;
    let services = format!("{}/api/services", env.sandbox.fo_url());
    // WHEN the discovery tree is walked.
    let groups = json_of(fo.get(&services).await).await;
    assert_eq!(groups["ServiceGroups"][0]["Name"], "UserSessionService");
    let group = json_of(fo.get(&format!("{services}/UserSessionService")).await).await;
    assert_eq!(group["Services"][0]["Name"], "AifUserSessionService");
    let service = format!("{services}/UserSessionService/AifUserSessionService");
    let ops = json_of(fo.get(&service).await).await;
    assert_eq!(ops["Operations"][0]["Name"], "GetUserSessionInfo");
    let op = format!("{service}/GetUserSessionInfo");
    let signature = json_of(fo.get(&op).await).await;
    assert_eq!(signature["Parameters"], json!([]));
    assert_eq!(signature["Return"]["Type"], "UserSessionInfo");
    // THEN the operation answers the session with no body and with `{}`.
    for body in [None, Some(json!({}))] {
        let mut req = fo.req(Method::POST, &op);
        if let Some(b) = &body {
            req = req.json(b);
        }
        let resp = req.send().await.expect("POST");
        assert_eq!(resp.status(), StatusCode::OK, "body {body:?}");
        let info = json_of(resp).await;
        assert_eq!(info["$id"], "1");
        assert_eq!(info["Company"], "DAT");
        assert_eq!(info["CurrencyInfo"]["$id"], "2");
        assert_eq!(info["IsSysAdmin"], true);
    }
    // AND names ignore case, unknown ones are 404s and the token is required.
    let lower = format!("{services}/usersessionservice/aifusersessionservice/getusersessioninfo");
    let resp = fo.req(Method::POST, &lower).send().await.expect("POST");
    assert_eq!(resp.status(), StatusCode::OK);
    let unknown = format!("{services}/UserSessionService/Nope");
    assert_eq!(fo.get(&unknown).await.status(), StatusCode::NOT_FOUND);
    let resp = env.http.post(&op).send().await.expect("POST");
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn fo_data_requests_as_a_python_client_encodes_them() {
    // GIVEN a signed-in client and the data service root it probes.
    let env = start().await;
    let fo = Fo::new(&env).await;
    let root = format!("{}/data", env.sandbox.fo_url());
    let body = json_of(fo.get(&root).await).await;
    assert!(
        body["value"]
            .as_array()
            .is_some_and(|sets| sets.iter().any(|s| s["name"] == "CustomersV3"))
    );
    // WHEN a customer is created in another company than the default one.
    let resp = fo
        .post(json!({"dataAreaId": "usmf", "CustomerAccount": "US-001", "OrganizationName": "Contoso"}))
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    // THEN its composite key with a lower-case company and `cross-company=true` addresses it.
    let key = fo.url("CustomersV3(dataAreaId='usmf',CustomerAccount='US-001')?cross-company=true");
    let row = json_of(fo.get(&key).await).await;
    assert_eq!(row["dataAreaId"], "USMF");
    let resp = fo
        .req(Method::PATCH, &key)
        .json(&json!({"OrganizationName": "Contoso US"}))
        .send()
        .await
        .expect("PATCH");
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    // AND a query whose option names are percent-encoded (`%24filter`) is read as options.
    let query = fo.url(
        "CustomersV3?%24filter=dataAreaId%20eq%20%27usmf%27&cross-company=true&%24select=CustomerAccount%2COrganizationName&%24top=5&%24skip=0&%24count=true",
    );
    let body = json_of(fo.get(&query).await).await;
    assert_eq!(body["@odata.count"], 1, "{body}");
    assert_eq!(body["value"][0]["OrganizationName"], "Contoso US");
    // AND without cross-company the default company's rows only are counted.
    let count = fo.get(&fo.url("CustomersV3/$count")).await;
    assert_eq!(count.text().await.expect("count"), "0");
    let count = fo
        .get(&fo.url("CustomersV3/$count?cross-company=true"))
        .await;
    assert_eq!(count.text().await.expect("count"), "1");
    // WHEN it is deleted, THEN reading it is a 404 in the OData error shape.
    let resp = fo.req(Method::DELETE, &key).send().await.expect("DELETE");
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let resp = fo.get(&key).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let err: Value = json_of(resp).await;
    assert_eq!(err["error"]["code"], "");
    assert!(
        err["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("US-001")),
        "{err}"
    );
}

#[tokio::test]
async fn fo_metadata_and_service_requests_count_for_service_protection() {
    // GIVEN an F&O emulator that allows two requests a minute per client.
    let env = start_with(|c| {
        c.fo_limits = ServiceLimits {
            requests: 2,
            window: Duration::from_secs(60),
            concurrent: 0,
        };
    })
    .await;
    let fo = Fo::new(&env).await;
    let base = env.sandbox.fo_url();
    // WHEN a metadata read and a JSON service call use up the window.
    let first = fo
        .get(&format!("{base}/Metadata/PublicEntities?$top=1"))
        .await;
    assert_eq!(first.status(), StatusCode::OK);
    let second = fo.get(&format!("{base}/api/services")).await;
    assert_eq!(second.status(), StatusCode::OK);
    // THEN the next metadata read is throttled.
    let third = fo.get(&format!("{base}/Metadata/DataEntities")).await;
    assert_eq!(third.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(third.headers().get("retry-after").is_some());
}
