//! The clients against the sandbox over HTTPS when the service pushes back: a storm of 429s
//! that ends with nothing lost, and tokens that expire while work goes on.

use std::sync::Arc;
use std::time::Duration;

use crate::{http, tokens};
use duet_connect::{ConcurrencySettings, FinOpsClient, RetrySettings};
use duet_sandbox::{Sandbox, SandboxConfig, ServiceLimits};
use serde_json::json;

#[tokio::test]
async fn a_storm_of_429s_ends_with_every_row_written_once() {
    // GIVEN a finance and operations emulator that allows 40 requests a second and 4 at once.
    let dir = tempfile::tempdir().unwrap();
    let mut config = SandboxConfig::new(dir.path());
    config.fo_limits = ServiceLimits {
        requests: 40,
        window: Duration::from_secs(1),
        concurrent: 4,
    };
    let sandbox = Sandbox::start(config).await.unwrap();
    let client = Arc::new(
        FinOpsClient::new(http(&sandbox), tokens(&sandbox), sandbox.fo_url())
            .with_retry(RetrySettings {
                attempts: 60,
                base_delay: Duration::from_millis(50),
                max_delay: Duration::from_secs(1),
            })
            .with_concurrency(ConcurrencySettings {
                initial: 16,
                min: 1,
                max: 16,
            }),
    );

    // WHEN 120 customers are created at once.
    let mut tasks = Vec::new();
    for n in 0..120 {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            let body = json!({
                "dataAreaId": "dat",
                "CustomerAccount": format!("STORM-{n:04}"),
                "OrganizationName": format!("Storm customer {n}"),
                "CustomerGroupId": "10",
            });
            client
                .create("CustomersV3", body.as_object().unwrap())
                .await
        }));
    }
    let mut failures = Vec::new();
    for task in tasks {
        if let Err(error) = task.await.unwrap() {
            failures.push(error.to_string());
        }
    }

    // THEN every create succeeded after its 429s, each row exists once, and the client
    // lowered its concurrency under the pressure.
    assert!(failures.is_empty(), "{failures:?}");
    let state = client.concurrency();
    assert!(state.throttled > 0, "the storm produced 429s: {state:?}");
    assert!(state.lowest < 16, "the limit came down: {state:?}");
    assert_eq!(state.in_flight, 0);
    let count = client
        .count(
            "CustomersV3",
            &[("$filter", "startswith(CustomerAccount,'STORM-')")],
        )
        .await
        .unwrap();
    assert_eq!(count, 120);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn tokens_that_expire_mid_run_are_renewed_without_a_failed_request() {
    // GIVEN tokens that live two seconds.
    let dir = tempfile::tempdir().unwrap();
    let mut config = SandboxConfig::new(dir.path());
    config.token_lifetime = Duration::from_secs(2);
    config.rows = 5;
    let sandbox = Sandbox::start(config).await.unwrap();
    let tokens = tokens(&sandbox);
    let client = FinOpsClient::new(http(&sandbox), tokens.clone(), sandbox.fo_url());

    // WHEN the client keeps reading for five seconds.
    let started = tokio::time::Instant::now();
    let mut reads = 0;
    while started.elapsed() < Duration::from_secs(5) {
        let rows = client
            .query("CustomersV3", &[("cross-company", "true")])
            .await
            .expect("every read succeeds across token expiry");
        assert_eq!(rows.len(), 5);
        reads += 1;
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    // THEN it fetched new tokens along the way, and far fewer than it made requests.
    let fetched = tokens.fetches();
    assert!(fetched >= 3, "tokens were renewed: {fetched}");
    assert!(fetched < reads, "{fetched} tokens for {reads} reads");
    sandbox.shutdown().await;
}
