//! Relationships: one per lookup target, served as `OneToManyRelationshipMetadata` from
//! `RelationshipDefinitions` and from a table's `ManyToOneRelationships` (its lookups) and
//! `OneToManyRelationships` (lookups to it). The catalog has no many-to-many relationships.

use serde_json::{Map, Value, json};

use crate::catalog::Catalog;

use super::columns::{AttributeKind, is_custom_name, table_attributes};
use super::labels::{Languages, label, managed, metadata_id};

/// Which side of a table's relationships a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    /// `ManyToOneRelationships`: the table's own lookups.
    ManyToOne,
    /// `OneToManyRelationships`: other tables' lookups to it.
    OneToMany,
}

/// A one-to-many relationship: `referencing_entity.referencing_attribute` points at
/// `referenced_entity.referenced_attribute`.
#[derive(Debug, Clone)]
pub(crate) struct Relationship {
    pub(crate) schema_name: String,
    pub(crate) referenced_entity: String,
    pub(crate) referenced_attribute: String,
    pub(crate) referencing_entity: String,
    pub(crate) referencing_attribute: String,
    custom: bool,
}

/// The platform's names for the relationships behind system lookups.
fn system_schema_name(table: &str, column: &str) -> Option<String> {
    Some(match column {
        "createdby" | "modifiedby" | "createdonbehalfby" | "modifiedonbehalfby" => {
            format!("lk_{table}_{column}")
        }
        "ownerid" => format!("owner_{table}"),
        "owninguser" => format!("user_{table}"),
        "owningteam" => format!("team_{table}"),
        "owningbusinessunit" => format!("business_unit_{table}"),
        "organizationid" => format!("organization_{table}"),
        "transactioncurrencyid" => format!("transactioncurrency_{table}"),
        _ => return None,
    })
}

/// Every relationship of the catalog's tables, in table and column order.
pub(crate) fn relationships(cat: &Catalog) -> Vec<Relationship> {
    let mut out = Vec::new();
    for table in &cat.dataverse {
        for a in table_attributes(cat, table) {
            if !a.kind.is_lookup() {
                continue;
            }
            // An owner points at the abstract `owner` entity that users and teams share.
            let targets = match a.kind {
                AttributeKind::Owner => vec!["owner".to_string()],
                _ => a.targets.clone(),
            };
            for target in targets {
                let referenced_attribute = cat
                    .dv_table_by_logical(&target)
                    .map_or_else(|| format!("{target}id"), |t| t.primary_id.clone());
                let schema_name = system_schema_name(&table.logical_name, &a.name)
                    .unwrap_or_else(|| format!("{target}_{}_{}", table.logical_name, a.name));
                out.push(Relationship {
                    schema_name,
                    referenced_entity: target,
                    referenced_attribute,
                    referencing_entity: table.logical_name.clone(),
                    referencing_attribute: a.name.clone(),
                    custom: !a.system && is_custom_name(&a.name),
                });
            }
        }
    }
    out
}

/// The relationships on one side of `table`.
pub(crate) fn of_table<'r>(
    all: &'r [Relationship],
    table: &str,
    side: Side,
) -> Vec<&'r Relationship> {
    all.iter()
        .filter(|r| match side {
            Side::ManyToOne => r.referencing_entity == table,
            Side::OneToMany => r.referenced_entity == table,
        })
        .collect()
}

pub(crate) fn relationship_id(r: &Relationship) -> String {
    metadata_id(&["relationship", &r.schema_name])
}

/// `OneToManyRelationshipMetadata` for `r`.
pub(crate) fn relationship_json(r: &Relationship, languages: Languages) -> Map<String, Value> {
    let mut m = Map::new();
    let mut put = |name: &str, value: Value| {
        m.insert(name.to_string(), value);
    };
    put("MetadataId", Value::from(relationship_id(r)));
    put("HasChanged", Value::Null);
    put("SchemaName", Value::from(r.schema_name.clone()));
    put("RelationshipType", Value::from("OneToManyRelationship"));
    put("SecurityTypes", Value::from("Append"));
    put("IsCustomRelationship", Value::from(r.custom));
    put("IsManaged", Value::from(true));
    put("IsHierarchical", Value::from(false));
    put("IsValidForAdvancedFind", Value::from(true));
    put(
        "IntroducedVersion",
        Value::from(if r.custom { "1.0.0.0" } else { "5.0.0.0" }),
    );
    put("ReferencedEntity", Value::from(r.referenced_entity.clone()));
    put(
        "ReferencedAttribute",
        Value::from(r.referenced_attribute.clone()),
    );
    put(
        "ReferencingEntity",
        Value::from(r.referencing_entity.clone()),
    );
    put(
        "ReferencingAttribute",
        Value::from(r.referencing_attribute.clone()),
    );
    put(
        "ReferencedEntityNavigationPropertyName",
        Value::from(r.schema_name.clone()),
    );
    put(
        "ReferencingEntityNavigationPropertyName",
        Value::from(r.referencing_attribute.clone()),
    );
    put("IsCustomizable", managed(true, true, "iscustomizable"));
    put(
        "CascadeConfiguration",
        json!({"Assign": "NoCascade", "Delete": "RemoveLink", "Merge": "NoCascade",
               "Reparent": "NoCascade", "Share": "NoCascade", "Unshare": "NoCascade",
               "RollupView": "NoCascade", "Archive": "NoCascade"}),
    );
    put(
        "AssociatedMenuConfiguration",
        json!({"Behavior": "UseCollectionName", "Group": "Details", "Order": 10000,
               "IsCustomizable": true, "Icon": null, "ViewId": "00000000-0000-0000-0000-000000000000",
               "AvailableOffline": true, "MenuId": null, "QueryApi": null,
               "Label": label("", languages, &[])}),
    );
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::catalog;

    #[test]
    fn lookups_are_relationships_on_both_sides() {
        let all = relationships(catalog());
        let company = of_table(&all, "account", Side::ManyToOne)
            .into_iter()
            .find(|r| r.referencing_attribute == "msdyn_company")
            .expect("account's company lookup");
        assert_eq!(company.referenced_entity, "cdm_company");
        assert_eq!(company.referenced_attribute, "cdm_companyid");
        assert!(
            of_table(&all, "cdm_company", Side::OneToMany)
                .iter()
                .any(|r| r.schema_name == company.schema_name),
            "the company sees the same relationship from its side"
        );
        let mut names: Vec<&str> = all.iter().map(|r| r.schema_name.as_str()).collect();
        names.sort_unstable();
        let count = names.len();
        names.dedup();
        assert_eq!(names.len(), count, "schema names are unique");
    }
}
