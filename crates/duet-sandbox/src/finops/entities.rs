//! The catalog's F&O data entities as the emulator checks requests against them: fields and
//! the kind of value each takes, keys, company scope, and the defaults of a new row.

use std::sync::OnceLock;

use serde_json::{Map, Value};

use crate::catalog::{FoEntity, FoNavigation, FoType, catalog};

/// The demo user's default company, which un-scoped queries are limited to.
pub(super) const DEFAULT_COMPANY: &str = "DAT";

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Kind {
    Str,
    Num,
    Enum(&'static [String]),
    /// A client-written date and time; F&O's empty date is 1900-01-01.
    Date,
    /// Server-maintained timestamp; ignored in write bodies.
    Time,
}

pub(super) struct Field {
    pub(super) name: &'static str,
    pub(super) kind: Kind,
}

pub(super) struct EntitySet {
    pub(super) name: &'static str,
    pub(super) type_name: &'static str,
    pub(super) table_type: &'static str,
    pub(super) keys: Vec<&'static str>,
    pub(super) fields: Vec<Field>,
    pub(super) company_specific: bool,
    pub(super) writable: bool,
    pub(super) navigations: &'static [FoNavigation],
}

impl EntitySet {
    pub(super) fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    pub(super) fn is_field(&self, name: &str) -> bool {
        self.field(name).is_some()
    }
}

/// F&O's empty date and time.
pub(super) const NULL_DATE: &str = "1900-01-01T00:00:00Z";

/// Every catalog entity, built once; names borrow from the `'static` catalog.
pub(super) fn sets() -> &'static [EntitySet] {
    static SETS: OnceLock<Vec<EntitySet>> = OnceLock::new();
    SETS.get_or_init(|| catalog().finops.iter().map(set_from_catalog).collect())
}

fn set_from_catalog(e: &'static FoEntity) -> EntitySet {
    let fields = e
        .fields
        .iter()
        .map(|f| Field {
            name: &f.name,
            kind: match &f.kind {
                FoType::String => Kind::Str,
                FoType::Integer | FoType::Decimal => Kind::Num,
                FoType::Enum { members, .. } => Kind::Enum(members),
                FoType::Datetime if f.read_only => Kind::Time,
                FoType::Datetime => Kind::Date,
            },
        })
        .collect();
    EntitySet {
        name: &e.entity_set,
        type_name: &e.entity_type,
        table_type: &e.table_type,
        keys: e.keys.iter().map(String::as_str).collect(),
        fields,
        company_specific: e.company_specific,
        writable: e.writable,
        navigations: &e.navigations,
    }
}

pub(super) fn known_set(name: &str) -> &'static EntitySet {
    sets()
        .iter()
        .find(|s| s.name == name)
        .expect("entity is in the catalog")
}

pub(super) fn defaults(set: &EntitySet) -> Map<String, Value> {
    set.fields
        .iter()
        .map(|f| {
            let v = match f.kind {
                Kind::Str | Kind::Time => Value::from(""),
                Kind::Date => Value::from(NULL_DATE),
                Kind::Num => Value::from(0),
                Kind::Enum(members) => Value::from(members[0].as_str()),
            };
            (f.name.to_string(), v)
        })
        .collect()
}
