//! Table maps: which finance and operations entity pairs with which Dataverse table, how
//! each field flows, and how one side's row becomes the other side's write.
//!
//! Pure: no I/O, no clock. The engine passes rows in and gets writes out.

#![deny(clippy::too_many_lines)]

mod compare;
mod diff;
pub mod filter;
mod graph;
mod map;
mod package;
pub mod preview;
mod schema;
mod templates;
mod transform;
mod validate;
mod value;

pub use compare::{CompareStatus, MapComparison, compare};
pub use diff::{Change, FieldChangeKind, FieldDiff, MapDiff, diff};
pub use graph::{Cycle, LookupField, start_order, two_pass_maps};
pub use map::{
    CompanyStriping, FieldDirection, FieldMapping, IntegrationKey, KeyRange, Lookup, MapError,
    NumberSequencePrefixes, NumberSequenceRanges, RowKey, Side, TableMap,
};
pub use package::{
    FORMAT as PACKAGE_FORMAT, ImportPlan, Package, PackageError, VERSION as PACKAGE_VERSION,
    check_import, export, package_code, parse_map,
};
pub use schema::{Column, ColumnType, Schema};
pub use templates::{Area, Flow, Template, template_catalog, templates};
pub use transform::{
    DateKind, MAX_DECIMALS, NULL_DATE, NullPolicy, Rounding, SplitRule, TextCase, Transform,
};
pub use validate::{
    Problem, Severity, UnknownFilterColumn, code, unknown_filter_column, validate_all,
    validate_with,
};
pub use value::{Row, normalize, same_values};

pub use filter::dataverse::Filter as DataverseFilter;
pub use filter::finance_operations::Expr as QueryRange;
pub use filter::{Comparison, FilterError};
