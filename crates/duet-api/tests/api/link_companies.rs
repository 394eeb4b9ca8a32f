//! Changing the link's legal entities while a map runs keeps every change still on its way:
//! a Dataverse edit waiting in the queue (finance and operations refusing writes for the
//! moment) reaches finance and operations after the added company's initial sync, and that
//! sync does not write the older finance and operations values over it.

use std::sync::Arc;
use std::time::Duration;

use duet_api::{Api, ApiOptions, MapState};
use duet_connect::{Credentials, DataverseClient, FinOpsClient, TokenProvider, Trust};
use duet_maps::TableMap;
use duet_sandbox::{FailWrites, Faults, Sandbox, SandboxConfig, Side};
use serde_json::{Value, json};

use crate::support::{add_cloud_pair, eventually};

/// Clients of the sandbox as another program would use them.
fn clients(sandbox: &Sandbox) -> (FinOpsClient, DataverseClient) {
    let http =
        duet_connect::http_client(&Trust::Only(sandbox.ca_pem().unwrap().to_owned())).unwrap();
    let tokens = Arc::new(TokenProvider::new(
        http.clone(),
        Credentials {
            token_url: sandbox.token_url(),
            client_id: sandbox.client_id().to_owned(),
            client_secret: sandbox.client_secret().to_owned(),
        },
    ));
    (
        FinOpsClient::new(http.clone(), tokens.clone(), sandbox.fo_url()),
        DataverseClient::new(http, tokens, sandbox.dv_url()),
    )
}

async fn map_state(api: &Api) -> (MapState, Option<String>) {
    let map = api.maps().await.unwrap().remove(0);
    (map.state, map.reason)
}

async fn finops_name(finops: &FinOpsClient, account: &str) -> Value {
    let row = finops
        .get(
            "CustomersV3",
            &[("dataAreaId", "DAT"), ("CustomerAccount", account)],
        )
        .await
        .unwrap()
        .expect("the customer exists");
    row["OrganizationName"].clone()
}

async fn dataverse_account(dataverse: &DataverseClient, account: &str) -> Value {
    let filter = format!("accountnumber eq '{account}'");
    let rows = dataverse
        .query("accounts", &[("$filter", filter.as_str())])
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "{account} is in Dataverse once");
    Value::Object(rows[0].clone())
}

#[tokio::test]
async fn adding_a_legal_entity_keeps_a_queued_dataverse_edit_and_does_not_overwrite_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = SandboxConfig::new(dir.path().join("sandbox"));
    config.rows = 40;
    let sandbox = Sandbox::start(config).await.unwrap();
    let api = Api::open(
        &dir.path().join("duet"),
        ApiOptions {
            keyring_service: format!("dev.duet.app.companies-test.{}", std::process::id()),
            ..ApiOptions::default()
        },
    )
    .await
    .unwrap();
    let (fo, dv) = add_cloud_pair(&api, &sandbox, true).await;
    api.link_environments(fo, dv, vec!["DAT".to_owned()])
        .await
        .unwrap();
    api.add_map(&TableMap::customers()).unwrap();
    api.run_map("customers").await.unwrap();
    eventually("the map runs", || async {
        (map_state(&api).await.0 == MapState::Running).then_some(())
    })
    .await;
    let (finops, dataverse) = clients(&sandbox);
    let account = dataverse_account(&dataverse, "DAT-000001").await;
    let before = finops_name(&finops, "DAT-000001").await;

    // GIVEN finance and operations refusing writes for the moment, and a Dataverse edit that
    // therefore waits in the map's queue.
    let refusing = Faults {
        fail_writes: Some(FailWrites {
            fraction: 1.0,
            status: 503,
        }),
        ..Faults::default()
    };
    sandbox.set_faults(Side::FinOps, refusing).unwrap();
    let id = account["accountid"].as_str().unwrap();
    let mut edit = serde_json::Map::new();
    edit.insert("name".to_owned(), json!("Edited in Dataverse"));
    dataverse.update_by_id("accounts", id, &edit).await.unwrap();
    eventually("the edit waits in the queue", || async {
        let queued = api.maps().await.unwrap().remove(0).queued;
        (queued >= 1).then_some(())
    })
    .await;

    // WHEN USMF is added to the link while the edit waits, and finance and operations then
    // takes writes again.
    api.set_link_companies(vec!["DAT".to_owned(), "USMF".to_owned()])
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    sandbox.set_faults(Side::FinOps, Faults::default()).unwrap();

    // THEN the edit reaches finance and operations, Dataverse still holds it, and USMF's
    // customers were copied to Dataverse.
    eventually("the edit reaches finance and operations", || async {
        (finops_name(&finops, "DAT-000001").await == json!("Edited in Dataverse")).then_some(())
    })
    .await;
    assert_ne!(before, json!("Edited in Dataverse"));
    eventually("the map runs again", || async {
        (map_state(&api).await.0 == MapState::Running).then_some(())
    })
    .await;
    let kept = dataverse_account(&dataverse, "DAT-000001").await;
    assert_eq!(
        kept["name"],
        json!("Edited in Dataverse"),
        "not overwritten"
    );
    let usmf = finops
        .count(
            "CustomersV3",
            &[
                ("cross-company", "true"),
                ("$filter", "dataAreaId eq 'USMF'"),
            ],
        )
        .await
        .unwrap();
    assert!(usmf > 0, "the sandbox has USMF customers");
    let in_dataverse = dataverse.count("accounts", &[]).await.unwrap();
    let in_finops = finops
        .count("CustomersV3", &[("cross-company", "true")])
        .await
        .unwrap();
    assert_eq!(in_dataverse, in_finops, "every customer of DAT and USMF");
    api.shutdown().await;
    sandbox.shutdown().await;
}
