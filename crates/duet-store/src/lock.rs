//! One Duet process per data directory: an exclusive advisory lock on `duet.lock` in the
//! directory, held for as long as the process keeps the [`DataDirLock`]. The operating system
//! releases it when the process ends however it ends (even killed), so a stale lock file never
//! keeps the next Duet out; the file itself stays, holding the last holder's process id.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use crate::{Result, StoreError};

/// The lock file's name in the data directory.
pub const LOCK_FILE: &str = "duet.lock";

/// The data directory's lock, released when dropped.
#[derive(Debug)]
pub struct DataDirLock {
    path: PathBuf,
    // Held open: closing the file releases the lock.
    _file: File,
}

impl DataDirLock {
    /// Takes the lock of `dir` (which must exist) without waiting: when another process
    /// holds it, the error names the directory and that process's id.
    pub fn acquire(dir: &Path) -> Result<DataDirLock> {
        let path = dir.join(LOCK_FILE);
        let failed = |source| StoreError::Lock {
            file: path.display().to_string(),
            source,
        };
        // Not truncated on open: the holder's id must stay readable until the lock is ours.
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(failed)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(StoreError::InUse {
                    dir: dir.display().to_string(),
                    holder: holder(&mut file),
                });
            }
            Err(TryLockError::Error(error)) => return Err(failed(error)),
        }
        file.set_len(0).map_err(failed)?;
        file.rewind().map_err(failed)?;
        writeln!(file, "{}", std::process::id()).map_err(failed)?;
        file.sync_data().map_err(failed)?;
        Ok(DataDirLock { path, _file: file })
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// " (process 1234)" when the lock file names its holder, else nothing (some systems do not
/// let a locked file be read).
fn holder(file: &mut File) -> String {
    let mut text = String::new();
    match file.read_to_string(&mut text) {
        Ok(_) => match text.trim().parse::<u32>() {
            Ok(pid) => format!(" (process {pid})"),
            Err(_) => String::new(),
        },
        Err(_) => String::new(),
    }
}
