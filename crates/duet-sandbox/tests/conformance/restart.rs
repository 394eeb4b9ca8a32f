//! A restart over the same directory keeps data and credentials and does not generate again.

use duet_sandbox::{Sandbox, SandboxConfig};
use reqwest::StatusCode;
use serde_json::json;

use crate::support::{Dv, Env, Fo, all_customers, json_of, start, start_with};

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
            .post(
                &dv.url("accounts"),
                json!({"name": "persisted", "accountnumber": "R1"}),
            )
            .await;
        assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    }
    let dv_before = Dv::new(&env).await;
    let version_before = json_of(
        dv_before
            .get(&dv_before.url("accounts(accountnumber='R1')"))
            .await,
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
