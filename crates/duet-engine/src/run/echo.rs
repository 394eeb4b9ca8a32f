//! The stale-echo rule: a change that carries the values of one of Duet's earlier writes to
//! its side, after a later write, is an echo and is not carried back.

use duet_maps::{Row, Side, same_values};
use duet_store::StoreError;
use serde_json::Value;

use crate::run::session::Session;

impl Session {
    /// Whether a change is the echo of one of Duet's earlier writes to its side, come back
    /// after a later write: capture reads a row as it is when read, so a read between two
    /// of Duet's writes returns the first write's values, which must not be carried back
    /// over the second. Writes older than the one whose echo came are forgotten, so a person
    /// setting their values again later is a real change.
    /// `written` is Duet's remembered writes of the row to `from`, oldest first.
    pub(in crate::run) fn stale_echo(
        &self,
        from: Side,
        key: &str,
        row: &Row,
        written: &[(i64, Value)],
    ) -> Result<bool, StoreError> {
        let store = self.store();
        let projection = self.map.projection(from, row);
        let Some(index) = written.iter().rposition(|(_, values)| {
            values
                .as_object()
                .is_some_and(|values| same_values(&projection, values))
        }) else {
            return Ok(false);
        };
        // Writes before the matched one were read back before it: their echoes are past.
        store.forget_written_before(self.name(), from.as_str(), key, written[index].0)?;
        // An echo of what the side still holds (Duet's latest write) is found unchanged by
        // the shadow comparison; only an echo of values the side has moved on from (a later
        // write, or a person's change since) is settled here.
        let stale = !same_values(&projection, &self.remembered(from, key)?);
        if stale {
            tracing::debug!(map = %self.map.name, key, "stale echo of an earlier write skipped");
        }
        Ok(stale)
    }
}
