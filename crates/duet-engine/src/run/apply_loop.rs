//! The apply loop: takes a map's queued changes in capture order while the map is not
//! paused, carries each one, and settles it in the queue by what became of it.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use duet_connect::{Backoff, ErrorClass};
use duet_maps::{Row, Side};
use duet_store::{ChangeOperation, QueuedChange};
use serde_json::Value;
use tokio::sync::watch;

use crate::run::error::RoundError;
use crate::run::outcome::{Cause, Outcome, reason_with_fix};
use crate::run::parents::{LOOKUP_WAITS, is_held_back};
use crate::run::session::Session;

/// The most changes of different rows applied at once.
const WAVE: usize = 8;

/// What one batch of queued changes came to.
#[derive(Default)]
struct Tally {
    /// Changes sent behind the queue to wait for a row they look up.
    waited: usize,
    /// Changes settled for good (written, unchanged, out of scope).
    progressed: usize,
    /// Rows whose changes went behind the queue: the batch's later changes of them moved
    /// along and are met again there.
    deferred: HashSet<String>,
}

/// A target that cannot take writes now: the failure being retried, logged once, and the
/// growing wait between tries.
struct Unavailable {
    message: Option<String>,
    backoff: Backoff,
}

/// What settling one change asks of the loop.
enum Settled {
    /// Go on with the next change.
    Next,
    /// The target cannot take writes now: the change stays at the head of the queue and the
    /// loop waits before trying again.
    TargetUnavailable,
}

impl Session {
    /// Applies queued changes in capture order while the map is not paused. A change leaves
    /// the queue only once it was written, found unchanged, or set aside as failed.
    pub(in crate::run) async fn apply_queue(
        self: Arc<Self>,
        mut stopped: watch::Receiver<bool>,
        mut applying: watch::Receiver<bool>,
    ) -> Result<(), RoundError> {
        let pause = self.context.settings.failure_pause;
        let mut unavailable = Unavailable {
            message: None,
            backoff: Backoff::new(pause, pause * 16),
        };
        // Batches in a row in which every change only waited for rows to arrive.
        let mut idle = Backoff::new(pause, pause * 8);
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
            let pause = if batch.is_empty() {
                Duration::from_secs(1)
            } else {
                let Some(tally) = self
                    .apply_batch(batch, &mut unavailable, &mut stopped, &applying)
                    .await?
                else {
                    return Ok(());
                };
                // When a whole batch only waited for rows to arrive, nothing else can bring
                // them now, so the loop waits before trying again.
                if tally.waited == 0 || tally.progressed > 0 {
                    idle.reset();
                    continue;
                }
                idle.next_wait()
            };
            tokio::select! {
                _ = self.captured.notified() => {}
                _ = tokio::time::sleep(pause) => {}
                _ = applying.changed() => {}
                _ = stopped.changed() => return Ok(()),
            }
        }
    }

    /// Applies one batch of queued changes in order until it ends, the map is paused or
    /// stopped, or the target cannot take writes. Changes of different rows next to each
    /// other go out together (a wave, [`WAVE`] at most) and are settled in queue order; a
    /// row's changes never share a wave, so they are applied in the order captured. While
    /// the target cannot take writes, the head goes alone until it is taken. None when
    /// stopped.
    async fn apply_batch(
        &self,
        batch: Vec<QueuedChange>,
        unavailable: &mut Unavailable,
        stopped: &mut watch::Receiver<bool>,
        applying: &watch::Receiver<bool>,
    ) -> Result<Option<Tally>, RoundError> {
        let mut tally = Tally::default();
        let mut queue = batch.into_iter().peekable();
        while queue.peek().is_some() {
            if *stopped.borrow() || !*applying.borrow() {
                break;
            }
            // While the target fails, only the head is tried: the changes behind it wait.
            let most = match unavailable.message {
                Some(_) => 1,
                None => WAVE,
            };
            let wave = self.next_wave(&mut queue, &tally, most);
            let outcomes =
                futures::future::join_all(wave.iter().map(|queued| self.apply_queued(queued)))
                    .await;
            let mut blocked = false;
            for (queued, outcome) in wave.iter().zip(outcomes) {
                if let Settled::TargetUnavailable =
                    self.settle(queued, outcome, unavailable, &mut tally)?
                {
                    blocked = true;
                }
            }
            if blocked {
                tokio::select! {
                    _ = tokio::time::sleep(unavailable.backoff.next_wait()) => {}
                    _ = stopped.changed() => return Ok(None),
                }
                break;
            }
        }
        Ok(Some(tally))
    }

    /// The next changes to apply together: consecutive changes of different rows, skipping
    /// those already settled or moved along behind the queue. A change without a key goes
    /// alone.
    fn next_wave(
        &self,
        queue: &mut std::iter::Peekable<std::vec::IntoIter<QueuedChange>>,
        tally: &Tally,
        most: usize,
    ) -> Vec<QueuedChange> {
        let mut wave: Vec<QueuedChange> = Vec::new();
        let mut keys: HashSet<String> = HashSet::new();
        while let Some(queued) = queue.peek() {
            let key = queued.change.key.clone();
            let moved_along = key.as_ref().is_some_and(|key| tally.deferred.contains(key));
            let settled_early = self
                .settled_early
                .lock()
                .expect("settled changes")
                .remove(&queued.seq);
            if moved_along || settled_early {
                queue.next();
                continue;
            }
            let joins = match &key {
                Some(key) => wave.len() < most && !keys.contains(key),
                None => wave.is_empty(),
            };
            if !joins {
                break;
            }
            if let Some(key) = key {
                keys.insert(key);
            }
            wave.extend(queue.next());
            if wave
                .last()
                .is_some_and(|queued| queued.change.key.is_none())
            {
                break;
            }
        }
        wave
    }

    /// Settles a change in the queue by what became of it.
    fn settle(
        &self,
        queued: &QueuedChange,
        outcome: Outcome,
        unavailable: &mut Unavailable,
        tally: &mut Tally,
    ) -> Result<Settled, RoundError> {
        let store = self.store();
        match outcome {
            Outcome::Unavailable { message, class } => {
                self.context.observe_error(self.name(), class);
                if unavailable.message.as_deref() != Some(message.as_str()) {
                    self.context.lifecycle(
                        self.name(),
                        "failed",
                        &format!("{message}; the change stays queued and is retried"),
                    );
                    self.context
                        .set_reason(self.name(), Some(&reason_with_fix(&message, class)));
                    unavailable.message = Some(message.clone());
                }
                store.note_attempt(queued.seq, &message)?;
                return Ok(Settled::TargetUnavailable);
            }
            Outcome::Refused { message, class } => self.settle_refused(queued, &message, class)?,
            Outcome::Waiting {
                message,
                patient: false,
                ..
            } if queued.attempts + 1 >= LOOKUP_WAITS => self.stop_waiting(queued, &message)?,
            Outcome::Waiting {
                message,
                patient,
                wait,
            } => {
                // Behind everything queued now, so the row it points at (usually queued after
                // it) is applied first; later changes of the same row go along, so they still
                // follow it. A patient wait (its parent is queued in its own map) does not
                // count against the limit.
                tally.waited += 1;
                if let Some(key) = &queued.change.key {
                    tally.deferred.insert(key.clone());
                }
                store.defer_change(self.name(), queued.seq, &message, !patient, wait)?;
            }
            Outcome::Written | Outcome::Unchanged | Outcome::Ignored => {
                tally.progressed += 1;
                store.ack_change(queued.seq)?;
            }
        }
        unavailable.backoff.reset();
        if unavailable.message.take().is_some() {
            self.context.lifecycle(
                self.name(),
                "succeeded",
                "The target answers again; applying the queue",
            );
            self.context.set_reason(self.name(), None);
        }
        Ok(Settled::Next)
    }

    /// A refused change is kept as failed, once: when the same row already waits as failed
    /// for the same reason, this change leaves the queue.
    fn settle_refused(
        &self,
        queued: &QueuedChange,
        message: &str,
        class: ErrorClass,
    ) -> Result<(), RoundError> {
        self.context.observe_error(self.name(), class);
        let duplicate = match (&queued.change.key, queued.change.row.as_object()) {
            (Some(key), Some(row)) => self.failed_already(queued.change.side, key, row, message)?,
            _ => false,
        };
        match duplicate {
            true => self.store().ack_change(queued.seq)?,
            false => self.store().fail_change(queued.seq, message)?,
        }
        Ok(())
    }

    /// A change that waited for a row it looks up as often as it may is kept as failed, in
    /// the error log with its row, for a person to retry once the row exists.
    fn stop_waiting(&self, queued: &QueuedChange, message: &str) -> Result<(), RoundError> {
        let message = format!(
            "{message}; still missing after {LOOKUP_WAITS} attempts, so the change is kept as \
             failed: retry it once the referenced row exists"
        );
        let refused = self.refuse(
            queued.change.side,
            queued.change.key.as_deref(),
            "lookup",
            Cause::Map(&message),
            Some(queued.change.row.clone()),
        );
        if let Outcome::Refused { class, .. } = refused {
            self.context.observe_error(self.name(), class);
        }
        self.store().fail_change(queued.seq, &message)?;
        Ok(())
    }

    /// The rules a changed row of a known key meets before it is carried: its row deleted
    /// since, the echo of an earlier write of Duet's, or read before a later one. Duet's
    /// remembered writes of the row are read once for the last two.
    async fn before_carrying(
        &self,
        from: Side,
        key: &str,
        queued: &QueuedChange,
        row: &Row,
    ) -> Option<Outcome> {
        if let Some(outcome) = self
            .stale_after_delete(from, key, is_held_back(queued))
            .await
        {
            return Some(outcome);
        }
        let written = match self.store().written(self.name(), from.as_str(), key) {
            Ok(written) => written,
            Err(error) => return Some(Outcome::local_failure(error)),
        };
        match self.stale_echo(from, key, row, &written) {
            Ok(true) => return Some(Outcome::Unchanged),
            Ok(false) => {}
            Err(error) => return Some(Outcome::local_failure(error)),
        }
        let latest_write = written.last().map(|(id, _)| *id);
        self.read_before_later_write(from, queued, row, latest_write)
            .await
    }

    /// Carries one queued change: a delete, or a changed row once the delete, echo,
    /// stale-read and conflict rules let it through.
    async fn apply_queued(&self, queued: &QueuedChange) -> Outcome {
        let from = queued.change.side;
        match (queued.change.operation, &queued.change.row) {
            (ChangeOperation::Delete, _) => match (&queued.change.key, &queued.change.source_id) {
                (Some(key), _) if from == Side::FinanceOperations => {
                    self.apply_finops_delete(key).await
                }
                (Some(key), _) => self.apply_dataverse_delete(key).await,
                // A row Duet never synced was deleted: there is nothing to delete on the other side.
                (None, _) => Outcome::Ignored,
            },
            (_, Value::Object(row)) => {
                if let Some(key) = &queued.change.key
                    && let Some(outcome) = self.before_carrying(from, key, queued, row).await
                {
                    return outcome;
                }
                match self.resolve_conflict(from, queued, row) {
                    Ok(Some(outcome)) => return outcome,
                    Ok(None) => {}
                    Err(error) => return Outcome::local_failure(error),
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
