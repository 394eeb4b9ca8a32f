//! What a map does to a row: the write a change on one side becomes on the other, and the
//! projection Duet remembers as a side's state.

use serde_json::Value;

use super::{FieldMapping, MapError, Side, TableMap};
use crate::transform::{self, NullPolicy, Transform};
use crate::value::Row;

impl TableMap {
    /// The properties a change on `from` writes to the other side, named as that side names them.
    pub fn transform(&self, from: Side, row: &Row) -> Result<Row, MapError> {
        let mut out = Row::new();
        for field in self
            .fields
            .iter()
            .filter(|field| field.direction.flows_from(from))
        {
            if let Some(Transform::Concatenate {
                from: joined_side,
                fields,
                separator,
                split,
            }) = &field.transform
            {
                self.concatenate(field, from, row, *joined_side, fields, separator, *split)
                    .into_iter()
                    .for_each(|(target, value)| {
                        out.insert(target, value);
                    });
                continue;
            }
            let (source, target) = match from {
                Side::FinanceOperations => (&field.finance_operations, &field.dataverse),
                Side::Dataverse => (&field.dataverse, &field.finance_operations),
            };
            let Some(target) = target else { continue };
            if self.is_key_field(from.other(), target) {
                continue;
            }
            let raw = match (&field.transform, source) {
                (Some(Transform::Default { value } | Transform::Constant { value }), _) => {
                    out.insert(target.clone(), value.clone());
                    continue;
                }
                (_, Some(source)) => row.get(source).cloned().unwrap_or(Value::Null),
                (_, None) => continue,
            };
            let source = source.as_deref().unwrap_or_default();
            // A null policy other than keeping the null decides before any transform runs,
            // so transforms never see a value the policy has already replaced.
            match (&field.null_policy, transform::is_absent(&raw)) {
                (Some(NullPolicy::Skip), true) => continue,
                (Some(NullPolicy::UseDefault { value }), true) => {
                    out.insert(target.clone(), value.clone());
                    continue;
                }
                _ => {}
            }
            let value = apply(field.transform.as_ref(), from, source, raw)?;
            out.insert(target.clone(), value);
        }
        Ok(out)
    }

    /// The writes of a concatenated field: the joined column one way, the split fields back.
    #[allow(clippy::too_many_arguments)]
    fn concatenate(
        &self,
        field: &FieldMapping,
        from: Side,
        row: &Row,
        joined_side: Side,
        fields: &[String],
        separator: &str,
        split: Option<transform::SplitRule>,
    ) -> Vec<(String, Value)> {
        let get = |name: &str| row.get(name).cloned().unwrap_or(Value::Null);
        if from == joined_side {
            let target = match from {
                Side::FinanceOperations => &field.dataverse,
                Side::Dataverse => &field.finance_operations,
            };
            let Some(target) = target
                .as_ref()
                .filter(|t| !self.is_key_field(from.other(), t))
            else {
                return Vec::new();
            };
            let parts: Vec<Value> = fields.iter().map(|name| get(name)).collect();
            let joined = transform::join(&parts, separator);
            return match (&field.null_policy, joined.is_null()) {
                (Some(NullPolicy::Skip), true) => Vec::new(),
                (Some(NullPolicy::UseDefault { value }), true) => {
                    vec![(target.clone(), value.clone())]
                }
                _ => vec![(target.clone(), joined)],
            };
        }
        let (Some(rule), Some(source)) = (
            split,
            match from {
                Side::FinanceOperations => &field.finance_operations,
                Side::Dataverse => &field.dataverse,
            },
        ) else {
            return Vec::new();
        };
        let parts = transform::split(&get(source), separator, fields.len(), rule);
        fields
            .iter()
            .cloned()
            .zip(parts)
            .filter(|(name, _)| !self.is_key_field(joined_side, name))
            .collect()
    }

    /// The mapped, non-key properties of a row on `side`: what Duet remembers as that side's state.
    pub fn projection(&self, side: Side, row: &Row) -> Row {
        self.fields
            .iter()
            .flat_map(|field| {
                let own = match side {
                    Side::FinanceOperations => field.finance_operations.as_ref(),
                    Side::Dataverse => field.dataverse.as_ref(),
                };
                // Joined fields are part of the side's state: a change to any of them
                // changes the joined column.
                let joined = match &field.transform {
                    Some(Transform::Concatenate { from, fields, .. }) if *from == side => {
                        fields.as_slice()
                    }
                    _ => &[],
                };
                own.into_iter().chain(joined)
            })
            .filter(|name| !self.is_key_field(side, name))
            .filter_map(|name| row.get(name).map(|value| (name.clone(), value.clone())))
            .collect()
    }

    fn is_key_field(&self, side: Side, name: &str) -> bool {
        let keys = match side {
            Side::FinanceOperations => &self.key.finance_operations,
            Side::Dataverse => &self.key.dataverse,
        };
        keys.iter().any(|key| key == name)
    }
}

/// Applies a single-source transform to a value read from `from`.
fn apply(
    transform: Option<&Transform>,
    from: Side,
    field: &str,
    raw: Value,
) -> Result<Value, MapError> {
    match transform {
        None | Some(Transform::LookupByName { .. }) => Ok(raw),
        Some(Transform::ValueMap { pairs }) => map_value(pairs, from, field, &raw),
        Some(Transform::Default { value } | Transform::Constant { value }) => Ok(value.clone()),
        Some(Transform::Case { case }) => Ok(transform::change_case(&raw, *case)),
        Some(Transform::Trim) => Ok(transform::trim(&raw)),
        Some(Transform::NumberFormat { decimals, rounding }) => {
            transform::round(&raw, *decimals, *rounding, field)
        }
        Some(Transform::DateFormat {
            finance_operations,
            dataverse,
            null_date,
        }) => transform::convert_date(
            &raw,
            from,
            *finance_operations,
            *dataverse,
            *null_date,
            field,
        ),
        // Concatenation reads several fields and is handled before single-source transforms.
        Some(Transform::Concatenate { .. }) => Ok(raw),
    }
}

fn map_value(
    pairs: &[(String, Value)],
    from: Side,
    field: &str,
    raw: &Value,
) -> Result<Value, MapError> {
    if raw.is_null() {
        return Ok(Value::Null);
    }
    let found = match from {
        Side::FinanceOperations => pairs
            .iter()
            .find(|(member, _)| Some(member.as_str()) == raw.as_str())
            .map(|(_, option)| option.clone()),
        Side::Dataverse => pairs
            .iter()
            .find(|(_, option)| option == raw)
            .map(|(member, _)| Value::from(member.clone())),
    };
    found.ok_or_else(|| MapError::UnmappedValue {
        field: field.to_owned(),
        value: raw.to_string(),
    })
}
