//! Requests on the metadata collections: each path and key form, answered with the items
//! `items` builds and the `@odata.context` Dataverse gives them.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};

use crate::catalog::{Catalog, DvTable, catalog};
use crate::odata::{self, ApiError, KeyPart, KeyValue, Query, ResourcePath, reply, split_resource};

use super::super::errors::{CODE_BAD_QUERY, CODE_NOT_FOUND, bad_request, err};
use super::super::keys::parse_guid;
use super::super::state::DvState;
use super::MetadataSet;
use super::attributes::{self, AttributeCast, attribute_id, attribute_json};
use super::columns::table_attributes;
use super::entity::{entity_id, entity_json};
use super::items::{self, EntityNavigation};
use super::optionsets::{global_option_sets, option_set_id};
use super::query::{self, MetaQuery};
use super::relationships::{Relationship, relationship_id, relationships as all_relationships};

/// `GET` on a metadata collection, an item of it, or a path below an item.
pub(crate) fn serve(
    st: &DvState,
    set: MetadataSet,
    res: &ResourcePath,
    q: &Query,
) -> Result<Response, ApiError> {
    let query = MetaQuery::parse(q)?;
    let cat = catalog();
    let root = format!("{}/$metadata#{}", st.root, res.set);
    match set {
        MetadataSet::GlobalOptionSets => option_sets(cat, res, &query, &root),
        MetadataSet::Relationships => relationship_definitions(cat, res, &query, &root),
        MetadataSet::Entities => entity_definitions(cat, res, &query, &root),
    }
}

/// `EntityDefinitions`, one table, or a collection below one.
fn entity_definitions(
    cat: &Catalog,
    res: &ResourcePath,
    query: &MetaQuery,
    root: &str,
) -> Result<Response, ApiError> {
    let Some(key) = res.key.as_deref() else {
        if res.tail.is_some() {
            return Err(segment_not_found(res));
        }
        let tables: Vec<&DvTable> = cat.dataverse.iter().collect();
        let value = items::entities(cat, &tables, &query.options, query.languages)?;
        return Ok(ok(
            json!({"@odata.context": with_select(root, query), "value": value}),
        ));
    };
    let table = find_table(cat, key)?;
    let Some(tail) = res.tail.as_deref() else {
        let item = entity_json(cat, table, query.languages);
        let mut item = items::entity(cat, table, item, &query.options, query.languages)?;
        let context = format!("{}/$entity", with_select(root, query));
        item.insert("@odata.context".into(), Value::from(context));
        return Ok(ok(Value::Object(item)));
    };
    let below = split_resource(tail).map_err(bad_request)?;
    let root = format!("{root}({})", entity_id(table));
    let nav = EntityNavigation::parse(&below.set).ok_or_else(|| segment_not_found(res))?;
    let context = format!("{root}/{}", below.set);
    if nav == EntityNavigation::Attributes {
        return attributes(cat, table, &below, query, &context);
    }
    if below.key.is_some() || below.tail.is_some() {
        return Err(segment_not_found(res));
    }
    let value = items::navigation(cat, table, nav, &query.options, query.languages)?;
    Ok(ok(json!({"@odata.context": context, "value": value})))
}

fn ok(body: Value) -> Response {
    reply(StatusCode::OK, Some(body.to_string()), &[])
}

fn with_select(root: &str, query: &MetaQuery) -> String {
    match &query.options.select {
        Some(names) => format!("{root}({})", names.join(",")),
        None => root.to_string(),
    }
}

fn segment_not_found(res: &ResourcePath) -> ApiError {
    err(
        StatusCode::NOT_FOUND,
        CODE_BAD_QUERY,
        format!(
            "Resource not found for the segment '{}'.",
            res.tail.as_deref().unwrap_or(&res.set)
        ),
    )
}

/// The key inside `(...)`: `Name='x'` (for `name`) or a bare `MetadataId`.
enum MetaKey {
    Name(String),
    Id(String),
}

fn parse_key(raw: &str, name: &str) -> Result<MetaKey, ApiError> {
    let parts = odata::parse_key_predicate(raw).map_err(bad_request)?;
    match parts.as_slice() {
        [
            KeyPart {
                name: Some(n),
                value: KeyValue::Quoted(v),
            },
        ] if n == name => Ok(MetaKey::Name(v.clone())),
        [
            KeyPart {
                name: None,
                value: KeyValue::Bare(v),
            },
        ]
        | [
            KeyPart {
                name: Some(_),
                value: KeyValue::Bare(v),
            },
        ] => {
            let id = parse_guid(v)
                .ok_or_else(|| bad_request(format!("'{v}' is not a valid MetadataId.")))?;
            Ok(MetaKey::Id(id))
        }
        _ => Err(bad_request(format!(
            "The key '{raw}' is not supported; use {name}='…' or a MetadataId."
        ))),
    }
}

fn find_table<'c>(cat: &'c Catalog, raw: &str) -> Result<&'c DvTable, ApiError> {
    let found = match parse_key(raw, "LogicalName")? {
        MetaKey::Name(name) => cat.dv_table_by_logical(&name),
        MetaKey::Id(id) => cat.dataverse.iter().find(|t| entity_id(t) == id),
    };
    found.ok_or_else(|| {
        err(
            StatusCode::NOT_FOUND,
            CODE_NOT_FOUND,
            format!("Could not find an entity with {raw}."),
        )
    })
}

/// `…/Attributes`, `…/Attributes(key)` and either with a cast segment after it.
fn attributes(
    cat: &Catalog,
    table: &DvTable,
    below: &ResourcePath,
    query: &MetaQuery,
    root: &str,
) -> Result<Response, ApiError> {
    let cast = below
        .tail
        .as_deref()
        .map(AttributeCast::parse)
        .transpose()?;
    let root = match cast {
        Some(c) => format!("{root}/{}.{}", attributes::NAMESPACE, c.type_name()),
        None => root.to_string(),
    };
    let Some(key) = below.key.as_deref() else {
        let value = items::attributes(cat, table, cast, &query.options, query.languages)?;
        return Ok(ok(
            json!({"@odata.context": with_select(&root, query), "value": value}),
        ));
    };
    let key = parse_key(key, "LogicalName")?;
    let found = table_attributes(cat, table)
        .into_iter()
        .find(|a| match &key {
            MetaKey::Name(n) => a.name == *n,
            MetaKey::Id(id) => attribute_id(table, a) == *id,
        });
    let a = found
        .filter(|a| attributes::in_cast(a, cast))
        .ok_or_else(|| {
            err(
                StatusCode::NOT_FOUND,
                CODE_NOT_FOUND,
                format!(
                    "Could not find the attribute {} of entity {}.",
                    below.key.as_deref().unwrap_or_default(),
                    table.logical_name
                ),
            )
        })?;
    // Without a cast the item names its type, which is not the type the URL addresses.
    let item = attribute_json(table, &a, query.languages, cast);
    let mut item = items::attribute(table, &a, item, cast, &query.options, query.languages)?;
    let context = format!("{}/$entity", with_select(&root, query));
    item.insert("@odata.context".into(), Value::from(context));
    Ok(ok(Value::Object(item)))
}

/// `GlobalOptionSetDefinitions`, one by `Name` or `MetadataId`, optionally cast to
/// `Microsoft.Dynamics.CRM.OptionSetMetadata` (the only kind the emulator has).
fn option_sets(
    cat: &Catalog,
    res: &ResourcePath,
    query: &MetaQuery,
    root: &str,
) -> Result<Response, ApiError> {
    match res.tail.as_deref() {
        None | Some("Microsoft.Dynamics.CRM.OptionSetMetadata") => {}
        Some(_) => return Err(segment_not_found(res)),
    }
    let sets = global_option_sets(cat);
    let Some(raw) = res.key.as_deref() else {
        let value = items::option_sets(&sets, &query.options, query.languages)?;
        return Ok(ok(
            json!({"@odata.context": with_select(root, query), "value": value}),
        ));
    };
    let key = parse_key(raw, "Name")?;
    let set = sets
        .iter()
        .find(|s| match &key {
            MetaKey::Name(n) => s.name == *n,
            MetaKey::Id(id) => option_set_id(s) == *id,
        })
        .ok_or_else(|| {
            err(
                StatusCode::NOT_FOUND,
                CODE_NOT_FOUND,
                format!("Could not find an option set with {raw}."),
            )
        })?;
    let item: Map<String, Value> = items::option_set_item(set, query.languages);
    let mut item = query::select(item, query.options.select.as_deref(), "OptionSetMetadata")?;
    let context = format!("{}/$entity", with_select(root, query));
    item.insert("@odata.context".into(), Value::from(context));
    Ok(ok(Value::Object(item)))
}

/// `RelationshipDefinitions`, one by `SchemaName` or `MetadataId`, optionally cast to
/// `OneToManyRelationshipMetadata` (every relationship the emulator has) or
/// `ManyToManyRelationshipMetadata` (none).
fn relationship_definitions(
    cat: &Catalog,
    res: &ResourcePath,
    query: &MetaQuery,
    root: &str,
) -> Result<Response, ApiError> {
    let all = all_relationships(cat);
    let (list, typed): (Vec<&Relationship>, bool) = match res.tail.as_deref() {
        None => (all.iter().collect(), true),
        Some("Microsoft.Dynamics.CRM.OneToManyRelationshipMetadata") => {
            (all.iter().collect(), false)
        }
        Some("Microsoft.Dynamics.CRM.ManyToManyRelationshipMetadata") => (Vec::new(), false),
        Some(_) => return Err(segment_not_found(res)),
    };
    let Some(raw) = res.key.as_deref() else {
        let value = items::relationship_items(&list, &query.options, query.languages, typed)?;
        return Ok(ok(
            json!({"@odata.context": with_select(root, query), "value": value}),
        ));
    };
    let key = parse_key(raw, "SchemaName")?;
    let found = list
        .into_iter()
        .find(|r| match &key {
            MetaKey::Name(n) => r.schema_name == *n,
            MetaKey::Id(id) => relationship_id(r) == *id,
        })
        .ok_or_else(|| {
            err(
                StatusCode::NOT_FOUND,
                CODE_NOT_FOUND,
                format!("Could not find a relationship with {raw}."),
            )
        })?;
    let item = items::relationship_item(found, query.languages, typed);
    let mut item = query::select(
        item,
        query.options.select.as_deref(),
        "RelationshipMetadataBase",
    )?;
    let context = format!("{}/$entity", with_select(root, query));
    item.insert("@odata.context".into(), Value::from(context));
    Ok(ok(Value::Object(item)))
}
