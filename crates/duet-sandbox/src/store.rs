//! SQLite access shared by both emulators.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension, params};

use crate::odata::ApiError;

/// One SQLite connection behind a mutex; every access runs on the blocking pool so the async
/// servers never stall on disk I/O. Request handlers open savepoints rather than transactions
/// so that they nest inside the savepoint of a `$batch` change set.
#[derive(Clone)]
pub(crate) struct Db {
    conn: Arc<Mutex<Connection>>,
    /// Taken around every access, and held for a whole `$batch` change set so no other request
    /// can run inside (or see) the change set's open savepoint.
    gate: Arc<tokio::sync::Mutex<()>>,
    /// True on the view handed to a change set, which already holds `gate`.
    holds_gate: bool,
}

/// Exclusive use of a database for a `$batch` change set: every request run through `db`
/// shares one open savepoint that [`Exclusive::finish`] releases or rolls back.
pub(crate) struct Exclusive {
    pub db: Db,
    _guard: tokio::sync::OwnedMutexGuard<()>,
}

const CHANGESET_SAVEPOINT: &str = "duet_changeset";

impl Exclusive {
    /// Keeps every write since [`Db::exclusive`] when `commit`, otherwise undoes all of them.
    pub(crate) async fn finish(self, commit: bool) -> Result<(), ApiError> {
        let sql = if commit {
            format!("RELEASE {CHANGESET_SAVEPOINT}")
        } else {
            format!("ROLLBACK TO {CHANGESET_SAVEPOINT}; RELEASE {CHANGESET_SAVEPOINT}")
        };
        self.db
            .run(move |conn| {
                conn.execute_batch(&sql)?;
                Ok(())
            })
            .await
    }
}

impl Drop for Exclusive {
    fn drop(&mut self) {
        // A change set abandoned half-way (its task panicked) must not leave the connection
        // inside a transaction that every later request would silently join.
        let guard = self.db.conn.lock();
        let conn = guard.unwrap_or_else(|p| p.into_inner());
        if !conn.is_autocommit() {
            let undo = format!("ROLLBACK TO {CHANGESET_SAVEPOINT}; RELEASE {CHANGESET_SAVEPOINT}");
            if let Err(e) = conn.execute_batch(&undo) {
                tracing::error!(error = %e, "could not roll back an abandoned change set");
            }
        }
    }
}

impl Db {
    /// Opens (or creates) a database in WAL mode and applies `schema`.
    pub(crate) fn open(path: &Path, schema: &str) -> Result<Db, rusqlite::Error> {
        let conn = Connection::open(path)?;
        conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get::<_, String>(0))?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);",
        )?;
        conn.execute_batch(schema)?;
        Ok(Db {
            conn: Arc::new(Mutex::new(conn)),
            gate: Arc::new(tokio::sync::Mutex::new(())),
            holds_gate: false,
        })
    }

    /// Waits for every other access to finish, then opens the savepoint a change set runs in.
    pub(crate) async fn exclusive(&self) -> Result<Exclusive, ApiError> {
        let guard = self.gate.clone().lock_owned().await;
        let db = Db {
            conn: self.conn.clone(),
            gate: self.gate.clone(),
            holds_gate: true,
        };
        db.run(|conn| {
            conn.execute_batch(&format!("SAVEPOINT {CHANGESET_SAVEPOINT}"))?;
            Ok(())
        })
        .await?;
        Ok(Exclusive { db, _guard: guard })
    }

    /// Runs `f` with exclusive access to the connection on the blocking thread pool.
    pub(crate) async fn run<R, F>(&self, f: F) -> Result<R, ApiError>
    where
        F: FnOnce(&mut Connection) -> Result<R, ApiError> + Send + 'static,
        R: Send + 'static,
    {
        let _gate = if self.holds_gate {
            None
        } else {
            Some(self.gate.lock().await)
        };
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            // A panic in another request must not brick the emulator, so take the poisoned guard.
            let mut guard = conn.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(|e| ApiError::internal(format!("Storage task failed: {e}")))?
    }

    /// Synchronous access for start-up work, before the servers accept requests.
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut Connection) -> R) -> R {
        let mut guard = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }
}

pub(crate) fn get_meta(conn: &Connection, name: &str) -> Result<Option<String>, rusqlite::Error> {
    conn.query_row(
        "SELECT value FROM meta WHERE name = ?1",
        params![name],
        |r| r.get::<_, String>(0),
    )
    .optional()
}

pub(crate) fn set_meta(conn: &Connection, name: &str, value: &str) -> Result<(), rusqlite::Error> {
    conn.execute(
        "INSERT INTO meta (name, value) VALUES (?1, ?2)
         ON CONFLICT(name) DO UPDATE SET value = excluded.value",
        params![name, value],
    )?;
    Ok(())
}

/// Increments and returns a persisted integer counter.
pub(crate) fn next_counter(
    conn: &Connection,
    name: &str,
    start: i64,
) -> Result<i64, rusqlite::Error> {
    let current = get_meta(conn, name)?
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(start);
    let next = current + 1;
    set_meta(conn, name, &next.to_string())?;
    Ok(next)
}

/// Reads a persisted integer counter without changing it.
pub(crate) fn read_counter(
    conn: &Connection,
    name: &str,
    start: i64,
) -> Result<i64, rusqlite::Error> {
    Ok(get_meta(conn, name)?
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(start))
}
