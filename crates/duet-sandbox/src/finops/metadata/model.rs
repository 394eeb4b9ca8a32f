//! What the metadata service describes, built once from the catalog: each public entity with
//! its category, properties, navigation properties and actions, and each enumeration with its
//! members. The two entity sets that only carry service actions (`DataManagementEntities`,
//! `SystemNotifications`) are described next to the catalog's entities.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use crate::catalog::{FoEntity, FoNavigation, FoType, catalog};

use super::super::actions::{BoundAction, ServiceEntity, service_entities};

/// `Microsoft.Dynamics.Metadata.EntityCategory`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum EntityCategory {
    Master,
    Transaction,
    Reference,
    Parameters,
    Configuration,
    Document,
}

impl EntityCategory {
    pub(super) const ALL: [EntityCategory; 6] = [
        EntityCategory::Master,
        EntityCategory::Transaction,
        EntityCategory::Reference,
        EntityCategory::Parameters,
        EntityCategory::Configuration,
        EntityCategory::Document,
    ];

    pub(super) fn name(self) -> &'static str {
        match self {
            EntityCategory::Master => "Master",
            EntityCategory::Transaction => "Transaction",
            EntityCategory::Reference => "Reference",
            EntityCategory::Parameters => "Parameters",
            EntityCategory::Configuration => "Configuration",
            EntityCategory::Document => "Document",
        }
    }

    /// The category of a catalog entity: sales documents and their lines are documents,
    /// parties, products, sites and workers master data, the rest reference data.
    fn of(entity_set: &str) -> Self {
        const DOCUMENTS: &[&str] = &[
            "CDSSalesOrderHeaders",
            "CDSSalesOrderLines",
            "CDSSalesQuotationHeaders",
            "SalesInvoiceHeadersV2",
            "SalesInvoiceLinesV2",
        ];
        const MASTER: &[&str] = &[
            "AllProducts",
            "CDSReleasedDistinctProducts",
            "CustomersV3",
            "Jobs",
            "LegalEntities",
            "OperationalSites",
            "Prospects",
            "ReleasedProductsV2",
            "VendorsV2",
            "Warehouses",
            "Workers",
        ];
        if DOCUMENTS.contains(&entity_set) {
            EntityCategory::Document
        } else if MASTER.contains(&entity_set) {
            EntityCategory::Master
        } else {
            EntityCategory::Reference
        }
    }
}

/// The X++ type of a property as the metadata service names it (`DataType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DataType {
    String,
    Int32,
    Real,
    UtcDateTime,
    Enum,
}

impl DataType {
    pub(super) fn name(self) -> &'static str {
        match self {
            DataType::String => "String",
            DataType::Int32 => "Int32",
            DataType::Real => "Real",
            DataType::UtcDateTime => "UtcDateTime",
            DataType::Enum => "Enum",
        }
    }
}

pub(super) struct Property {
    pub(super) name: &'static str,
    /// `Edm.String`, …, or `Microsoft.Dynamics.DataEntities.<Enum>`.
    pub(super) type_name: String,
    pub(super) data_type: DataType,
    pub(super) is_key: bool,
    /// Maintained by the server, so never written.
    pub(super) read_only: bool,
}

/// How many related rows a navigation property leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cardinality {
    Single,
    Multiple,
}

impl Cardinality {
    pub(super) fn name(self) -> &'static str {
        match self {
            Cardinality::Single => "Single",
            Cardinality::Multiple => "Multiple",
        }
    }
}

pub(super) struct Navigation {
    pub(super) name: &'static str,
    /// Public entity name of the related entity.
    pub(super) related_entity: &'static str,
    /// The related entity's navigation property back to this one, if it has one.
    pub(super) related_relation: Option<&'static str>,
    pub(super) cardinality: Cardinality,
    /// (property, referenced property) pairs.
    pub(super) constraints: Vec<(&'static str, &'static str)>,
}

pub(super) struct PublicEntity {
    /// Public entity name, e.g. `CustomerV3`.
    pub(super) name: &'static str,
    /// Entity set (public collection) name, e.g. `CustomersV3`.
    pub(super) set: &'static str,
    /// Name of the data entity in the application, e.g. `CustCustomerV3Entity`.
    pub(super) table: &'static str,
    pub(super) category: EntityCategory,
    pub(super) read_only: bool,
    /// Whether data management (import and export projects) can use the entity.
    pub(super) data_management: bool,
    pub(super) properties: Vec<Property>,
    pub(super) navigations: Vec<Navigation>,
    pub(super) actions: &'static [BoundAction],
}

pub(super) struct Enumeration {
    pub(super) name: &'static str,
    /// Members in value order: the first is 0.
    pub(super) members: Vec<&'static str>,
}

const ENUM_NAMESPACE: &str = "Microsoft.Dynamics.DataEntities";

/// Every public entity: the catalog's, then the service-action ones.
pub(super) fn public_entities() -> &'static [PublicEntity] {
    static ALL: OnceLock<Vec<PublicEntity>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut all: Vec<PublicEntity> = catalog().finops.iter().map(from_catalog).collect();
        all.extend(service_entities().iter().map(from_service));
        all
    })
}

/// Every enumeration a catalog field uses, in the order the catalog first names them; the
/// members keep the order of that first field, as `$metadata` does.
pub(super) fn enumerations() -> &'static [Enumeration] {
    static ALL: OnceLock<Vec<Enumeration>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for f in catalog().finops.iter().flat_map(|e| &e.fields) {
            if let FoType::Enum { r#enum, members } = &f.kind
                && seen.insert(r#enum.as_str())
            {
                out.push(Enumeration {
                    name: r#enum,
                    members: members.iter().map(String::as_str).collect(),
                });
            }
        }
        out
    })
}

fn from_catalog(e: &'static FoEntity) -> PublicEntity {
    let properties = e
        .fields
        .iter()
        .map(|f| {
            let (type_name, data_type) = match &f.kind {
                FoType::String => ("Edm.String".to_string(), DataType::String),
                FoType::Integer => ("Edm.Int32".to_string(), DataType::Int32),
                FoType::Decimal => ("Edm.Decimal".to_string(), DataType::Real),
                FoType::Datetime => ("Edm.DateTimeOffset".to_string(), DataType::UtcDateTime),
                FoType::Enum { r#enum, .. } => (format!("{ENUM_NAMESPACE}.{enum}"), DataType::Enum),
            };
            Property {
                name: &f.name,
                type_name,
                data_type,
                is_key: e.keys.contains(&f.name),
                read_only: f.read_only,
            }
        })
        .collect();
    PublicEntity {
        name: &e.entity_type,
        set: &e.entity_set,
        table: &e.table_type,
        category: EntityCategory::of(&e.entity_set),
        read_only: !e.writable,
        data_management: true,
        properties,
        navigations: e.navigations.iter().map(|n| navigation(e, n)).collect(),
        actions: &[],
    }
}

fn navigation(from: &'static FoEntity, n: &'static FoNavigation) -> Navigation {
    let target = catalog().fo_entity(&n.target);
    // The inverse is the target's navigation back to this entity on the same fields.
    let related_relation = target.and_then(|t| {
        t.navigations.iter().find_map(|back| {
            let inverse = back.target == from.entity_set
                && back.constraints.len() == n.constraints.len()
                && back.constraints.iter().all(|bc| {
                    n.constraints
                        .iter()
                        .any(|c| c.field == bc.target_field && c.target_field == bc.field)
                });
            inverse.then_some(back.name.as_str())
        })
    });
    Navigation {
        name: &n.name,
        related_entity: target.map_or(n.target.as_str(), |t| t.entity_type.as_str()),
        related_relation,
        cardinality: if n.collection {
            Cardinality::Multiple
        } else {
            Cardinality::Single
        },
        constraints: n
            .constraints
            .iter()
            .map(|c| (c.field.as_str(), c.target_field.as_str()))
            .collect(),
    }
}

fn from_service(s: &'static ServiceEntity) -> PublicEntity {
    PublicEntity {
        name: s.name,
        set: s.set,
        table: s.table,
        category: EntityCategory::Reference,
        read_only: true,
        data_management: false,
        properties: s
            .keys
            .iter()
            .map(|k| Property {
                name: k,
                type_name: "Edm.String".to_string(),
                data_type: DataType::String,
                is_key: true,
                read_only: false,
            })
            .collect(),
        navigations: Vec::new(),
        actions: s.actions,
    }
}
