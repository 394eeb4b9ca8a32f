//! Lookup by name: a finance and operations text field holds the name of a row of another map
//! (`Transform::LookupByName`), and Dataverse holds a lookup to that row. Inside the engine
//! the mapped Dataverse column carries the name, as a lookup path carries a key value: a
//! Dataverse row's lookup id is read as the looked-up row's name, and a name is written to
//! Dataverse as a binding to the one row of the target map that has it.

use std::collections::HashMap;

use duet_connect::{ConnectError, RetryPolicy};
use duet_maps::{Row, RowKey, Side, TableMap, Transform};
use serde_json::Value;

use crate::run::context::Context;
use crate::run::engine::EngineError;
use crate::run::error::RoundError;
use crate::run::outcome::{Cause, Outcome};
use crate::run::session::Session;
use crate::run::sides::side_title;

/// A field whose finance and operations value is the name of a row of `target`.
pub(in crate::run) struct NameLookup {
    /// The finance and operations field that holds the name.
    pub(in crate::run) finance_operations: String,
    /// The Dataverse column as mapped; the engine's rows and payloads carry the name in it.
    pub(in crate::run) column: String,
    /// The lookup column (the single-valued navigation property): `msdyn_paymentterm`.
    pub(in crate::run) navigation: String,
    /// The map whose Dataverse rows the names belong to.
    pub(in crate::run) target: TableMap,
    /// The target's Dataverse column that holds the name.
    pub(in crate::run) name_column: String,
}

impl NameLookup {
    /// The `_<lookup>_value` property a Dataverse read returns the looked-up row's id in.
    pub(in crate::run) fn value_property(&self) -> String {
        format!("_{}_value", self.navigation)
    }
}

/// Why a name could not be turned into a row of the target map.
#[derive(Debug, thiserror::Error)]
pub(in crate::run) enum NameError {
    #[error("the name '{name}' matches no row of map '{map}' ({column})")]
    NoMatch {
        name: String,
        map: String,
        column: String,
    },
    #[error("the name '{name}' matches {count} rows of map '{map}' ({column})")]
    Many {
        name: String,
        map: String,
        column: String,
        count: usize,
    },
    #[error("reading the {map} row named '{name}' in Dataverse: {error}")]
    Remote {
        name: String,
        map: String,
        error: ConnectError,
    },
}

/// The cache of names resolved to ids in one round: (target map, company, name) → id.
pub(in crate::run) type NameIds =
    std::sync::Mutex<HashMap<(String, Option<String>, String), String>>;

impl Context {
    /// The map's lookups by name, each with its target map. A target map that is not stored
    /// or cannot be read is an error of the map: its names cannot be resolved.
    pub(in crate::run) fn name_lookups_of(
        &self,
        map: &TableMap,
    ) -> Result<Vec<NameLookup>, RoundError> {
        let mut lookups = Vec::new();
        for field in &map.fields {
            let (
                Some(Transform::LookupByName {
                    target_map,
                    name_column,
                }),
                Some(finance_operations),
                Some(column),
            ) = (
                &field.transform,
                &field.finance_operations,
                &field.dataverse,
            )
            else {
                continue;
            };
            let target = match self.load_map(target_map) {
                Ok(target) => target,
                Err(EngineError::Store(error)) => return Err(RoundError::Store(error)),
                Err(error) => {
                    return Err(RoundError::Invalid(format!(
                        "{finance_operations} looks names up in map '{target_map}': {error}"
                    )));
                }
            };
            lookups.push(NameLookup {
                finance_operations: finance_operations.clone(),
                navigation: column.split('.').next().unwrap_or(column).to_owned(),
                column: column.clone(),
                target,
                name_column: name_column.clone(),
            });
        }
        Ok(lookups)
    }
}

impl Session {
    /// Sets each lookup by name of a Dataverse row from its lookup id: the name of the row it
    /// points at, or null. A name that cannot be read is left out, so nothing is written for
    /// it (`keep_changed_lookups`).
    pub(in crate::run) async fn resolve_names(&self, row: &mut Row) {
        for lookup in &self.names {
            let name = match row.get(&lookup.value_property()) {
                None => continue,
                Some(Value::String(id)) => {
                    match self
                        .dataverse_column_of(
                            &lookup.target,
                            &id.to_lowercase(),
                            &lookup.name_column,
                        )
                        .await
                    {
                        Some(name) => Value::from(name),
                        None => continue,
                    }
                }
                Some(_) => Value::Null,
            };
            row.insert(lookup.column.clone(), name);
        }
    }

    /// Finds the row of each name a change writes to Dataverse, so the write can bind it.
    /// `None` when every name was found (or is empty); otherwise what became of the change:
    /// refused when a name matches no row or several, retried when Dataverse cannot answer.
    pub(in crate::run) async fn find_named_rows(
        &self,
        from: Side,
        key: &RowKey,
        payload: &Row,
        row: &Row,
    ) -> Option<Outcome> {
        if from.other() != Side::Dataverse {
            return None;
        }
        let error = self.ids_of_names(key, payload).await.err()?;
        Some(match error {
            NameError::Remote { error, .. } if error.class.retry_policy() == RetryPolicy::Timed => {
                Outcome::Unavailable {
                    message: format!("reading {}: {error}", side_title(Side::Dataverse)),
                    class: error.class,
                }
            }
            NameError::Remote { error, .. } => self.refuse(
                from,
                Some(&key.to_string()),
                "lookup",
                Cause::Remote(&error),
                Some(Value::Object(row.clone())),
            ),
            error => self.refuse(
                from,
                Some(&key.to_string()),
                "lookup",
                Cause::Map(&error.to_string()),
                Some(Value::Object(row.clone())),
            ),
        })
    }

    /// Resolves every name in a payload for Dataverse to its row's id (kept for the write).
    pub(in crate::run) async fn ids_of_names(
        &self,
        key: &RowKey,
        payload: &Row,
    ) -> Result<(), NameError> {
        for lookup in &self.names {
            if let Some(name) = payload.get(&lookup.column).and_then(Value::as_str)
                && !name.is_empty()
            {
                self.id_of_name(lookup, key, name).await?;
            }
        }
        Ok(())
    }

    /// The id of the one Dataverse row of the target map whose name column holds `name`,
    /// within the row's company when the target map is company-specific.
    async fn id_of_name(
        &self,
        lookup: &NameLookup,
        key: &RowKey,
        name: &str,
    ) -> Result<String, NameError> {
        let target = &lookup.target;
        let cached = name_cache_key(lookup, key, name);
        if let Some(id) = self.name_ids.lock().expect("name cache").get(&cached) {
            return Ok(id.clone());
        }
        let no_match = || NameError::NoMatch {
            name: name.to_owned(),
            map: target.name.clone(),
            column: lookup.name_column.clone(),
        };
        let mut filter = format!("{} eq {}", lookup.name_column, duet_connect::quote(name));
        if let (Some(striping), Some(code)) = (&target.company, &cached.1) {
            // A company Dataverse does not have holds no rows of the target map.
            let id = self
                .company_id_of(target, code)
                .await
                .ok_or_else(no_match)?;
            filter.push_str(&format!(
                " and _{}_value eq {id}",
                striping.dataverse_lookup
            ));
        }
        let rows = self
            .context
            .dataverse
            .query(
                &target.dataverse_entity_set,
                &[
                    ("$select", target.dataverse_id.as_str()),
                    ("$filter", filter.as_str()),
                ],
            )
            .await
            .map_err(|error| NameError::Remote {
                name: name.to_owned(),
                map: target.name.clone(),
                error,
            })?;
        let ids: Vec<&str> = rows
            .iter()
            .filter_map(|row| row.get(&target.dataverse_id)?.as_str())
            .collect();
        let id = match ids.as_slice() {
            [id] => id.to_lowercase(),
            [] => return Err(no_match()),
            found => {
                return Err(NameError::Many {
                    name: name.to_owned(),
                    map: target.name.clone(),
                    column: lookup.name_column.clone(),
                    count: found.len(),
                });
            }
        };
        self.remember_dataverse_column(target, &id, &lookup.name_column, name);
        self.name_ids
            .lock()
            .expect("name cache")
            .insert(cached, id.clone());
        Ok(id)
    }

    /// Turns each name in a Dataverse write body into a binding to its row (found before by
    /// [`Self::ids_of_names`]), or a null reference for an empty name. A name not found
    /// before is left out rather than written as text into a lookup.
    pub(in crate::run) fn bind_names(&self, key: &RowKey, body: &mut Row) {
        for lookup in &self.names {
            let Some(value) = body.remove(&lookup.column) else {
                continue;
            };
            let bind = match value.as_str().filter(|name| !name.is_empty()) {
                None => Value::Null,
                Some(name) => {
                    let cached = name_cache_key(lookup, key, name);
                    match self.name_ids.lock().expect("name cache").get(&cached) {
                        Some(id) => {
                            Value::from(format!("/{}({id})", lookup.target.dataverse_entity_set))
                        }
                        None => {
                            tracing::warn!(map = %self.map.name, field = %lookup.finance_operations, "a name was not resolved before the write; left out");
                            continue;
                        }
                    }
                }
            };
            body.insert(format!("{}@odata.bind", lookup.navigation), bind);
        }
    }
}

/// Where a resolved name is cached: the target map, the company when the target map is
/// company-specific, and the name.
fn name_cache_key(
    lookup: &NameLookup,
    key: &RowKey,
    name: &str,
) -> (String, Option<String>, String) {
    let company = lookup.target.company.as_ref().and(key.company.clone());
    (lookup.target.name.clone(), company, name.to_owned())
}
