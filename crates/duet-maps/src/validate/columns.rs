//! The checks that need the two tables' columns: mandatory, read-only and unknown columns,
//! and whether the columns a field joins hold types it can carry between them.

use std::collections::HashSet;

use serde_json::Value;

use super::suggest::closest;
use super::{Problem, code, column, problem, side_key, targets};
use crate::map::{FieldMapping, Side, TableMap};
use crate::schema::{ColumnType, Schema};
use crate::transform::Transform;

impl TableMap {
    pub(super) fn check_schema(&self, schema: &Schema, problems: &mut Vec<Problem>) {
        for side in [Side::FinanceOperations, Side::Dataverse] {
            self.check_mandatory(schema, side, problems);
        }
        for (index, field) in self.fields.iter().enumerate() {
            self.check_columns_exist(index, field, schema, problems);
            for side in [Side::FinanceOperations, Side::Dataverse] {
                for target in targets(field, side) {
                    if schema
                        .column(side, target)
                        .is_some_and(|column| column.read_only)
                    {
                        problems.push(problem(
                            code::READ_ONLY_MAPPED,
                            format!("$.fields[{index}].{}", side_key(side)),
                            format!("'{target}' is read-only on the {} side", side_key(side)),
                            "make the field flow only away from this side, or map another column",
                        ));
                    }
                }
            }
            check_types(index, field, schema, problems);
        }
    }

    /// Every column a field names exists in its table. A side the schema lists no columns for
    /// is not checked: the schema does not describe it.
    fn check_columns_exist(
        &self,
        index: usize,
        field: &FieldMapping,
        schema: &Schema,
        problems: &mut Vec<Problem>,
    ) {
        let mut named: Vec<(Side, String, &str)> = Vec::new();
        for side in [Side::FinanceOperations, Side::Dataverse] {
            if let Some(name) = column(field, side) {
                named.push((side, format!("$.fields[{index}].{}", side_key(side)), name));
            }
        }
        if let Some(Transform::Concatenate { from, fields, .. }) = &field.transform {
            named.extend(fields.iter().enumerate().map(|(position, name)| {
                (
                    *from,
                    format!("$.fields[{index}].transform.fields[{position}]"),
                    name.as_str(),
                )
            }));
        }
        for (side, path, name) in named {
            let columns = schema.columns(side);
            let own = table_column(side, name);
            if columns.is_empty() || own.is_empty() || schema.column(side, own).is_some() {
                continue;
            }
            let (kind, table) = match side {
                Side::FinanceOperations => (
                    "finance and operations entity",
                    self.finance_operations_entity.as_str(),
                ),
                Side::Dataverse => ("Dataverse table", self.dataverse_entity_set.as_str()),
            };
            let looked_up = if own == name {
                String::new()
            } else {
                format!(" (the lookup column of '{name}')")
            };
            let fix = match closest(own, columns.iter().map(|column| column.name.as_str())) {
                Some(suggestion) => format!(
                    "did you mean '{suggestion}'? Correct the name, or add the column to {table}"
                ),
                None => format!(
                    "name a column {table} has, or add the column to {table} (no existing name is close)"
                ),
            };
            problems.push(Problem {
                code: code::UNKNOWN_COLUMN,
                path,
                message: format!("'{own}'{looked_up} is not a column of {kind} '{table}'"),
                fix,
            });
        }
    }

    fn check_mandatory(&self, schema: &Schema, side: Side, problems: &mut Vec<Problem>) {
        // A lookup path (`salesorderid.msdyn_salesordernumber`) fills its lookup column.
        let exempt: Vec<&str> = self
            .key_fields(side)
            .iter()
            .map(|name| table_column(side, name))
            .chain(self.company.as_ref().map(|striping| match side {
                Side::FinanceOperations => striping.finance_operations_field.as_str(),
                Side::Dataverse => striping.dataverse_lookup.as_str(),
            }))
            .chain((side == Side::Dataverse).then_some(self.dataverse_id.as_str()))
            .collect();
        let written: HashSet<String> = self
            .fields
            .iter()
            .flat_map(|field| targets(field, side))
            .map(|name| table_column(side, name).to_ascii_lowercase())
            .collect();
        for column in schema
            .columns(side)
            .iter()
            .filter(|column| column.mandatory)
        {
            let name = column.name.as_str();
            if exempt
                .iter()
                .any(|exempt| exempt.eq_ignore_ascii_case(name))
                || written.contains(&name.to_ascii_lowercase())
            {
                continue;
            }
            problems.push(problem(
                code::MANDATORY_UNMAPPED,
                "$.fields".to_owned(),
                format!(
                    "mandatory {} column '{name}' receives no value",
                    side_key(side)
                ),
                "map a field into it, or add one with a default transform",
            ));
        }
    }
}

/// The column of `side`'s table a field name stands for: a Dataverse lookup path such as
/// `msdyn_company.cdm_companycode` or `customerid.Account(accountnumber)` names the lookup
/// column before the first dot.
fn table_column(side: Side, name: &str) -> &str {
    match side {
        Side::Dataverse => name.split('.').next().unwrap_or(name).trim(),
        Side::FinanceOperations => name.trim(),
    }
}

/// The option text a value-map value stands for, as schema members spell it.
fn option_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn check_types(index: usize, field: &FieldMapping, schema: &Schema, problems: &mut Vec<Problem>) {
    let path = format!("$.fields[{index}]");
    let fo = field
        .finance_operations
        .as_deref()
        .and_then(|name| schema.column(Side::FinanceOperations, name));
    let dv = field
        .dataverse
        .as_deref()
        .and_then(|name| schema.column(Side::Dataverse, name));
    if let Some(Transform::ValueMap { pairs }) = &field.transform {
        let mut missing: Vec<String> = Vec::new();
        if let Some(fo) = fo {
            missing.extend(
                fo.members
                    .iter()
                    .filter(|member| !pairs.iter().any(|(name, _)| name == *member))
                    .cloned(),
            );
        }
        if let Some(dv) = dv {
            missing.extend(
                dv.members
                    .iter()
                    .filter(|member| {
                        !pairs
                            .iter()
                            .any(|(_, value)| option_text(value) == **member)
                    })
                    .cloned(),
            );
        }
        if !missing.is_empty() {
            problems.push(problem(
                code::VALUE_MAP_INCOMPLETE,
                format!("{path}.transform"),
                format!("no pair for {}", missing.join(", ")),
                "add a pair for every enum member and option value",
            ));
        }
    }
    let (Some(fo), Some(dv)) = (fo, dv) else {
        return;
    };
    let (a, b) = (fo.column_type, dv.column_type);
    let fits = match &field.transform {
        None => a.copies_to(b),
        Some(Transform::ValueMap { .. })
        | Some(Transform::Default { .. })
        | Some(Transform::Constant { .. }) => true,
        Some(Transform::Case { .. }) | Some(Transform::Trim) => {
            a == ColumnType::Text && b == ColumnType::Text
        }
        Some(Transform::NumberFormat { .. }) => a.is_number() && b.is_number(),
        Some(Transform::DateFormat { .. }) => a.is_date() && b.is_date(),
        // The engine writes a reference to the named row, so the Dataverse side is a lookup.
        Some(Transform::LookupByName { .. }) => a == ColumnType::Text && b == ColumnType::Lookup,
        Some(Transform::Concatenate { from, .. }) => match from {
            Side::FinanceOperations => b == ColumnType::Text,
            Side::Dataverse => a == ColumnType::Text,
        },
    };
    if !fits {
        problems.push(problem(
            code::TYPE_MISMATCH,
            path,
            format!("'{}' is {a:?} and '{}' is {b:?}", fo.name, dv.name),
            "map columns of the same type, or add a transform that converts between them",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_paths_name_their_lookup_column() {
        assert_eq!(
            table_column(Side::Dataverse, "msdyn_company.cdm_companycode"),
            "msdyn_company"
        );
        assert_eq!(
            table_column(Side::Dataverse, "customerid.Account(accountnumber)"),
            "customerid"
        );
        assert_eq!(
            table_column(Side::FinanceOperations, "InvoiceAccount"),
            "InvoiceAccount"
        );
    }
}
