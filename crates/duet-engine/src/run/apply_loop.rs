//! The apply loop: takes a map's queued changes in capture order while the map is not
//! paused, carries each one, and settles it in the queue by what became of it.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use duet_connect::ErrorClass;
use duet_maps::Side;
use duet_store::{NewActivity, QueuedChange};
use serde_json::Value;
use tokio::sync::watch;

use crate::run::error::RoundError;
use crate::run::outcome::{Outcome, reason_with_fix};
use crate::run::parents::{LOOKUP_WAITS, is_held_back};
use crate::run::session::Session;
use crate::run::sides::{direction_name, side_of};

impl Session {
    /// Applies queued changes in capture order while the map is not paused. A change leaves
    /// the queue only once it was written, found unchanged, or set aside as failed.
    pub(in crate::run) async fn apply_queue(
        self: Arc<Self>,
        mut stopped: watch::Receiver<bool>,
        mut applying: watch::Receiver<bool>,
    ) -> Result<(), RoundError> {
        let mut unavailable: Option<String> = None;
        loop {
            if *stopped.borrow() {
                return Ok(());
            }
            if !*applying.borrow() {
                tokio::select! {
                    _ = applying.changed() => continue,
                    _ = stopped.changed() => return Ok(()),
                }
            }
            // A batch read now holds no change settled before it.
            self.settled_early.lock().expect("settled changes").clear();
            let batch = self.store().next_changes(self.name(), 200)?;
            self.caught_up(batch.first().map(|queued| queued.seq))?;
            if batch.is_empty() {
                tokio::select! {
                    _ = self.captured.notified() => {}
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    _ = applying.changed() => {}
                    _ = stopped.changed() => return Ok(()),
                }
                continue;
            }
            // Changes that only waited for a self-reference target: when a whole batch does,
            // nothing else can bring the targets now, so the loop waits before trying again.
            let (mut waited, mut progressed) = (0usize, 0usize);
            // Rows whose changes went behind the queue: this batch's later changes of them
            // moved along and are met again there.
            let mut deferred: HashSet<String> = HashSet::new();
            for queued in batch {
                if *stopped.borrow() || !*applying.borrow() {
                    break;
                }
                if queued
                    .change
                    .key
                    .as_ref()
                    .is_some_and(|key| deferred.contains(key))
                    || self
                        .settled_early
                        .lock()
                        .expect("settled changes")
                        .remove(&queued.seq)
                {
                    continue;
                }
                let outcome = self.apply_queued(&queued).await;
                let store = self.store();
                let stored = match outcome {
                    Outcome::Unavailable { message, class } => {
                        self.context.observe_error(self.name(), class);
                        if unavailable.as_deref() != Some(message.as_str()) {
                            self.context.lifecycle(
                                self.name(),
                                "failed",
                                &format!("{message}; the change stays queued and is retried"),
                            );
                            self.context
                                .set_reason(self.name(), Some(&reason_with_fix(&message, class)));
                            unavailable = Some(message.clone());
                        }
                        store.note_attempt(queued.seq, &message)?;
                        tokio::select! {
                            _ = tokio::time::sleep(self.context.settings.failure_pause) => {}
                            _ = stopped.changed() => return Ok(()),
                        }
                        break;
                    }
                    Outcome::Refused { message, class } => {
                        self.context.observe_error(self.name(), class);
                        let duplicate = match (&queued.change.key, queued.change.row.as_object()) {
                            (Some(key), Some(row)) => self
                                .failed_already(side_of(&queued.change.side), key, row, &message)
                                .unwrap_or(false),
                            _ => false,
                        };
                        if duplicate {
                            // The same row already waits as failed for the same reason.
                            store.ack_change(queued.seq)
                        } else {
                            store.fail_change(queued.seq, &message)
                        }
                    }
                    Outcome::Waiting {
                        message,
                        patient: false,
                    } if queued.attempts + 1 >= LOOKUP_WAITS => {
                        let message = format!(
                            "{message}; still missing after {LOOKUP_WAITS} attempts, so the \
                             change is kept as failed: retry it once the referenced row exists"
                        );
                        self.context.record(NewActivity {
                            at: self.context.clock.stamp(),
                            map: self.name().to_owned(),
                            kind: "error".to_owned(),
                            direction: Some(
                                direction_name(side_of(&queued.change.side).other()).to_owned(),
                            ),
                            key: queued.change.key.clone(),
                            operation: Some("lookup".to_owned()),
                            status: "failed".to_owned(),
                            message: message.clone(),
                            latency_ms: None,
                            payload: Some(queued.change.row.clone()),
                        });
                        self.context
                            .observe_error(self.name(), ErrorClass::Application);
                        store.fail_change(queued.seq, &message)
                    }
                    Outcome::Waiting { message, patient } => {
                        // Behind everything queued now, so the row it points at (usually
                        // queued after it) is applied first; later changes of the same row
                        // go along, so they still follow it. A patient wait (its parent is
                        // queued in its own map) does not count against the limit.
                        waited += 1;
                        if let Some(key) = &queued.change.key {
                            deferred.insert(key.clone());
                        }
                        store
                            .defer_change(self.name(), queued.seq, &message, !patient)
                            .map(|_| ())
                    }
                    Outcome::Written | Outcome::Unchanged | Outcome::Ignored => {
                        progressed += 1;
                        store.ack_change(queued.seq)
                    }
                };
                stored?;
                if unavailable.take().is_some() {
                    self.context.lifecycle(
                        self.name(),
                        "succeeded",
                        "The target answers again; applying the queue",
                    );
                    self.context.set_reason(self.name(), None);
                }
            }
            if waited > 0 && progressed == 0 {
                tokio::select! {
                    _ = self.captured.notified() => {}
                    _ = tokio::time::sleep(self.context.settings.failure_pause) => {}
                    _ = stopped.changed() => return Ok(()),
                }
            }
        }
    }

    pub(in crate::run) async fn apply_queued(&self, queued: &QueuedChange) -> Outcome {
        let from = if queued.change.side == Side::Dataverse.as_str() {
            Side::Dataverse
        } else {
            Side::FinanceOperations
        };
        match (queued.change.operation.as_str(), &queued.change.row) {
            ("delete", _) => match (&queued.change.key, &queued.change.source_id) {
                (Some(key), _) if from == Side::FinanceOperations => {
                    self.apply_finops_delete(key).await
                }
                (Some(key), _) => self.apply_dataverse_delete(key).await,
                // A row Duet never synced was deleted: there is nothing to delete on the other side.
                (None, _) => Outcome::Ignored,
            },
            (_, Value::Object(row)) => {
                if let Some(key) = &queued.change.key
                    && let Some(outcome) = self
                        .stale_after_delete(from, key, is_held_back(queued))
                        .await
                {
                    return outcome;
                }
                if let Some(key) = &queued.change.key
                    && self.stale_echo(from, key, row)
                {
                    return Outcome::Unchanged;
                }
                if let Some(outcome) = self.resolve_conflict(from, queued, row) {
                    return outcome;
                }
                self.apply(from, row, true).await
            }
            _ => Outcome::Refused {
                message: format!("queued change {} has no row", queued.seq),
                class: ErrorClass::Application,
            },
        }
    }
}
