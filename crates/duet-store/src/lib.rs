//! Duet's local state in one SQLite file: the linked environments (never their secrets),
//! the maps and their states, sync cursors, each side's last known row values, and the
//! activity log.

#![deny(clippy::too_many_lines)]

mod activity;
mod activity_query;
mod alert_rules;
mod change;
mod cursors;
mod error;
mod error_groups;
mod link;
mod lock;
mod maps;
mod metrics;
mod migrations;
mod queue;
mod shadow;
mod state;
mod versions;

pub use activity::{ActivityRecord, NewActivity};
pub use activity_query::{ActivityPage, ActivityQuery, LogOrder};
pub use alert_rules::{AlertAction, AlertRule};
pub use change::{ChangeOperation, ChangeStatus, NewChange, QueuedChange, Wait};
pub use cursors::CursorMove;
pub use error::StoreError;
pub use error_groups::{ErrorGroup, message_pattern};
pub use link::{EnvironmentRecord, LinkRecord, ResetCounts};
pub use lock::{DataDirLock, LOCK_FILE};
pub use maps::{MapRecord, MapState};
pub use metrics::{DEFAULT_ACTIVITY_MAX_LINES, MetricBucket, Pruned, QueueSample, Retention};
pub use shadow::WRITTEN_KEPT;
pub use versions::{MapVersion, default_author};

use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

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

/// How long a statement waits for another connection's lock before it fails as
/// [`StoreError::Busy`].
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Files up to this size are checked with `PRAGMA quick_check` on opening. It reads the whole
/// file: measured at about 0.1 s for a store of 100,000 log lines (32 MB). A larger file is
/// not checked as a whole; a damaged page of it fails as [`StoreError::Corrupt`] when read.
const QUICK_CHECK_UP_TO: u64 = 64 << 20;

/// Refuses a file `PRAGMA quick_check` finds damaged, saying what it found first.
fn quick_check(connection: &Connection, path: &Path, file: &str) -> Result<()> {
    let size = std::fs::metadata(path).map_or(0, |metadata| metadata.len());
    if size > QUICK_CHECK_UP_TO {
        return Ok(());
    }
    let verdict: String = connection.query_row("PRAGMA quick_check(1)", [], |row| row.get(0))?;
    if verdict == "ok" {
        return Ok(());
    }
    Err(StoreError::Corrupt {
        file: file.to_owned(),
        detail: verdict,
    })
}

impl Store {
    /// Opens the store at `path`, creating it, or bringing a store of an earlier version up
    /// to date. A file that is not a readable Duet database is refused as it is, never written
    /// over; so is a store written by a newer Duet.
    pub fn open(path: &Path) -> Result<Store> {
        let file = path.display().to_string();
        let opened = Store::open_writer(path, &file).and_then(|connection| {
            let reader = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            reader.busy_timeout(BUSY_TIMEOUT)?;
            error_groups::register_functions(&reader)?;
            Ok(Store {
                connection: Mutex::new(connection),
                reader: Mutex::new(reader),
            })
        });
        opened.map_err(|error| error.in_file(path))
    }

    /// The writing connection, its schema checked and migrated. Nothing is written before the
    /// file has been read as a SQLite database of a version this build knows.
    fn open_writer(path: &Path, file: &str) -> Result<Connection> {
        let mut connection = Connection::open(path)?;
        connection.busy_timeout(BUSY_TIMEOUT)?;
        // Reads the header and the schema: a file that is not a database, or a damaged one,
        // fails here.
        connection.query_row("SELECT COUNT(*) FROM sqlite_master", [], |row| {
            row.get::<_, i64>(0)
        })?;
        quick_check(&connection, path, file)?;
        migrations::refuse_newer(&connection, file)?;
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "NORMAL")?;
        error_groups::register_functions(&connection)?;
        migrations::run(&mut connection)?;
        Ok(connection)
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

#[cfg(feature = "test-utils")]
impl Store {
    /// For tests: lets the database grow by at most `pages` more pages (`None`: no limit), as
    /// a disk with that little room left would; a write past it fails with
    /// [`StoreError::Full`], as SQLite answers when the disk is full.
    pub fn limit_room(&self, pages: Option<i64>) -> Result<()> {
        let db = self.db();
        let limit = match pages {
            Some(pages) => {
                let used: i64 = db.query_row("PRAGMA page_count", [], |row| row.get(0))?;
                used + pages
            }
            None => 1_073_741_823,
        };
        db.pragma_update(None, "max_page_count", limit)?;
        Ok(())
    }
}
