//! Duet's local state in one SQLite file: the linked environments (never their secrets),
//! the maps and their states, sync cursors, each side's last known row values, and the
//! activity log.

#![deny(clippy::too_many_lines)]

mod activity;
mod activity_query;
mod alert_rules;
mod change;
mod cursors;
mod error_groups;
mod link;
mod maps;
mod metrics;
mod queue;
mod shadow;
mod state;
mod versions;

pub use activity::{ActivityRecord, NewActivity};
pub use activity_query::{ActivityPage, ActivityQuery, LogOrder};
pub use alert_rules::{AlertAction, AlertRule};
pub use change::{ChangeOperation, ChangeStatus, NewChange, QueuedChange, Wait};
pub use cursors::CursorMove;
pub use error_groups::{ErrorGroup, message_pattern};
pub use link::{EnvironmentRecord, LinkRecord, ResetCounts};
pub use maps::{MapRecord, MapState};
pub use metrics::{DEFAULT_ACTIVITY_MAX_LINES, MetricBucket, Pruned, QueueSample, Retention};
pub use shadow::WRITTEN_KEPT;
pub use versions::{MapVersion, default_author};

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, OpenFlags};

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
    /// A stored value is not one this version knows.
    #[error("{0}")]
    Invalid(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// Reads back an enum stored by its serde name (`running`, `selfReference`…); a name this
/// version does not know is an error that says whose `what` it was.
pub(crate) fn parse_name<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T> {
    serde_json::from_value(serde_json::Value::from(text))
        .map_err(|_| StoreError::Invalid(format!("{what} '{text}'")))
}

/// A stored enum compares equal to its stored name, so `state == "running"` reads as it says.
macro_rules! eq_by_name {
    ($type:ty) => {
        impl PartialEq<str> for $type {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $type {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }
    };
}
pub(crate) use eq_by_name;

/// Duet's state: one writing SQLite connection behind a mutex, so statements and
/// transactions from several threads run one at a time, and one read-only connection for
/// the log reads the window makes: in WAL mode it reads the last committed state without
/// waiting for the writer.
pub struct Store {
    connection: Mutex<Connection>,
    reader: Mutex<Connection>,
}

/// Whether `table` has `column`: how a store written by an earlier version is told apart
/// before a column is added to it.
pub(crate) fn has_column(connection: &Connection, table: &str, column: &str) -> Result<bool> {
    Ok(connection.query_row(
        "SELECT COUNT(*) > 0 FROM pragma_table_info(?1) WHERE name = ?2",
        [table, column],
        |row| row.get(0),
    )?)
}

impl Store {
    /// Opens (and creates or migrates) the store at `path`.
    pub fn open(path: &Path) -> Result<Store> {
        let connection = Connection::open(path)?;
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "NORMAL")?;
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        error_groups::register_functions(&connection)?;
        // In this order because later ones build on earlier tables: the activity index of
        // `metrics` needs the activity table, and the version backfill reads the maps.
        for schema in [
            maps::SCHEMA,
            cursors::SCHEMA,
            shadow::SCHEMA,
            activity::SCHEMA,
            queue::SCHEMA,
            alert_rules::SCHEMA,
            link::SCHEMA,
            state::SCHEMA,
            versions::SCHEMA,
            metrics::SCHEMA,
            activity_query::SCHEMA,
        ] {
            connection.execute_batch(schema)?;
        }
        queue::migrate(&connection)?;
        activity::migrate(&connection)?;
        versions::backfill(&connection)?;
        link::migrate_legacy(&connection)?;
        link::migrate(&connection)?;
        let reader = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        reader.busy_timeout(std::time::Duration::from_secs(5))?;
        error_groups::register_functions(&reader)?;
        Ok(Store {
            connection: Mutex::new(connection),
            reader: Mutex::new(reader),
        })
    }

    /// The read-only connection, for reads that may see the last committed state.
    fn reader(&self) -> MutexGuard<'_, Connection> {
        self.reader
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn db(&self) -> MutexGuard<'_, Connection> {
        self.connection
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests;
