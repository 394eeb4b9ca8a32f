//! `$batch` on both sides: change sets, Content-ID references, rollback, continue-on-error and
//! the request cap.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{Dv, Fo, change_set, http_part, json_of, start};

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
    let resp = dv.post(&dv.url("$batch"), json!({})).await;
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
