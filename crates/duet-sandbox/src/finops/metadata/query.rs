//! Query options on a metadata collection: `$filter` (with `tolower`/`toupper`, booleans and
//! `Microsoft.Dynamics.Metadata.EntityCategory'…'` literals), `$select`, `$orderby`, `$top`,
//! `$skip` and `$count`. Everything is answered in one page.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value};

use crate::filter::{self, Dialect, FilterError, Functions};
use crate::odata::{ApiError, Query, collection_body, reply};

use super::super::query::{check_enum_literals, parse_number};
use super::MetaSet;
use super::model::EntityCategory;
use super::rows::rows;

const METADATA_ENUMS: &str = "Microsoft.Dynamics.Metadata.";

/// Metadata names compare as written, without F&O's `*` wildcard.
const DIALECT: Dialect = Dialect { wildcard_eq: false };

fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "", message)
}

fn query_error(set: MetaSet, e: FilterError) -> ApiError {
    match e {
        FilterError::UnknownProperty(p) => bad_request(format!(
            "Could not find a property named '{p}' on type 'Microsoft.Dynamics.Metadata.{}'.",
            set.type_name()
        )),
        other => bad_request(other.to_string()),
    }
}

fn category_has(name: &str, member: &str) -> Option<bool> {
    (name == "EntityCategory").then(|| EntityCategory::ALL.iter().any(|c| c.name() == member))
}

/// `$select`, checked against the set's properties; `None` for every property.
pub(super) fn parse_select(set: MetaSet, q: &Query) -> Result<Option<Vec<String>>, ApiError> {
    let is_field = |f: &str| set.properties().contains(&f);
    q.get("$select")
        .filter(|s| s.trim() != "*")
        .map(|s| filter::parse_select(s, &is_field).map_err(|e| query_error(set, e)))
        .transpose()
}

/// A row with only the selected properties.
pub(super) fn project(row: &Map<String, Value>, select: Option<&[String]>) -> Value {
    match select {
        None => Value::Object(row.clone()),
        Some(fields) => Value::Object(
            fields
                .iter()
                .map(|f| (f.clone(), row.get(f).cloned().unwrap_or(Value::Null)))
                .collect(),
        ),
    }
}

/// `GET /Metadata/<set>` with its query options.
pub(super) fn list(base: &str, set: MetaSet, q: &Query) -> Result<Response, ApiError> {
    if q.get("$expand").is_some() {
        return Err(bad_request(
            "The query parameter '$expand' is not supported: related items are inline.",
        ));
    }
    let is_field = |f: &str| set.properties().contains(&f);
    let expr = match q.get("$filter") {
        Some(text) => {
            check_enum_literals(text, METADATA_ENUMS, &category_has)?;
            let parsed = filter::parse_with(text, &is_field, Functions::StringsAndCase);
            Some(parsed.map_err(|e| query_error(set, e))?)
        }
        None => None,
    };
    let order = q
        .get("$orderby")
        .map(|o| filter::parse_orderby(o, &is_field).map_err(|e| query_error(set, e)))
        .transpose()?
        .unwrap_or_default();
    let select = parse_select(set, q)?;
    let top = parse_number(q, "$top")?;
    let skip = parse_number(q, "$skip")?.unwrap_or(0);
    let with_count = q
        .get("$count")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));

    let mut matched: Vec<Map<String, Value>> = rows(set)
        .iter()
        .filter(|row| expr.as_ref().is_none_or(|e| e.matches(row, DIALECT)))
        .cloned()
        .collect();
    filter::sort_rows(&mut matched, &order);
    let total = matched.len();
    let page: Vec<Value> = matched
        .iter()
        .skip(skip)
        .take(top.unwrap_or(usize::MAX))
        .map(|row| project(row, select.as_deref()))
        .collect();
    let context = match &select {
        Some(fields) => format!(
            "{base}/Metadata/$metadata#{}({})",
            set.name(),
            fields.join(",")
        ),
        None => format!("{base}/Metadata/$metadata#{}", set.name()),
    };
    let body = collection_body(&context, with_count.then_some(total), &page, None, None);
    Ok(reply(StatusCode::OK, Some(body), &[]))
}
