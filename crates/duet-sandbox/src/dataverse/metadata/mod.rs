//! The Dataverse metadata API, read-only and built from the catalog: `EntityDefinitions`
//! (keyed by `LogicalName` or `MetadataId`) with its `Attributes`, `Keys` and relationships,
//! attribute casts with their option sets, `GlobalOptionSetDefinitions` and
//! `RelationshipDefinitions`; and the `$metadata` document. Every metadata item has a
//! `MetadataId` derived from its names, so ids survive a restart.
//!
//! `columns` is the one list of a table's attributes (the catalog's and the system columns)
//! that the metadata, the `$metadata` document and the data API's column checks share.

mod attributes;
mod columns;
mod csdl;
mod entity;
mod filter;
mod items;
mod keys;
mod labels;
mod optionsets;
mod query;
mod relationships;
mod routes;

use crate::catalog::{DvTable, catalog};

use columns::table_attributes;
pub(crate) use columns::{Attribute, AttributeKind, known_max_length};
pub(crate) use csdl::dv_csdl;
pub(super) use routes::serve;

/// The metadata collections this module serves: `EntityDefinitions`,
/// `GlobalOptionSetDefinitions` and `RelationshipDefinitions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum MetadataSet {
    Entities,
    GlobalOptionSets,
    Relationships,
}

impl MetadataSet {
    pub(super) fn parse(set: &str) -> Option<MetadataSet> {
        Some(match set {
            "EntityDefinitions" => MetadataSet::Entities,
            "GlobalOptionSetDefinitions" => MetadataSet::GlobalOptionSets,
            "RelationshipDefinitions" => MetadataSet::Relationships,
            _ => return None,
        })
    }
}

/// Every attribute of the table with this logical name, for the data API's column checks.
pub(super) fn attributes_of(logical_name: &str) -> Vec<Attribute> {
    let cat = catalog();
    cat.dv_table_by_logical(logical_name)
        .map(|t| table_attributes(cat, t))
        .unwrap_or_default()
}

/// The label of a system `statecode` or `statuscode` value, for its formatted value.
pub(super) fn system_choice_label(table: &DvTable, column: &str, value: i64) -> Option<String> {
    let set = match column {
        "statecode" => optionsets::state_set(table, None),
        "statuscode" => optionsets::status_set(table),
        _ => return None,
    };
    set.options
        .into_iter()
        .find(|o| o.value == value)
        .map(|o| o.label)
}
