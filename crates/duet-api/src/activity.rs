//! The activity log: read back for the UI, and the lifecycle notes the API writes itself.

use duet_store::NewActivity;

use crate::model::{ActivityEntry, DuetEvent};
use crate::{Api, ApiError, views};

impl Api {
    /// The newest `limit` lines of the activity log (at most 10,000).
    pub async fn activity(&self, limit: u32) -> Result<Vec<ActivityEntry>, ApiError> {
        Ok(self
            .store
            .activity(limit.min(10_000))?
            .into_iter()
            .map(views::activity_entry)
            .collect())
    }

    /// Logs a change of the link (linked, reset) under the `link` area.
    pub(crate) fn record_lifecycle(&self, message: &str) {
        self.record_note("link", message);
    }

    /// Logs a line that belongs to no map's sync (`map` names the area: link, retention).
    pub(crate) fn record_note(&self, map: &str, message: &str) {
        self.record_line(map, "succeeded", message);
    }

    /// Logs a lifecycle line of `map` with its status and tells the shells.
    pub(crate) fn record_line(&self, map: &str, status: &str, message: &str) {
        let entry = NewActivity {
            at: self.clock.stamp(),
            map: map.to_owned(),
            kind: "lifecycle".to_owned(),
            direction: None,
            key: None,
            operation: None,
            status: status.to_owned(),
            message: message.to_owned(),
            latency_ms: None,
            payload: None,
            error_class: None,
        };
        match self.store.add_activity(&entry) {
            Ok(record) => {
                let _ = self.events.send(DuetEvent::Activity {
                    entry: views::activity_entry(record),
                });
            }
            Err(error) => tracing::error!(%error, map, "could not log a lifecycle line"),
        }
    }
}
