//! The initial sync's checkpoint: how far it is, and where it resumes.

use duet_store::Store;
use serde::{Deserialize, Serialize};

pub(in crate::run) const INITIAL_DELTA: &str = "initial.deltaLink";

pub(in crate::run) const INITIAL_LAST_KEY: &str = "initial.lastKey";

pub(in crate::run) const INITIAL_PROGRESS: &str = "initial.progress";

/// Which pass of the initial sync of a map with self-references is under way (`2` once every
/// row was written without them).
pub(in crate::run) const INITIAL_PASS: &str = "initial.pass";

/// The last key the second pass (self-references only) has written.
pub(in crate::run) const INITIAL_SECOND_LAST_KEY: &str = "initial.secondPassLastKey";

/// How far an initial sync is, kept with its checkpoint.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Progress {
    pub done: u64,
    pub written: u64,
    pub total: Option<u64>,
    pub rows_per_second: f64,
}

/// How far a map's unfinished initial sync is, if one is under way or interrupted.
pub fn initial_progress(store: &Store, map: &str) -> Option<Progress> {
    let json = store.cursor(map, INITIAL_PROGRESS).ok()??;
    serde_json::from_str(&json).ok()
}
