//! F&O data events: retries in commit order, parked failures that can be resent, and
//! endpoints and waiting deliveries that survive a restart.

use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::{Duration, Instant};

use duet_sandbox::{EventRetry, Sandbox, SandboxConfig};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::sync::mpsc::UnboundedReceiver;

use crate::support::{Env, Fo, json_of, start_with};

/// One delivery attempt as the receiver saw it: the envelope and the status it answered.
type Attempt = (Value, u16);

/// A webhook receiver whose answer can be changed while it runs; every attempt is reported.
async fn switchable_receiver(status: u16) -> (String, UnboundedReceiver<Attempt>, Arc<AtomicU16>) {
    let answer = Arc::new(AtomicU16::new(status));
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let current = answer.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
            let (tx, current) = (tx.clone(), current.clone());
            async move {
                let status = current.load(Ordering::SeqCst);
                let _ = tx.send((body, status));
                axum::http::StatusCode::from_u16(status).expect("status")
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind receiver");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, rx, answer)
}

async fn next_attempt(rx: &mut UnboundedReceiver<Attempt>) -> Attempt {
    tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("an attempt arrives within 10 s")
        .expect("receiver open")
}

fn quick_retry(attempts: u32) -> EventRetry {
    EventRetry {
        attempts,
        first_delay: Duration::from_millis(100),
        max_delay: Duration::from_millis(200),
        timeout: Duration::from_secs(2),
    }
}

async fn register(fo: &Fo<'_>, url: &str) -> String {
    let resp = fo
        .env
        .http
        .post(format!("{}/_sandbox/dataevents", fo.env.sandbox.fo_url()))
        .bearer_auth(&fo.token)
        .json(&json!({"url": url, "entity": "CustomersV3"}))
        .send()
        .await
        .expect("register");
    assert_eq!(resp.status(), StatusCode::CREATED, "endpoint registered");
    json_of(resp).await["id"]
        .as_str()
        .expect("registration id")
        .to_string()
}

async fn admin_get(fo: &Fo<'_>, rest: &str) -> Value {
    let resp = fo
        .get(&format!(
            "{}/_sandbox/dataevents{rest}",
            fo.env.sandbox.fo_url()
        ))
        .await;
    assert_eq!(
        resp.status(),
        StatusCode::OK,
        "GET /_sandbox/dataevents{rest}"
    );
    json_of(resp).await
}

/// Polls `rest` until `done` holds for its body, for at most 10 seconds.
async fn admin_until(fo: &Fo<'_>, rest: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let body = admin_get(fo, rest).await;
        if done(&body) {
            return body;
        }
        assert!(Instant::now() < deadline, "{rest} never settled: {body}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn failed_deliveries_are_retried_in_order_then_parked_and_resent() {
    // GIVEN an endpoint that answers 503, with three attempts 100-200 ms apart.
    let env = start_with(|c| c.event_retry = quick_retry(3)).await;
    let fo = Fo::new(&env).await;
    let (url, mut rx, answer) = switchable_receiver(503).await;
    let id = register(&fo, &url).await;
    // WHEN a customer is created and then updated through a URL typed in lower case.
    let resp = fo
        .post(json!({"dataAreaId": "usmf", "CustomerAccount": "RT-1", "OrganizationName": "Retry"}))
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let resp = env
        .http
        .patch(fo.url("CustomersV3(dataAreaId='usmf',CustomerAccount='rt-1')"))
        .bearer_auth(&fo.token)
        .json(&json!({"SalesMemo": "changed"}))
        .send()
        .await
        .expect("PATCH");
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    // THEN the create is tried three times with one EventId, and only then the update, also
    // three times: a failing event holds back the later ones.
    let mut seen = Vec::new();
    for _ in 0..6 {
        let (event, status) = next_attempt(&mut rx).await;
        assert_eq!(status, 503);
        seen.push((
            event["Operation"].as_str().expect("Operation").to_string(),
            event["EventId"].as_str().expect("EventId").to_string(),
        ));
    }
    let operations: Vec<&str> = seen.iter().map(|(op, _)| op.as_str()).collect();
    assert_eq!(
        operations,
        ["Create", "Create", "Create", "Update", "Update", "Update"]
    );
    assert!(
        seen[..3].iter().all(|(_, id)| *id == seen[0].1),
        "one EventId per event"
    );
    assert!(
        seen[3..].iter().all(|(_, id)| *id == seen[3].1),
        "one EventId per event"
    );
    assert_ne!(seen[0].1, seen[3].1, "each event has its own EventId");
    // AND both are parked as failed with their attempts and the last error.
    let errors = admin_until(&fo, &format!("/{id}/errors"), |b| {
        b["value"].as_array().is_some_and(|v| v.len() == 2)
    })
    .await;
    let parked = errors["value"].as_array().expect("value");
    assert_eq!(
        parked[0]["BusinessEventId"], "CustomersV3_Create",
        "{errors}"
    );
    assert_eq!(
        parked[1]["BusinessEventId"], "CustomersV3_Update",
        "{errors}"
    );
    for p in parked {
        assert_eq!(p["attempts"], 3, "{p}");
        assert!(
            p["lastError"].as_str().is_some_and(|e| e.contains("503")),
            "the error names the status: {p}"
        );
        assert!(p["lastAttempt"].is_string(), "{p}");
    }
    let listing = admin_get(&fo, "").await;
    assert_eq!(listing["value"][0]["failed"], 2, "{listing}");
    assert_eq!(listing["value"][0]["pending"], 0, "{listing}");
    // AND nothing more is tried once parked.
    let quiet = tokio::time::timeout(Duration::from_millis(400), rx.recv()).await;
    assert!(quiet.is_err(), "no attempt after parking: {quiet:?}");

    // WHEN the endpoint recovers and the parked events are resent.
    answer.store(200, Ordering::SeqCst);
    let resp = env
        .http
        .post(format!(
            "{}/_sandbox/dataevents/{id}/errors/resend",
            env.sandbox.fo_url()
        ))
        .bearer_auth(&fo.token)
        .send()
        .await
        .expect("resend");
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(json_of(resp).await["resent"], 2);
    // THEN they arrive in order, with their original EventIds and the keys as stored.
    for (op, event_id) in [("Create", &seen[0].1), ("Update", &seen[3].1)] {
        let (event, status) = next_attempt(&mut rx).await;
        assert_eq!(status, 200);
        assert_eq!(event["Operation"], op, "{event}");
        assert_eq!(
            event["EventId"].as_str(),
            Some(event_id.as_str()),
            "{event}"
        );
        assert_eq!(event["dataAreaId"], "USMF", "stored company case: {event}");
        assert_eq!(event["CustomerAccount"], "RT-1", "stored key case: {event}");
        assert_eq!(event["BusinessEventLegalEntity"], "USMF", "{event}");
    }
    admin_until(&fo, &format!("/{id}/errors"), |b| {
        b["value"].as_array().is_some_and(Vec::is_empty)
    })
    .await;
    // AND an unknown endpoint id is a 404.
    let resp = fo
        .get(&format!(
            "{}/_sandbox/dataevents/nope/errors",
            env.sandbox.fo_url()
        ))
        .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    // AND a call on one endpoint needs a sign-in first, then the path's one method.
    let errors_url = format!("{}/_sandbox/dataevents/{id}/errors", env.sandbox.fo_url());
    let anonymous = env.http.get(&errors_url).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let wrong = env
        .http
        .post(&errors_url)
        .bearer_auth(&fo.token)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::METHOD_NOT_ALLOWED);
    let resend = env
        .http
        .get(format!("{errors_url}/resend"))
        .bearer_auth(&fo.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resend.status(), StatusCode::METHOD_NOT_ALLOWED);
    let gone = env
        .http
        .delete(format!("{}/_sandbox/dataevents/nope", env.sandbox.fo_url()))
        .bearer_auth(&fo.token)
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_delivery_that_fails_twice_then_succeeds_is_delivered_once_before_later_events() {
    // GIVEN an endpoint that fails, with plenty of attempts.
    let env = start_with(|c| c.event_retry = quick_retry(10)).await;
    let fo = Fo::new(&env).await;
    let (url, mut rx, answer) = switchable_receiver(500).await;
    register(&fo, &url).await;
    // WHEN two customers are created while it fails, and it recovers after two attempts.
    for account in ["RS-1", "RS-2"] {
        let resp = fo.post(json!({"CustomerAccount": account})).await;
        assert_eq!(resp.status(), StatusCode::CREATED);
    }
    for _ in 0..2 {
        let (event, status) = next_attempt(&mut rx).await;
        assert_eq!(
            (event["CustomerAccount"].as_str(), status),
            (Some("RS-1"), 500)
        );
    }
    answer.store(200, Ordering::SeqCst);
    // THEN RS-1 is delivered once, then RS-2, and nothing else.
    let (first, _) = next_attempt(&mut rx).await;
    let (second, _) = next_attempt(&mut rx).await;
    assert_eq!(first["CustomerAccount"], "RS-1", "{first}");
    assert_eq!(second["CustomerAccount"], "RS-2", "{second}");
    assert!(first["ControlNumber"].as_i64() < second["ControlNumber"].as_i64());
    let quiet = tokio::time::timeout(Duration::from_millis(400), rx.recv()).await;
    assert!(quiet.is_err(), "each event delivered once: {quiet:?}");
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn endpoints_and_waiting_deliveries_survive_a_restart() {
    // GIVEN a registered endpoint that is failing, and an event waiting for it.
    let env = start_with(|c| {
        c.event_retry = EventRetry {
            attempts: 100,
            first_delay: Duration::from_millis(300),
            max_delay: Duration::from_millis(300),
            timeout: Duration::from_secs(2),
        }
    })
    .await;
    let (url, mut rx, answer) = switchable_receiver(503).await;
    let (id, waiting) = {
        let fo = Fo::new(&env).await;
        let id = register(&fo, &url).await;
        let resp = fo.post(json!({"CustomerAccount": "RR-1"})).await;
        assert_eq!(resp.status(), StatusCode::CREATED);
        let (event, status) = next_attempt(&mut rx).await;
        assert_eq!(status, 503);
        (id, event)
    };
    // WHEN the sandbox is restarted over the same directory and the endpoint recovers.
    let Env { sandbox, http, dir } = env;
    sandbox.shutdown().await;
    answer.store(200, Ordering::SeqCst);
    while rx.try_recv().is_ok() {}
    let sandbox = Sandbox::start(SandboxConfig::new(dir.path()))
        .await
        .expect("restart");
    let env = Env { sandbox, http, dir };
    let fo = Fo::new(&env).await;
    // THEN the registration is still there.
    let listing = admin_get(&fo, "").await;
    assert_eq!(
        listing["value"][0]["id"].as_str(),
        Some(id.as_str()),
        "{listing}"
    );
    assert_eq!(listing["value"][0]["entity"], "CustomersV3", "{listing}");
    // AND the waiting event is delivered with its EventId, followed by a new write's event.
    let (event, status) = next_attempt(&mut rx).await;
    assert_eq!(status, 200);
    assert_eq!(event["EventId"], waiting["EventId"], "{event}");
    assert_eq!(event["ControlNumber"], waiting["ControlNumber"], "{event}");
    let resp = fo.post(json!({"CustomerAccount": "RR-2"})).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let (next, _) = next_attempt(&mut rx).await;
    assert_eq!(next["CustomerAccount"], "RR-2", "{next}");
    assert!(
        next["ControlNumber"].as_i64() > event["ControlNumber"].as_i64(),
        "control numbers keep climbing after a restart: {next}"
    );
    // AND removing the endpoint removes it for good.
    let resp = env
        .http
        .delete(format!("{}/_sandbox/dataevents/{id}", env.sandbox.fo_url()))
        .bearer_auth(&fo.token)
        .send()
        .await
        .expect("DELETE");
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let listing = admin_get(&fo, "").await;
    assert_eq!(listing["value"], json!([]), "{listing}");
    env.sandbox.shutdown().await;
}
