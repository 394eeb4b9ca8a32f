//! F&O data events: webhook endpoints registered per entity and operation, and an outbox
//! that delivers a business-event envelope to them after each committed write.
//!
//! Endpoints are kept in `fo_event_endpoints`, so they survive a restart. A write adds its
//! event to `fo_events`, and one delivery per matching endpoint to `fo_event_deliveries`,
//! inside the same savepoint as the row change: a rolled-back change set reports nothing and
//! an event is never lost between the write and its delivery. A background task posts each
//! endpoint's deliveries in commit order. A failed delivery (error status, timeout, no
//! connection) is retried with doubling delays; the endpoint's later events wait behind it so
//! order is kept. After the last attempt the delivery is parked as failed, listed under
//! `/_sandbox/dataevents/{id}/errors` and sent again on `…/errors/resend`.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
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
);
CREATE TABLE IF NOT EXISTS fo_event_endpoints (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    entity TEXT NOT NULL,
    operations TEXT NOT NULL,
    created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS fo_event_deliveries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    endpoint TEXT NOT NULL,
    event INTEGER NOT NULL,
    failed INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt INTEGER NOT NULL DEFAULT 0,
    last_attempt INTEGER,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS fo_event_deliveries_by_endpoint
    ON fo_event_deliveries (endpoint, failed, seq);";

/// First control number, in the RecId-like range the real envelopes show.
const CONTROL_START: i64 = 5_637_000_000;

/// How often, and how patiently, a delivery is tried before it is parked as failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventRetry {
    /// Attempts in all, the first included; at least 1.
    pub attempts: u32,
    /// Wait after the first failed attempt; doubled after each further one.
    pub first_delay: Duration,
    /// Longest wait between two attempts.
    pub max_delay: Duration,
    /// How long one attempt may take.
    pub timeout: Duration,
}

impl Default for EventRetry {
    /// Six attempts over about a minute (1, 2, 4, 8 and 16 s apart), 10 s per attempt.
    fn default() -> Self {
        EventRetry {
            attempts: 6,
            first_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
            timeout: Duration::from_secs(10),
        }
    }
}

impl EventRetry {
    /// The wait after `failures` failed attempts (1 for the first failure).
    fn delay(&self, failures: u32) -> Duration {
        let doubled = self
            .first_delay
            .saturating_mul(1u32 << failures.saturating_sub(1).min(20));
        doubled.min(self.max_delay)
    }
}

/// A data-event operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Operation {
    Create,
    Update,
    Delete,
}

/// One registered endpoint.
#[derive(Debug, Clone, Serialize, Deserialize)]
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

/// Registered endpoints (a copy of `fo_event_endpoints`) and the delivery task's wake-up.
pub(crate) struct DataEvents {
    subs: RwLock<Vec<Subscription>>,
    notify: Notify,
    retry: EventRetry,
}

fn load_subs(conn: &Connection) -> Result<Vec<Subscription>, rusqlite::Error> {
    let mut stmt = conn.prepare(
        "SELECT id, url, entity, operations FROM fo_event_endpoints ORDER BY created, id",
    )?;
    let rows = stmt.query_map([], |r| {
        let operations: String = r.get(3)?;
        Ok(Subscription {
            id: r.get(0)?,
            url: r.get(1)?,
            entity: r.get(2)?,
            operations: serde_json::from_str(&operations).unwrap_or_default(),
        })
    })?;
    rows.collect()
}

/// Removes events that no delivery refers to any more.
fn drop_delivered_events(conn: &Connection) -> Result<(), rusqlite::Error> {
    conn.execute(
        "DELETE FROM fo_events WHERE NOT EXISTS
             (SELECT 1 FROM fo_event_deliveries d WHERE d.event = fo_events.seq)",
        [],
    )?;
    Ok(())
}

impl DataEvents {
    /// Reads the registered endpoints of `db` (whose schema includes [`SCHEMA`]).
    pub(crate) fn load(db: &Db, retry: EventRetry) -> Result<Self, rusqlite::Error> {
        let subs = db.with(|conn| load_subs(conn))?;
        Ok(DataEvents {
            subs: RwLock::new(subs),
            notify: Notify::new(),
            retry,
        })
    }

    fn set_subs(&self, subs: Vec<Subscription>) {
        *self.subs.write().unwrap_or_else(|p| p.into_inner()) = subs;
    }

    /// Queues an event, and its delivery to every endpoint that wants it, in the caller's
    /// transaction. Nothing is written when no endpoint wants the event.
    pub(crate) fn enqueue(
        &self,
        conn: &Connection,
        entity: &str,
        op: Operation,
        keys: &[(&str, &str)],
    ) -> Result<(), rusqlite::Error> {
        let targets: Vec<String> = self
            .subs
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|s| s.entity == entity && s.operations.contains(&op))
            .map(|s| s.id.clone())
            .collect();
        if targets.is_empty() {
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
            "eventId": uuid::Uuid::new_v4().to_string().to_uppercase(),
        });
        conn.execute(
            "INSERT INTO fo_events (body) VALUES (?1)",
            params![body.to_string()],
        )?;
        let event = conn.last_insert_rowid();
        let mut insert = conn
            .prepare_cached("INSERT INTO fo_event_deliveries (endpoint, event) VALUES (?1, ?2)")?;
        for id in targets {
            insert.execute(params![id, event])?;
        }
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
    out.insert("EventId".into(), queued["eventId"].clone());
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

/// One delivery waiting to be sent.
struct Pending {
    seq: i64,
    envelope: Value,
}

/// An endpoint's next deliveries, in commit order, when the first one is due.
struct Due {
    url: String,
    /// Attempts already made for the first delivery.
    attempts: u32,
    deliveries: Vec<Pending>,
}

/// How many deliveries one endpoint sends in a row before the outbox is read again.
const RUN: i64 = 200;

/// The endpoints whose first delivery is due at `now`, and the earliest time a later one is.
fn due(conn: &Connection, now: i64) -> Result<(Vec<Due>, Option<i64>), rusqlite::Error> {
    let heads: Vec<(String, String, i64, i64)> = {
        let mut stmt = conn.prepare(
            "SELECT d.endpoint, e.url, d.attempts, d.next_attempt
             FROM fo_event_deliveries d JOIN fo_event_endpoints e ON e.id = d.endpoint
             WHERE d.seq IN (SELECT MIN(seq) FROM fo_event_deliveries WHERE failed = 0
                             GROUP BY endpoint)",
        )?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<Result<_, _>>()?
    };
    let mut ready = Vec::new();
    let mut later: Option<i64> = None;
    let mut stmt = conn.prepare_cached(
        "SELECT d.seq, d.event, ev.body FROM fo_event_deliveries d
         JOIN fo_events ev ON ev.seq = d.event
         WHERE d.endpoint = ?1 AND d.failed = 0 ORDER BY d.seq LIMIT ?2",
    )?;
    for (endpoint, url, attempts, next_attempt) in heads {
        if next_attempt > now {
            later = Some(later.map_or(next_attempt, |l| l.min(next_attempt)));
            continue;
        }
        let deliveries = stmt
            .query_map(params![endpoint, RUN], |r| {
                let seq: i64 = r.get(0)?;
                let event: i64 = r.get(1)?;
                let body: String = r.get(2)?;
                Ok(Pending {
                    seq,
                    envelope: envelope(event, &serde_json::from_str(&body).unwrap_or(Value::Null)),
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        ready.push(Due {
            url,
            attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
            deliveries,
        });
    }
    Ok((ready, later))
}

/// What came of sending one endpoint's run: how many were delivered, and the error that
/// stopped the run, if any.
struct Outcome {
    delivered: Vec<i64>,
    failed: Option<(i64, u32, String)>,
}

async fn send_run(client: reqwest::Client, due: Due) -> Outcome {
    let mut delivered = Vec::new();
    let mut attempts = due.attempts;
    for pending in due.deliveries {
        let error = match client.post(&due.url).json(&pending.envelope).send().await {
            Ok(r) if r.status().is_success() => None,
            Ok(r) => Some(format!("the endpoint answered {}", r.status())),
            Err(e) if e.is_timeout() => Some("the endpoint did not answer in time".to_string()),
            Err(e) => Some(format!("the endpoint could not be reached: {e}")),
        };
        match error {
            None => delivered.push(pending.seq),
            Some(error) => {
                tracing::warn!(url = %due.url, %error, "data event delivery failed");
                return Outcome {
                    delivered,
                    failed: Some((pending.seq, attempts + 1, error)),
                };
            }
        }
        attempts = 0;
    }
    Outcome {
        delivered,
        failed: None,
    }
}

fn record(
    conn: &mut Connection,
    outcomes: &[Outcome],
    retry: EventRetry,
    now: i64,
) -> Result<(), rusqlite::Error> {
    let tx = conn.savepoint()?;
    for outcome in outcomes {
        for seq in &outcome.delivered {
            tx.execute(
                "DELETE FROM fo_event_deliveries WHERE seq = ?1",
                params![seq],
            )?;
        }
        if let Some((seq, attempts, error)) = &outcome.failed {
            let give_up = *attempts >= retry.attempts.max(1);
            let wait = i64::try_from(retry.delay(*attempts).as_millis()).unwrap_or(i64::MAX);
            tx.execute(
                "UPDATE fo_event_deliveries SET attempts = ?2, last_error = ?3, last_attempt = ?4,
                     failed = ?5, next_attempt = ?6 WHERE seq = ?1",
                params![seq, attempts, error, now, give_up, now.saturating_add(wait)],
            )?;
        }
    }
    drop_delivered_events(&tx)?;
    tx.commit()
}

/// Runs until `stop` turns true, posting committed events to their endpoints.
pub(crate) fn spawn_dispatcher(
    db: Db,
    events: Arc<DataEvents>,
    mut stop: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let retry = events.retry;
        let client = match reqwest::Client::builder().timeout(retry.timeout).build() {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "data events: no HTTP client; delivery is off");
                return;
            }
        };
        loop {
            let now = Utc::now().timestamp_millis();
            let (ready, later) = match db.run(move |conn| Ok(due(conn, now)?)).await {
                Ok(found) => found,
                Err(e) => {
                    tracing::warn!(error = ?e.body, "data events: outbox read failed");
                    (Vec::new(), Some(now + 1000))
                }
            };
            if !ready.is_empty() {
                let mut runs = tokio::task::JoinSet::new();
                for due in ready {
                    runs.spawn(send_run(client.clone(), due));
                }
                let outcomes: Vec<Outcome> = runs.join_all().await;
                let now = Utc::now().timestamp_millis();
                if let Err(e) = db
                    .run(move |conn| Ok(record(conn, &outcomes, retry, now)?))
                    .await
                {
                    tracing::warn!(error = ?e.body, "data events: could not record deliveries");
                }
                continue;
            }
            let wait = later.map(|at| Duration::from_millis(u64::try_from(at - now).unwrap_or(0)));
            tokio::select! {
                _ = events.notify.notified() => {}
                _ = tokio::time::sleep(wait.unwrap_or(Duration::from_secs(86_400))), if wait.is_some() => {}
                r = stop.wait_for(|v| *v) => { let _ = r; return; }
            }
        }
    })
}

/// State of the `/_sandbox/dataevents` admin routes.
#[derive(Clone)]
pub(crate) struct EventsAdmin {
    pub events: Arc<DataEvents>,
    pub db: Db,
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

fn method_not_allowed(what: &str, method: &Method) -> Response {
    admin_error(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("{what} does not support http method '{method}'."),
    )
}

/// Each endpoint with the number of deliveries waiting and parked as failed.
fn listing(conn: &Connection) -> Result<Vec<Value>, rusqlite::Error> {
    let mut counts: HashMap<String, (i64, i64)> = HashMap::new();
    let mut stmt = conn.prepare(
        "SELECT endpoint, SUM(failed = 0), SUM(failed = 1) FROM fo_event_deliveries GROUP BY endpoint",
    )?;
    for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?)))? {
        let (endpoint, pending, failed) = row?;
        counts.insert(endpoint, (pending, failed));
    }
    Ok(load_subs(conn)?
        .into_iter()
        .map(|sub| {
            let (pending, failed) = counts.get(&sub.id).copied().unwrap_or_default();
            let mut out = serde_json::to_value(&sub).unwrap_or_default();
            out["pending"] = Value::from(pending);
            out["failed"] = Value::from(failed);
            out
        })
        .collect())
}

/// Removes endpoints (all, or the one with `id`) with their deliveries; false when `id` is
/// not registered.
fn remove(conn: &mut Connection, id: Option<&str>) -> Result<bool, rusqlite::Error> {
    let tx = conn.savepoint()?;
    let removed = match id {
        Some(id) => {
            tx.execute(
                "DELETE FROM fo_event_deliveries WHERE endpoint = ?1",
                params![id],
            )?;
            tx.execute("DELETE FROM fo_event_endpoints WHERE id = ?1", params![id])? > 0
        }
        None => {
            tx.execute("DELETE FROM fo_event_deliveries", [])?;
            tx.execute("DELETE FROM fo_event_endpoints", [])?;
            true
        }
    };
    drop_delivered_events(&tx)?;
    tx.commit()?;
    Ok(removed)
}

/// Runs an admin change on the store, then refreshes the in-memory endpoint list.
async fn change<R: Send + 'static>(
    admin: &EventsAdmin,
    f: impl FnOnce(&mut Connection) -> Result<R, rusqlite::Error> + Send + 'static,
) -> Result<R, ApiError> {
    let (result, subs) = admin
        .db
        .run(move |conn| {
            let result = f(conn)?;
            Ok((result, load_subs(conn)?))
        })
        .await?;
    admin.events.set_subs(subs);
    admin.events.wake();
    Ok(result)
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
    let result = match method {
        Method::GET => admin
            .db
            .run(|conn| Ok(listing(conn)?))
            .await
            .map(|value| json_reply(StatusCode::OK, &json!({ "value": value }))),
        Method::POST => return register(&admin, &body).await,
        Method::DELETE => change(&admin, |conn| remove(conn, None))
            .await
            .map(|_| StatusCode::NO_CONTENT.into_response()),
        _ => return method_not_allowed("The data events endpoint", &method),
    };
    result.unwrap_or_else(IntoResponse::into_response)
}

/// `DELETE /_sandbox/dataevents/{id}` removes one endpoint and its waiting deliveries.
pub(crate) async fn endpoint_one(
    State(admin): State<EventsAdmin>,
    Path(id): Path<String>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    if let Some(refusal) = refused(
        &admin,
        &headers,
        &method,
        Method::DELETE,
        "A data event endpoint",
    ) {
        return refusal;
    }
    let target = id.clone();
    match change(&admin, move |conn| remove(conn, Some(&target))).await {
        Ok(true) => StatusCode::NO_CONTENT.into_response(),
        Ok(false) => no_endpoint(&id),
        Err(e) => e.into_response(),
    }
}

/// The checks every call on one endpoint starts with: a valid sign-in, then the one method
/// the path takes. Some(answer) when the call is refused.
fn refused(
    admin: &EventsAdmin,
    headers: &HeaderMap,
    method: &Method,
    allowed: Method,
    what: &str,
) -> Option<Response> {
    if !admin.auth.authorized(headers, &admin.audience) {
        return Some(unauthorized());
    }
    (*method != allowed).then(|| method_not_allowed(what, method))
}

/// The answer for an endpoint id nobody registered.
fn no_endpoint(id: &str) -> Response {
    admin_error(StatusCode::NOT_FOUND, format!("No endpoint has id '{id}'."))
}

fn endpoint_exists(conn: &Connection, id: &str) -> Result<bool, rusqlite::Error> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM fo_event_endpoints WHERE id = ?1",
            params![id],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// `GET /_sandbox/dataevents/{id}/errors` lists the deliveries parked after their last
/// attempt, oldest first.
pub(crate) async fn errors(
    State(admin): State<EventsAdmin>,
    Path(id): Path<String>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    if let Some(refusal) = refused(
        &admin,
        &headers,
        &method,
        Method::GET,
        "The data event errors list",
    ) {
        return refusal;
    }
    let target = id.clone();
    let found = admin
        .db
        .run(move |conn| {
            if !endpoint_exists(conn, &target)? {
                return Ok(None);
            }
            let mut stmt = conn.prepare(
                "SELECT d.event, ev.body, d.attempts, d.last_attempt, d.last_error
                 FROM fo_event_deliveries d JOIN fo_events ev ON ev.seq = d.event
                 WHERE d.endpoint = ?1 AND d.failed = 1 ORDER BY d.seq",
            )?;
            let rows = stmt
                .query_map(params![target], |r| {
                    let event: i64 = r.get(0)?;
                    let body: String = r.get(1)?;
                    let last: Option<i64> = r.get(3)?;
                    let envelope =
                        envelope(event, &serde_json::from_str(&body).unwrap_or(Value::Null));
                    Ok(json!({
                        "ControlNumber": envelope["ControlNumber"],
                        "EventId": envelope["EventId"],
                        "BusinessEventId": envelope["BusinessEventId"],
                        "attempts": r.get::<_, i64>(2)?,
                        "lastAttempt": last
                            .and_then(DateTime::<Utc>::from_timestamp_millis)
                            .map(|t| t.to_rfc3339()),
                        "lastError": r.get::<_, Option<String>>(4)?,
                        "envelope": envelope,
                    }))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Some(rows))
        })
        .await;
    match found {
        Ok(Some(rows)) => json_reply(StatusCode::OK, &json!({ "value": rows })),
        Ok(None) => no_endpoint(&id),
        Err(e) => e.into_response(),
    }
}

/// `POST /_sandbox/dataevents/{id}/errors/resend` puts the parked deliveries back in line
/// with fresh attempts, and answers how many.
pub(crate) async fn resend(
    State(admin): State<EventsAdmin>,
    Path(id): Path<String>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    if let Some(refusal) = refused(
        &admin,
        &headers,
        &method,
        Method::POST,
        "Resending data events",
    ) {
        return refusal;
    }
    let target = id.clone();
    let resent = change(&admin, move |conn| {
        if !endpoint_exists(conn, &target)? {
            return Ok(None);
        }
        Ok(Some(conn.execute(
            "UPDATE fo_event_deliveries SET failed = 0, attempts = 0, next_attempt = 0
             WHERE endpoint = ?1 AND failed = 1",
            params![target],
        )?))
    })
    .await;
    match resent {
        Ok(Some(n)) => json_reply(StatusCode::OK, &json!({ "resent": n })),
        Ok(None) => no_endpoint(&id),
        Err(e) => e.into_response(),
    }
}

async fn register(admin: &EventsAdmin, body: &Bytes) -> Response {
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
    let stored = sub.clone();
    let saved = change(admin, move |conn| {
        conn.execute(
            "INSERT INTO fo_event_endpoints (id, url, entity, operations, created)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                stored.id,
                stored.url,
                stored.entity,
                serde_json::to_string(&stored.operations).unwrap_or_default(),
                Utc::now().timestamp_millis()
            ],
        )
    })
    .await;
    match saved {
        Ok(_) => json_reply(StatusCode::CREATED, &sub),
        Err(e) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_the_cap() {
        let retry = EventRetry {
            attempts: 10,
            first_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(500),
            timeout: Duration::from_secs(1),
        };
        let delays: Vec<u128> = (1..=5).map(|n| retry.delay(n).as_millis()).collect();
        assert_eq!(delays, vec![100, 200, 400, 500, 500]);
    }
}
