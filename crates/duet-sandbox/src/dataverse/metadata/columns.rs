//! Every attribute of a table as Dataverse describes it: the catalog's columns, and the system
//! columns every real table carries (audit stamps, owner, state and status, version). The
//! metadata endpoints, the `$metadata` document and the data API's column checks all read
//! this one list.

use crate::catalog::{Catalog, DvColumn, DvTable, DvType};

use super::optionsets::{OptionSet, boolean_set, local_or_global, state_set, status_set};

/// `AttributeTypeCode`: the kind of an attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AttributeKind {
    String,
    Integer,
    BigInt,
    Decimal,
    Money,
    Boolean,
    Picklist,
    State,
    Status,
    Lookup,
    Owner,
    DateTime,
    Uniqueidentifier,
}

impl AttributeKind {
    /// Every kind, lookups before owners (both are served as lookups).
    pub(crate) const ALL: [AttributeKind; 13] = [
        AttributeKind::String,
        AttributeKind::Integer,
        AttributeKind::BigInt,
        AttributeKind::Decimal,
        AttributeKind::Money,
        AttributeKind::Boolean,
        AttributeKind::Picklist,
        AttributeKind::State,
        AttributeKind::Status,
        AttributeKind::Lookup,
        AttributeKind::Owner,
        AttributeKind::DateTime,
        AttributeKind::Uniqueidentifier,
    ];

    /// The `AttributeType` value.
    pub(crate) fn code(self) -> &'static str {
        match self {
            AttributeKind::String => "String",
            AttributeKind::Integer => "Integer",
            AttributeKind::BigInt => "BigInt",
            AttributeKind::Decimal => "Decimal",
            AttributeKind::Money => "Money",
            AttributeKind::Boolean => "Boolean",
            AttributeKind::Picklist => "Picklist",
            AttributeKind::State => "State",
            AttributeKind::Status => "Status",
            AttributeKind::Lookup => "Lookup",
            AttributeKind::Owner => "Owner",
            AttributeKind::DateTime => "DateTime",
            AttributeKind::Uniqueidentifier => "Uniqueidentifier",
        }
    }

    /// The metadata type an attribute of this kind is served as, e.g. `StringAttributeMetadata`.
    pub(crate) fn metadata_type(self) -> &'static str {
        match self {
            AttributeKind::String => "StringAttributeMetadata",
            AttributeKind::Integer => "IntegerAttributeMetadata",
            AttributeKind::BigInt => "BigIntAttributeMetadata",
            AttributeKind::Decimal => "DecimalAttributeMetadata",
            AttributeKind::Money => "MoneyAttributeMetadata",
            AttributeKind::Boolean => "BooleanAttributeMetadata",
            AttributeKind::Picklist => "PicklistAttributeMetadata",
            AttributeKind::State => "StateAttributeMetadata",
            AttributeKind::Status => "StatusAttributeMetadata",
            AttributeKind::Lookup | AttributeKind::Owner => "LookupAttributeMetadata",
            AttributeKind::DateTime => "DateTimeAttributeMetadata",
            AttributeKind::Uniqueidentifier => "UniqueIdentifierAttributeMetadata",
        }
    }

    /// The `Edm` type of the attribute's value in a row.
    pub(crate) fn edm_type(self) -> &'static str {
        match self {
            AttributeKind::String => "Edm.String",
            AttributeKind::Integer
            | AttributeKind::Picklist
            | AttributeKind::State
            | AttributeKind::Status => "Edm.Int32",
            AttributeKind::BigInt => "Edm.Int64",
            AttributeKind::Decimal | AttributeKind::Money => "Edm.Decimal",
            AttributeKind::Boolean => "Edm.Boolean",
            AttributeKind::DateTime => "Edm.DateTimeOffset",
            AttributeKind::Lookup | AttributeKind::Owner | AttributeKind::Uniqueidentifier => {
                "Edm.Guid"
            }
        }
    }

    /// Whether the row carries the value as `_x_value`.
    pub(crate) fn is_lookup(self) -> bool {
        matches!(self, AttributeKind::Lookup | AttributeKind::Owner)
    }
}

/// `RequiredLevel`'s value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RequiredLevel {
    None,
    SystemRequired,
    ApplicationRequired,
}

impl RequiredLevel {
    pub(crate) fn name(self) -> &'static str {
        match self {
            RequiredLevel::None => "None",
            RequiredLevel::SystemRequired => "SystemRequired",
            RequiredLevel::ApplicationRequired => "ApplicationRequired",
        }
    }
}

/// `DateTimeBehavior` with the matching `Format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DateBehavior {
    /// A moment in time shown in the user's zone (`DateAndTime`).
    UserLocal,
    /// A calendar date without a time (`DateOnly`).
    DateOnly,
}

impl DateBehavior {
    pub(crate) fn name(self) -> &'static str {
        match self {
            DateBehavior::UserLocal => "UserLocal",
            DateBehavior::DateOnly => "DateOnly",
        }
    }

    pub(crate) fn format(self) -> &'static str {
        match self {
            DateBehavior::UserLocal => "DateAndTime",
            DateBehavior::DateOnly => "DateOnly",
        }
    }
}

/// Who owns a table's rows, which decides its owner columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ownership {
    User,
    Organization,
}

/// Tables the real service owns by organization: they have `organizationid`, not an owner.
const ORGANIZATION_OWNED: &[&str] = &["transactioncurrency", "uom"];

pub(crate) fn ownership(table: &DvTable) -> Ownership {
    if ORGANIZATION_OWNED.contains(&table.logical_name.as_str()) {
        Ownership::Organization
    } else {
        Ownership::User
    }
}

/// One attribute of a table.
#[derive(Debug, Clone)]
pub(crate) struct Attribute {
    pub(crate) name: String,
    pub(crate) kind: AttributeKind,
    /// Logical names of the tables a lookup points at.
    pub(crate) targets: Vec<String>,
    /// A column every table has, rather than one of the catalog's.
    pub(crate) system: bool,
    pub(crate) valid_for_create: bool,
    pub(crate) valid_for_update: bool,
    pub(crate) required: RequiredLevel,
    pub(crate) options: Option<OptionSet>,
    pub(crate) date: Option<DateBehavior>,
    pub(crate) max_length: Option<usize>,
    pub(crate) primary_id: bool,
    pub(crate) primary_name: bool,
}

impl Attribute {
    fn system(name: &str, kind: AttributeKind, create: bool, update: bool) -> Attribute {
        Attribute {
            name: name.to_string(),
            kind,
            targets: Vec::new(),
            system: true,
            valid_for_create: create,
            valid_for_update: update,
            required: RequiredLevel::None,
            options: None,
            date: (kind == AttributeKind::DateTime).then_some(DateBehavior::UserLocal),
            max_length: None,
            primary_id: false,
            primary_name: false,
        }
    }

    fn pointing_at(mut self, targets: &[&str]) -> Attribute {
        self.targets = targets.iter().map(|t| (*t).to_string()).collect();
        self
    }

    fn required(mut self, level: RequiredLevel) -> Attribute {
        self.required = level;
        self
    }

    /// The property a row carries the value in: the column, or `_x_value` for a lookup.
    pub(crate) fn row_property(&self) -> String {
        if self.kind.is_lookup() {
            format!("_{}_value", self.name)
        } else {
            self.name.clone()
        }
    }
}

/// The `MaxLength` of standard text columns as Dataverse ships them. Other text columns
/// report the largest length a text column may have, since the emulator does not limit them.
const MAX_LENGTHS: &[(&str, &str, usize)] = &[
    ("account", "telephone1", 50),
    ("account", "emailaddress1", 100),
    ("contact", "telephone1", 50),
    ("contact", "emailaddress1", 100),
];

/// The length a text column reports when Dataverse fixes none the emulator knows.
pub(crate) const UNLIMITED_TEXT: usize = 4000;

/// The enforced `MaxLength` of a standard text column, where the emulator knows it.
pub(crate) fn known_max_length(table: &str, column: &str) -> Option<usize> {
    MAX_LENGTHS
        .iter()
        .find(|(t, c, _)| *t == table && *c == column)
        .map(|(_, _, length)| *length)
}

/// The column shown as a row's name (`PrimaryNameAttribute`).
pub(crate) fn primary_name(table: &DvTable) -> Option<&str> {
    const NAMES: &[&str] = &[
        "name",
        "msdyn_name",
        "cdm_name",
        "fullname",
        "currencyname",
        "msdyn_vendorname",
        "companyname",
        "lastname",
        "cdm_lastname",
    ];
    NAMES
        .iter()
        .find(|n| table.column(n).is_some_and(|c| c.kind == DvType::String))
        .copied()
        .or_else(|| {
            let key = table.alternate_keys.first()?.first()?;
            (!key.contains('.')).then_some(key.as_str())
        })
}

/// Whether a name belongs to a solution publisher rather than the platform.
pub(crate) fn is_custom_name(name: &str) -> bool {
    name.starts_with("msdyn_") || name.starts_with("cdm_")
}

fn catalog_attribute(cat: &Catalog, table: &DvTable, c: &DvColumn) -> Attribute {
    let is_id = c.name == table.primary_id;
    let in_key = table
        .alternate_keys
        .iter()
        .flatten()
        .any(|k| k.split('.').next() == Some(c.name.as_str()));
    let (kind, targets, options, date) = match &c.kind {
        DvType::String => (AttributeKind::String, Vec::new(), None, None),
        DvType::Integer => (AttributeKind::Integer, Vec::new(), None, None),
        DvType::Decimal => (AttributeKind::Decimal, Vec::new(), None, None),
        DvType::Money => (AttributeKind::Money, Vec::new(), None, None),
        DvType::Boolean => (
            AttributeKind::Boolean,
            Vec::new(),
            Some(boolean_set(table, &c.name)),
            None,
        ),
        DvType::Choice { options } if c.name == "statecode" => (
            AttributeKind::State,
            Vec::new(),
            Some(state_set(table, Some(options))),
            None,
        ),
        DvType::Choice { options } => (
            AttributeKind::Picklist,
            Vec::new(),
            Some(local_or_global(table, &c.name, options)),
            None,
        ),
        DvType::Lookup { target } => {
            let logical = cat
                .dv_table(target)
                .map_or(target.clone(), |t| t.logical_name.clone());
            (AttributeKind::Lookup, vec![logical], None, None)
        }
        // The catalog's dates are calendar dates (`2026-05-01`), as the templates move them.
        DvType::Datetime => (
            AttributeKind::DateTime,
            Vec::new(),
            None,
            Some(DateBehavior::DateOnly),
        ),
        DvType::Uniqueidentifier => (AttributeKind::Uniqueidentifier, Vec::new(), None, None),
    };
    let max_length = (kind == AttributeKind::String)
        .then(|| known_max_length(&table.logical_name, &c.name).unwrap_or(UNLIMITED_TEXT));
    Attribute {
        name: c.name.clone(),
        kind,
        targets,
        system: false,
        valid_for_create: true,
        valid_for_update: !is_id,
        // The primary id is the system's; alternate-key columns must be filled by whoever
        // creates a row, so the sandbox marks them required as an app maker would.
        required: if is_id {
            RequiredLevel::SystemRequired
        } else if in_key {
            RequiredLevel::ApplicationRequired
        } else {
            RequiredLevel::None
        },
        options,
        date,
        max_length,
        primary_id: is_id,
        primary_name: primary_name(table) == Some(c.name.as_str()),
    }
}

/// The system columns of `table` that its catalog columns do not already define.
fn system_attributes(table: &DvTable) -> Vec<Attribute> {
    use AttributeKind as K;
    let mut out = vec![
        Attribute::system("createdon", K::DateTime, false, false),
        Attribute::system("modifiedon", K::DateTime, false, false),
        Attribute::system("overriddencreatedon", K::DateTime, true, false),
        Attribute::system("versionnumber", K::BigInt, false, false),
        Attribute::system("importsequencenumber", K::Integer, true, false),
        Attribute::system("timezoneruleversionnumber", K::Integer, true, true),
        Attribute::system("utcconversiontimezonecode", K::Integer, true, true),
    ];
    for name in [
        "createdby",
        "modifiedby",
        "createdonbehalfby",
        "modifiedonbehalfby",
    ] {
        out.push(Attribute::system(name, K::Lookup, false, false).pointing_at(&["systemuser"]));
    }
    match ownership(table) {
        Ownership::User => {
            out.push(
                Attribute::system("ownerid", K::Owner, true, true)
                    .pointing_at(&["systemuser", "team"])
                    .required(RequiredLevel::SystemRequired),
            );
            out.push(
                Attribute::system("owningbusinessunit", K::Lookup, false, false)
                    .pointing_at(&["businessunit"]),
            );
            out.push(
                Attribute::system("owninguser", K::Lookup, false, false)
                    .pointing_at(&["systemuser"]),
            );
            out.push(
                Attribute::system("owningteam", K::Lookup, false, false).pointing_at(&["team"]),
            );
        }
        Ownership::Organization => out.push(
            Attribute::system("organizationid", K::Lookup, false, false)
                .pointing_at(&["organization"]),
        ),
    }
    let mut state = Attribute::system("statecode", K::State, false, true)
        .required(RequiredLevel::SystemRequired);
    state.options = Some(state_set(table, None));
    out.push(state);
    let mut status = Attribute::system("statuscode", K::Status, true, true);
    status.options = Some(status_set(table));
    out.push(status);
    if table.columns.iter().any(|c| c.kind == DvType::Money) {
        out.push(Attribute::system("exchangerate", K::Decimal, false, false));
        out.push(
            Attribute::system("transactioncurrencyid", K::Lookup, true, true)
                .pointing_at(&["transactioncurrency"]),
        );
    }
    out.retain(|a| table.column(&a.name).is_none());
    out
}

/// Every attribute of `table`, ordered by logical name.
pub(crate) fn table_attributes(cat: &Catalog, table: &DvTable) -> Vec<Attribute> {
    let mut all: Vec<Attribute> = table
        .columns
        .iter()
        .map(|c| catalog_attribute(cat, table, c))
        .collect();
    all.extend(system_attributes(table));
    all.sort_by(|a, b| a.name.cmp(&b.name));
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::catalog;

    #[test]
    fn every_table_has_its_system_columns_once() {
        let cat = catalog();
        for table in &cat.dataverse {
            let attributes = table_attributes(cat, table);
            let mut names: Vec<&str> = attributes.iter().map(|a| a.name.as_str()).collect();
            names.dedup();
            assert_eq!(
                names.len(),
                attributes.len(),
                "{}: unique",
                table.logical_name
            );
            for name in [
                "createdon",
                "modifiedon",
                "versionnumber",
                "statecode",
                "statuscode",
            ] {
                assert!(names.contains(&name), "{}: {name}", table.logical_name);
            }
            let owned = names.contains(&"ownerid") != names.contains(&"organizationid");
            assert!(owned, "{}: one kind of owner", table.logical_name);
        }
        let invoice_line = cat
            .dv_table_by_logical("invoicedetail")
            .expect("invoicedetail");
        assert!(
            table_attributes(cat, invoice_line)
                .iter()
                .any(|a| a.name == "exchangerate"),
            "a table with money has an exchange rate"
        );
    }
}
