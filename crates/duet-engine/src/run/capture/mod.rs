//! Capture: the loops that read what changed on each side and append it to the map's queue,
//! moving the side's cursor in the same transaction. Capture runs while a map is paused.

mod dataverse;
mod finops;
mod reconcile;

use duet_connect::{Backoff, ConnectError, RetryPolicy};
use duet_maps::Side;
use duet_store::{ChangeOperation, NewChange};
use serde_json::Value;

use crate::run::engine::EngineEvent;
use crate::run::error::RoundError;
use crate::run::session::Session;

pub(in crate::run) const DELTA_CURSOR: &str = "dataverse.deltaLink";

pub(in crate::run) const WATERMARK_CURSOR: &str = "financeOperations.modifiedDateTime";

pub(in crate::run) const MODIFIED_FIELD: &str = "ModifiedDateTime";

impl Session {
    /// How a capture loop waits after failed reads in a row: from the failure pause up to 16
    /// times it.
    pub(in crate::run) fn capture_backoff(&self) -> Backoff {
        let pause = self.context.settings.failure_pause;
        Backoff::new(pause, pause * 16)
    }

    /// A capture that failed for a reason time may fix (throttled, down, timed out) counts
    /// against the alert rules and is retried by the loop; any other failure ends the round.
    pub(in crate::run) fn capture_failed(
        &self,
        what: &str,
        error: &ConnectError,
    ) -> Result<(), RoundError> {
        if error.class.retry_policy() != RetryPolicy::Timed {
            return Err(RoundError::remote(what, error.clone()));
        }
        let message = format!("{what}: {error}");
        self.context.observe_error(self.name(), error.class);
        let mut failing = self
            .capture_failing
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if failing.insert(what.to_owned()) {
            self.context.lifecycle(
                self.name(),
                "failed",
                &format!("{message}; capture retries"),
            );
            self.context.set_reason(
                self.name(),
                Some(&format!("{message} — {}", error.class.solution())),
            );
        }
        Ok(())
    }

    pub(in crate::run) fn capture_recovered(&self, side: &str) {
        let mut failing = self
            .capture_failing
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let before = failing.len();
        failing.retain(|what| !what.ends_with(&format!("{side} changes")));
        if failing.len() < before {
            self.context.lifecycle(
                self.name(),
                "succeeded",
                &format!("Reading {side} changes works again"),
            );
            if failing.is_empty() {
                self.context.set_reason(self.name(), None);
            }
        }
    }

    /// Wakes the apply loop and tells the shells the queue grew (a paused map's counts move).
    pub(in crate::run) fn captured_changes(&self) {
        self.captured.notify_one();
        let _ = self
            .context
            .events
            .send(EngineEvent::MapChanged(self.name().to_owned()));
    }

    pub(in crate::run) fn change(
        &self,
        side: Side,
        operation: ChangeOperation,
        key: Option<String>,
        source_id: Option<String>,
        row: Value,
    ) -> NewChange {
        NewChange {
            side,
            operation,
            key,
            source_id,
            row,
            captured_at: self.context.clock.stamp(),
            read_mark: None,
        }
    }
}
