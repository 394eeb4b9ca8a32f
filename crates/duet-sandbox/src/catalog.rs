//! The schema catalog: F&O data entities and Dataverse tables, with typed fields, and the
//! pairs the standard dual-write map templates connect. It ships as `catalog/catalog.json`
//! inside the crate, so other crates can build validation schemas from the same source the
//! emulators describe.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

const CATALOG_JSON: &str = include_str!("../catalog/catalog.json");

/// Every entity, table and pair the sandbox knows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    /// F&O data entities, by public entity set name.
    pub finops: Vec<FoEntity>,
    /// Dataverse tables.
    pub dataverse: Vec<DvTable>,
    /// Which entity maps to which table, one per standard map template.
    pub pairs: Vec<CatalogPair>,
}

/// One F&O data entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FoEntity {
    /// Public entity set name; case-sensitive, as in the real service.
    pub entity_set: String,
    /// Name of the entity type in `Microsoft.Dynamics.DataEntities`, e.g. `CustomerV3`.
    pub entity_type: String,
    /// Name of the backing AOT entity, used in write-error messages.
    pub table_type: String,
    /// Whether rows belong to a company (`dataAreaId` is then the first key field).
    pub company_specific: bool,
    /// Whether the entity accepts POST, PATCH and DELETE.
    pub writable: bool,
    /// Key fields in key order.
    pub keys: Vec<String>,
    pub fields: Vec<FoField>,
    /// Relations to other entities, expandable one level deep with `$expand`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub navigations: Vec<FoNavigation>,
}

/// A navigation property of an F&O entity: the rows of `target` whose `target_field`s equal
/// this row's `field`s.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FoNavigation {
    pub name: String,
    /// Entity set of the related rows.
    pub target: String,
    /// Many related rows (a JSON array) rather than at most one (an object or `null`).
    pub collection: bool,
    pub constraints: Vec<FoConstraint>,
}

/// One field pair of a navigation's referential constraint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FoConstraint {
    pub field: String,
    pub target_field: String,
}

/// One field of an F&O data entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FoField {
    pub name: String,
    #[serde(flatten)]
    pub kind: FoType,
    /// Maintained by the server (e.g. `ModifiedDateTime`); ignored in write bodies.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub read_only: bool,
}

/// Type of an F&O field as it appears in OData JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum FoType {
    String,
    Integer,
    Decimal,
    /// `Edm.DateTimeOffset`, written `2024-01-31T12:00:00Z`.
    Datetime,
    /// An enum sent as a member-name string, e.g. `NoYes` with `No` and `Yes`.
    Enum {
        r#enum: String,
        members: Vec<String>,
    },
}

/// One Dataverse table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DvTable {
    pub logical_name: String,
    pub entity_set: String,
    pub primary_id: String,
    /// Each alternate key as its list of columns.
    pub alternate_keys: Vec<Vec<String>>,
    pub columns: Vec<DvColumn>,
}

/// One column of a Dataverse table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DvColumn {
    /// Logical name; for a lookup, the navigation property (the value is `_<name>_value`).
    pub name: String,
    #[serde(flatten)]
    pub kind: DvType,
}

/// Type of a Dataverse column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum DvType {
    String,
    Integer,
    Decimal,
    Money,
    Boolean,
    /// A choice (option set) with its integer options.
    Choice {
        options: Vec<ChoiceOption>,
    },
    /// A lookup to the table with this entity set name.
    Lookup {
        target: String,
    },
    Datetime,
    Uniqueidentifier,
}

/// One option of a choice column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChoiceOption {
    pub value: i64,
    pub label: String,
}

/// An F&O entity and the Dataverse table a standard map template connects it to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogPair {
    /// Name of the template in `duet-maps`.
    pub template: String,
    /// F&O entity set name.
    pub finops: String,
    /// Dataverse entity set name.
    pub dataverse: String,
}

impl Catalog {
    /// The F&O entity with this (case-sensitive) entity set name.
    pub fn fo_entity(&self, entity_set: &str) -> Option<&FoEntity> {
        self.finops.iter().find(|e| e.entity_set == entity_set)
    }

    /// The Dataverse table with this entity set name.
    pub fn dv_table(&self, entity_set: &str) -> Option<&DvTable> {
        self.dataverse.iter().find(|t| t.entity_set == entity_set)
    }

    /// The Dataverse table with this logical name.
    pub fn dv_table_by_logical(&self, logical_name: &str) -> Option<&DvTable> {
        self.dataverse
            .iter()
            .find(|t| t.logical_name == logical_name)
    }
}

impl FoEntity {
    pub fn field(&self, name: &str) -> Option<&FoField> {
        self.fields.iter().find(|f| f.name == name)
    }
}

impl DvTable {
    pub fn column(&self, name: &str) -> Option<&DvColumn> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// The catalog shipped with the crate, parsed once. Read-only.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        serde_json::from_str(CATALOG_JSON).expect("the embedded catalog is valid JSON")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn templates() -> Vec<Value> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../duet-maps/templates");
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&dir).expect("templates directory") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "json") {
                let text = std::fs::read_to_string(&path).expect("template text");
                out.push(serde_json::from_str(&text).expect("template JSON"));
            }
        }
        out
    }

    #[test]
    fn every_template_field_is_in_the_catalog() {
        // GIVEN the catalog and the standard templates.
        let cat = catalog();
        let templates = templates();
        assert!(
            templates.len() >= 30,
            "templates found: {}",
            templates.len()
        );
        for t in &templates {
            let name = t["name"].as_str().expect("name");
            let fo = cat
                .fo_entity(t["financeOperationsEntity"].as_str().expect("entity"))
                .unwrap_or_else(|| panic!("{name}: F&O entity missing"));
            let dv = cat
                .dv_table(t["dataverseEntitySet"].as_str().expect("set"))
                .unwrap_or_else(|| panic!("{name}: Dataverse table missing"));
            // THEN every field and column the template names exists with the right id.
            assert_eq!(dv.primary_id, t["dataverseId"], "{name}: primary id");
            assert_eq!(dv.logical_name, t["dataverseTable"], "{name}: logical name");
            for f in t["fields"].as_array().expect("fields") {
                if let Some(field) = f["financeOperations"].as_str() {
                    assert!(fo.field(field).is_some(), "{name}: F&O field {field}");
                }
                if let Some(col) = f["dataverse"].as_str() {
                    let col = col.split('.').next().expect("column");
                    assert!(dv.column(col).is_some(), "{name}: Dataverse column {col}");
                }
            }
            assert!(
                cat.pairs.iter().any(|p| p.template == name),
                "{name}: pair listed"
            );
        }
    }

    #[test]
    fn catalog_is_consistent() {
        let cat = catalog();
        assert!(cat.pairs.len() >= 30, "at least 30 pairs");
        for e in &cat.finops {
            assert!(
                e.field("ModifiedDateTime").is_some_and(|f| f.read_only),
                "{} has a read-only modified time",
                e.entity_set
            );
            if e.company_specific {
                assert_eq!(e.keys[0], "dataAreaId", "{} keyed by company", e.entity_set);
            }
            for k in &e.keys {
                assert!(e.field(k).is_some(), "{}: key {k} is a field", e.entity_set);
            }
        }
        for t in &cat.dataverse {
            assert!(
                matches!(
                    t.column(&t.primary_id).map(|c| &c.kind),
                    Some(DvType::Uniqueidentifier)
                ),
                "{}: primary id is a uniqueidentifier",
                t.entity_set
            );
            for c in &t.columns {
                if let DvType::Lookup { target } = &c.kind {
                    assert!(
                        cat.dv_table(target).is_some(),
                        "{}: target {target}",
                        c.name
                    );
                }
            }
        }
    }
}
