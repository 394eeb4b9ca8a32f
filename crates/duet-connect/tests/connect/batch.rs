//! `$batch` and data events through the real clients against the sandbox over HTTPS.

use crate::{http, tokens};
use duet_connect::{BatchItem, BatchRequest, DataverseClient, FinOpsClient};
use duet_sandbox::{Sandbox, SandboxConfig};
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn dataverse_change_sets_apply_whole_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(SandboxConfig::new(dir.path()))
        .await
        .unwrap();
    let client = DataverseClient::new(http(&sandbox), tokens(&sandbox), sandbox.dv_url());

    // GIVEN a batch with a change set that creates an account and renames it through its
    // Content-ID, and a read.
    let results = client
        .batch(
            &[
                BatchItem::ChangeSet(vec![
                    BatchRequest::new(
                        Method::POST,
                        "accounts",
                        Some(json!({"name": "Batch A", "accountnumber": "B-1"})),
                    )
                    .with_content_id("1"),
                    BatchRequest::new(Method::PATCH, "$1", Some(json!({"name": "Batch A2"})))
                        .with_content_id("2"),
                ]),
                BatchItem::Single(BatchRequest::new(
                    Method::GET,
                    "accounts?$select=name&$filter=accountnumber eq 'B-1'",
                    None,
                )),
            ],
            false,
        )
        .await
        .unwrap();
    // THEN each request has its result, in order, and the read sees the rename.
    let statuses: Vec<u16> = results.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [204, 204, 200], "{results:?}");
    assert!(
        results[0]
            .entity_id
            .as_deref()
            .unwrap()
            .contains("accounts(")
    );
    assert_eq!(
        results[2].body.as_ref().unwrap()["value"][0]["name"],
        "Batch A2"
    );

    // WHEN a change set's second request fails.
    let results = client
        .batch(
            &[BatchItem::ChangeSet(vec![
                BatchRequest::new(
                    Method::POST,
                    "accounts",
                    Some(json!({"name": "Rolled back", "accountnumber": "B-2"})),
                ),
                BatchRequest::new(Method::POST, "accounts", Some(json!({"nosuchcolumn": 1}))),
            ])],
            false,
        )
        .await
        .unwrap();
    // THEN the batch answers with the failure, classified, and the first create is undone.
    assert_eq!(results.len(), 1, "{results:?}");
    let error = results[0].error("accounts").expect("a failure");
    assert_eq!(error.status, Some(400));
    assert!(error.message.contains("nosuchcolumn"), "{}", error.message);
    let rows = client
        .query("accounts", &[("$filter", "accountnumber eq 'B-2'")])
        .await
        .unwrap();
    assert!(rows.is_empty(), "the change set rolled back");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn finance_and_operations_batches_answer_per_request() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(SandboxConfig::new(dir.path()))
        .await
        .unwrap();
    let client = FinOpsClient::new(http(&sandbox), tokens(&sandbox), sandbox.fo_url());
    let customer = |account: &str| {
        Some(
            json!({"dataAreaId": "dat", "CustomerAccount": account, "OrganizationName": account, "CustomerGroupId": "10"}),
        )
    };
    let results = client
        .batch(
            &[
                BatchItem::Single(BatchRequest::new(
                    Method::POST,
                    "CustomersV3",
                    customer("BT-1"),
                )),
                BatchItem::Single(BatchRequest::new(
                    Method::PATCH,
                    "CustomersV3(dataAreaId='dat',CustomerAccount='NOPE')",
                    Some(json!({"OrganizationName": "x"})),
                )),
                BatchItem::Single(BatchRequest::new(
                    Method::POST,
                    "CustomersV3",
                    customer("BT-2"),
                )),
            ],
            true,
        )
        .await
        .unwrap();
    let statuses: Vec<u16> = results.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [201, 404, 201], "{results:?}");
    assert!(results[1].error("CustomersV3").is_some());
    let count = client
        .count(
            "CustomersV3",
            &[("$filter", "startswith(CustomerAccount,'BT-')")],
        )
        .await
        .unwrap();
    assert_eq!(count, 2);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn data_events_of_every_write_reach_a_registered_receiver() {
    // GIVEN a receiver registered for CustomersV3 data events.
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(SandboxConfig::new(dir.path()))
        .await
        .unwrap();
    let tokens = tokens(&sandbox);
    let (receiver, mut events) = duet_connect::DataEventReceiver::start().await.unwrap();
    let token = tokens.token(sandbox.fo_url()).await.unwrap();
    let registered = http(&sandbox)
        .post(format!("{}/_sandbox/dataevents", sandbox.fo_url()))
        .bearer_auth(&token)
        .json(&json!({"url": receiver.url(), "entity": "CustomersV3"}))
        .send()
        .await
        .unwrap();
    assert_eq!(registered.status(), 201);
    let client = FinOpsClient::new(http(&sandbox), tokens.clone(), sandbox.fo_url());

    // WHEN a customer is created, updated and deleted, and another created through $batch.
    let body = json!({"dataAreaId": "usmf", "CustomerAccount": "EV-1", "OrganizationName": "Events", "CustomerGroupId": "10"});
    client
        .create("CustomersV3", body.as_object().unwrap())
        .await
        .unwrap();
    let key = [("dataAreaId", "usmf"), ("CustomerAccount", "EV-1")];
    client
        .update(
            "CustomersV3",
            &key,
            json!({"OrganizationName": "Events 2"}).as_object().unwrap(),
        )
        .await
        .unwrap();
    client.delete("CustomersV3", &key).await.unwrap();
    client
        .batch(
            &[BatchItem::Single(BatchRequest::new(
                Method::POST,
                "CustomersV3",
                Some(json!({"CustomerAccount": "EV-2", "OrganizationName": "Batched", "CustomerGroupId": "10"})),
            ))],
            false,
        )
        .await
        .unwrap();

    // THEN four events arrive with the operation, company and key of each write.
    let mut received = Vec::new();
    while received.len() < 4 {
        let event = tokio::time::timeout(std::time::Duration::from_secs(10), events.recv())
            .await
            .expect("an event within 10 s")
            .expect("the receiver runs");
        received.push(event);
    }
    received.sort_by_key(|event| event.control_number);
    let seen: Vec<(String, Option<String>, Value)> = received
        .iter()
        .map(|event| {
            (
                event.operation.clone(),
                event.company.clone(),
                event.envelope["CustomerAccount"].clone(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("Create".to_owned(), Some("USMF".to_owned()), json!("EV-1")),
            ("Update".to_owned(), Some("USMF".to_owned()), json!("EV-1")),
            ("Delete".to_owned(), Some("USMF".to_owned()), json!("EV-1")),
            ("Create".to_owned(), Some("DAT".to_owned()), json!("EV-2")),
        ]
    );
    assert!(received.iter().all(|event| event.entity == "CustomersV3"));
    assert!(received[0].envelope.contains_key("EventTimeIso8601"));
    assert!(!received[0].event_id.is_empty());
    sandbox.shutdown().await;
}

#[tokio::test]
async fn etags_guard_updates_on_both_sides() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = SandboxConfig::new(dir.path());
    config.rows = 3;
    let sandbox = Sandbox::start(config).await.unwrap();
    let tokens = tokens(&sandbox);
    let dataverse = DataverseClient::new(http(&sandbox), tokens.clone(), sandbox.dv_url());
    let finops = FinOpsClient::new(http(&sandbox), tokens, sandbox.fo_url());
    let body = |name: &str| json!({ "name": name }).as_object().cloned().unwrap();

    // Dataverse: create-only by key, then update at the etag read, then a stale etag.
    let key = [("accountnumber", "ET-1")];
    dataverse
        .create_by_key("accounts", &key, &body("First"))
        .await
        .unwrap();
    let again = dataverse
        .create_by_key("accounts", &key, &body("Second"))
        .await
        .unwrap_err();
    assert_eq!(again.status, Some(412), "{again}");
    let read = dataverse
        .query("accounts", &[("$filter", "accountnumber eq 'ET-1'")])
        .await
        .unwrap();
    let etag = read[0]["@odata.etag"].as_str().unwrap().to_owned();
    dataverse
        .update_if_match("accounts", &key, &body("Renamed"), &etag)
        .await
        .unwrap();
    let stale = dataverse
        .update_if_match("accounts", &key, &body("Lost"), &etag)
        .await
        .unwrap_err();
    assert_eq!(stale.class, duet_connect::ErrorClass::Conflict, "{stale}");

    // Finance and operations: the same with a customer's etag.
    let rows = finops
        .query("CustomersV3", &[("cross-company", "true")])
        .await
        .unwrap();
    let row = &rows[0];
    let company = row["dataAreaId"].as_str().unwrap().to_owned();
    let account = row["CustomerAccount"].as_str().unwrap().to_owned();
    let etag = row["@odata.etag"].as_str().unwrap().to_owned();
    let key = [
        ("dataAreaId", company.as_str()),
        ("CustomerAccount", account.as_str()),
    ];
    let change = json!({"OrganizationName": "Guarded"})
        .as_object()
        .cloned()
        .unwrap();
    finops
        .update_if_match("CustomersV3", &key, &change, &etag)
        .await
        .unwrap();
    let stale = finops
        .update_if_match("CustomersV3", &key, &change, &etag)
        .await
        .unwrap_err();
    assert_eq!(stale.status, Some(412), "{stale}");
    sandbox.shutdown().await;
}
