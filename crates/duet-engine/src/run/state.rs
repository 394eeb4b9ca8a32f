//! Map state: writing a map's state and reason (kept in memory when the store cannot take
//! it, so the shells still show it), and ending a catch-up once every change queued while
//! paused is settled.

use duet_store::{MapState, StoreError};

use crate::run::context::{Context, Unsaved};
use crate::run::engine::EngineEvent;
use crate::run::session::Session;

/// While a map resumes by catching up: the last change queued when it resumed. Once every
/// change up to it is settled the map is Running again.
pub(in crate::run) const CATCH_UP_MARK: &str = "resume.catchUpTo";

impl Context {
    pub(in crate::run) fn set_state(
        &self,
        name: &str,
        state: MapState,
        reason: Option<&str>,
    ) -> Result<(), StoreError> {
        let stored = self
            .store
            .set_map_state(name, state, reason, &self.clock.stamp());
        let mut unsaved = self
            .unsaved
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match &stored {
            Ok(()) => unsaved.remove(name),
            Err(_) => unsaved.insert(name.to_owned(), (state, reason.map(str::to_owned))),
        };
        drop(unsaved);
        let _ = self.events.send(EngineEvent::MapChanged(name.to_owned()));
        stored
    }

    /// Shows a reason on the map without changing its state. A store failure is logged: the
    /// reason is what the admin reads, not what the sync relies on.
    pub(in crate::run) fn set_reason(&self, name: &str, reason: Option<&str>) {
        let unsaved = self.unsaved_state(name);
        let shown = self.store.map(name).and_then(|map| match (map, unsaved) {
            (_, Some((state, shown))) if shown.as_deref() != reason => {
                self.set_state(name, state, reason)
            }
            (Some(map), None) if map.reason.as_deref() != reason => {
                self.set_state(name, map.state, reason)
            }
            _ => Ok(()),
        });
        if let Err(error) = shown {
            tracing::error!(map = %name, %error, "the map's reason could not be written");
        }
    }
}

impl Context {
    /// The state and reason of `name` the store could not take, if any.
    pub(in crate::run) fn unsaved_state(&self, name: &str) -> Option<Unsaved> {
        self.unsaved
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(name)
            .cloned()
    }
}

impl Session {
    /// Ends a catch-up once the oldest queued change (`next`) came after the changes queued
    /// when the map resumed: those are all settled (written, failed, or sent behind the
    /// queue to wait), so the map is Running again.
    pub(in crate::run) fn caught_up(&self, next: Option<i64>) -> Result<(), StoreError> {
        let store = self.store();
        let Some(mark_text) = store.cursor(self.name(), CATCH_UP_MARK)? else {
            return Ok(());
        };
        let mark: i64 = mark_text.parse().unwrap_or(i64::MAX);
        if next.is_some_and(|next| next <= mark) {
            return Ok(());
        }
        // Each step only if nothing changed meanwhile: a pause, or a newer resume's mark,
        // wins over this catch-up ending.
        if !store.delete_cursor_if(self.name(), CATCH_UP_MARK, &mark_text)? {
            return Ok(());
        }
        if store.transition_map_state(
            self.name(),
            MapState::Resuming,
            MapState::Running,
            &self.context.clock.stamp(),
        )? {
            let _ = self
                .context
                .events
                .send(EngineEvent::MapChanged(self.name().to_owned()));
            self.context.lifecycle(
                self.name(),
                "succeeded",
                "Caught up: every change queued while paused is applied; live sync",
            );
        }
        Ok(())
    }
}
