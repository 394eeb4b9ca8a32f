//! What must never leave Duet: a client secret (not in its SQLite files, the activity log,
//! any log line at any level of any crate, an error, or a struct's debug text) and a synced
//! row's values (not in log lines at INFO and above; a failed change keeps its payload in the
//! activity log, by design). Both read what the process logs, so the subscriber that captures
//! it is installed once for this binary, before anything logs.

#[allow(dead_code)]
#[path = "support/mod.rs"]
mod support;

#[path = "leaks/capture.rs"]
mod capture;
#[path = "leaks/rows.rs"]
mod rows;
#[path = "leaks/secret.rs"]
mod secret;
