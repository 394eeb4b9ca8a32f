//! Service protection and injected faults: 429s with `Retry-After`, the concurrency limit, a
//! side taken down and writes that fail on purpose.

use std::time::Duration;

use duet_sandbox::{FailWrites, Faults, ServiceLimits, Side};
use reqwest::StatusCode;
use serde_json::json;

use crate::support::{Dv, Fo, change_set, http_part, json_of, start, start_with};

#[tokio::test]
async fn request_limits_answer_429_with_retry_after() {
    // GIVEN both emulators limited to 3 requests per 60 seconds per client.
    let limits = ServiceLimits {
        requests: 3,
        window: Duration::from_secs(60),
        concurrent: 0,
    };
    let env = start_with(|c| {
        c.dv_limits = limits;
        c.fo_limits = limits;
    })
    .await;
    let dv = Dv::new(&env).await;
    let fo = Fo::new(&env).await;
    // WHEN a fourth request is sent within the window on each side.
    for _ in 0..3 {
        assert_eq!(
            dv.status_of(&dv.url("WhoAmI")).await,
            StatusCode::OK,
            "within the limit"
        );
        assert_eq!(
            fo.get(&fo.url("LegalEntities")).await.status(),
            StatusCode::OK,
            "within the limit"
        );
    }
    let dv_resp = dv.get(&dv.url("WhoAmI")).await;
    let fo_resp = fo.get(&fo.url("LegalEntities")).await;
    // THEN both answer 429 with Retry-After and the documented messages.
    for resp in [&dv_resp, &fo_resp] {
        assert_eq!(
            resp.status(),
            StatusCode::TOO_MANY_REQUESTS,
            "over the limit"
        );
        let retry = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .expect("Retry-After in whole seconds");
        assert!(
            (1..=60).contains(&retry),
            "retry within the window: {retry}"
        );
    }
    let dv_err = json_of(dv_resp).await;
    assert_eq!(
        dv_err["error"]["code"], "0x80072322",
        "Dataverse request-count code"
    );
    assert_eq!(
        dv_err["error"]["message"],
        "Number of requests exceeded the limit of 3 over time window of 60 seconds.",
        "Dataverse message with the configured numbers"
    );
    assert_eq!(
        json_of(fo_resp).await["error"]["message"],
        "Number of requests exceeded the limit of 3 over the time window of 60 seconds.",
        "F&O message wording differs slightly from Dataverse's"
    );
}

#[tokio::test]
async fn concurrency_limit_answers_429() {
    // GIVEN Dataverse limited to one concurrent request per client, and slowed down.
    let env = start_with(|c| {
        c.dv_limits = ServiceLimits {
            concurrent: 1,
            ..ServiceLimits::off()
        };
    })
    .await;
    let dv = Dv::new(&env).await;
    env.sandbox
        .set_faults(
            Side::Dataverse,
            Faults {
                latency_ms: 400,
                ..Faults::default()
            },
        )
        .expect("valid faults");
    // WHEN two requests run at the same time.
    let url = dv.url("WhoAmI");
    let (a, b) = tokio::join!(
        dv.req(reqwest::Method::GET, &url).send(),
        dv.req(reqwest::Method::GET, &url).send()
    );
    let mut statuses = [a.expect("first").status(), b.expect("second").status()];
    statuses.sort();
    // THEN one is served and the other is refused at once.
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::TOO_MANY_REQUESTS],
        "the second concurrent request exceeds the limit of 1"
    );
    let resp = dv.get(&url).await;
    assert_eq!(
        resp.status(),
        StatusCode::OK,
        "the slot is free again afterwards"
    );
}

#[tokio::test]
async fn faults_take_a_side_down_and_fail_writes() {
    // GIVEN both emulators with their clients.
    let env = start().await;
    let dv = Dv::new(&env).await;
    let fo = Fo::new(&env).await;
    let admin = format!("{}/_sandbox/faults", env.sandbox.fo_url());
    // WHEN the admin endpoint is called without a token.
    let resp = env
        .http
        .post(&admin)
        .json(&json!({"down": true}))
        .send()
        .await
        .expect("admin POST");
    // THEN it is refused.
    assert_eq!(
        resp.status(),
        StatusCode::UNAUTHORIZED,
        "faults need the bearer token"
    );
    // WHEN F&O is taken down over HTTP.
    let resp = env
        .http
        .post(&admin)
        .bearer_auth(&fo.token)
        .json(&json!({"down": true}))
        .send()
        .await
        .expect("admin POST");
    assert_eq!(resp.status(), StatusCode::OK, "faults accepted");
    // THEN F&O answers 503 while Dataverse is unaffected, and GET shows the setting.
    assert_eq!(
        fo.get(&fo.url("LegalEntities")).await.status(),
        StatusCode::SERVICE_UNAVAILABLE,
        "a down side answers 503"
    );
    assert_eq!(
        dv.status_of(&dv.url("WhoAmI")).await,
        StatusCode::OK,
        "other side up"
    );
    let current = json_of(
        env.http
            .get(&admin)
            .bearer_auth(&fo.token)
            .send()
            .await
            .expect("admin GET"),
    )
    .await;
    assert_eq!(current["down"], true, "GET reports the current faults");
    assert!(
        env.sandbox.faults(Side::FinOps).down,
        "the Rust view agrees with the HTTP view"
    );
    // WHEN the faults are cleared with DELETE.
    let resp = env
        .http
        .delete(&admin)
        .bearer_auth(&fo.token)
        .send()
        .await
        .expect("admin DELETE");
    assert_eq!(resp.status(), StatusCode::OK, "cleared");
    // THEN F&O serves again.
    assert_eq!(
        fo.get(&fo.url("LegalEntities")).await.status(),
        StatusCode::OK,
        "back up after clearing"
    );
    // WHEN Dataverse is taken down and brought back from Rust.
    let down = Faults {
        down: true,
        ..Faults::default()
    };
    env.sandbox
        .set_faults(Side::Dataverse, down)
        .expect("valid");
    assert_eq!(
        dv.status_of(&dv.url("WhoAmI")).await,
        StatusCode::SERVICE_UNAVAILABLE,
        "down from Rust"
    );
    env.sandbox
        .set_faults(Side::Dataverse, Faults::default())
        .expect("valid");
    assert_eq!(
        dv.status_of(&dv.url("WhoAmI")).await,
        StatusCode::OK,
        "up again"
    );
    // WHEN every F&O write fails with 503.
    env.sandbox
        .set_faults(
            Side::FinOps,
            Faults {
                fail_writes: Some(FailWrites {
                    fraction: 1.0,
                    status: 503,
                }),
                ..Faults::default()
            },
        )
        .expect("valid");
    let resp = fo
        .post(json!({"CustomerAccount": "F-1", "OrganizationName": "Fails"}))
        .await;
    // THEN single writes and batched writes fail, while reads still work.
    assert_eq!(
        resp.status(),
        StatusCode::SERVICE_UNAVAILABLE,
        "write failed on purpose"
    );
    assert_eq!(
        fo.get(&fo.url("LegalEntities")).await.status(),
        StatusCode::OK,
        "reads are not affected by fail_writes"
    );
    let reply = fo
        .batch(
            "batch_f",
            &[change_set(
                "cs",
                &[http_part(
                    Some("1"),
                    "POST",
                    "CustomersV3",
                    Some(&json!({"CustomerAccount": "F-2"})),
                )],
            )],
        )
        .await;
    assert_eq!(
        reply.statuses(),
        vec![503],
        "the change set fails with the injected status"
    );
    // WHEN invalid faults are posted.
    let resp = env
        .http
        .post(&admin)
        .bearer_auth(&fo.token)
        .json(&json!({"fail_writes": {"fraction": 2.0}}))
        .send()
        .await
        .expect("admin POST");
    // THEN they are refused.
    assert_eq!(
        resp.status(),
        StatusCode::BAD_REQUEST,
        "fraction above 1 is refused"
    );
}
