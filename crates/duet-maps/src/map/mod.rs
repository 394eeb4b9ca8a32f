//! The table map model: the two sides, field mappings and their directions, keys, company
//! striping, and the errors a map raises on a row.

mod demo;
mod keys;
mod rows;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::transform::{NullPolicy, Transform};

pub use keys::RowKey;

/// One of the two environments in a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Side {
    FinanceOperations,
    Dataverse,
}

impl Side {
    pub fn other(self) -> Side {
        match self {
            Side::FinanceOperations => Side::Dataverse,
            Side::Dataverse => Side::FinanceOperations,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Side::FinanceOperations => "financeOperations",
            Side::Dataverse => "dataverse",
        }
    }
}

/// The six dual-write direction symbols.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum FieldDirection {
    /// `=`: two-way, values copied as they are.
    #[serde(alias = "=")]
    TwoWay,
    /// `><`: two-way through a value map.
    #[serde(alias = "><")]
    TwoWayTransform,
    /// `>`: finance and operations to Dataverse only.
    #[serde(alias = ">")]
    ToDataverse,
    /// `<`: Dataverse to finance and operations only.
    #[serde(alias = "<")]
    ToFinanceOperations,
    /// `>>`: Dataverse receives a default; nothing is read from finance and operations.
    #[serde(alias = ">>")]
    DefaultToDataverse,
    /// `<<`: finance and operations receives a default; nothing is read from Dataverse.
    #[serde(alias = "<<")]
    DefaultToFinanceOperations,
}

impl FieldDirection {
    pub fn symbol(self) -> &'static str {
        match self {
            FieldDirection::TwoWay => "=",
            FieldDirection::TwoWayTransform => "><",
            FieldDirection::ToDataverse => ">",
            FieldDirection::ToFinanceOperations => "<",
            FieldDirection::DefaultToDataverse => ">>",
            FieldDirection::DefaultToFinanceOperations => "<<",
        }
    }

    /// Whether a change on `from` is written to the other side through this field.
    pub fn flows_from(self, from: Side) -> bool {
        match (self, from) {
            (FieldDirection::TwoWay | FieldDirection::TwoWayTransform, _) => true,
            (FieldDirection::ToDataverse | FieldDirection::DefaultToDataverse, side) => {
                side == Side::FinanceOperations
            }
            (
                FieldDirection::ToFinanceOperations | FieldDirection::DefaultToFinanceOperations,
                side,
            ) => side == Side::Dataverse,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FieldMapping {
    pub finance_operations: Option<String>,
    pub direction: FieldDirection,
    pub dataverse: Option<String>,
    pub transform: Option<Transform>,
    pub note: Option<String>,
    /// What the field writes when its source is null or empty; none keeps the null.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub null_policy: Option<NullPolicy>,
    /// The map that owns the row this field looks up, when the field is a lookup.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub lookup: Option<Lookup>,
}

/// A lookup: the field's value identifies a row of another map (or of this one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Lookup {
    pub target_map: String,
    /// The row refers to a row of the same table, so rows are written in two passes: first
    /// without the lookup, then the lookup once every target exists.
    #[serde(default)]
    #[ts(optional, as = "Option<bool>")]
    pub self_reference: bool,
}

/// Key prefixes that keep rows created on each side apart, because finance and operations
/// number sequences and Dataverse autonumbers are not connected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NumberSequencePrefixes {
    pub finance_operations: String,
    pub dataverse: String,
}

/// Key ranges that keep rows created on each side apart, where the sides draw keys from
/// number sequences of one format (US0001–US4999 here, US5000–US9999 there).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NumberSequenceRanges {
    pub finance_operations: KeyRange,
    pub dataverse: KeyRange,
}

/// The first and last key a side hands out; keys of one format compare as text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct KeyRange {
    pub from: String,
    pub to: String,
}

impl KeyRange {
    /// Whether `from` comes no later than `to` when both have the same length.
    pub fn is_ordered(&self) -> bool {
        self.from.len() == self.to.len() && self.from <= self.to
    }

    pub fn overlaps(&self, other: &KeyRange) -> bool {
        self.from <= other.to && other.from <= self.to
    }
}

/// Company-specific rows: `dataAreaId` in finance and operations, a `cdm_company` lookup in
/// Dataverse addressed by its three-letter code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CompanyStriping {
    pub finance_operations_field: String,
    pub dataverse_lookup: String,
    pub company_entity_set: String,
    pub company_code_column: String,
}

/// The integration key: the fields that identify the same row on both sides, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct IntegrationKey {
    pub finance_operations: Vec<String>,
    pub dataverse: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TableMap {
    pub name: String,
    pub title: String,
    pub finance_operations_entity: String,
    pub dataverse_table: String,
    pub dataverse_entity_set: String,
    pub dataverse_id: String,
    pub key: IntegrationKey,
    pub company: Option<CompanyStriping>,
    pub fields: Vec<FieldMapping>,
    /// The side whose change wins when both sides changed the same row before either change
    /// was applied.
    #[serde(default = "default_master")]
    #[ts(optional, as = "Option<Side>")]
    pub master: Side,
    /// Query-range expression that selects the finance and operations rows to sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub filter_finance_operations: Option<String>,
    /// OData `$filter` that selects the Dataverse rows to sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub filter_dataverse: Option<String>,
    /// How keys created on each side stay distinct when both sides create rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub number_sequence_prefixes: Option<NumberSequencePrefixes>,
    /// Key ranges per side, the other way to keep created keys apart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub number_sequence_ranges: Option<NumberSequenceRanges>,
    /// Keys are codes people type (groups, terms), not numbers drawn from a sequence, so
    /// two sides cannot hand out the same key by accident.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(optional, as = "Option<bool>")]
    pub key_entered_by_hand: bool,
    /// What a reader of the map should know, such as fields a template leaves out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub note: Option<String>,
}

fn default_master() -> Side {
    Side::FinanceOperations
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MapError {
    #[error("the {side} row has no value for key field '{field}'")]
    MissingKey { side: &'static str, field: String },
    #[error("value '{value}' of '{field}' has no entry in the value map")]
    UnmappedValue { field: String, value: String },
    #[error("value {value} of '{field}' is not {expected}")]
    InvalidValue {
        field: String,
        value: String,
        expected: &'static str,
    },
}
