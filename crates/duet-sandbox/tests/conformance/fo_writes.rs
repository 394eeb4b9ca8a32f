//! F&O writes: create, read by key, update with etags, delete, and the write-error shape.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{Fo, json_of, start};

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
