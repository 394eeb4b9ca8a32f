//! The `/_sandbox/dataevents` admin routes for endpoints: list, register and remove them,
//! and the answers and checks the routes share.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::registry::{DataEvents, Operation, Subscription, drop_delivered_events, load_subs};
use crate::auth::Auth;
use crate::catalog::catalog;
use crate::odata::ApiError;
use crate::store::Db;

/// State of the `/_sandbox/dataevents` admin routes.
#[derive(Clone)]
pub(crate) struct EventsAdmin {
    pub events: Arc<DataEvents>,
    pub db: Db,
    pub auth: Arc<Auth>,
    pub audience: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Registration {
    url: String,
    entity: String,
    #[serde(default)]
    operations: Option<Vec<Operation>>,
}

pub(super) fn admin_error(status: StatusCode, message: impl Into<String>) -> Response {
    ApiError::new(status, "", message).into_response()
}

pub(super) fn json_reply(status: StatusCode, body: &impl Serialize) -> Response {
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
pub(super) async fn change<R: Send + 'static>(
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
pub(super) fn refused(
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
pub(super) fn no_endpoint(id: &str) -> Response {
    admin_error(StatusCode::NOT_FOUND, format!("No endpoint has id '{id}'."))
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
