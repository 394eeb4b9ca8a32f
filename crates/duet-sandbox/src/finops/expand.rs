//! `$expand` on F&O entities: navigation properties one level deep, each matched to its
//! target rows through the catalog's key constraints.

use std::collections::HashMap;
use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::{Map, Value};

use crate::catalog::FoNavigation;
use crate::metadata;
use crate::odata::{ApiError, Query};

use super::entities::{EntitySet, known_set};
use super::errors::plain_error;
use super::query::project;
use super::rows::all_rows;
use super::state::FoState;

/// One `$expand` item: a navigation property and the fields its rows are projected to.
pub(super) struct ExpandItem {
    nav: &'static FoNavigation,
    target: &'static EntitySet,
    select: Option<Vec<String>>,
}

/// Reads `$expand`: navigation properties of `set`, each with an optional `$select`. Only one
/// level is supported; a nested `$expand` or any other nested option is a 400.
pub(super) fn parse_expand(
    set: &'static EntitySet,
    q: &Query,
) -> Result<Vec<ExpandItem>, ApiError> {
    let Some(text) = q.get("$expand") else {
        return Ok(Vec::new());
    };
    let bad = |message: String| plain_error(StatusCode::BAD_REQUEST, message);
    if text.contains("$expand") {
        return Err(bad(
            "Only one level of $expand is supported: a nested $expand is not allowed.".into(),
        ));
    }
    let nav = |name: &str| set.navigations.iter().find(|n| n.name == name);
    let type_name = format!("{}.{}", metadata::FO_NAMESPACE, set.type_name);
    let items =
        crate::expand::parse_expand(text, &type_name, &|name| nav(name).is_some()).map_err(bad)?;
    items
        .into_iter()
        .map(|item| {
            let nav =
                nav(&item.nav).ok_or_else(|| bad(format!("Unknown property '{}'.", item.nav)))?;
            let target = known_set(&nav.target);
            if let Some(fields) = &item.select
                && let Some(unknown) = fields.iter().find(|f| !target.is_field(f))
            {
                return Err(bad(format!(
                    "Could not find a property named '{unknown}' on type '{}.{}'.",
                    metadata::FO_NAMESPACE,
                    target.type_name
                )));
            }
            Ok(ExpandItem {
                nav,
                target,
                select: item.select,
            })
        })
        .collect()
}

/// The values of `fields` in `row`, upper-cased: F&O compares keys without regard to case.
fn match_key<'a>(row: &Map<String, Value>, fields: impl Iterator<Item = &'a str>) -> Vec<String> {
    fields
        .map(|f| match row.get(f) {
            Some(Value::String(s)) => s.to_uppercase(),
            Some(other) => other.to_string(),
            None => String::new(),
        })
        .collect()
}

/// Projects `rows` to `select` and adds each expanded navigation property: an object (or
/// `null`) for a single-valued one, an array for a collection.
pub(super) async fn expand_rows(
    st: &Arc<FoState>,
    expand: &[ExpandItem],
    rows: Vec<Map<String, Value>>,
    select: Option<&[String]>,
) -> Result<Vec<Value>, ApiError> {
    let mut related: Vec<Vec<Value>> = Vec::with_capacity(expand.len());
    for item in expand {
        let target = item.target.name;
        let candidates = all_rows(st, target).await?;
        let mut by_key: HashMap<Vec<String>, Vec<&Map<String, Value>>> = HashMap::new();
        for row in candidates.iter() {
            let key = match_key(
                row,
                item.nav.constraints.iter().map(|c| c.target_field.as_str()),
            );
            by_key.entry(key).or_default().push(row);
        }
        let values = rows
            .iter()
            .map(|row| {
                let key = match_key(row, item.nav.constraints.iter().map(|c| c.field.as_str()));
                let found = by_key.get(&key).cloned().unwrap_or_default();
                let mut projected = found
                    .into_iter()
                    .map(|r| project(r.clone(), item.select.as_deref()));
                if item.nav.collection {
                    Value::Array(projected.collect())
                } else {
                    projected.next().unwrap_or(Value::Null)
                }
            })
            .collect();
        related.push(values);
    }
    Ok(rows
        .into_iter()
        .enumerate()
        .map(|(i, row)| {
            let mut out = project(row, select);
            if let Some(obj) = out.as_object_mut() {
                for (item, values) in expand.iter().zip(&related) {
                    obj.insert(item.nav.name.clone(), values[i].clone());
                }
            }
            out
        })
        .collect())
}
