//! F&O data events: registered webhooks get one envelope per committed write, and nothing for
//! rolled-back ones or after unregistering.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Fo, change_set, http_part, start};

/// A local webhook receiver: every JSON body posted to it arrives on the returned channel.
async fn webhook_receiver(
    status: StatusCode,
) -> (String, tokio::sync::mpsc::UnboundedReceiver<Value>) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(body);
                axum::http::StatusCode::from_u16(status.as_u16()).expect("status")
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
    (url, rx)
}

async fn next_event(rx: &mut tokio::sync::mpsc::UnboundedReceiver<Value>) -> Value {
    tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("an event arrives within 10 s")
        .expect("receiver open")
}

#[tokio::test]
async fn fo_data_events_reach_registered_webhooks_after_commit() {
    // GIVEN a receiver registered for every operation on CustomersV3, and a failing endpoint.
    let env = start().await;
    let fo = Fo::new(&env).await;
    let (url, mut rx) = webhook_receiver(StatusCode::OK).await;
    let (bad_url, _bad_rx) = webhook_receiver(StatusCode::INTERNAL_SERVER_ERROR).await;
    let admin = format!("{}/_sandbox/dataevents", env.sandbox.fo_url());
    for (target, entity) in [(&url, "CustomersV3"), (&bad_url, "CustomersV3")] {
        let resp = env
            .http
            .post(&admin)
            .bearer_auth(&fo.token)
            .json(&json!({"url": target, "entity": entity}))
            .send()
            .await
            .expect("register");
        assert_eq!(resp.status(), StatusCode::CREATED, "endpoint registered");
    }
    // AND registrations that are not HTTP(S) or name no catalog entity are refused.
    for body in [
        json!({"url": "ftp://x/y", "entity": "CustomersV3"}),
        json!({"url": url, "entity": "customersv3"}),
    ] {
        let resp = env
            .http
            .post(&admin)
            .bearer_auth(&fo.token)
            .json(&body)
            .send()
            .await
            .expect("register");
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "refused: {body}");
    }
    // WHEN a customer is created, updated and deleted.
    let resp = fo
        .post(
            json!({"dataAreaId": "USMF", "CustomerAccount": "EV-1", "OrganizationName": "Events"}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let key = "CustomersV3(dataAreaId='USMF',CustomerAccount='EV-1')";
    let resp = env
        .http
        .patch(fo.url(key))
        .bearer_auth(&fo.token)
        .json(&json!({"SalesMemo": "changed"}))
        .send()
        .await
        .expect("PATCH");
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let resp = env
        .http
        .delete(fo.url(key))
        .bearer_auth(&fo.token)
        .send()
        .await
        .expect("DELETE");
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    // THEN three envelopes arrive in order with the business-event fields and the key.
    let mut controls = Vec::new();
    for op in ["Create", "Update", "Delete"] {
        let e = next_event(&mut rx).await;
        assert_eq!(e["Operation"], op, "{e}");
        assert_eq!(e["EntityName"], "CustomersV3", "{e}");
        assert_eq!(e["CustomerAccount"], "EV-1", "{e}");
        assert_eq!(e["dataAreaId"], "USMF", "{e}");
        assert_eq!(e["BusinessEventLegalEntity"], "USMF", "{e}");
        for field in ["BusinessEventId", "EventId", "EventTime"] {
            assert!(e[field].is_string(), "{field} present: {e}");
        }
        for field in ["MajorVersion", "MinorVersion"] {
            assert!(e[field].is_i64(), "{field} present: {e}");
        }
        controls.push(e["ControlNumber"].as_i64().expect("ControlNumber"));
    }
    assert!(
        controls.windows(2).all(|w| w[0] < w[1]),
        "control numbers increase: {controls:?}"
    );
    // WHEN a batch holds a failing change set and a working one.
    let failing = change_set(
        "cs_fail",
        &[
            http_part(
                Some("1"),
                "POST",
                "CustomersV3",
                Some(&json!({"CustomerAccount": "EV-2"})),
            ),
            http_part(
                Some("2"),
                "POST",
                "CustomersV3",
                Some(&json!({"CustomerAccount": "EV-2"})),
            ),
        ],
    );
    let working = change_set(
        "cs_ok",
        &[http_part(
            Some("1"),
            "POST",
            "CustomersV3",
            Some(&json!({"CustomerAccount": "EV-3"})),
        )],
    );
    let reply = fo.batch("batch_ev", &[failing, working]).await;
    assert_eq!(reply.status, StatusCode::OK);
    // THEN only the committed change set raises an event.
    let e = next_event(&mut rx).await;
    assert_eq!(
        e["CustomerAccount"], "EV-3",
        "rolled-back writes raise nothing: {e}"
    );
    assert_eq!(e["Operation"], "Create");
    // AND after all endpoints are removed, writes raise nothing.
    let resp = env
        .http
        .delete(&admin)
        .bearer_auth(&fo.token)
        .send()
        .await
        .expect("clear");
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let resp = fo.post(json!({"CustomerAccount": "EV-4"})).await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let quiet = tokio::time::timeout(Duration::from_millis(500), rx.recv()).await;
    assert!(quiet.is_err(), "no event after unregistering: {quiet:?}");
    env.sandbox.shutdown().await;
}
