//! The conflict rule: when both sides changed a row before either change was applied, the
//! map's master wins and the loser is logged with its values.

use duet_maps::{Row, Side, same_values};
use duet_store::{NewActivity, QueuedChange, StoreError};
use serde_json::Value;

use crate::run::outcome::Outcome;
use crate::run::self_references::is_waiting;
use crate::run::session::Session;
use crate::run::sides::{direction_name, side_title};

impl Session {
    /// Both sides changed the same row before either change was applied: the map's master
    /// wins and the loser is logged with its values. Returns the outcome when this change lost.
    pub(in crate::run) fn resolve_conflict(
        &self,
        from: Side,
        queued: &QueuedChange,
        row: &Row,
    ) -> Result<Option<Outcome>, StoreError> {
        let Some(key) = queued.change.key.as_deref() else {
            return Ok(None);
        };
        // This change may itself be the echo of Duet's own write to its side: it then changes
        // nothing and must not win against a real change of the other side.
        if let Some(Value::Object(own)) = self.store().shadow(self.name(), from.as_str(), key)?
            && same_values(&self.map.projection(from, row), &own)
        {
            return Ok(None);
        }
        let rivals = self.rivals(from.other(), key)?;
        if rivals.is_empty() {
            return Ok(None);
        }
        let master = self.map.master;
        let losers: Vec<(i64, Value)> = if from == master {
            rivals
                .into_iter()
                .map(|rival| (rival.seq, rival.change.row))
                .collect()
        } else {
            vec![(queued.seq, Value::Object(row.clone()))]
        };
        let winner = if from == master { from } else { from.other() };
        for (seq, values) in losers {
            let message = format!(
                "Changed on both sides before either was applied; the master ({}) wins and this {} change was not applied",
                side_title(master),
                side_title(winner.other())
            );
            self.record_conflict_loser(winner, key, values, message);
            if seq != queued.seq {
                // Settled out of turn: the apply loop's batch in hand may still hold it.
                self.store().ack_change(seq)?;
                self.settled_early
                    .lock()
                    .expect("settled changes")
                    .insert(seq);
            }
        }
        Ok((from != master).then_some(Outcome::Ignored))
    }

    /// The queued changes of `side` to the row `key` that are real changes. One that carries
    /// the values Duet last wrote there, or the values of one of Duet's remembered earlier
    /// writes of the row there, is the echo of that write, not a rival (the echo rule drops
    /// it in its turn); one waiting for its self-reference target had everything else
    /// written already, and only the reference is left, which no change of the other side
    /// overrides.
    fn rivals(&self, side: Side, key: &str) -> Result<Vec<QueuedChange>, StoreError> {
        let known = self.remembered(side, key)?;
        let written = self.store().written(self.name(), side.as_str(), key)?;
        let is_echo = |projection: &Row| {
            same_values(projection, &known)
                || written.iter().any(|(_, values)| {
                    values
                        .as_object()
                        .is_some_and(|values| same_values(projection, values))
                })
        };
        Ok(self
            .store()
            .queued_for_key(self.name(), side, key)?
            .into_iter()
            .filter(|rival| !is_waiting(rival))
            .filter(|rival| {
                rival
                    .change
                    .row
                    .as_object()
                    .is_some_and(|rival_row| !is_echo(&self.map.projection(side, rival_row)))
            })
            .collect())
    }

    /// Logs the change of `winner.other()` that lost to the change of `winner`, with its values.
    pub(in crate::run) fn record_conflict_loser(
        &self,
        winner: Side,
        key: &str,
        values: Value,
        message: String,
    ) {
        self.context.record(NewActivity {
            at: self.context.clock.stamp(),
            map: self.name().to_owned(),
            kind: "error".to_owned(),
            direction: Some(direction_name(winner).to_owned()),
            key: Some(key.to_owned()),
            operation: Some("conflict".to_owned()),
            status: "conflict".to_owned(),
            message,
            latency_ms: None,
            payload: Some(values),
            error_class: None,
        });
    }
}
