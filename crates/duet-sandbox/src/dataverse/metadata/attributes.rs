//! `AttributeMetadata`: a column in the shape `…/Attributes` serves it, with the properties of
//! its derived type (`MaxLength`, `Targets`, `Precision`, `DateTimeBehavior`), and the casts
//! (`…/Attributes/Microsoft.Dynamics.CRM.PicklistAttributeMetadata`) that narrow the list to
//! one type and make `OptionSet` and `GlobalOptionSet` expandable.

use serde_json::{Map, Value, json};

use crate::catalog::DvTable;
use crate::odata::ApiError;

use super::super::errors::bad_request;
use super::columns::{Attribute, AttributeKind, is_custom_name};
use super::labels::{Languages, column_name, label, managed, metadata_id};
use super::optionsets::option_set_json;

pub(crate) const NAMESPACE: &str = "Microsoft.Dynamics.CRM";

/// A derived attribute type named in a cast path segment: the metadata type attributes of
/// a kind are served as (a lookup cast also covers owners, served as lookups).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AttributeCast(AttributeKind);

impl AttributeCast {
    fn covers(self, kind: AttributeKind) -> bool {
        kind.metadata_type() == self.type_name()
    }

    pub(crate) fn type_name(self) -> &'static str {
        self.0.metadata_type()
    }

    fn has_options(self) -> bool {
        matches!(
            self.0,
            AttributeKind::Picklist
                | AttributeKind::State
                | AttributeKind::Status
                | AttributeKind::Boolean
        )
    }

    /// The cast a path segment names. `EnumAttributeMetadata` is abstract, so Dataverse
    /// refuses it; any other name is not a type at all.
    pub(crate) fn parse(segment: &str) -> Result<AttributeCast, ApiError> {
        let bare = segment
            .strip_prefix(NAMESPACE)
            .and_then(|s| s.strip_prefix('.'))
            .unwrap_or(segment);
        if bare == "EnumAttributeMetadata" {
            return Err(bad_request(format!(
                "The type '{NAMESPACE}.EnumAttributeMetadata' is abstract; a cast needs a concrete attribute type such as '{NAMESPACE}.PicklistAttributeMetadata'."
            )));
        }
        AttributeKind::ALL
            .into_iter()
            .find(|kind| kind.metadata_type() == bare)
            .map(AttributeCast)
            .ok_or_else(|| {
                bad_request(format!(
                    "The type '{segment}' is not an attribute type of '{NAMESPACE}.AttributeMetadata'."
                ))
            })
    }
}

/// Whether `attribute` belongs in a list cast to `cast` (every attribute without a cast).
pub(crate) fn in_cast(attribute: &Attribute, cast: Option<AttributeCast>) -> bool {
    cast.is_none_or(|c| c.covers(attribute.kind))
}

fn put(m: &mut Map<String, Value>, name: &str, value: impl Into<Value>) {
    m.insert(name.to_string(), value.into());
}

pub(crate) fn attribute_id(table: &DvTable, attribute: &Attribute) -> String {
    metadata_id(&[&table.logical_name, &attribute.name])
}

/// The properties every attribute has.
fn base_json(table: &DvTable, a: &Attribute, languages: Languages) -> Map<String, Value> {
    let custom = !a.system && is_custom_name(&a.name);
    let kind = a.kind;
    let mut m = Map::new();
    put(&mut m, "MetadataId", attribute_id(table, a));
    put(&mut m, "HasChanged", Value::Null);
    put(&mut m, "LogicalName", a.name.clone());
    put(&mut m, "SchemaName", a.name.clone());
    put(&mut m, "EntityLogicalName", table.logical_name.clone());
    put(&mut m, "AttributeType", kind.code());
    put(
        &mut m,
        "AttributeTypeName",
        json!({"Value": format!("{}Type", kind.code())}),
    );
    put(&mut m, "AttributeOf", Value::Null);
    put(&mut m, "IsPrimaryId", a.primary_id);
    put(&mut m, "IsPrimaryName", a.primary_name);
    put(&mut m, "IsValidForCreate", a.valid_for_create);
    put(&mut m, "IsValidForUpdate", a.valid_for_update);
    put(&mut m, "IsValidForRead", true);
    put(&mut m, "IsValidODataAttribute", true);
    put(&mut m, "IsCustomAttribute", custom);
    put(&mut m, "IsManaged", true);
    put(&mut m, "IsLogical", false);
    put(&mut m, "IsSecured", false);
    put(&mut m, "IsFilterable", true);
    put(&mut m, "IsSearchable", true);
    put(&mut m, "IsRetrievable", true);
    put(&mut m, "SourceType", 0);
    put(
        &mut m,
        "IntroducedVersion",
        if custom { "1.0.0.0" } else { "5.0.0.0" },
    );
    put(
        &mut m,
        "RequiredLevel",
        json!({"Value": a.required.name(), "CanBeChanged": !a.system,
               "ManagedPropertyLogicalName": "canmodifyrequirementlevelsettings"}),
    );
    put(
        &mut m,
        "IsCustomizable",
        managed(true, true, "iscustomizable"),
    );
    put(
        &mut m,
        "IsAuditEnabled",
        managed(!a.system, true, "canmodifyauditsettings"),
    );
    put(
        &mut m,
        "IsValidForAdvancedFind",
        managed(true, !a.system, "canmodifysearchsettings"),
    );
    put(
        &mut m,
        "DisplayName",
        label(
            &column_name(&a.name),
            languages,
            &[&table.logical_name, &a.name],
        ),
    );
    put(&mut m, "Description", label("", languages, &[]));
    m
}

/// The properties of the attribute's derived type.
fn derived_json(a: &Attribute, m: &mut Map<String, Value>) {
    match a.kind {
        AttributeKind::String => {
            put(m, "MaxLength", a.max_length.unwrap_or_default());
            put(m, "DatabaseLength", a.max_length.unwrap_or_default() * 2);
            put(m, "Format", "Text");
            put(m, "FormatName", json!({"Value": "Text"}));
        }
        AttributeKind::Integer => {
            put(m, "Format", "None");
            put(m, "MinValue", i64::from(i32::MIN));
            put(m, "MaxValue", i64::from(i32::MAX));
        }
        AttributeKind::BigInt => {
            put(m, "MinValue", i64::MIN);
            put(m, "MaxValue", i64::MAX);
        }
        AttributeKind::Decimal | AttributeKind::Money => {
            put(m, "Precision", 2);
            put(m, "MinValue", -100_000_000_000.0);
            put(m, "MaxValue", 100_000_000_000.0);
            if a.kind == AttributeKind::Money {
                put(m, "PrecisionSource", 2);
                put(m, "IsBaseCurrency", false);
            }
        }
        AttributeKind::Boolean => put(m, "DefaultValue", false),
        AttributeKind::Picklist | AttributeKind::State | AttributeKind::Status => {
            put(m, "DefaultFormValue", Value::Null);
        }
        AttributeKind::Lookup | AttributeKind::Owner => {
            put(m, "Targets", a.targets.clone());
            put(m, "Format", "None");
        }
        AttributeKind::DateTime => {
            let behavior = a.date.unwrap_or(super::columns::DateBehavior::UserLocal);
            put(m, "Format", behavior.format());
            put(m, "DateTimeBehavior", json!({"Value": behavior.name()}));
            put(
                m,
                "CanChangeDateTimeBehavior",
                managed(!a.system, !a.system, "canchangedatetimebehavior"),
            );
        }
        AttributeKind::Uniqueidentifier => {}
    }
}

/// An attribute's metadata. In a list without a cast each item names its type with
/// `@odata.type`, since the items are of different types.
pub(crate) fn attribute_json(
    table: &DvTable,
    a: &Attribute,
    languages: Languages,
    cast: Option<AttributeCast>,
) -> Map<String, Value> {
    let mut m = base_json(table, a, languages);
    derived_json(a, &mut m);
    if cast.is_none() {
        m.insert(
            "@odata.type".into(),
            Value::from(format!("#{NAMESPACE}.{}", a.kind.metadata_type())),
        );
    }
    m
}

/// The properties a request may select or filter on: the base type's without a cast (the
/// type the URL addresses is `AttributeMetadata`), the cast type's with one.
pub(crate) fn declared_properties(
    table: &DvTable,
    a: &Attribute,
    languages: Languages,
    cast: Option<AttributeCast>,
) -> Map<String, Value> {
    match cast {
        None => base_json(table, a, languages),
        Some(_) => attribute_json(table, a, languages, cast),
    }
}

/// The option sets an attribute of a choice type may expand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OptionSetNavigation {
    /// The attribute's option set, local or global.
    OptionSet,
    /// The same set when the choice is global, else `null`.
    GlobalOptionSet,
}

impl OptionSetNavigation {
    pub(crate) fn parse(name: &str) -> Option<OptionSetNavigation> {
        match name {
            "OptionSet" => Some(OptionSetNavigation::OptionSet),
            "GlobalOptionSet" => Some(OptionSetNavigation::GlobalOptionSet),
            _ => None,
        }
    }
}

/// What `nav` gives for `a` read through `cast`; `None` when the cast has no option sets.
pub(crate) fn option_set_navigation(
    a: &Attribute,
    cast: Option<AttributeCast>,
    nav: OptionSetNavigation,
    languages: Languages,
) -> Option<Value> {
    let cast = cast.filter(|c| c.has_options())?;
    let set = a.options.as_ref().filter(|_| cast.covers(a.kind));
    let set = match nav {
        OptionSetNavigation::OptionSet => set,
        OptionSetNavigation::GlobalOptionSet => set.filter(|s| s.global),
    };
    Some(set.map_or(Value::Null, |s| {
        Value::Object(option_set_json(s, languages))
    }))
}
