//! Duet's local state in one SQLite file: the linked environments (never their secrets),
//! the maps and their states, sync cursors, each side's last known row values, and the
//! activity log.

mod link;
mod metrics;
mod state;
mod versions;

pub use link::{EnvironmentRecord, LinkRecord, ResetCounts};
pub use metrics::{MetricBucket, Pruned, QueueSample, Retention};
pub use versions::{MapVersion, default_author};

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("stored JSON is invalid: {0}")]
    Json(#[from] serde_json::Error),
    #[error("{0}")]
    NotFound(String),
    /// The change contradicts what is stored (a second link, a duplicate environment).
    #[error("{0}")]
    Conflict(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapRecord {
    pub name: String,
    pub state: String,
    pub reason: Option<String>,
    pub definition: serde_json::Value,
    pub updated_at: String,
}

/// A line of the activity log, as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewActivity {
    pub at: String,
    pub map: String,
    pub kind: String,
    pub direction: Option<String>,
    pub key: Option<String>,
    pub operation: Option<String>,
    pub status: String,
    pub message: String,
    pub latency_ms: Option<i64>,
    pub payload: Option<serde_json::Value>,
}

/// A line of the activity log, as read back with its id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityRecord {
    pub id: i64,
    #[serde(flatten)]
    pub entry: NewActivity,
}

pub struct Store {
    connection: Mutex<Connection>,
}

/// An alert rule: N errors of a class within M minutes, and what to do then.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertRule {
    /// Assigned by the store; `None` for a rule not saved yet.
    pub id: Option<i64>,
    /// The map it watches; `None` watches every map.
    pub map: Option<String>,
    /// An error class: application, 400, 401/403, 404, 412, 429, 502, 503, timeout, other.
    pub class: String,
    pub threshold: u32,
    pub window_minutes: u32,
    /// `none`, `pause` or `stop`.
    pub action: String,
    pub enabled: bool,
}

/// A captured change, as the capture loops write it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewChange {
    /// The side the change happened on: `financeOperations` or `dataverse`.
    pub side: String,
    /// `upsert` or `delete`.
    pub operation: String,
    pub key: Option<String>,
    /// The Dataverse row id, when the change came from Dataverse.
    pub source_id: Option<String>,
    pub row: serde_json::Value,
    pub captured_at: String,
}

/// Where a queued change stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ChangeStatus {
    /// Waiting to be applied, in order.
    Queued,
    /// Set aside by a "skip to live, keep the queue" resume; applied again only on retry.
    Parked,
    /// Refused by the target in a way retrying by itself cannot fix; kept for retry.
    Failed,
}

impl ChangeStatus {
    fn as_str(self) -> &'static str {
        match self {
            ChangeStatus::Queued => "queued",
            ChangeStatus::Parked => "parked",
            ChangeStatus::Failed => "failed",
        }
    }

    fn parse(text: &str) -> ChangeStatus {
        match text {
            "parked" => ChangeStatus::Parked,
            "failed" => ChangeStatus::Failed,
            _ => ChangeStatus::Queued,
        }
    }
}

/// A change in the durable queue, with its place in the order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueuedChange {
    pub seq: i64,
    pub map: String,
    pub status: ChangeStatus,
    pub attempts: i64,
    pub error: Option<String>,
    #[serde(flatten)]
    pub change: NewChange,
}

/// A cursor to move in the same transaction as an enqueue, so a capture is either wholly
/// recorded with its new position or not at all.
#[derive(Debug, Clone, Copy)]
pub struct CursorMove<'a> {
    pub name: &'a str,
    pub value: &'a str,
    /// Watermarks only move forward; delta links are replaced.
    pub forward_only: bool,
}

/// A map's new `updated_at`: the time given (`?4`), or a millisecond after the last one when
/// the clock has not moved past it, so two states of a map never share a time and the newer
/// view of a map can always be told from an older one.
const NEXT_UPDATED_AT: &str = "CASE WHEN ?4 > updated_at THEN ?4
     ELSE COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', updated_at, '+0.001 seconds'), ?4) END";

/// How many of Duet's latest writes of a row are remembered to know their echoes.
pub const WRITTEN_KEPT: i64 = 8;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS map (
    name TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    reason TEXT,
    definition TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cursor (
    map TEXT NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (map, name)
);
CREATE TABLE IF NOT EXISTS shadow (
    map TEXT NOT NULL,
    side TEXT NOT NULL,
    row_key TEXT NOT NULL,
    dataverse_id TEXT,
    row_values TEXT NOT NULL,
    PRIMARY KEY (map, side, row_key)
);
CREATE INDEX IF NOT EXISTS shadow_dataverse_id ON shadow (map, dataverse_id);
CREATE TABLE IF NOT EXISTS written (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    map TEXT NOT NULL,
    side TEXT NOT NULL,
    row_key TEXT NOT NULL,
    row_values TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS written_row ON written (map, side, row_key, id);
CREATE TABLE IF NOT EXISTS activity (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    map TEXT NOT NULL,
    kind TEXT NOT NULL,
    direction TEXT,
    row_key TEXT,
    operation TEXT,
    status TEXT NOT NULL,
    message TEXT NOT NULL,
    latency_ms INTEGER,
    payload TEXT
);
CREATE INDEX IF NOT EXISTS activity_map ON activity (map, id);
CREATE TABLE IF NOT EXISTS queue (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    map TEXT NOT NULL,
    side TEXT NOT NULL,
    operation TEXT NOT NULL,
    row_key TEXT,
    source_id TEXT,
    row_values TEXT NOT NULL,
    captured_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued',
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT
);
CREATE INDEX IF NOT EXISTS queue_map ON queue (map, status, seq);
CREATE TABLE IF NOT EXISTS alert_rule (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    map TEXT,
    class TEXT NOT NULL,
    threshold INTEGER NOT NULL CHECK (threshold > 0),
    window_minutes INTEGER NOT NULL CHECK (window_minutes > 0),
    action TEXT NOT NULL CHECK (action IN ('none', 'pause', 'stop')),
    enabled INTEGER NOT NULL DEFAULT 1
);
";

impl Store {
    /// Opens (and creates or migrates) the store at `path`.
    pub fn open(path: &Path) -> Result<Store> {
        let connection = Connection::open(path)?;
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "NORMAL")?;
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        connection.execute_batch(SCHEMA)?;
        connection.execute_batch(link::SCHEMA)?;
        connection.execute_batch(state::SCHEMA)?;
        connection.execute_batch(versions::SCHEMA)?;
        connection.execute_batch(metrics::SCHEMA)?;
        versions::backfill(&connection)?;
        link::migrate_legacy(&connection)?;
        Ok(Store {
            connection: Mutex::new(connection),
        })
    }

    fn db(&self) -> MutexGuard<'_, Connection> {
        self.connection
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Adds a map in state `notRunning` with its definition as version 1, or leaves an
    /// existing one as it is.
    pub fn ensure_map(&self, name: &str, definition: &serde_json::Value, at: &str) -> Result<()> {
        let text = definition.to_string();
        let mut db = self.db();
        let transaction = db.transaction()?;
        let added = transaction.execute(
            "INSERT INTO map (name, state, reason, definition, updated_at)
             VALUES (?1, 'notRunning', NULL, ?2, ?3) ON CONFLICT (name) DO NOTHING",
            params![name, text, at],
        )?;
        if added == 1 {
            let author = versions::default_author();
            versions::append_version(&transaction, name, &text, None, &author, at)?;
        }
        transaction.commit()?;
        Ok(())
    }

    /// Moves a map from state `from` to `to` (reason cleared) in one statement; false when
    /// it was not in `from` (another action changed it meanwhile).
    pub fn transition_map_state(&self, name: &str, from: &str, to: &str, at: &str) -> Result<bool> {
        Ok(self.db().execute(
            &format!(
                "UPDATE map SET state = ?3, reason = NULL, updated_at = {NEXT_UPDATED_AT}
                 WHERE name = ?1 AND state = ?2"
            ),
            params![name, from, to, at],
        )? == 1)
    }

    pub fn set_map_state(
        &self,
        name: &str,
        state: &str,
        reason: Option<&str>,
        at: &str,
    ) -> Result<()> {
        let changed = self.db().execute(
            &format!(
                "UPDATE map SET state = ?2, reason = ?3, updated_at = {NEXT_UPDATED_AT} WHERE name = ?1"
            ),
            params![name, state, reason, at],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound(format!(
                "there is no map named '{name}'"
            )));
        }
        Ok(())
    }

    pub fn map(&self, name: &str) -> Result<Option<MapRecord>> {
        self.db()
            .query_row(
                "SELECT name, state, reason, definition, updated_at FROM map WHERE name = ?1",
                params![name],
                map_record,
            )
            .optional()?
            .transpose()
    }

    pub fn maps(&self) -> Result<Vec<MapRecord>> {
        let db = self.db();
        let mut statement = db
            .prepare("SELECT name, state, reason, definition, updated_at FROM map ORDER BY name")?;
        let rows = statement.query_map([], map_record)?;
        rows.map(|row| row?).collect()
    }

    pub fn cursor(&self, map: &str, name: &str) -> Result<Option<String>> {
        Ok(self
            .db()
            .query_row(
                "SELECT value FROM cursor WHERE map = ?1 AND name = ?2",
                params![map, name],
                |row| row.get(0),
            )
            .optional()?)
    }

    pub fn set_cursor(&self, map: &str, name: &str, value: &str) -> Result<()> {
        self.db().execute(
            "INSERT INTO cursor (map, name, value) VALUES (?1, ?2, ?3)
             ON CONFLICT (map, name) DO UPDATE SET value = ?3",
            params![map, name, value],
        )?;
        Ok(())
    }

    /// Moves a time watermark forward only: ISO-8601 UTC strings of one format sort as times.
    pub fn advance_watermark(&self, map: &str, name: &str, value: &str) -> Result<()> {
        self.db().execute(
            "INSERT INTO cursor (map, name, value) VALUES (?1, ?2, ?3)
             ON CONFLICT (map, name) DO UPDATE SET value = ?3 WHERE value < ?3",
            params![map, name, value],
        )?;
        Ok(())
    }

    /// Deletes a cursor only while it still holds `value`; false when it moved meanwhile.
    pub fn delete_cursor_if(&self, map: &str, name: &str, value: &str) -> Result<bool> {
        Ok(self.db().execute(
            "DELETE FROM cursor WHERE map = ?1 AND name = ?2 AND value = ?3",
            params![map, name, value],
        )? == 1)
    }

    pub fn delete_cursor(&self, map: &str, name: &str) -> Result<()> {
        self.db().execute(
            "DELETE FROM cursor WHERE map = ?1 AND name = ?2",
            params![map, name],
        )?;
        Ok(())
    }

    pub fn clear_cursors(&self, map: &str) -> Result<()> {
        self.db()
            .execute("DELETE FROM cursor WHERE map = ?1", params![map])?;
        Ok(())
    }

    /// The last values Duet saw on, or wrote to, `side` for a row.
    pub fn shadow(&self, map: &str, side: &str, key: &str) -> Result<Option<serde_json::Value>> {
        let text: Option<String> = self
            .db()
            .query_row(
                "SELECT row_values FROM shadow WHERE map = ?1 AND side = ?2 AND row_key = ?3",
                params![map, side, key],
                |row| row.get(0),
            )
            .optional()?;
        Ok(text.map(|text| serde_json::from_str(&text)).transpose()?)
    }

    pub fn save_shadow(
        &self,
        map: &str,
        side: &str,
        key: &str,
        dataverse_id: Option<&str>,
        values: &serde_json::Value,
    ) -> Result<()> {
        self.db().execute(
            "INSERT INTO shadow (map, side, row_key, dataverse_id, row_values)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (map, side, row_key) DO UPDATE SET
                 dataverse_id = COALESCE(?4, dataverse_id), row_values = ?5",
            params![map, side, key, dataverse_id, values.to_string()],
        )?;
        Ok(())
    }

    /// Merges many rows' values into a side's shadow (new values win, others stay) in one
    /// transaction: an initial sync remembers a whole chunk at once.
    pub fn merge_shadows(
        &self,
        map: &str,
        side: &str,
        rows: &[(
            String,
            Option<String>,
            serde_json::Map<String, serde_json::Value>,
        )],
    ) -> Result<()> {
        let mut db = self.db();
        let transaction = db.transaction()?;
        {
            let mut read = transaction.prepare_cached(
                "SELECT row_values FROM shadow WHERE map = ?1 AND side = ?2 AND row_key = ?3",
            )?;
            let mut write = transaction.prepare_cached(
                "INSERT INTO shadow (map, side, row_key, dataverse_id, row_values)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (map, side, row_key) DO UPDATE SET
                     dataverse_id = COALESCE(?4, dataverse_id), row_values = ?5",
            )?;
            for (key, id, values) in rows {
                let known: Option<String> = read
                    .query_row(params![map, side, key], |row| row.get(0))
                    .optional()?;
                let mut merged = match known.map(|text| serde_json::from_str(&text)).transpose()? {
                    Some(serde_json::Value::Object(known)) => known,
                    _ => serde_json::Map::new(),
                };
                merged.extend(values.clone());
                write.execute(params![
                    map,
                    side,
                    key,
                    id,
                    serde_json::Value::Object(merged).to_string()
                ])?;
            }
        }
        transaction.commit()?;
        Ok(())
    }

    /// The row key Duet knows for a Dataverse row id (tombstones carry only the id).
    pub fn key_for_dataverse_id(&self, map: &str, dataverse_id: &str) -> Result<Option<String>> {
        Ok(self
            .db()
            .query_row(
                "SELECT row_key FROM shadow WHERE map = ?1 AND dataverse_id = ?2 LIMIT 1",
                params![map, dataverse_id],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// Every key of a map with a remembered row on `side`, in key order.
    pub fn shadow_keys(&self, map: &str, side: &str) -> Result<Vec<String>> {
        let db = self.db();
        let mut statement =
            db.prepare("SELECT row_key FROM shadow WHERE map = ?1 AND side = ?2 ORDER BY row_key")?;
        let keys = statement.query_map(params![map, side], |row| row.get(0))?;
        Ok(keys.collect::<std::result::Result<_, _>>()?)
    }

    /// Forgets what one side held for a key, leaving the other side's values.
    pub fn forget_side(&self, map: &str, side: &str, key: &str) -> Result<()> {
        self.db().execute(
            "DELETE FROM shadow WHERE map = ?1 AND side = ?2 AND row_key = ?3",
            params![map, side, key],
        )?;
        Ok(())
    }

    pub fn forget_row(&self, map: &str, key: &str) -> Result<()> {
        let db = self.db();
        db.execute(
            "DELETE FROM shadow WHERE map = ?1 AND row_key = ?2",
            params![map, key],
        )?;
        db.execute(
            "DELETE FROM written WHERE map = ?1 AND row_key = ?2",
            params![map, key],
        )?;
        Ok(())
    }

    /// Remembers what `side` holds after one of Duet's writes of a row, so that the echo of
    /// that write is known as Duet's own even when it comes back after a later write. Only
    /// the last [`WRITTEN_KEPT`] writes of a row are kept.
    pub fn remember_written(
        &self,
        map: &str,
        side: &str,
        key: &str,
        values: &serde_json::Value,
    ) -> Result<()> {
        let mut db = self.db();
        let transaction = db.transaction()?;
        transaction.execute(
            "INSERT INTO written (map, side, row_key, row_values) VALUES (?1, ?2, ?3, ?4)",
            params![map, side, key, values.to_string()],
        )?;
        transaction.execute(
            "DELETE FROM written WHERE map = ?1 AND side = ?2 AND row_key = ?3 AND id NOT IN
                 (SELECT id FROM written WHERE map = ?1 AND side = ?2 AND row_key = ?3
                  ORDER BY id DESC LIMIT ?4)",
            params![map, side, key, WRITTEN_KEPT],
        )?;
        transaction.commit()?;
        Ok(())
    }

    /// What `side` held after each of Duet's remembered writes of a row, oldest first, with
    /// the id to forget up to.
    pub fn written(
        &self,
        map: &str,
        side: &str,
        key: &str,
    ) -> Result<Vec<(i64, serde_json::Value)>> {
        let db = self.db();
        let mut statement = db.prepare(
            "SELECT id, row_values FROM written WHERE map = ?1 AND side = ?2 AND row_key = ?3
             ORDER BY id",
        )?;
        let rows = statement.query_map(params![map, side, key], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))
        })?;
        let mut written = Vec::new();
        for row in rows {
            let (id, text) = row?;
            written.push((id, serde_json::from_str(&text)?));
        }
        Ok(written)
    }

    /// Forgets every remembered write of a map (it stopped: no echo of them is awaited).
    pub fn forget_writes_of(&self, map: &str) -> Result<()> {
        self.db()
            .execute("DELETE FROM written WHERE map = ?1", params![map])?;
        Ok(())
    }

    /// Forgets the remembered writes of a row older than `id`: the echo of write `id` came,
    /// so theirs were read back before it.
    pub fn forget_written_before(&self, map: &str, side: &str, key: &str, id: i64) -> Result<()> {
        self.db().execute(
            "DELETE FROM written WHERE map = ?1 AND side = ?2 AND row_key = ?3 AND id < ?4",
            params![map, side, key, id],
        )?;
        Ok(())
    }

    pub fn add_activity(&self, entry: &NewActivity) -> Result<ActivityRecord> {
        let db = self.db();
        insert_activity(&db, entry)?;
        Ok(ActivityRecord {
            id: db.last_insert_rowid(),
            entry: entry.clone(),
        })
    }

    /// Appends many lines in one transaction (an initial sync logs every row it wrote).
    pub fn add_activities(&self, entries: &[NewActivity]) -> Result<()> {
        let mut db = self.db();
        let transaction = db.transaction()?;
        for entry in entries {
            insert_activity(&transaction, entry)?;
        }
        transaction.commit()?;
        Ok(())
    }

    /// The newest `limit` lines, newest first.
    pub fn activity(&self, limit: u32) -> Result<Vec<ActivityRecord>> {
        let db = self.db();
        let mut statement = db.prepare(
            "SELECT id, at, map, kind, direction, row_key, operation, status, message, latency_ms,
                 payload
             FROM activity ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = statement.query_map(params![limit], |row| {
            let payload: Option<String> = row.get(10)?;
            Ok((
                row.get(0)?,
                NewActivity {
                    at: row.get(1)?,
                    map: row.get(2)?,
                    kind: row.get(3)?,
                    direction: row.get(4)?,
                    key: row.get(5)?,
                    operation: row.get(6)?,
                    status: row.get(7)?,
                    message: row.get(8)?,
                    latency_ms: row.get(9)?,
                    payload: None,
                },
                payload,
            ))
        })?;
        rows.map(|row| {
            let (id, mut entry, payload) = row?;
            entry.payload = payload
                .map(|text| serde_json::from_str(&text))
                .transpose()?;
            Ok(ActivityRecord { id, entry })
        })
        .collect()
    }

    /// Rows written and rows failed for a map, from the activity log.
    pub fn map_counts(&self, map: &str) -> Result<(i64, i64)> {
        Ok(self.db().query_row(
            "SELECT COALESCE(SUM(kind = 'row'), 0), COALESCE(SUM(kind = 'error'), 0)
             FROM activity WHERE map = ?1",
            params![map],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?)
    }
}

impl Store {
    /// Appends captured changes to a map's queue and moves the capture cursor, atomically.
    pub fn enqueue(
        &self,
        map: &str,
        changes: &[NewChange],
        cursor: Option<CursorMove<'_>>,
    ) -> Result<()> {
        let mut db = self.db();
        let transaction = db.transaction()?;
        {
            let mut insert = transaction.prepare_cached(
                "INSERT INTO queue (map, side, operation, row_key, source_id, row_values, captured_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for change in changes {
                insert.execute(params![
                    map,
                    change.side,
                    change.operation,
                    change.key,
                    change.source_id,
                    change.row.to_string(),
                    change.captured_at
                ])?;
            }
            if let Some(cursor) = cursor {
                let sql = if cursor.forward_only {
                    "INSERT INTO cursor (map, name, value) VALUES (?1, ?2, ?3)
                     ON CONFLICT (map, name) DO UPDATE SET value = ?3 WHERE value < ?3"
                } else {
                    "INSERT INTO cursor (map, name, value) VALUES (?1, ?2, ?3)
                     ON CONFLICT (map, name) DO UPDATE SET value = ?3"
                };
                transaction.execute(sql, params![map, cursor.name, cursor.value])?;
            }
        }
        transaction.commit()?;
        Ok(())
    }

    /// The oldest queued changes of a map, in capture order.
    pub fn next_changes(&self, map: &str, limit: u32) -> Result<Vec<QueuedChange>> {
        self.select_changes(
            "WHERE map = ?1 AND status = 'queued' ORDER BY seq LIMIT ?2",
            params![map, limit],
        )
    }

    /// Every change of a map still in the queue (queued, parked or failed), oldest first,
    /// optionally only those whose key contains `key`.
    pub fn queued_changes(
        &self,
        map: &str,
        key: Option<&str>,
        limit: u32,
    ) -> Result<Vec<QueuedChange>> {
        let pattern = format!("%{}%", key.unwrap_or(""));
        self.select_changes(
            "WHERE map = ?1 AND COALESCE(row_key, '') LIKE ?2 ORDER BY seq LIMIT ?3",
            params![map, pattern, limit],
        )
    }

    fn select_changes(
        &self,
        condition: &str,
        parameters: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<QueuedChange>> {
        let db = self.db();
        let mut statement = db.prepare_cached(&format!(
            "SELECT seq, map, status, attempts, error, side, operation, row_key, source_id, row_values,
                 captured_at
             FROM queue {condition}"
        ))?;
        let rows = statement.query_map(parameters, |row| {
            let values: String = row.get(9)?;
            let status: String = row.get(2)?;
            Ok((
                QueuedChange {
                    seq: row.get(0)?,
                    map: row.get(1)?,
                    status: ChangeStatus::parse(&status),
                    attempts: row.get(3)?,
                    error: row.get(4)?,
                    change: NewChange {
                        side: row.get(5)?,
                        operation: row.get(6)?,
                        key: row.get(7)?,
                        source_id: row.get(8)?,
                        row: serde_json::Value::Null,
                        captured_at: row.get(10)?,
                    },
                },
                values,
            ))
        })?;
        rows.map(|row| {
            let (mut change, values) = row?;
            change.change.row = serde_json::from_str(&values)?;
            Ok(change)
        })
        .collect()
    }

    /// Queued changes of one row captured on one side, oldest first.
    pub fn queued_for_key(&self, map: &str, side: &str, key: &str) -> Result<Vec<QueuedChange>> {
        self.select_changes(
            "WHERE map = ?1 AND side = ?2 AND row_key = ?3 AND status = 'queued' ORDER BY seq",
            params![map, side, key],
        )
    }

    /// Adds a change straight as failed (one attempt, with its error), in one statement, so
    /// the applier never takes it for a queued one.
    pub fn enqueue_failed(&self, map: &str, change: &NewChange, error: &str) -> Result<i64> {
        let db = self.db();
        db.execute(
            "INSERT INTO queue (map, side, operation, row_key, source_id, row_values, captured_at,
                 status, attempts, error)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'failed', 1, ?8)",
            params![
                map,
                change.side,
                change.operation,
                change.key,
                change.source_id,
                change.row.to_string(),
                change.captured_at,
                error
            ],
        )?;
        Ok(db.last_insert_rowid())
    }

    /// Removes a change the target acknowledged (or that needed no write).
    pub fn ack_change(&self, seq: i64) -> Result<()> {
        self.db()
            .execute("DELETE FROM queue WHERE seq = ?1", params![seq])?;
        Ok(())
    }

    /// Keeps a refused change out of the way of later ones, with the reason, until retried.
    pub fn fail_change(&self, seq: i64, error: &str) -> Result<()> {
        self.db().execute(
            "UPDATE queue SET status = 'failed', attempts = attempts + 1, error = ?2 WHERE seq = ?1",
            params![seq, error],
        )?;
        Ok(())
    }

    /// Counts an attempt that will be retried in place (the target was unavailable).
    pub fn note_attempt(&self, seq: i64, error: &str) -> Result<()> {
        self.db().execute(
            "UPDATE queue SET attempts = attempts + 1, error = ?2 WHERE seq = ?1",
            params![seq, error],
        )?;
        Ok(())
    }

    /// Sets every queued change of a map to `status` (parking them, for skip-to-live).
    pub fn set_queued_status(&self, map: &str, status: ChangeStatus) -> Result<usize> {
        Ok(self.db().execute(
            "UPDATE queue SET status = ?2 WHERE map = ?1 AND status = 'queued'",
            params![map, status.as_str()],
        )?)
    }

    /// Drops every queued change of a map (skip to live, discarding the queue).
    pub fn discard_queued(&self, map: &str) -> Result<usize> {
        Ok(self.db().execute(
            "DELETE FROM queue WHERE map = ?1 AND status = 'queued'",
            params![map],
        )?)
    }

    /// Sends a queued change behind everything queued now, with `error` as its reason (and
    /// one more attempt when `count_attempt`), and every later queued change of the same row
    /// along with it, in their order: a row's changes are applied in the order they were
    /// captured whatever waits. Returns how many changes moved.
    pub fn defer_change(
        &self,
        map: &str,
        seq: i64,
        error: &str,
        count_attempt: bool,
    ) -> Result<usize> {
        let mut db = self.db();
        let transaction = db.transaction()?;
        let key: Option<Option<String>> = transaction
            .query_row(
                "SELECT row_key FROM queue WHERE map = ?1 AND seq = ?2 AND status = 'queued'",
                params![map, seq],
                |row| row.get(0),
            )
            .optional()?;
        let Some(key) = key else {
            return Ok(0);
        };
        // A change without a key moves alone.
        let moving = "map = ?1 AND status = 'queued'
             AND (seq = ?2 OR (seq > ?2 AND ?3 IS NOT NULL AND row_key = ?3))";
        // The copies get new (higher) seqs; the originals are those up to the highest now.
        let last: i64 =
            transaction.query_row("SELECT COALESCE(MAX(seq), 0) FROM queue", [], |row| {
                row.get(0)
            })?;
        let moved = transaction.execute(
            &format!(
                "INSERT INTO queue (map, side, operation, row_key, source_id, row_values, captured_at,
                     status, attempts, error)
                 SELECT map, side, operation, row_key, source_id, row_values, captured_at, 'queued',
                     attempts + (seq = ?2 AND ?5), CASE WHEN seq = ?2 THEN ?4 ELSE error END
                 FROM queue WHERE {moving} ORDER BY seq"
            ),
            params![map, seq, key, error, count_attempt],
        )?;
        transaction.execute(
            &format!("DELETE FROM queue WHERE {moving} AND seq <= ?4"),
            params![map, seq, key, last],
        )?;
        transaction.commit()?;
        Ok(moved)
    }

    /// Puts parked or failed changes back at the end of the queue: one (`seq`) or all of a map.
    /// A retried change goes behind what is queued, so it never overtakes a newer change.
    pub fn retry_changes(&self, map: &str, seq: Option<i64>) -> Result<usize> {
        let mut db = self.db();
        let transaction = db.transaction()?;
        let moved = transaction.execute(
            "INSERT INTO queue (map, side, operation, row_key, source_id, row_values, captured_at,
                 status, attempts, error)
             SELECT map, side, operation, row_key, source_id, row_values, captured_at, 'queued',
                 attempts, error
             FROM queue WHERE map = ?1 AND status IN ('parked', 'failed') AND (?2 IS NULL OR seq = ?2)
             ORDER BY seq",
            params![map, seq],
        )?;
        transaction.execute(
            "DELETE FROM queue WHERE map = ?1 AND status IN ('parked', 'failed') AND (?2 IS NULL OR seq = ?2)",
            params![map, seq],
        )?;
        transaction.commit()?;
        Ok(moved)
    }

    /// The newest queued change of a map, if any.
    pub fn last_queued_seq(&self, map: &str) -> Result<Option<i64>> {
        Ok(self.db().query_row(
            "SELECT MAX(seq) FROM queue WHERE map = ?1 AND status = 'queued'",
            params![map],
            |row| row.get(0),
        )?)
    }

    /// Changes of a map by status: (queued, parked, failed).
    pub fn queue_depth(&self, map: &str) -> Result<(i64, i64, i64)> {
        Ok(self.db().query_row(
            "SELECT COALESCE(SUM(status = 'queued'), 0), COALESCE(SUM(status = 'parked'), 0),
                 COALESCE(SUM(status = 'failed'), 0)
             FROM queue WHERE map = ?1",
            params![map],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )?)
    }
}

impl Store {
    /// Adds a rule, or replaces the one with the same id. Returns the rule's id.
    pub fn save_alert_rule(&self, rule: &AlertRule) -> Result<i64> {
        let db = self.db();
        db.execute(
            "INSERT INTO alert_rule (id, map, class, threshold, window_minutes, action, enabled)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (id) DO UPDATE SET map = ?2, class = ?3, threshold = ?4,
                 window_minutes = ?5, action = ?6, enabled = ?7",
            params![
                rule.id,
                rule.map,
                rule.class,
                rule.threshold,
                rule.window_minutes,
                rule.action,
                rule.enabled
            ],
        )?;
        Ok(rule.id.unwrap_or_else(|| db.last_insert_rowid()))
    }

    pub fn alert_rules(&self) -> Result<Vec<AlertRule>> {
        let db = self.db();
        let mut statement = db.prepare_cached(
            "SELECT id, map, class, threshold, window_minutes, action, enabled FROM alert_rule ORDER BY id",
        )?;
        let rules = statement.query_map([], |row| {
            Ok(AlertRule {
                id: row.get(0)?,
                map: row.get(1)?,
                class: row.get(2)?,
                threshold: row.get(3)?,
                window_minutes: row.get(4)?,
                action: row.get(5)?,
                enabled: row.get(6)?,
            })
        })?;
        Ok(rules.collect::<rusqlite::Result<_>>()?)
    }

    pub fn delete_alert_rule(&self, id: i64) -> Result<()> {
        let deleted = self
            .db()
            .execute("DELETE FROM alert_rule WHERE id = ?1", params![id])?;
        if deleted == 0 {
            return Err(StoreError::NotFound(format!("there is no alert rule {id}")));
        }
        Ok(())
    }
}

fn insert_activity(db: &Connection, entry: &NewActivity) -> Result<()> {
    db.prepare_cached(
        "INSERT INTO activity (at, map, kind, direction, row_key, operation, status, message,
             latency_ms, payload)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        entry.at,
        entry.map,
        entry.kind,
        entry.direction,
        entry.key,
        entry.operation,
        entry.status,
        entry.message,
        entry.latency_ms,
        entry.payload.as_ref().map(|payload| payload.to_string())
    ])?;
    Ok(())
}

fn map_record(row: &rusqlite::Row<'_>) -> rusqlite::Result<Result<MapRecord>> {
    let (name, state, reason, definition, updated_at): (
        String,
        String,
        Option<String>,
        String,
        String,
    ) = (
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
    );
    Ok(serde_json::from_str(&definition)
        .map_err(StoreError::from)
        .map(|definition| MapRecord {
            name,
            state,
            reason,
            definition,
            updated_at,
        }))
}

#[cfg(test)]
mod tests;
