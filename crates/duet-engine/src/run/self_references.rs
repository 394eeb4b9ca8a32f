//! Self-reference waits: a row that refers to a row of its own table not on the other side
//! yet is written without the reference, which follows once its target is there.

use duet_connect::ConnectError;
use duet_maps::{Row, RowKey, Side, same_values};
use duet_store::{ChangeStatus, QueuedChange, Wait};
use serde_json::Value;

use crate::run::carry::Prepared;
use crate::run::lookups::ResolvedLookup;
use crate::run::outcome::{Cause, Outcome};
use crate::run::session::Session;
use crate::run::sides::side_title;

/// Whether a queued change went behind the queue to wait for its self-reference target.
pub(in crate::run) fn is_waiting(change: &QueuedChange) -> bool {
    change.status == ChangeStatus::Queued && change.wait == Some(Wait::SelfReference)
}

impl Session {
    /// The row a self-reference value points at: the same company, the value as its key.
    /// None for an empty value, or when the target map's key is not the one column named.
    pub(in crate::run) fn self_target(
        &self,
        lookup: &ResolvedLookup,
        key: &RowKey,
        value: &Value,
    ) -> Option<RowKey> {
        let value = value.as_str().filter(|value| !value.is_empty())?;
        lookup.single_key.then(|| RowKey {
            company: key.company.clone(),
            values: vec![value.to_owned()],
        })
    }

    pub(in crate::run) fn missing_target_message(
        &self,
        lookup: &ResolvedLookup,
        target: &RowKey,
        state: &str,
    ) -> String {
        let field = lookup
            .field
            .finance_operations
            .as_deref()
            .unwrap_or(&lookup.field.path);
        format!(
            "{field} refers to {target}, which {state}; the row was written without this reference"
        )
    }

    /// The self-references of `payload` (as `to` names them) whose target row is not on `to`
    /// yet: (column, target key). A row referring to itself waits for its own first write.
    pub(in crate::run) async fn missing_self_targets(
        &self,
        to: Side,
        key: &RowKey,
        payload: &Row,
        exists_itself: bool,
    ) -> Result<Vec<(&ResolvedLookup, String, RowKey)>, ConnectError> {
        let mut missing = Vec::new();
        for lookup in self.lookups.iter().filter(|l| l.field.self_reference) {
            let column = match to {
                Side::Dataverse => lookup.field.path.clone(),
                Side::FinanceOperations => match &lookup.field.finance_operations {
                    Some(field) => field.clone(),
                    None => continue,
                },
            };
            let Some(target) = payload
                .get(&column)
                .and_then(|value| self.self_target(lookup, key, value))
            else {
                continue;
            };
            let present = if target == *key {
                exists_itself
            } else {
                self.exists_in(&self.map, to, &target).await?
            };
            if !present {
                missing.push((lookup, column, target));
            }
        }
        Ok(missing)
    }

    /// Writes a row without the self-references whose targets are missing on the other side,
    /// then says whether the change waits for them (they exist on this side, or are queued)
    /// or fails because they exist nowhere.
    pub(in crate::run) async fn apply_without_self_references(
        &self,
        mut prepared: Prepared<'_>,
        missing: Vec<(&ResolvedLookup, String, RowKey)>,
    ) -> Outcome {
        let from = prepared.from;
        let to = from.other();
        let key_text = prepared.key.to_string();
        for (_, column, _) in &missing {
            prepared.payload.remove(column);
        }
        // The source's own values of the missing references are not known to have crossed.
        let sources: Vec<String> = missing
            .iter()
            .filter_map(|(lookup, _, _)| match from {
                Side::Dataverse => Some(lookup.field.path.clone()),
                Side::FinanceOperations => lookup.field.finance_operations.clone(),
            })
            .collect();
        self.forget_columns(
            from,
            &key_text,
            prepared.dataverse_id.as_deref(),
            &prepared.row,
            &sources,
        );
        let unchanged = match &prepared.known {
            Some(Value::Object(known)) => same_values(&prepared.payload, known),
            _ => false,
        };
        let row = prepared.row.clone().into_owned();
        if !unchanged {
            let written = self.write_to(to, &prepared.key, &prepared.payload).await;
            let note = " without its self-reference (written once the row it points at is there)";
            match self.finish(prepared, written, note) {
                Outcome::Written => {}
                outcome => return outcome,
            }
        }
        self.wait_for_self_targets(from, &key_text, &row, &missing)
            .await
    }

    /// After a row went without its missing self-references: the change waits while their
    /// targets are on their way (queued, or on this side), and is refused when one exists
    /// nowhere.
    async fn wait_for_self_targets(
        &self,
        from: Side,
        key_text: &str,
        row: &Row,
        missing: &[(&ResolvedLookup, String, RowKey)],
    ) -> Outcome {
        let mut waiting_for = Vec::new();
        for (lookup, _, target) in missing {
            let queued = match self.queued_in(&self.map, target) {
                Ok(queued) => queued.is_some(),
                Err(error) => return Outcome::local_failure(error),
            };
            let on_its_way = match queued {
                true => Ok(true),
                false => self.exists_in(&self.map, from, target).await,
            };
            match on_its_way {
                Ok(true) => waiting_for.push(target.to_string()),
                Ok(false) => {
                    let message = self.missing_target_message(
                        lookup,
                        target,
                        "exists neither in finance and operations nor in Dataverse",
                    );
                    return self.refuse(
                        from,
                        Some(key_text),
                        "lookup",
                        Cause::Map(&message),
                        Some(Value::Object(row.clone())),
                    );
                }
                Err(error) => {
                    return Outcome::Unavailable {
                        message: format!(
                            "checking a self-reference in {}: {error}",
                            side_title(from)
                        ),
                        class: error.class,
                    };
                }
            }
        }
        Outcome::Waiting {
            message: format!(
                "waiting for {} to reach {} before writing the reference to it",
                waiting_for.join(", "),
                side_title(from.other())
            ),
            patient: false,
            wait: Wait::SelfReference,
        }
    }
}
