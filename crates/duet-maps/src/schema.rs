//! The columns of a map's two tables, as far as validation needs them.
//!
//! The engine reads these from the environments' metadata; here they are plain data so that
//! validation stays pure and tests can write a schema as JSON.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::map::Side;

/// The columns of one map's finance and operations entity and Dataverse table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Schema {
    #[serde(default)]
    pub finance_operations: Vec<Column>,
    #[serde(default)]
    pub dataverse: Vec<Column>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Column {
    pub name: String,
    #[serde(rename = "type")]
    pub column_type: ColumnType,
    /// A new row cannot be created without a value.
    #[serde(default)]
    pub mandatory: bool,
    /// The side refuses writes to this column.
    #[serde(default)]
    pub read_only: bool,
    /// Enum member names (finance and operations) or option values as text (Dataverse).
    #[serde(default)]
    pub members: Vec<String>,
    /// What people see for each member, in the same order (empty when the side has none).
    #[serde(default)]
    pub labels: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ColumnType {
    Text,
    Integer,
    Decimal,
    Boolean,
    Date,
    DateTime,
    /// A finance and operations enum or a Dataverse choice (option set).
    Enum,
    Lookup,
    Guid,
}

impl ColumnType {
    pub fn is_number(self) -> bool {
        matches!(self, ColumnType::Integer | ColumnType::Decimal)
    }

    pub fn is_date(self) -> bool {
        matches!(self, ColumnType::Date | ColumnType::DateTime)
    }

    /// Whether a value of this type can be copied unchanged into a column of `other`.
    pub fn copies_to(self, other: ColumnType) -> bool {
        self == other || (self.is_number() && other.is_number())
    }
}

impl Schema {
    pub fn columns(&self, side: Side) -> &[Column] {
        match side {
            Side::FinanceOperations => &self.finance_operations,
            Side::Dataverse => &self.dataverse,
        }
    }

    /// The column on `side`; names compare case-insensitively because finance and
    /// operations field names are not case-sensitive.
    pub fn column(&self, side: Side, name: &str) -> Option<&Column> {
        self.columns(side)
            .iter()
            .find(|column| column.name.eq_ignore_ascii_case(name))
    }
}
