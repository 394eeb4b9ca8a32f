//! The catalog's Dataverse tables as the emulator checks requests against them: columns and
//! the kind of value each accepts, lookups, the primary id and the alternate key.

use std::sync::OnceLock;

use crate::catalog::{DvTable, DvType, catalog};

use super::metadata::{Attribute, AttributeKind, attributes_of, known_max_length};

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Kind {
    Str,
    /// Money and decimal columns: any JSON number.
    Money,
    /// Whole numbers and choices.
    Int,
    Bool,
}

pub(super) struct Column {
    pub(super) name: &'static str,
    pub(super) kind: Kind,
    /// The most characters a text column holds, where the catalog's column is one of the
    /// standard columns whose `MaxLength` Dataverse fixes.
    pub(super) max_length: Option<usize>,
    /// Maintained by the service (`createdon`, `versionnumber`, …): a write's value is ignored.
    pub(super) read_only: bool,
}

/// A single-valued navigation property and the `_x_value` column it surfaces as.
pub(super) struct Lookup {
    pub(super) nav: &'static str,
    pub(super) value: &'static str,
    pub(super) target: &'static str,
}

/// One column of a multi-part alternate key. A catalog key column `x.y` (a lookup path, as
/// a template names it) is the lookup `x`, addressed as `_x_value=<guid>`.
pub(super) struct AltPart {
    /// The row property the part reads, which is also its name in a key URL: the column, or
    /// the lookup's `_x_value`.
    pub(super) name: &'static str,
    /// The lookup's navigation property, when the part is a lookup.
    pub(super) lookup: Option<&'static str>,
}

impl AltPart {
    /// Whether a key URL part named `name` addresses this part (`_x_value` or `x`).
    pub(super) fn named(&self, name: &str) -> bool {
        name == self.name || self.lookup == Some(name)
    }
}

pub(super) struct Table {
    pub(super) set: &'static str,
    pub(super) logical: &'static str,
    pub(super) id: &'static str,
    /// The alternate key column of a one-column key; empty when the key has several parts.
    pub(super) alt_key: &'static str,
    /// The parts of a multi-part alternate key, in key order; empty for a one-column key.
    pub(super) alt_parts: Vec<AltPart>,
    pub(super) columns: Vec<Column>,
    pub(super) lookups: Vec<Lookup>,
    /// The `_x_value` properties of system lookups to tables the emulator does not serve
    /// (users, teams, business units): readable and filterable, never written by a client.
    pub(super) system_lookups: Vec<&'static str>,
}

impl Table {
    pub(super) fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub(super) fn readable(&self, name: &str) -> bool {
        name == self.id
            || self.column(name).is_some()
            || self.lookups.iter().any(|l| l.value == name)
            || self.system_lookups.contains(&name)
    }

    pub(super) fn entity_type(&self) -> String {
        format!("Microsoft.Dynamics.CRM.{}", self.logical)
    }
}

/// Every catalog table, built once; names borrow from the `'static` catalog.
pub(super) fn tables() -> &'static [Table] {
    static TABLES: OnceLock<Vec<Table>> = OnceLock::new();
    TABLES.get_or_init(|| catalog().dataverse.iter().map(table_from_catalog).collect())
}

fn table_from_catalog(t: &'static DvTable) -> Table {
    let mut columns = Vec::new();
    let mut lookups = Vec::new();
    for c in &t.columns {
        if c.name == t.primary_id {
            continue;
        }
        let kind = match &c.kind {
            DvType::Lookup { target } => {
                // Leaked once per lookup column at start-up; the catalog never changes.
                let value: &'static str = Box::leak(format!("_{}_value", c.name).into_boxed_str());
                lookups.push(Lookup {
                    nav: &c.name,
                    value,
                    target,
                });
                continue;
            }
            DvType::Money | DvType::Decimal => Kind::Money,
            DvType::Integer | DvType::Choice { .. } => Kind::Int,
            DvType::Boolean => Kind::Bool,
            DvType::String | DvType::Datetime | DvType::Uniqueidentifier => Kind::Str,
        };
        columns.push(Column {
            name: &c.name,
            kind,
            max_length: known_max_length(&t.logical_name, &c.name),
            read_only: false,
        });
    }
    let mut system_lookups = Vec::new();
    for a in attributes_of(&t.logical_name)
        .into_iter()
        .filter(|a| a.system)
    {
        add_system_column(a, &mut columns, &mut lookups, &mut system_lookups);
    }
    let key: &[String] = t.alternate_keys.first().map_or(&[], Vec::as_slice);
    let alt_parts: Vec<AltPart> = match key.len() {
        0 | 1 => Vec::new(),
        _ => key
            .iter()
            .map(|column| alt_part(column, &lookups))
            .collect(),
    };
    Table {
        set: &t.entity_set,
        logical: &t.logical_name,
        id: &t.primary_id,
        alt_key: match key {
            [one] => one.as_str(),
            _ => "",
        },
        alt_parts,
        columns,
        lookups,
        system_lookups,
    }
}

/// Adds a system column: a lookup to a catalog table like any lookup, one to a table the
/// emulator does not serve as a read-only `_x_value`, anything else as a typed column.
fn add_system_column(
    a: Attribute,
    columns: &mut Vec<Column>,
    lookups: &mut Vec<Lookup>,
    system_lookups: &mut Vec<&'static str>,
) {
    // Leaked once per system column at start-up; the catalog never changes.
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    let read_only = !a.valid_for_create && !a.valid_for_update;
    if a.kind.is_lookup() {
        let target = match a.targets.as_slice() {
            [one] => catalog().dv_table_by_logical(one),
            _ => None,
        };
        match target {
            Some(target) if !read_only => lookups.push(Lookup {
                nav: leak(a.name.clone()),
                value: leak(a.row_property()),
                target: &target.entity_set,
            }),
            _ => system_lookups.push(leak(a.row_property())),
        }
        return;
    }
    let kind = match a.kind {
        AttributeKind::Decimal | AttributeKind::Money => Kind::Money,
        AttributeKind::Boolean => Kind::Bool,
        AttributeKind::Integer
        | AttributeKind::BigInt
        | AttributeKind::Picklist
        | AttributeKind::State
        | AttributeKind::Status => Kind::Int,
        _ => Kind::Str,
    };
    columns.push(Column {
        name: leak(a.name),
        kind,
        max_length: None,
        read_only,
    });
}

fn alt_part(column: &'static str, lookups: &[Lookup]) -> AltPart {
    let navigation = column
        .split_once('.')
        .map_or(column, |(navigation, _)| navigation);
    match lookups.iter().find(|l| l.nav == navigation) {
        Some(lookup) => AltPart {
            name: lookup.value,
            lookup: Some(lookup.nav),
        },
        None => AltPart {
            name: column,
            lookup: None,
        },
    }
}

pub(super) fn known_table(set: &str) -> &'static Table {
    table_by_set(set).expect("table is in the catalog")
}

pub(super) fn table_by_set(set: &str) -> Option<&'static Table> {
    tables().iter().find(|t| t.set == set)
}

pub(super) fn lookup_target(table: &Table, nav: &str) -> &'static Table {
    table
        .lookups
        .iter()
        .find(|l| l.nav == nav)
        .and_then(|l| table_by_set(l.target))
        .expect("lookup targets are catalog tables")
}
