//! F&O data events: webhook endpoints registered per entity and operation, and an outbox
//! that delivers a business-event envelope to them after each committed write.
//!
//! Writes add their events to the `fo_events` table inside the same savepoint as the row
//! change, so a rolled-back change set never reports anything. A background task reads the
//! committed outbox and posts to each matching endpoint; writes never wait for delivery, and
//! a failed delivery is logged and dropped.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::sync::{Notify, watch};

use crate::auth::Auth;
use crate::catalog::catalog;
use crate::odata::ApiError;
use crate::store::Db;

pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS fo_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    body TEXT NOT NULL
);";

/// First control number, in the RecId-like range the real envelopes show.
const CONTROL_START: i64 = 5_637_000_000;

/// A data-event operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Operation {
    Create,
    Update,
    Delete,
}

/// One registered endpoint.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Subscription {
    id: String,
    url: String,
    entity: String,
    operations: Vec<Operation>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Registration {
    url: String,
    entity: String,
    #[serde(default)]
    operations: Option<Vec<Operation>>,
}

/// Registered endpoints and the wake-up signal of the delivery task.
#[derive(Default)]
pub(crate) struct DataEvents {
    subs: RwLock<Vec<Subscription>>,
    notify: Notify,
}

impl DataEvents {
    fn subs(&self) -> Vec<Subscription> {
        self.subs.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn wants(&self, entity: &str, op: Operation) -> bool {
        self.subs
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .any(|s| s.entity == entity && s.operations.contains(&op))
    }

    /// Queues an event in the caller's transaction when an endpoint wants it.
    pub(crate) fn enqueue(
        &self,
        conn: &Connection,
        entity: &str,
        op: Operation,
        keys: &[(&str, &str)],
    ) -> Result<(), rusqlite::Error> {
        if !self.wants(entity, op) {
            return Ok(());
        }
        let key_map: serde_json::Map<String, Value> = keys
            .iter()
            .map(|(k, v)| ((*k).to_string(), Value::from(*v)))
            .collect();
        let body = json!({
            "entity": entity,
            "operation": op,
            "keys": key_map,
            "time": Utc::now().timestamp_millis(),
        });
        conn.execute(
            "INSERT INTO fo_events (body) VALUES (?1)",
            params![body.to_string()],
        )?;
        Ok(())
    }

    /// Wakes the delivery task; call after a write has returned successfully.
    pub(crate) fn wake(&self) {
        self.notify.notify_one();
    }
}

/// The envelope posted for one queued event.
fn envelope(seq: i64, queued: &Value) -> Value {
    let entity = queued["entity"].as_str().unwrap_or_default();
    let op = queued["operation"].as_str().unwrap_or_default();
    let ms = queued["time"].as_i64().unwrap_or_default();
    let time = DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default();
    let keys = queued["keys"].as_object().cloned().unwrap_or_default();
    let company = keys
        .get("dataAreaId")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let mut out = serde_json::Map::new();
    out.insert(
        "BusinessEventId".into(),
        Value::from(format!("{entity}_{op}")),
    );
    out.insert("BusinessEventLegalEntity".into(), Value::from(company));
    out.insert("ContextRecordSubject".into(), Value::from(""));
    out.insert("ControlNumber".into(), Value::from(CONTROL_START + seq));
    out.insert(
        "EventId".into(),
        Value::from(uuid::Uuid::new_v4().to_string().to_uppercase()),
    );
    out.insert("EventTime".into(), Value::from(format!("/Date({ms})/")));
    out.insert(
        "EventTimeIso8601".into(),
        Value::from(time.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()),
    );
    out.insert("MajorVersion".into(), Value::from(0));
    out.insert("MinorVersion".into(), Value::from(0));
    out.insert("ParentContextRecordSubjects".into(), json!([]));
    out.insert("EntityName".into(), Value::from(entity));
    out.insert("Operation".into(), Value::from(op));
    out.insert("Keys".into(), Value::Object(keys.clone()));
    for (k, v) in keys {
        out.entry(k).or_insert(v);
    }
    Value::Object(out)
}

/// Takes up to `limit` committed events off the outbox.
fn take_batch(conn: &Connection, limit: i64) -> Result<Vec<(i64, Value)>, rusqlite::Error> {
    let mut stmt = conn.prepare("SELECT seq, body FROM fo_events ORDER BY seq LIMIT ?1")?;
    let rows = stmt
        .query_map(params![limit], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    if let Some((last, _)) = rows.last() {
        conn.execute("DELETE FROM fo_events WHERE seq <= ?1", params![last])?;
    }
    Ok(rows
        .into_iter()
        .map(|(seq, body)| (seq, serde_json::from_str(&body).unwrap_or(Value::Null)))
        .collect())
}

/// Runs until `stop` turns true, posting each committed event to every matching endpoint.
pub(crate) fn spawn_dispatcher(
    db: Db,
    events: Arc<DataEvents>,
    mut stop: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let client = match reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
        {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "data events: no HTTP client; delivery is off");
                return;
            }
        };
        loop {
            loop {
                let batch = match db.run(|conn| Ok(take_batch(conn, 500)?)).await {
                    Ok(b) => b,
                    Err(e) => {
                        tracing::warn!(error = ?e.body, "data events: outbox read failed");
                        break;
                    }
                };
                if batch.is_empty() {
                    break;
                }
                let subs = events.subs();
                for (seq, queued) in batch {
                    let entity = queued["entity"].as_str().unwrap_or_default();
                    let op: Option<Operation> =
                        serde_json::from_value(queued["operation"].clone()).ok();
                    let body = envelope(seq, &queued);
                    for sub in subs.iter().filter(|s| {
                        s.entity == entity && op.is_some_and(|o| s.operations.contains(&o))
                    }) {
                        match client.post(&sub.url).json(&body).send().await {
                            Ok(r) if r.status().is_success() => {}
                            Ok(r) => tracing::warn!(
                                url = %sub.url, status = %r.status(),
                                "data event endpoint refused the event"
                            ),
                            Err(e) => tracing::warn!(
                                url = %sub.url, error = %e,
                                "data event delivery failed"
                            ),
                        }
                    }
                }
            }
            tokio::select! {
                _ = events.notify.notified() => {}
                r = stop.wait_for(|v| *v) => { let _ = r; return; }
            }
        }
    })
}

/// State of the `/_sandbox/dataevents` admin routes.
#[derive(Clone)]
pub(crate) struct EventsAdmin {
    pub events: Arc<DataEvents>,
    pub auth: Arc<Auth>,
    pub audience: String,
}

fn admin_error(status: StatusCode, message: impl Into<String>) -> Response {
    ApiError::new(status, "", message).into_response()
}

fn json_reply(status: StatusCode, body: &impl Serialize) -> Response {
    let mut resp = (status, serde_json::to_string(body).unwrap_or_default()).into_response();
    resp.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/json"),
    );
    resp
}

fn unauthorized() -> Response {
    let mut e = ApiError::new(
        StatusCode::UNAUTHORIZED,
        "",
        "A bearer token for this environment is required.",
    );
    e.authenticate = true;
    e.into_response()
}

/// `GET` lists, `POST` registers and `DELETE` removes every registered endpoint.
pub(crate) async fn endpoint(
    State(admin): State<EventsAdmin>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !admin.auth.authorized(&headers, &admin.audience) {
        return unauthorized();
    }
    match method {
        Method::GET => json_reply(StatusCode::OK, &json!({"value": admin.events.subs()})),
        Method::POST => register(&admin, &body),
        Method::DELETE => {
            admin
                .events
                .subs
                .write()
                .unwrap_or_else(|p| p.into_inner())
                .clear();
            StatusCode::NO_CONTENT.into_response()
        }
        _ => admin_error(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("The data events endpoint does not support http method '{method}'."),
        ),
    }
}

/// `DELETE /_sandbox/dataevents/{id}` removes one endpoint.
pub(crate) async fn endpoint_one(
    State(admin): State<EventsAdmin>,
    Path(id): Path<String>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    if !admin.auth.authorized(&headers, &admin.audience) {
        return unauthorized();
    }
    if method != Method::DELETE {
        return admin_error(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("A data event endpoint does not support http method '{method}'."),
        );
    }
    let mut subs = admin.events.subs.write().unwrap_or_else(|p| p.into_inner());
    let before = subs.len();
    subs.retain(|s| s.id != id);
    if subs.len() == before {
        return admin_error(StatusCode::NOT_FOUND, format!("No endpoint has id '{id}'."));
    }
    StatusCode::NO_CONTENT.into_response()
}

fn register(admin: &EventsAdmin, body: &Bytes) -> Response {
    let reg: Registration = match serde_json::from_slice(body) {
        Ok(r) => r,
        Err(e) => {
            return admin_error(
                StatusCode::BAD_REQUEST,
                format!("The registration body is not valid: {e}."),
            );
        }
    };
    match url::Url::parse(&reg.url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
        _ => {
            return admin_error(
                StatusCode::BAD_REQUEST,
                format!(
                    "The endpoint '{}' is not an absolute HTTP or HTTPS URL.",
                    reg.url
                ),
            );
        }
    }
    if catalog().fo_entity(&reg.entity).is_none() {
        return admin_error(
            StatusCode::BAD_REQUEST,
            format!("The entity '{}' is not in the catalog.", reg.entity),
        );
    }
    let operations = reg
        .operations
        .filter(|o| !o.is_empty())
        .unwrap_or_else(|| vec![Operation::Create, Operation::Update, Operation::Delete]);
    let sub = Subscription {
        id: uuid::Uuid::new_v4().to_string(),
        url: reg.url,
        entity: reg.entity,
        operations,
    };
    admin
        .events
        .subs
        .write()
        .unwrap_or_else(|p| p.into_inner())
        .push(sub.clone());
    json_reply(StatusCode::CREATED, &sub)
}
