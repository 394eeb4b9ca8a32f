//! What can go wrong with the store. SQLite's answers that a person can act on — the file is
//! locked by another program, damaged, on a full disk, from a newer Duet, or the data directory
//! is in use — each have their own variant and a message that says what to do; every
//! `rusqlite::Error` is sorted into them as it is converted.

use rusqlite::ErrorCode;

/// How a SQLite error that happens after opening names the file.
pub(crate) const THE_DATABASE: &str = "Duet's database";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
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
    /// Another program held a lock on the file for longer than the busy timeout.
    #[error(
        "{file} is busy: another program has it locked ({detail}). Close the other program \
         that has it open (another Duet, a database browser) and try again"
    )]
    Busy { file: String, detail: String },
    /// The file is not a SQLite database, or SQLite found it damaged. Duet never writes over
    /// such a file.
    #[error(
        "{file} is damaged or is not a Duet database ({detail}). Duet has not changed it: stop \
         Duet, move the file aside or restore it from a backup, then start Duet again"
    )]
    Corrupt { file: String, detail: String },
    /// The disk (or a size limit) refused to let the file grow; the write was rolled back.
    #[error(
        "the disk is full: {file} could not grow ({detail}). What was being written was not \
         applied and stays where it was; free some disk space and try again"
    )]
    Full { file: String, detail: String },
    /// The file has had migrations this build does not know.
    #[error(
        "{file} was written by a newer Duet (schema version {found}; this Duet knows up to \
         {known}). It has not been changed: run that newer Duet, or restore a backup made by \
         this version"
    )]
    NewerSchema {
        file: String,
        found: i64,
        known: usize,
    },
    /// Another process holds the data directory's lock.
    #[error(
        "the data directory {dir} is in use by another Duet process{holder}. Only one Duet can \
         use a data directory at a time: stop the other one, or give this one another data \
         directory (`--data DIR` on the command line, DUET_DATA_DIR for the desktop app)"
    )]
    InUse { dir: String, holder: String },
    /// The data directory's lock file could not be opened or locked.
    #[error("cannot lock the data directory with {file}: {source}")]
    Lock {
        file: String,
        source: std::io::Error,
    },
    #[error("the database schema could not be brought up to date: {0}")]
    Migration(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> StoreError {
        classify(error, THE_DATABASE)
    }
}

/// Sorts a SQLite error into the variant a person can act on, naming the file as `file`.
pub(crate) fn classify(error: rusqlite::Error, file: &str) -> StoreError {
    let file = file.to_owned();
    let detail = error.to_string();
    match error.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            StoreError::Busy { file, detail }
        }
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => {
            StoreError::Corrupt { file, detail }
        }
        Some(ErrorCode::DiskFull) => StoreError::Full { file, detail },
        _ => StoreError::Sqlite(error),
    }
}

impl StoreError {
    /// The same error naming `file` instead of [`THE_DATABASE`]: what opening reports.
    pub(crate) fn in_file(self, path: &std::path::Path) -> StoreError {
        let file = path.display().to_string();
        match self {
            StoreError::Busy { detail, .. } => StoreError::Busy { file, detail },
            StoreError::Corrupt { detail, .. } => StoreError::Corrupt { file, detail },
            StoreError::Full { detail, .. } => StoreError::Full { file, detail },
            other => other,
        }
    }
}
