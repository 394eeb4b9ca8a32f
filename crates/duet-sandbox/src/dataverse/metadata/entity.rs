//! `EntityMetadata`: one table's definition in the shape `EntityDefinitions` serves it.

use serde_json::{Map, Value};

use crate::catalog::{Catalog, DvTable};

use super::columns::{Ownership, is_custom_name, ownership, primary_name};
use super::labels::{Languages, label, managed, metadata_id, table_names};

/// Object type codes of the platform tables the catalog holds.
const OBJECT_TYPE_CODES: &[(&str, i64)] = &[
    ("account", 1),
    ("contact", 2),
    ("lead", 4),
    ("product", 1024),
    ("quote", 1084),
    ("salesorder", 1088),
    ("salesorderdetail", 1089),
    ("invoice", 1090),
    ("invoicedetail", 1091),
    ("uom", 1055),
    ("transactioncurrency", 9105),
];

/// The first code Dataverse gives tables it does not ship.
const FIRST_CUSTOM_CODE: i64 = 10_000;

/// A table's `ObjectTypeCode`: the platform's where the table is the platform's, else a code
/// from 10000 up, numbered in logical-name order so it stays the same from run to run.
pub(crate) fn object_type_code(cat: &Catalog, table: &DvTable) -> i64 {
    if let Some((_, code)) = OBJECT_TYPE_CODES
        .iter()
        .find(|(name, _)| *name == table.logical_name)
    {
        return *code;
    }
    let mut custom: Vec<&str> = cat
        .dataverse
        .iter()
        .map(|t| t.logical_name.as_str())
        .filter(|name| !OBJECT_TYPE_CODES.iter().any(|(n, _)| n == name))
        .collect();
    custom.sort_unstable();
    let index = custom
        .iter()
        .position(|name| *name == table.logical_name)
        .unwrap_or(custom.len());
    FIRST_CUSTOM_CODE + index as i64
}

pub(crate) fn entity_id(table: &DvTable) -> String {
    metadata_id(&[&table.logical_name])
}

/// The managed properties of a table, with the names customizers see them under.
const MANAGED: &[(&str, &str, bool)] = &[
    (
        "CanChangeTrackingBeEnabled",
        "canchangetrackingbeenabled",
        true,
    ),
    ("IsCustomizable", "iscustomizable", true),
    ("IsAuditEnabled", "canmodifyauditsettings", false),
    ("CanCreateAttributes", "cancreateattributes", true),
    ("CanCreateForms", "cancreateforms", true),
    ("CanCreateViews", "cancreateviews", true),
    ("CanCreateCharts", "cancreatecharts", true),
    (
        "CanModifyAdditionalSettings",
        "canmodifyadditionalsettings",
        true,
    ),
    ("CanBeInManyToMany", "canbeinmanytomany", true),
    (
        "CanBePrimaryEntityInRelationship",
        "canbeprimaryentityinrelationship",
        true,
    ),
    (
        "CanBeRelatedEntityInRelationship",
        "canberelatedentityinrelationship",
        true,
    ),
    (
        "CanEnableSyncToExternalSearchIndex",
        "canenablesynctoexternalsearchindex",
        true,
    ),
    ("IsValidForQueue", "canmodifyqueuesettings", false),
    ("IsConnectionsEnabled", "canmodifyconnectionsettings", false),
    (
        "IsDuplicateDetectionEnabled",
        "canmodifyduplicatedetectionsettings",
        true,
    ),
    ("IsMailMergeEnabled", "canmodifymailmergesettings", true),
    ("IsMappable", "ismappable", true),
    ("IsRenameable", "isrenameable", true),
];

fn put(m: &mut Map<String, Value>, name: &str, value: impl Into<Value>) {
    m.insert(name.to_string(), value.into());
}

/// The table's `EntityMetadata`, without navigation collections.
pub(crate) fn entity_json(
    cat: &Catalog,
    table: &DvTable,
    languages: Languages,
) -> Map<String, Value> {
    let logical = table.logical_name.as_str();
    let (display, collection) = table_names(logical);
    let custom = is_custom_name(logical);
    let mut m = Map::new();
    put(&mut m, "MetadataId", entity_id(table));
    put(&mut m, "HasChanged", Value::Null);
    put(&mut m, "LogicalName", logical);
    put(&mut m, "SchemaName", schema_name(logical));
    put(&mut m, "EntitySetName", table.entity_set.clone());
    put(&mut m, "LogicalCollectionName", table.entity_set.clone());
    put(
        &mut m,
        "CollectionSchemaName",
        schema_name(&table.entity_set),
    );
    put(&mut m, "PrimaryIdAttribute", table.primary_id.clone());
    put(
        &mut m,
        "PrimaryNameAttribute",
        primary_name(table).map(str::to_string),
    );
    put(&mut m, "ObjectTypeCode", object_type_code(cat, table));
    let owned = match ownership(table) {
        Ownership::User => "UserOwned",
        Ownership::Organization => "OrganizationOwned",
    };
    put(&mut m, "OwnershipType", owned);
    put(&mut m, "ChangeTrackingEnabled", true);
    put(&mut m, "IsCustomEntity", custom);
    put(&mut m, "IsManaged", true);
    put(&mut m, "IsIntersect", false);
    put(&mut m, "IsPrivate", false);
    put(&mut m, "IsLogicalEntity", false);
    put(&mut m, "IsActivity", false);
    put(&mut m, "IsActivityParty", false);
    put(&mut m, "IsAvailableOffline", true);
    put(&mut m, "IsBPFEntity", false);
    put(&mut m, "IsChildEntity", false);
    put(&mut m, "IsValidForAdvancedFind", true);
    put(&mut m, "IsStateModelAware", true);
    put(&mut m, "IsOptimisticConcurrencyEnabled", true);
    put(&mut m, "IsReadOnlyInMobileClient", false);
    put(&mut m, "TableType", "Standard");
    put(
        &mut m,
        "IntroducedVersion",
        if custom { "1.0.0.0" } else { "5.0.0.0" },
    );
    put(
        &mut m,
        "DisplayName",
        label(&display, languages, &[logical, "DisplayName"]),
    );
    put(
        &mut m,
        "DisplayCollectionName",
        label(&collection, languages, &[logical, "DisplayCollectionName"]),
    );
    put(&mut m, "Description", label("", languages, &[]));
    for (name, logical_name, value) in MANAGED {
        put(&mut m, name, managed(*value, true, logical_name));
    }
    m
}

/// `msdyn_customergroup` → `msdyn_CustomerGroup`-like schema names are not derivable, so the
/// emulator uses the logical name with its first letter after the prefix capitalised.
fn schema_name(logical: &str) -> String {
    let (prefix, bare) = match logical.split_once('_') {
        Some((p, b)) if is_custom_name(logical) => (format!("{p}_"), b),
        _ => (String::new(), logical),
    };
    let mut chars = bare.chars();
    let capitalised: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    };
    format!("{prefix}{capitalised}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::catalog;

    #[test]
    fn object_type_codes_are_real_or_unique_from_10000() {
        let cat = catalog();
        let mut codes: Vec<i64> = cat
            .dataverse
            .iter()
            .map(|t| object_type_code(cat, t))
            .collect();
        let account = cat.dv_table_by_logical("account").expect("account");
        assert_eq!(object_type_code(cat, account), 1);
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), cat.dataverse.len(), "codes are unique");
        assert_eq!(schema_name("msdyn_paymentterm"), "msdyn_Paymentterm");
        assert_eq!(schema_name("account"), "Account");
    }
}
