//! Edits reaching a running map: `Engine::apply_definition` signals the map's task, whose
//! round ends at its next safe point (between changes, between initial-sync chunks, never in
//! the middle of a write), and the supervisor starts the next round with the newest stored
//! definition. Nothing is lost on the way: the queue and the cursors are durable and an
//! initial sync resumes from its checkpoint; the map's state is set again by the new round
//! from what it was (paused stays paused).

use std::sync::Arc;

use duet_maps::TableMap;
use tokio::sync::watch;

use crate::run::context::Context;
use crate::run::engine::EngineError;
use crate::run::error::RoundError;

/// The definition signals a map's task receives: a count the engine raises for each saved
/// edit, and the count the task's definition reflects.
pub(in crate::run) struct Edits {
    signals: watch::Receiver<u64>,
    applied: u64,
}

impl Edits {
    pub(in crate::run) fn new(signals: watch::Receiver<u64>) -> Edits {
        let applied = *signals.borrow();
        Edits { signals, applied }
    }

    /// Whether an edit was signalled since the definition in use was read.
    pub(in crate::run) fn pending(&self) -> bool {
        *self.signals.borrow() != self.applied
    }

    /// Waits until an edit is signalled (at once when one is pending); never ends once the
    /// engine forgot the map, which stops the task by its own signal.
    pub(in crate::run) async fn arrived(&self) {
        let mut signals = self.signals.clone();
        let applied = self.applied;
        if signals.wait_for(|count| *count != applied).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

impl Context {
    /// The map's newest saved definition and its version number.
    fn newest_version(&self, name: &str) -> Result<(i64, TableMap), EngineError> {
        let newest = self
            .store
            .map_versions(name)?
            .pop()
            .ok_or_else(|| EngineError::UnknownMap(name.to_owned()))?;
        let map =
            serde_json::from_value(newest.definition).map_err(|error| EngineError::InvalidMap {
                name: name.to_owned(),
                reason: error.to_string(),
            })?;
        Ok((newest.version, map))
    }

    /// The definition the next round runs with once an edit was signalled: the newest saved
    /// version, logged by its number; the current one when the newest cannot be read.
    pub(in crate::run) fn newest_definition(
        &self,
        current: TableMap,
        edits: &mut Edits,
    ) -> TableMap {
        edits.applied = *edits.signals.borrow();
        match self.newest_version(&current.name) {
            Ok((version, map)) => {
                self.lifecycle(
                    &current.name,
                    "succeeded",
                    &format!("Definition version {version} applied"),
                );
                map
            }
            Err(error) => {
                self.lifecycle(
                    &current.name,
                    "failed",
                    &format!(
                        "The newest definition could not be applied ({error}); the map goes on \
                         with the one it had"
                    ),
                );
                current
            }
        }
    }

    /// One round of the map that also ends, at its next safe point, when an edit is
    /// signalled: its loops see the round's own stop signal, raised by the map's stop or by
    /// the edit.
    pub(in crate::run) async fn run_round(
        self: Arc<Self>,
        map: &TableMap,
        stopped: &watch::Receiver<bool>,
        applying: watch::Receiver<bool>,
        edits: &Edits,
    ) -> Result<(), RoundError> {
        let (end, ended) = watch::channel(*stopped.borrow());
        let round = self.run_once(map, ended, applying);
        tokio::pin!(round);
        let mut stopped = stopped.clone();
        let stop = async {
            if stopped.wait_for(|stop| *stop).await.is_err() {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            outcome = &mut round => return outcome,
            () = stop => {}
            () = edits.arrived() => {}
        }
        let _ = end.send(true);
        round.await
    }
}
