//! The live step of the template test: a synced row changes on one side, through a field that
//! flows to the other, and the test waits for the value the map's transform gives.

use std::collections::BTreeMap;
use std::time::Duration;

use duet_maps::{FieldMapping, Row, Side, TableMap, Transform, normalize};
use duet_sandbox::{DvType, FoType, catalog};
use serde_json::{Value, json};

use super::{Failure, passes};
use crate::support::Harness;

/// A change made on one side, and what the other side must come to hold.
pub(super) struct Change {
    template: String,
    from: Side,
    key: String,
    /// The field's name on the other side.
    target: String,
    expected: Value,
}

/// The name of the live step from `from`.
pub(super) fn step(from: Side) -> &'static str {
    match from {
        Side::FinanceOperations => "live change F&O → Dataverse",
        Side::Dataverse => "live change Dataverse → F&O",
    }
}

/// The field's names on `from` and on the other side.
fn names(field: &FieldMapping, from: Side) -> Option<(&str, &str)> {
    let (source, target) = match from {
        Side::FinanceOperations => (&field.finance_operations, &field.dataverse),
        Side::Dataverse => (&field.dataverse, &field.finance_operations),
    };
    Some((source.as_deref()?, target.as_deref()?))
}

/// Whether `kind` on `side` is text, which the test prefers to change.
fn is_text(map: &TableMap, side: Side, name: &str) -> bool {
    match side {
        Side::FinanceOperations => catalog()
            .fo_entity(&map.finance_operations_entity)
            .and_then(|entity| entity.field(name))
            .is_some_and(|field| field.kind == FoType::String),
        Side::Dataverse => catalog()
            .dv_table(&map.dataverse_entity_set)
            .and_then(|table| table.column(name))
            .is_some_and(|column| column.kind == DvType::String),
    }
}

/// A field that carries a change from `from`: not a key, not a lookup, not a default; text
/// first, then value maps, dates and numbers.
fn changeable(map: &TableMap, from: Side) -> Option<&FieldMapping> {
    let key_field = |name: &str| {
        map.key.finance_operations.iter().any(|k| k == name)
            || map.key.dataverse.iter().any(|k| k == name)
    };
    let candidates: Vec<&FieldMapping> = map
        .fields
        .iter()
        .filter(|field| field.direction.flows_from(from) && field.lookup.is_none())
        .filter(|field| {
            names(field, from)
                .is_some_and(|(source, target)| !key_field(source) && !key_field(target))
        })
        .filter(|field| {
            matches!(
                field.transform,
                None | Some(
                    Transform::ValueMap { .. }
                        | Transform::DateFormat { .. }
                        | Transform::NumberFormat { .. }
                )
            )
        })
        .collect();
    let text = candidates.iter().find(|field| {
        field.transform.is_none()
            && names(field, from).is_some_and(|(source, _)| is_text(map, from, source))
    });
    text.or(candidates.first()).copied()
}

/// A value for `field` on `from` other than `current`, of the field's type.
fn new_value(map: &TableMap, field: &FieldMapping, from: Side, current: &Value) -> Value {
    let (source, _) = names(field, from).expect("changeable fields have both names");
    match (&field.transform, from) {
        (Some(Transform::ValueMap { pairs }), _) => {
            let side_value = |pair: &(String, Value)| match from {
                Side::FinanceOperations => Value::from(pair.0.clone()),
                Side::Dataverse => pair.1.clone(),
            };
            let other = pairs.iter().map(side_value).find(|value| value != current);
            other.expect("a value map has two pairs or more")
        }
        (Some(Transform::DateFormat { .. }), Side::FinanceOperations) => {
            json!("2026-11-20T12:00:00Z")
        }
        (Some(Transform::DateFormat { dataverse, .. }), Side::Dataverse) => match dataverse {
            duet_maps::DateKind::Date => json!("2026-11-20"),
            duet_maps::DateKind::DateTime => json!("2026-11-20T10:00:00Z"),
        },
        (Some(_), _) => json!(4321.5),
        (None, _) if is_text(map, from, source) => json!(format!("{} changed", map.name)),
        (None, _) => match current {
            Value::Bool(flag) => Value::from(!flag),
            Value::Number(number) => json!(number.as_f64().unwrap_or_default() + 11.25),
            _ => json!(format!("{} changed", map.name)),
        },
    }
}

impl Harness {
    /// Changes one synced row of `map` on `from` through a field that flows across; the F&O
    /// change takes the first such row by key, the Dataverse one the last, so the two
    /// directions never change the same row.
    pub(super) async fn change_row(&self, map: &TableMap, from: Side) -> Result<Change, String> {
        let finops = self.finops_rows_of(map).await?;
        let dataverse = self.dataverse_rows_of(map).await?;
        let (source, target) = match from {
            Side::FinanceOperations => (&finops, &dataverse),
            Side::Dataverse => (&dataverse, &finops),
        };
        let field = changeable(map, from).ok_or("no field the test can change flows across")?;
        let (source_name, target_name) =
            names(field, from).expect("changeable fields have both names");
        let synced: Vec<(&String, &Row)> = source
            .iter()
            .filter(|(key, row)| target.contains_key(*key) && passes(map, from, row) == Ok(true))
            .collect();
        let picked = match from {
            Side::FinanceOperations => synced.first(),
            Side::Dataverse => synced.last(),
        };
        let (key, row) = picked.ok_or("no synced row to change")?;
        let value = new_value(
            map,
            field,
            from,
            row.get(source_name).unwrap_or(&Value::Null),
        );
        let mut changed = (*row).clone();
        changed.insert(source_name.to_owned(), value.clone());
        let mut one_field = map.clone();
        one_field.fields = vec![field.clone()];
        let written = one_field
            .transform(from, &changed)
            .map_err(|error| error.to_string())?;
        let expected = written.get(target_name).cloned().unwrap_or(Value::Null);
        let mut body = Row::new();
        body.insert(source_name.to_owned(), value);
        self.write_change(map, from, row, &body).await?;
        Ok(Change {
            template: map.name.clone(),
            from,
            key: (*key).clone(),
            target: target_name.to_owned(),
            expected,
        })
    }

    async fn write_change(
        &self,
        map: &TableMap,
        from: Side,
        row: &Row,
        body: &Row,
    ) -> Result<(), String> {
        let text = |name: &str| {
            row.get(name)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        match from {
            Side::FinanceOperations => {
                let mut parts: Vec<(String, String)> = Vec::new();
                if let Some(striping) = &map.company {
                    parts.push((
                        striping.finance_operations_field.clone(),
                        text(&striping.finance_operations_field),
                    ));
                }
                for key in &map.key.finance_operations {
                    parts.push((key.clone(), text(key)));
                }
                let parts: Vec<(&str, &str)> = parts
                    .iter()
                    .map(|(n, v)| (n.as_str(), v.as_str()))
                    .collect();
                self.finops
                    .update(&map.finance_operations_entity, &parts, body)
                    .await
                    .map(|_| ())
                    .map_err(|error| format!("the F&O update was refused: {error}"))
            }
            Side::Dataverse => {
                let id = text(&map.dataverse_id);
                self.dataverse
                    .upsert(
                        &map.dataverse_entity_set,
                        &[(map.dataverse_id.as_str(), id.as_str())],
                        body,
                    )
                    .await
                    .map(|_| ())
                    .map_err(|error| format!("the Dataverse update was refused: {error}"))
            }
        }
    }

    /// Waits until every change holds on its other side, up to `limit`; the changes that never
    /// arrived are failures, with the value the other side holds.
    pub(super) async fn changes_arrive(
        &self,
        maps: &[TableMap],
        mut pending: Vec<Change>,
        limit: Duration,
    ) -> Vec<Failure> {
        let deadline = tokio::time::Instant::now() + limit;
        let mut seen: BTreeMap<(String, String), Value> = BTreeMap::new();
        while !pending.is_empty() && tokio::time::Instant::now() < deadline {
            let mut still = Vec::new();
            for change in pending {
                let map = maps
                    .iter()
                    .find(|m| m.name == change.template)
                    .expect("a map");
                let rows = match change.from {
                    Side::FinanceOperations => self.dataverse_rows_of(map).await,
                    Side::Dataverse => self.finops_rows_of(map).await,
                };
                let now = rows
                    .ok()
                    .and_then(|rows| {
                        rows.get(&change.key)
                            .and_then(|row| row.get(&change.target))
                            .cloned()
                    })
                    .unwrap_or(Value::Null);
                if normalize(&now) != normalize(&change.expected) {
                    seen.insert((change.template.clone(), change.key.clone()), now);
                    still.push(change);
                }
            }
            pending = still;
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        pending
            .into_iter()
            .map(|change| {
                let now = seen
                    .remove(&(change.template.clone(), change.key.clone()))
                    .unwrap_or(Value::Null);
                Failure {
                    detail: format!(
                        "{} {} holds {now}, expected {}",
                        change.key, change.target, change.expected
                    ),
                    template: change.template,
                    step: step(change.from),
                }
            })
            .collect()
    }
}
