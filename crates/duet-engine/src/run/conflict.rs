//! The conflict rule: when both sides changed a row before either change was applied, the
//! map's master wins and the loser is logged with its values.

use duet_maps::{Row, Side, same_values};
use duet_store::{NewActivity, QueuedChange};
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
    ) -> Option<Outcome> {
        let key = queued.change.key.as_deref()?;
        // This change may itself be the echo of Duet's own write to its side: it then changes
        // nothing and must not win against a real change of the other side.
        if let Ok(Some(Value::Object(own))) = self.store().shadow(self.name(), from.as_str(), key)
            && same_values(&self.map.projection(from, row), &own)
        {
            return None;
        }
        let other = from.other();
        let known = match self.store().shadow(self.name(), other.as_str(), key) {
            Ok(Some(Value::Object(known))) => known,
            _ => Row::new(),
        };
        // A queued change of the other side that carries the values Duet last wrote there is
        // the echo of that write, not a rival.
        let rivals: Vec<QueuedChange> = self
            .store()
            .queued_for_key(self.name(), other.as_str(), key)
            .ok()?
            .into_iter()
            // A change waiting for its self-reference target had everything else written
            // already; only the reference is left, which no change of this side overrides.
            .filter(|rival| !is_waiting(rival))
            .filter(|rival| {
                rival.change.row.as_object().is_some_and(|rival_row| {
                    !same_values(&self.map.projection(other, rival_row), &known)
                })
            })
            .collect();
        if rivals.is_empty() {
            return None;
        }
        let master = self.map.master;
        let (winner, losers): (Side, Vec<(i64, Value)>) = if from == master {
            (
                from,
                rivals
                    .into_iter()
                    .map(|rival| (rival.seq, rival.change.row))
                    .collect(),
            )
        } else {
            (other, vec![(queued.seq, Value::Object(row.clone()))])
        };
        let loser = winner.other();
        for (seq, values) in losers {
            self.context.record(NewActivity {
                at: self.context.clock.stamp(),
                map: self.name().to_owned(),
                kind: "error".to_owned(),
                direction: Some(direction_name(winner).to_owned()),
                key: Some(key.to_owned()),
                operation: Some("conflict".to_owned()),
                status: "conflict".to_owned(),
                message: format!(
                    "Changed on both sides before either was applied; the master ({}) wins and this {} change was not applied",
                    side_title(master),
                    side_title(loser)
                ),
                latency_ms: None,
                payload: Some(values),
            });
            if seq != queued.seq {
                match self.store().ack_change(seq) {
                    Ok(()) => {
                        self.settled_early
                            .lock()
                            .expect("settled changes")
                            .insert(seq);
                    }
                    Err(error) => {
                        tracing::error!(map = %self.map.name, error = %error, "dropping a conflict loser failed")
                    }
                }
            }
        }
        (from != master).then_some(Outcome::Ignored)
    }
}
