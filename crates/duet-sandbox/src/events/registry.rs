//! The registered endpoints, kept in the store and copied in memory, and the outbox a write
//! adds its event and deliveries to inside its own transaction.

use std::sync::RwLock;

use chrono::Utc;
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::sync::Notify;

use super::retry::EventRetry;
use crate::store::Db;

/// A data-event operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Operation {
    Create,
    Update,
    Delete,
}

/// One registered endpoint.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Subscription {
    pub(super) id: String,
    pub(super) url: String,
    pub(super) entity: String,
    pub(super) operations: Vec<Operation>,
}

/// Registered endpoints (a copy of `fo_event_endpoints`) and the delivery task's wake-up.
pub(crate) struct DataEvents {
    subs: RwLock<Vec<Subscription>>,
    pub(super) notify: Notify,
    pub(super) retry: EventRetry,
}

pub(super) fn load_subs(conn: &Connection) -> Result<Vec<Subscription>, rusqlite::Error> {
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
pub(super) fn drop_delivered_events(conn: &Connection) -> Result<(), rusqlite::Error> {
    conn.execute(
        "DELETE FROM fo_events WHERE NOT EXISTS
             (SELECT 1 FROM fo_event_deliveries d WHERE d.event = fo_events.seq)",
        [],
    )?;
    Ok(())
}

impl DataEvents {
    /// Reads the registered endpoints of `db` (whose schema includes [`super::SCHEMA`]).
    pub(crate) fn load(db: &Db, retry: EventRetry) -> Result<Self, rusqlite::Error> {
        let subs = db.with(|conn| load_subs(conn))?;
        Ok(DataEvents {
            subs: RwLock::new(subs),
            notify: Notify::new(),
            retry,
        })
    }

    pub(super) fn set_subs(&self, subs: Vec<Subscription>) {
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
