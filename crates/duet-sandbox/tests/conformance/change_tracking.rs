//! Dataverse change tracking: delta links after updates and deletes, and `Prefer: wait`.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{Dv, json_of, start};

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
        .patch(
            &dv.url(&format!("accounts({})", ids[0])),
            json!({"name": "kept"}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    for url in [dv.url(&format!("accounts({})", ids[1]))] {
        let resp = dv.delete(&url).await;
        assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    }
    let resp = dv.post(&dv.url("accounts"), json!({"name": "flash"})).await;
    let flash = resp.headers()["OData-EntityId"]
        .to_str()
        .expect("id")
        .to_string();
    dv.delete(&flash).await;
    // THEN the delta has the update first, then the tombstones.
    let body = json_of(dv.get(&delta).await).await;
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
    let resp = dv.get(&dv.url("accounts?$deltatoken=garbage")).await;
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
