//! SQLite access shared by both emulators.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension, params};

use crate::odata::ApiError;

/// One SQLite connection behind a mutex; every access runs on the blocking pool so the async
/// servers never stall on disk I/O.
#[derive(Clone)]
pub(crate) struct Db {
    conn: Arc<Mutex<Connection>>,
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
        })
    }

    /// Runs `f` with exclusive access to the connection on the blocking thread pool.
    pub(crate) async fn run<R, F>(&self, f: F) -> Result<R, ApiError>
    where
        F: FnOnce(&mut Connection) -> Result<R, ApiError> + Send + 'static,
        R: Send + 'static,
    {
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
