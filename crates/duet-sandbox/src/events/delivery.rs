//! The background task that posts each endpoint's deliveries in commit order, and records
//! what came of them: delivered, to be retried later, or parked as failed.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use rusqlite::{Connection, params};
use serde_json::Value;
use tokio::sync::watch;

use super::envelope::envelope;
use super::registry::{DataEvents, drop_delivered_events};
use super::retry::EventRetry;
use crate::store::Db;

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
