//! The activity log: a line per row written or refused, per error and per lifecycle event of a
//! map, read back newest first.

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use crate::{Result, Store};

/// The columns every read of whole lines selects, in the order [`read_records`] reads them.
pub(crate) const COLUMNS: &str = "id, at, map, kind, direction, row_key, operation, status, message, latency_ms, payload, error_class";

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
    /// A failure's error class as its label (`400`, `429`, `application`…); `None` for
    /// other lines.
    #[serde(default)]
    pub error_class: Option<String>,
}

/// A line of the activity log, as read back with its id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityRecord {
    pub id: i64,
    #[serde(flatten)]
    pub entry: NewActivity,
}

impl Store {
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
        self.read_activity(
            &format!("SELECT {COLUMNS} FROM activity ORDER BY id DESC LIMIT ?1"),
            params![limit],
        )
    }

    /// The newest `limit` lines about one row of a map (its key as the engine writes it),
    /// newest first: what the row went through on both sides.
    pub fn row_activity(&self, map: &str, key: &str, limit: u32) -> Result<Vec<ActivityRecord>> {
        self.read_activity(
            &format!(
                "SELECT {COLUMNS} FROM activity WHERE map = ?1 AND row_key = ?2
                 ORDER BY id DESC LIMIT ?3"
            ),
            params![map, key, limit],
        )
    }

    fn read_activity(
        &self,
        sql: &str,
        parameters: impl rusqlite::Params,
    ) -> Result<Vec<ActivityRecord>> {
        read_records(&self.reader(), sql, parameters)
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

fn insert_activity(db: &Connection, entry: &NewActivity) -> Result<()> {
    db.prepare_cached(
        "INSERT INTO activity (at, map, kind, direction, row_key, operation, status, message,
             latency_ms, payload, error_class)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
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
        entry.payload.as_ref().map(|payload| payload.to_string()),
        entry.error_class
    ])?;
    Ok(())
}

/// The lines a `SELECT {COLUMNS} …` answers.
pub(crate) fn read_records(
    db: &Connection,
    sql: &str,
    parameters: impl rusqlite::Params,
) -> Result<Vec<ActivityRecord>> {
    let mut statement = db.prepare(sql)?;
    let rows = statement.query_map(parameters, |row| {
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
                error_class: row.get(11)?,
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
