//! Why a round of a map failed. The supervisor shows it as the map's reason, with the fix
//! for its class where there is one, and starts another round after a wait.

use duet_connect::{ConnectError, ErrorClass};
use duet_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub(in crate::run) enum RoundError {
    #[error("the local store failed: {0}")]
    Store(#[from] StoreError),
    /// A read or write of one side failed in a way the round cannot get past.
    #[error("{what}: {error} — {}", error.class.solution())]
    Remote {
        what: String,
        error: Box<ConnectError>,
    },
    /// A side could not take a write now (throttled, down, timed out).
    #[error("{message} — {}", class.solution())]
    Unavailable { message: String, class: ErrorClass },
    /// What the map defines, or what a side answered, cannot be used as it is (a source
    /// filter that does not parse, a timestamp that does not read…).
    #[error("{0}")]
    Invalid(String),
    #[error("the initial sync's checkpoint could not be read or written: {0}")]
    Checkpoint(#[from] serde_json::Error),
    #[error("no environments are linked")]
    NotLinked,
}

impl RoundError {
    pub(in crate::run) fn remote(what: impl Into<String>, error: ConnectError) -> RoundError {
        RoundError::Remote {
            what: what.into(),
            error: Box::new(error),
        }
    }
}
