//! Starting a map without an initial sync: both cursors are set to the current end of their
//! side, so only changes made from now on are carried. Existing rows are not copied.

use chrono::{DateTime, SecondsFormat, TimeDelta};

use crate::run::capture::{DELTA_CURSOR, MODIFIED_FIELD, WATERMARK_CURSOR};
use crate::run::error::RoundError;
use crate::run::initial::checkpoint::Checkpoint;
use crate::run::session::Session;

/// Set when a map was started without an initial sync and its cursors are not established
/// yet (cleared once they are, and by Stop).
pub(in crate::run) const SKIP_INITIAL: &str = "initial.skip";

/// Whether a map has synced state to continue from (its cursors are established), so a run
/// needs no initial sync. Stop clears it. A store that cannot tell is logged and answers no,
/// which only proposes an initial sync (it never skips one).
pub fn has_synced_state(store: &duet_store::Store, map: &str) -> bool {
    match store.cursor(map, DELTA_CURSOR) {
        Ok(link) => link.is_some(),
        Err(error) => {
            tracing::error!(map, %error, "whether the map has synced state could not be read");
            false
        }
    }
}

impl Session {
    /// Establishes the cursors without copying rows: a Dataverse change-tracking request
    /// whose rows are discarded gives the delta link, and the finance and operations
    /// watermark starts just past the newest `ModifiedDateTime` (watermark polling reads
    /// `ge`, so a watermark equal to the newest row would read that row again).
    pub(in crate::run) async fn go_live_without_initial_sync(&self) -> Result<(), RoundError> {
        let store = self.store();
        let select = self.dataverse_select();
        let select: Vec<&str> = select.iter().map(String::as_str).collect();
        let tracking = self
            .context
            .dataverse
            .track_changes(&self.map.dataverse_entity_set, &select)
            .await
            .map_err(|error| RoundError::remote("starting Dataverse change tracking", error))?;
        let newest = self.newest_finops_modified().await?;
        if let Some(modified) = &newest {
            let after = just_after(modified).ok_or_else(|| {
                RoundError::Invalid(format!(
                    "finance and operations returned an unreadable {MODIFIED_FIELD}: {modified}"
                ))
            })?;
            store.advance_watermark(self.name(), WATERMARK_CURSOR, &after)?;
        }
        // The delta link last: its presence is what marks the cursors as established.
        store.set_cursor(self.name(), DELTA_CURSOR, &tracking.delta_link)?;
        // An initial sync interrupted before this start is abandoned: its checkpoints go, so
        // the map shows no stale progress.
        store.delete_cursor(self.name(), SKIP_INITIAL)?;
        Checkpoint::clear(store, self.name())?;
        self.context.lifecycle(
            self.name(),
            "succeeded",
            &format!(
                "Initial sync skipped: live sync from now on ({} existing Dataverse rows and \
                 finance and operations rows up to {} were not copied)",
                tracking.changed.len(),
                newest.as_deref().unwrap_or("now"),
            ),
        );
        Ok(())
    }
}

/// The instant one millisecond after an OData timestamp, in the same form.
fn just_after(stamp: &str) -> Option<String> {
    let parsed = DateTime::parse_from_rfc3339(stamp).ok()?;
    Some(
        (parsed + TimeDelta::milliseconds(1))
            .to_utc()
            .to_rfc3339_opts(SecondsFormat::Millis, true),
    )
}

#[cfg(test)]
mod tests {
    use super::just_after;

    #[test]
    fn just_after_adds_one_millisecond() {
        assert_eq!(
            just_after("2026-11-23T10:11:12.345Z").as_deref(),
            Some("2026-11-23T10:11:12.346Z")
        );
        assert_eq!(
            just_after("2026-11-23T23:59:59.999Z").as_deref(),
            Some("2026-11-24T00:00:00.000Z")
        );
        assert_eq!(just_after("yesterday"), None);
    }
}
