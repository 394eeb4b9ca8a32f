//! Map validation: the mistakes dual-write refuses at activation time, found before a map
//! runs, each with a stable code, the JSON path of the offending part and a suggested fix.

pub mod code;
mod columns;
mod company;
mod filter_columns;
mod set;
mod structure;
mod suggest;

use std::fmt;

use serde::Serialize;

use crate::map::{FieldDirection, FieldMapping, Side, TableMap};
use crate::schema::Schema;
use crate::transform::Transform;

pub use code::Severity;
pub use filter_columns::{UnknownFilterColumn, unknown_filter_column};
pub use set::{validate_all, validate_with};

/// One thing wrong with a map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub code: &'static str,
    /// JSON path into the map as stored, such as `$.fields[3].transform`.
    pub path: String,
    pub message: String,
    pub fix: String,
}

impl Problem {
    pub fn severity(&self) -> Severity {
        code::severity(self.code)
    }

    pub fn is_error(&self) -> bool {
        self.severity() == Severity::Error
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "{} at {}: {} ({})",
            self.code, self.path, self.message, self.fix
        )
    }
}

fn problem(code: &'static str, path: String, message: String, fix: &str) -> Problem {
    Problem {
        code,
        path,
        message,
        fix: fix.to_owned(),
    }
}

fn side_key(side: Side) -> &'static str {
    side.as_str()
}

fn is_two_way(direction: FieldDirection) -> bool {
    matches!(
        direction,
        FieldDirection::TwoWay | FieldDirection::TwoWayTransform
    )
}

/// The mapping's own column on `side`.
fn column(field: &FieldMapping, side: Side) -> Option<&str> {
    match side {
        Side::FinanceOperations => field.finance_operations.as_deref(),
        Side::Dataverse => field.dataverse.as_deref(),
    }
}

/// The columns a field writes on `side` when the other side changes.
fn targets(field: &FieldMapping, side: Side) -> Vec<&str> {
    if !field.direction.flows_from(side.other()) {
        return Vec::new();
    }
    match &field.transform {
        Some(Transform::Concatenate {
            from,
            fields,
            split,
            ..
        }) if *from == side => {
            if split.is_some() {
                fields.iter().map(String::as_str).collect()
            } else {
                Vec::new()
            }
        }
        _ => column(field, side).into_iter().collect(),
    }
}

impl TableMap {
    /// Everything wrong with this map on its own; with a schema, also what the two tables'
    /// columns rule out. An empty list means the map can run.
    pub fn validate(&self, schema: Option<&Schema>) -> Vec<Problem> {
        let mut problems = Vec::new();
        self.check_key(&mut problems);
        self.check_fields(&mut problems);
        self.check_company(schema, &mut problems);
        self.check_number_sequences(&mut problems);
        self.check_filters(&mut problems);
        if let Some(schema) = schema {
            self.check_schema(schema, &mut problems);
            self.check_filter_columns(schema, &mut problems);
        }
        problems
    }

    fn key_fields(&self, side: Side) -> &[String] {
        match side {
            Side::FinanceOperations => &self.key.finance_operations,
            Side::Dataverse => &self.key.dataverse,
        }
    }

    /// The index and mapping of the field that maps `name` on `side`.
    fn mapping_of(&self, side: Side, name: &str) -> Option<(usize, &FieldMapping)> {
        self.fields
            .iter()
            .enumerate()
            .find(|(_, field)| column(field, side) == Some(name))
    }

    fn is_multi_mastered(&self) -> bool {
        self.fields.iter().any(|field| is_two_way(field.direction))
    }
}
