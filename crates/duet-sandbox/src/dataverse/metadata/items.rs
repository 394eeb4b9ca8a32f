//! Metadata items with a request's options applied: filtered, narrowed to `$select`, and with
//! the navigations `$expand` asks for (`Attributes`, `Keys`, `OptionSet`, `GlobalOptionSet`).

use serde_json::{Map, Value};

use crate::catalog::{Catalog, DvTable};
use crate::odata::ApiError;

use super::attributes::{
    AttributeCast, OptionSetNavigation, attribute_json, declared_properties, in_cast,
    option_set_navigation,
};
use super::columns::{Attribute, table_attributes};
use super::entity::entity_json;
use super::keys::keys_json;
use super::labels::Languages;
use super::optionsets::{OptionSet, option_set_json};
use super::query::{ItemFilter, Options, check_selectable, select, unknown_property};
use super::relationships::{
    Relationship, Side, of_table, relationship_json, relationships as all_relationships,
};

const ENTITY_TYPE: &str = "EntityMetadata";
const ATTRIBUTE_TYPE: &str = "AttributeMetadata";
const KEY_TYPE: &str = "EntityKeyMetadata";
const OPTION_SET_TYPE: &str = "OptionSetMetadata";
const RELATIONSHIP_TYPE: &str = "OneToManyRelationshipMetadata";

/// The tables `options.filter` keeps, each as its `EntityMetadata` with the options applied.
pub(crate) fn entities(
    cat: &Catalog,
    tables: &[&DvTable],
    options: &Options,
    languages: Languages,
) -> Result<Vec<Value>, ApiError> {
    let full: Vec<(&DvTable, Map<String, Value>)> = tables
        .iter()
        .map(|t| (*t, entity_json(cat, t, languages)))
        .collect();
    let filter = ItemFilter::new(
        options.filter.as_deref(),
        full.first().map(|(_, j)| j),
        ENTITY_TYPE,
    )?;
    let mut out = Vec::new();
    for (table, item) in full {
        if filter.keeps(&item) {
            out.push(Value::Object(entity(cat, table, item, options, languages)?));
        }
    }
    Ok(out)
}

/// One table's `EntityMetadata` (already built as `item`) with `$select` and `$expand`.
pub(crate) fn entity(
    cat: &Catalog,
    table: &DvTable,
    item: Map<String, Value>,
    options: &Options,
    languages: Languages,
) -> Result<Map<String, Value>, ApiError> {
    let mut item = select(item, options.select.as_deref(), ENTITY_TYPE)?;
    for expansion in &options.expand {
        let nav = EntityNavigation::parse(&expansion.nav)
            .ok_or_else(|| unknown_property(&expansion.nav, ENTITY_TYPE))?;
        let value = navigation(cat, table, nav, &expansion.options, languages)?;
        item.insert(expansion.nav.clone(), Value::Array(value));
    }
    Ok(item)
}

/// The collections a table's definition navigates to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EntityNavigation {
    Attributes,
    Keys,
    ManyToOneRelationships,
    OneToManyRelationships,
    ManyToManyRelationships,
}

impl EntityNavigation {
    pub(crate) fn parse(name: &str) -> Option<EntityNavigation> {
        Some(match name {
            "Attributes" => EntityNavigation::Attributes,
            "Keys" => EntityNavigation::Keys,
            "ManyToOneRelationships" => EntityNavigation::ManyToOneRelationships,
            "OneToManyRelationships" => EntityNavigation::OneToManyRelationships,
            "ManyToManyRelationships" => EntityNavigation::ManyToManyRelationships,
            _ => return None,
        })
    }
}

/// The items of one of `table`'s collections, with `options` applied.
pub(crate) fn navigation(
    cat: &Catalog,
    table: &DvTable,
    nav: EntityNavigation,
    options: &Options,
    languages: Languages,
) -> Result<Vec<Value>, ApiError> {
    match nav {
        EntityNavigation::Attributes => attributes(cat, table, None, options, languages),
        EntityNavigation::Keys => keys(table, options, languages),
        EntityNavigation::ManyToOneRelationships => {
            table_relationships(cat, table, Side::ManyToOne, options, languages)
        }
        EntityNavigation::OneToManyRelationships => {
            table_relationships(cat, table, Side::OneToMany, options, languages)
        }
        // The catalog has no many-to-many relationships.
        EntityNavigation::ManyToManyRelationships => Ok(Vec::new()),
    }
}

/// The attributes of `table` in `cast` (all without one) that the filter keeps.
pub(crate) fn attributes(
    cat: &Catalog,
    table: &DvTable,
    cast: Option<AttributeCast>,
    options: &Options,
    languages: Languages,
) -> Result<Vec<Value>, ApiError> {
    let type_name = cast.map_or(ATTRIBUTE_TYPE, AttributeCast::type_name);
    let full: Vec<(Attribute, Map<String, Value>)> = table_attributes(cat, table)
        .into_iter()
        .filter(|a| in_cast(a, cast))
        .map(|a| {
            let json = attribute_json(table, &a, languages, cast);
            (a, json)
        })
        .collect();
    let declared = full
        .first()
        .map(|(a, _)| declared_properties(table, a, languages, cast));
    let filter = ItemFilter::new(options.filter.as_deref(), declared.as_ref(), type_name)?;
    let mut out = Vec::new();
    for (column, item) in full {
        if filter.keeps(&item) {
            let item = attribute(table, &column, item, cast, options, languages)?;
            out.push(Value::Object(item));
        }
    }
    Ok(out)
}

/// One attribute (already built as `item`) with `$select` and `$expand`.
pub(crate) fn attribute(
    table: &DvTable,
    a: &Attribute,
    item: Map<String, Value>,
    cast: Option<AttributeCast>,
    options: &Options,
    languages: Languages,
) -> Result<Map<String, Value>, ApiError> {
    let type_name = cast.map_or(ATTRIBUTE_TYPE, AttributeCast::type_name);
    let declared = declared_properties(table, a, languages, cast);
    check_selectable(options.select.as_deref(), &declared, type_name)?;
    let mut item = select(item, options.select.as_deref(), type_name)?;
    for expansion in &options.expand {
        let set = OptionSetNavigation::parse(&expansion.nav)
            .and_then(|nav| option_set_navigation(a, cast, nav, languages))
            .ok_or_else(|| unknown_property(&expansion.nav, type_name))?;
        let set = match set {
            Value::Object(m) => Value::Object(select(
                m,
                expansion.options.select.as_deref(),
                OPTION_SET_TYPE,
            )?),
            other => other,
        };
        item.insert(expansion.nav.clone(), set);
    }
    Ok(item)
}

/// The alternate keys of `table` that the filter keeps.
pub(crate) fn keys(
    table: &DvTable,
    options: &Options,
    languages: Languages,
) -> Result<Vec<Value>, ApiError> {
    let full = keys_json(table, languages);
    let filter = ItemFilter::new(options.filter.as_deref(), full.first(), KEY_TYPE)?;
    full.into_iter()
        .filter(|k| filter.keeps(k))
        .map(|k| select(k, options.select.as_deref(), KEY_TYPE).map(Value::Object))
        .collect()
}

/// Global option sets that the filter keeps, each naming its type.
pub(crate) fn option_sets(
    sets: &[OptionSet],
    options: &Options,
    languages: Languages,
) -> Result<Vec<Value>, ApiError> {
    let full: Vec<Map<String, Value>> =
        sets.iter().map(|s| option_set_item(s, languages)).collect();
    let filter = ItemFilter::new(options.filter.as_deref(), full.first(), OPTION_SET_TYPE)?;
    full.into_iter()
        .filter(|s| filter.keeps(s))
        .map(|s| select(s, options.select.as_deref(), OPTION_SET_TYPE).map(Value::Object))
        .collect()
}

/// A global option set as `GlobalOptionSetDefinitions` serves it.
pub(crate) fn option_set_item(set: &OptionSet, languages: Languages) -> Map<String, Value> {
    let mut item = option_set_json(set, languages);
    item.insert(
        "@odata.type".into(),
        Value::from("#Microsoft.Dynamics.CRM.OptionSetMetadata"),
    );
    item
}

/// The relationships on one side of `table` that the filter keeps.
pub(crate) fn table_relationships(
    cat: &Catalog,
    table: &DvTable,
    side: Side,
    options: &Options,
    languages: Languages,
) -> Result<Vec<Value>, ApiError> {
    let all = all_relationships(cat);
    let mine = of_table(&all, &table.logical_name, side);
    relationship_items(&mine, options, languages, false)
}

/// Relationships as metadata items; `typed` adds `@odata.type`, for a list of the base type.
pub(crate) fn relationship_items(
    list: &[&Relationship],
    options: &Options,
    languages: Languages,
    typed: bool,
) -> Result<Vec<Value>, ApiError> {
    let full: Vec<Map<String, Value>> = list
        .iter()
        .map(|r| relationship_item(r, languages, typed))
        .collect();
    let filter = ItemFilter::new(options.filter.as_deref(), full.first(), RELATIONSHIP_TYPE)?;
    full.into_iter()
        .filter(|r| filter.keeps(r))
        .map(|r| select(r, options.select.as_deref(), RELATIONSHIP_TYPE).map(Value::Object))
        .collect()
}

/// One relationship, naming its type when `typed`.
pub(crate) fn relationship_item(
    r: &Relationship,
    languages: Languages,
    typed: bool,
) -> Map<String, Value> {
    let mut item = relationship_json(r, languages);
    if typed {
        item.insert(
            "@odata.type".into(),
            Value::from("#Microsoft.Dynamics.CRM.OneToManyRelationshipMetadata"),
        );
    }
    item
}
