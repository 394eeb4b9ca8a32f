//! Parent waits: a change whose parent row (a row of another map it looks up) is not on the
//! other side yet is held back until it is, or refused when the parent exists nowhere.

use duet_connect::{ConnectError, RetryPolicy};
use duet_maps::{Row, RowKey, Side, TableMap};
use duet_store::{MapState, QueuedChange, StoreError, Wait};
use serde_json::Value;

use crate::run::lookups::ResolvedLookup;
use crate::run::outcome::{Cause, Outcome};
use crate::run::session::Session;
use crate::run::sides::side_title;

/// How many times a change waits for a row it looks up before it is set aside as failed
/// (kept for retry), unless that row waits in its own map's queue.
pub(in crate::run) const LOOKUP_WAITS: i64 = 10;

/// Whether a queued change waits for a parent row of another map (so nothing of it was
/// applied yet).
pub(in crate::run) fn is_held_back(change: &QueuedChange) -> bool {
    change.wait == Some(Wait::Parent)
}

impl Session {
    /// How the row `key` of `map` waits in that map's queue: `None` when it does not,
    /// `Some(true)` when a change of it is ready to apply, `Some(false)` when all its changes
    /// are themselves held back for a parent (two maps that look each other up would
    /// otherwise wait for each other for ever).
    pub(in crate::run) fn queued_in(
        &self,
        map: &TableMap,
        key: &RowKey,
    ) -> Result<Option<bool>, StoreError> {
        let key_text = key.to_string();
        let mut queued: Option<bool> = None;
        for side in [Side::FinanceOperations, Side::Dataverse] {
            for change in self.store().queued_for_key(&map.name, side, &key_text)? {
                queued = Some(queued.unwrap_or(false) || !is_held_back(&change));
            }
        }
        Ok(queued)
    }

    /// Holds a row back while a row it looks up in another map (its parent) is missing on
    /// the other side: it waits while the parent is on its way (queued in its map, or on this
    /// side) and is refused when the parent exists nowhere. None when every parent is there.
    pub(in crate::run) async fn wait_for_parents(
        &self,
        from: Side,
        key: &RowKey,
        payload: &Row,
        row: &Row,
    ) -> Option<Outcome> {
        let to = from.other();
        let parents = self
            .lookups
            .iter()
            .filter(|lookup| lookup.single_key && !lookup.field.self_reference);
        for lookup in parents {
            let column = match to {
                Side::Dataverse => Some(&lookup.field.path),
                Side::FinanceOperations => lookup.field.finance_operations.as_ref(),
            };
            let Some(value) = column
                .and_then(|column| payload.get(column))
                .and_then(Value::as_str)
                .filter(|value| !value.is_empty())
            else {
                continue;
            };
            let parent = RowKey {
                company: lookup.target.company.as_ref().and(key.company.clone()),
                values: vec![value.to_owned()],
            };
            let change = Change { from, key, row };
            if let Some(outcome) = self.wait_for_parent(lookup, &parent, &change).await {
                return Some(outcome);
            }
        }
        None
    }

    /// Whether the change waits for one parent row (None when the parent is there).
    async fn wait_for_parent(
        &self,
        lookup: &ResolvedLookup,
        parent: &RowKey,
        change: &Change<'_>,
    ) -> Option<Outcome> {
        let (from, to, target) = (change.from, change.from.other(), &lookup.target);
        match self.exists_in(target, to, parent).await {
            Ok(true) => return None,
            Ok(false) => {}
            Err(error) => return Some(self.check_failed(change, target, parent, to, error)),
        }
        let field = lookup
            .field
            .finance_operations
            .as_deref()
            .unwrap_or(&lookup.field.path);
        // Queued in its own map, the parent is applied (or fails there) in time: no limit on
        // the wait, unless it is held back itself. Otherwise only its map's capture can bring
        // it.
        let waiting = match self.queued_in(target, parent) {
            Ok(waiting) => waiting,
            Err(error) => return Some(Outcome::local_failure(error)),
        };
        let on_its_way = match waiting.is_some() {
            true => true,
            false => match self.exists_in(target, from, parent).await {
                Ok(found) => found,
                Err(error) => return Some(self.check_failed(change, target, parent, from, error)),
            },
        };
        if !on_its_way {
            let message = format!(
                "{field} refers to the {} row {parent}, which exists neither in finance and \
                 operations nor in Dataverse",
                target.name
            );
            return Some(self.refuse(
                from,
                Some(&change.key.to_string()),
                "lookup",
                Cause::Map(&message),
                Some(Value::Object(change.row.clone())),
            ));
        }
        let hint = match self.parent_map_hint(target) {
            Ok(hint) => hint,
            Err(error) => return Some(Outcome::local_failure(error)),
        };
        Some(Outcome::Waiting {
            message: format!(
                "held back until the {} row {parent} ({field}) is in {}{hint}",
                target.name,
                side_title(to)
            ),
            patient: waiting == Some(true),
            wait: Wait::Parent,
        })
    }

    /// A check whether a parent exists failed: one time may fix (throttled, down) is retried
    /// in place; any other refuses the change with the remote's answer rather than block the
    /// queue.
    fn check_failed(
        &self,
        change: &Change<'_>,
        target: &TableMap,
        parent: &RowKey,
        side: Side,
        error: ConnectError,
    ) -> Outcome {
        match error.class.retry_policy() {
            RetryPolicy::Timed => Outcome::Unavailable {
                message: format!(
                    "checking the {} row {parent} in {}: {error}",
                    target.name,
                    side_title(side)
                ),
                class: error.class,
            },
            _ => self.refuse(
                change.from,
                Some(&change.key.to_string()),
                "lookup",
                Cause::Remote(&error),
                Some(Value::Object(change.row.clone())),
            ),
        }
    }

    /// What a held-back change's reason adds about the parent's map: nothing while it runs,
    /// else that nothing brings the parent over until it does.
    fn parent_map_hint(&self, target: &TableMap) -> Result<String, StoreError> {
        let name = &target.name;
        Ok(match self.store().map(name)?.map(|record| record.state) {
            Some(
                MapState::Running | MapState::Initializing | MapState::Resuming | MapState::Paused,
            ) => String::new(),
            Some(MapState::NotRunning) => {
                format!("; the map {name} is not running, so nothing brings it over: run that map")
            }
            Some(state) => {
                format!("; the map {name} is {state}, so nothing brings it over: run that map")
            }
            None => format!("; the map {name} is missing, so nothing brings it over: run that map"),
        })
    }
}

/// The change a parent check is for: where it comes from, its key and its row.
struct Change<'a> {
    from: Side,
    key: &'a RowKey,
    row: &'a Row,
}
