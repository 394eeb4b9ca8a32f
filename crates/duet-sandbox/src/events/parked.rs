//! The routes for deliveries parked after their last attempt: list them, and put them back
//! in line to be sent again.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Value, json};

use super::admin::{EventsAdmin, change, json_reply, no_endpoint, refused};
use super::envelope::envelope;

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
