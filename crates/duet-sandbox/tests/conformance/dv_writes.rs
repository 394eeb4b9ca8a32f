//! Dataverse writes: create, upsert by alternate key, conditional updates, id checks and the
//! bulk messages.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{Dv, json_of, start};

#[tokio::test]
async fn dv_create_upsert_and_conditions() {
    // GIVEN a Dataverse client.
    let env = start().await;
    let dv = Dv::new(&env).await;
    // WHEN an account is created.
    let resp = dv
        .post(
            &dv.url("accounts"),
            json!({"name": "Contoso", "accountnumber": "A-1", "creditlimit": 100.5}),
        )
        .await;
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
    let row = json_of(dv.get(&entity_id).await).await;
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
        .post(
            &dv.url("accounts"),
            json!({"name": "Dup", "accountnumber": "A-1"}),
        )
        .await;
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
        .patch(
            &key_url,
            json!({"name": "Fabrikam 2", "accountnumber": "ZZZ"}),
        )
        .await;
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
    let row = json_of(dv.get(&key_url).await).await;
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
    let resp = dv.patch(&key_url, json!({"colour": "red"})).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "unknown property");
    assert_eq!(
        json_of(resp).await["error"]["message"],
        "Invalid property 'colour' was found in entity 'Microsoft.Dynamics.CRM.account'."
    );
    // WHEN deleting a missing row.
    let resp = dv
        .delete(&dv.url("accounts(00000000-0000-0000-0000-000000000001)"))
        .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND, "missing row");
    assert_eq!(json_of(resp).await["error"]["code"], "0x80040217");
    // AND WhoAmI answers.
    let who = json_of(dv.get(&dv.url("WhoAmI")).await).await;
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
        .post(
            &dv.url("accounts"),
            json!({"accountid": url_id, "name": "Original", "accountnumber": "ID-1"}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT, "create with an id");
    let row_url = dv.url(&format!("accounts({url_id})"));
    // WHEN it is patched with a body that carries another accountid.
    let resp = dv
        .patch(&row_url, json!({"accountid": body_id, "name": "Changed"}))
        .await;
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
    let row = json_of(dv.get(&row_url).await).await;
    assert_eq!(
        row["name"], "Original",
        "the refused update left the row alone"
    );
    let other = dv.get(&dv.url(&format!("accounts({body_id})"))).await;
    assert_eq!(
        other.status(),
        StatusCode::NOT_FOUND,
        "no row was created under the body's id"
    );
    // WHEN a missing row's URL is upserted with a body that carries another accountid.
    let missing_id = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    let resp = dv
        .patch(
            &dv.url(&format!("accounts({missing_id})")),
            json!({"accountid": body_id, "name": "New"}),
        )
        .await;
    // THEN that is refused the same way.
    assert_eq!(
        resp.status(),
        StatusCode::BAD_REQUEST,
        "an upsert whose body id differs from the URL's is refused too"
    );
    // WHEN the body repeats the URL's id (in upper case and braces).
    let resp = dv
        .patch(
            &row_url,
            json!({"accountid": format!("{{{}}}", url_id.to_uppercase()), "name": "Same id"}),
        )
        .await;
    // THEN it is an ordinary update.
    assert_eq!(
        resp.status(),
        StatusCode::NO_CONTENT,
        "the same id written another way is not a mismatch"
    );
    env.sandbox.shutdown().await;
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
        .post(
            &dv.url("accounts/Microsoft.Dynamics.CRM.CreateMultiple"),
            json!({"Targets": [
                {"@odata.type": account, "name": "One", "accountnumber": "M-1"},
                {"@odata.type": account, "name": "Two", "accountnumber": "M-2"},
            ]}),
        )
        .await;
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
        .post(
            &dv.url("accounts/Microsoft.Dynamics.CRM.UpdateMultiple"),
            json!({"Targets": [
                {"@odata.type": account, "accountid": ids[0], "name": "One updated"},
            ]}),
        )
        .await;
    assert_eq!(
        resp.status(),
        StatusCode::NO_CONTENT,
        "UpdateMultiple answers 204"
    );
    let resp = dv
        .post(
            &dv.url("accounts/Microsoft.Dynamics.CRM.UpsertMultiple"),
            json!({"Targets": [
                {"@odata.type": account, "accountnumber": "M-2", "name": "Two upserted"},
                {"@odata.type": account, "accountnumber": "M-3", "name": "Three"},
            ]}),
        )
        .await;
    assert_eq!(
        resp.status(),
        StatusCode::NO_CONTENT,
        "UpsertMultiple answers 204"
    );
    // THEN the delta link reports the three rows with their latest values, in version order.
    let changes = json_of(dv.get(&delta).await).await["value"]
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
    let second = json_of(dv.get(&dv.url(&format!("accounts({})", ids[1]))).await).await;
    assert_eq!(
        second["name"], "Two upserted",
        "upsert by alternate key updated the row"
    );
    // WHEN CreateMultiple holds a duplicate key in its second target.
    let resp = dv
        .post(
            &dv.url("accounts/Microsoft.Dynamics.CRM.CreateMultiple"),
            json!({"Targets": [
                {"@odata.type": account, "name": "Four", "accountnumber": "M-4"},
                {"@odata.type": account, "name": "Dup", "accountnumber": "M-1"},
            ]}),
        )
        .await;
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
        .post(
            &dv.url("accounts/Microsoft.Dynamics.CRM.CreateMultiple"),
            json!({"Targets": [{"name": "Untyped"}]}),
        )
        .await;
    assert_eq!(
        resp.status(),
        StatusCode::BAD_REQUEST,
        "@odata.type is required"
    );
    let resp = dv
        .post(
            &dv.url("accounts/Microsoft.Dynamics.CRM.UpdateMultiple"),
            json!({"Targets": [
                {"@odata.type": account, "accountnumber": "NOPE", "name": "x"},
            ]}),
        )
        .await;
    // THEN both are refused.
    assert_eq!(
        resp.status(),
        StatusCode::NOT_FOUND,
        "UpdateMultiple never creates"
    );
}

#[tokio::test]
async fn dv_refuses_text_longer_than_the_column_holds() {
    // GIVEN an account.
    let env = start().await;
    let dv = Dv::new(&env).await;
    let resp = dv
        .post(
            &dv.url("accounts"),
            json!({"name": "Fabrikam", "accountnumber": "LEN-1", "telephone1": "555 0100"}),
        )
        .await;
    assert_eq!(
        resp.status(),
        StatusCode::NO_CONTENT,
        "a short phone is taken"
    );
    let row_url = dv.url("accounts(accountnumber='LEN-1')");
    // WHEN its phone is set to 51 characters, one more than telephone1 holds.
    let long = "5".repeat(51);
    let resp = dv.patch(&row_url, json!({"telephone1": long})).await;
    // THEN Dataverse refuses it with its MaxLength error, and the row keeps its phone.
    assert_eq!(
        resp.status(),
        StatusCode::BAD_REQUEST,
        "51 characters do not fit"
    );
    let body = json_of(resp).await;
    assert_eq!(
        body["error"]["code"], "0x80044331",
        "the MaxLength code: {body}"
    );
    assert_eq!(
        body["error"]["message"],
        "A validation error occurred.  The length of the 'telephone1' attribute of the 'account' entity exceeded the maximum allowed length of '50'.",
        "Dataverse's own wording"
    );
    let row = json_of(dv.get(&row_url).await).await;
    assert_eq!(
        row["telephone1"], "555 0100",
        "the refused write left the row alone"
    );
    // AND exactly 50 characters fit.
    let resp = dv
        .patch(&row_url, json!({"telephone1": "5".repeat(50)}))
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT, "50 characters fit");
}
