//! Lookups: lookup fields whose target map is known, Dataverse lookup ids resolved to the
//! looked-up row's key, and which lookups a change carries.

use std::collections::{HashMap, HashSet};

use duet_maps::{LookupField, Row, Side, TableMap, Transform};
use duet_store::StoreError;
use serde_json::Value;

use crate::run::context::Context;
use crate::run::engine::EngineError;
use crate::run::keys::parse_key;
use crate::run::session::Session;

/// A lookup field the engine can resolve: the map it points into is known, so its rows can
/// be addressed by key (`@odata.bind`) and its Dataverse ids read back as keys.
pub(in crate::run) struct ResolvedLookup {
    pub(in crate::run) field: LookupField,
    /// The map the looked-up rows belong to (this map itself for a self-reference).
    pub(in crate::run) target: TableMap,
    /// The path's column is the target map's whole Dataverse key, so a value identifies one
    /// row; only such lookups are resolved and written as bindings.
    pub(in crate::run) single_key: bool,
}

impl Context {
    /// The map's lookup fields whose target map is known (itself, or a stored map). A lookup
    /// into a map that is not stored (or not readable as a map) is left unresolved; a store
    /// that fails is an error.
    pub(in crate::run) fn lookups_of(
        &self,
        map: &TableMap,
    ) -> Result<Vec<ResolvedLookup>, StoreError> {
        let mut lookups = Vec::new();
        for field in map.lookup_fields() {
            // A lookup by name resolves names, not keys (`lookup_by_name.rs`).
            if let Some(Transform::LookupByName { .. }) = &map.fields[field.index].transform {
                continue;
            }
            let target = if field.self_reference {
                map.clone()
            } else {
                match self.load_map(&field.target_map) {
                    Ok(target) => target,
                    Err(EngineError::Store(error)) => return Err(error),
                    Err(_) => continue,
                }
            };
            lookups.push(ResolvedLookup {
                single_key: target.key.dataverse.len() == 1
                    && target.key.dataverse[0] == field.column,
                target,
                field,
            });
        }
        Ok(lookups)
    }
}

impl Session {
    /// The Dataverse paths of the map's self-reference fields.
    pub(in crate::run) fn self_reference_paths(&self) -> HashSet<String> {
        self.lookups
            .iter()
            .filter(|lookup| lookup.field.self_reference)
            .map(|lookup| lookup.field.path.clone())
            .collect()
    }

    /// Remembers a Dataverse row's values without writing anything (rows that already exist
    /// when tracking starts).
    pub(in crate::run) async fn remember_dataverse(
        &self,
        row: &Row,
        by_id: &HashMap<String, &Row>,
    ) {
        let resolved = self.resolve_dataverse(row, by_id).await;
        let row = &resolved;
        let company = self.company_of_dataverse(row).await;
        if let Ok(key) = self.map.key_of_dataverse(row, company.as_deref()) {
            let id = row.get(&self.map.dataverse_id).and_then(Value::as_str);
            let projection = self.map.projection(Side::Dataverse, row);
            if let Err(error) = self.store().save_shadow(
                self.name(),
                Side::Dataverse.as_str(),
                &key.to_string(),
                id,
                &Value::Object(projection),
            ) {
                tracing::error!(map = %self.map.name, error = %error, "shadow write failed");
            }
        }
    }

    /// Rows of this map's Dataverse table by their id (lower case).
    pub(in crate::run) fn rows_by_id<'a>(&self, rows: &'a [Row]) -> HashMap<String, &'a Row> {
        rows.iter()
            .filter_map(|row| {
                let id = row.get(&self.map.dataverse_id)?.as_str()?;
                Some((id.to_lowercase(), row))
            })
            .collect()
    }

    /// A Dataverse row with each lookup path (`msdyn_billingaccount.accountnumber`) set from
    /// the lookup's id (`_msdyn_billingaccount_value`): the key value of the row it points
    /// at, read from `by_id` (rows of this table at hand), the target map's remembered ids,
    /// or, for a self-reference, Dataverse itself; and each lookup by name set to the name of
    /// the row its id points at (`lookup_by_name.rs`). A lookup that cannot be resolved is
    /// left out, so nothing is written for it.
    pub(in crate::run) async fn resolve_dataverse(
        &self,
        row: &Row,
        by_id: &HashMap<String, &Row>,
    ) -> Row {
        let mut resolved = row.clone();
        self.resolve_names(&mut resolved).await;
        for lookup in self.lookups.iter().filter(|lookup| lookup.single_key) {
            let value = match row.get(&lookup.field.value_property()) {
                None => continue,
                Some(Value::Null) => Value::Null,
                Some(Value::String(id)) => {
                    match self.key_value_of(lookup, &id.to_lowercase(), by_id).await {
                        Some(value) => Value::from(value),
                        None => continue,
                    }
                }
                Some(_) => continue,
            };
            resolved.insert(lookup.field.path.clone(), value);
        }
        resolved
    }

    async fn key_value_of(
        &self,
        lookup: &ResolvedLookup,
        id: &str,
        by_id: &HashMap<String, &Row>,
    ) -> Option<String> {
        let column = &lookup.field.column;
        if lookup.field.self_reference
            && let Some(target) = by_id.get(id)
        {
            return target.get(column)?.as_str().map(str::to_owned);
        }
        match self
            .store()
            .key_for_dataverse_id(&lookup.field.target_map, id)
        {
            Ok(Some(key)) => {
                return parse_key(&key, lookup.target.company.is_some())
                    .values
                    .pop();
            }
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(map = %self.map.name, error = %error, "lookup id read failed");
            }
        }
        // Not synced by its map yet (or written in bulk, which returns no ids): Dataverse
        // itself says which row the id is.
        self.dataverse_column_of(&lookup.target, id, column).await
    }

    /// The text in `column` of the Dataverse row `id` of `target`, read once per round: a
    /// looked-up row's key value, or the name a lookup by name shows. `None` when the row or
    /// the value is missing, or the read fails (logged).
    pub(in crate::run) async fn dataverse_column_of(
        &self,
        target: &TableMap,
        id: &str,
        column: &str,
    ) -> Option<String> {
        let cached = (target.name.clone(), column.to_owned(), id.to_owned());
        if let Some(value) = self
            .lookup_values
            .lock()
            .expect("lookup cache")
            .get(&cached)
        {
            return Some(value.clone());
        }
        let filter = format!("{} eq {id}", target.dataverse_id);
        let rows = self
            .context
            .dataverse
            .query(
                &target.dataverse_entity_set,
                &[("$select", column), ("$filter", filter.as_str())],
            )
            .await
            .map_err(|error| {
                tracing::warn!(map = %self.map.name, error = %error, "lookup read failed");
            })
            .ok()?;
        let value = rows.first()?.get(column)?.as_str()?.to_owned();
        self.remember_dataverse_column(target, id, column, &value);
        Some(value)
    }

    /// Remembers for the round what `column` of the Dataverse row `id` of `target` holds.
    pub(in crate::run) fn remember_dataverse_column(
        &self,
        target: &TableMap,
        id: &str,
        column: &str,
        value: &str,
    ) {
        self.lookup_values.lock().expect("lookup cache").insert(
            (target.name.clone(), column.to_owned(), id.to_owned()),
            value.to_owned(),
        );
    }

    /// Leaves out of a change's payload the lookups it does not carry: a Dataverse lookup
    /// that could not be resolved to a key or a name (writing it would clear the other side), and, in
    /// live sync, a self-reference whose value on this side is what Duet already knew. The
    /// second matters for rows written without their self-reference: their echo comes back
    /// without it, and must not clear the reference on the side that has it.
    pub(in crate::run) fn keep_changed_lookups(
        &self,
        from: Side,
        row: &Row,
        previous: Option<&Row>,
        payload: &mut Row,
    ) {
        if from == Side::Dataverse {
            for lookup in &self.names {
                if !row.contains_key(&lookup.column) {
                    payload.remove(&lookup.finance_operations);
                }
            }
        }
        for lookup in self.map.lookup_fields() {
            let Some(finance_operations) = &lookup.finance_operations else {
                continue;
            };
            let (source, target) = match from {
                Side::Dataverse => (&lookup.path, finance_operations),
                Side::FinanceOperations => (finance_operations, &lookup.path),
            };
            let Some(value) = row.get(source) else {
                if from == Side::Dataverse {
                    payload.remove(target);
                }
                continue;
            };
            if lookup.self_reference
                && let Some(previous) = previous
                && duet_maps::normalize(value)
                    == duet_maps::normalize(previous.get(source).unwrap_or(&Value::Null))
            {
                payload.remove(target);
            }
        }
    }
}
