//! Reading an entity with OData query options: `$filter` (with enum literals checked against
//! the catalog), `$select`, `$orderby`, `$top`, `$skip`, `$count`, company scope and
//! server-driven paging, for a collection, its count or one row.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use crate::catalog::{FoType, catalog};
use crate::filter;
use crate::odata::{ApiError, Query, collection_body, reply};

use super::entities::{DEFAULT_COMPANY, EntitySet, Kind};
use super::errors::{not_found, plain_error, query_error};
use super::expand::{expand_rows, parse_expand};
use super::rows::{load_one, storage_key};
use super::scan::{DIALECT, Start, Window, in_key_order, scan};
use super::state::FoState;

pub(super) fn parse_number(q: &Query, name: &str) -> Result<Option<usize>, ApiError> {
    q.get(name)
        .map(|v| {
            v.trim().parse::<usize>().map_err(|_| {
                plain_error(
                    StatusCode::BAD_REQUEST,
                    format!("Invalid value '{v}' for query option {name}."),
                )
            })
        })
        .transpose()
}

fn parse_select(set: &EntitySet, q: &Query) -> Result<Option<Vec<String>>, ApiError> {
    q.get("$select")
        .filter(|s| s.trim() != "*")
        .map(|s| filter::parse_select(s, &|f| set.is_field(f)).map_err(|e| query_error(set, e)))
        .transpose()
}

pub(super) fn project(row: Map<String, Value>, select: Option<&[String]>) -> Value {
    match select {
        None => Value::Object(row),
        Some(fields) => {
            let mut out = Map::new();
            if let Some(e) = row.get("@odata.etag") {
                out.insert("@odata.etag".into(), e.clone());
            }
            for f in fields {
                out.insert(f.clone(), row.get(f).cloned().unwrap_or(Value::Null));
            }
            Value::Object(out)
        }
    }
}

const ENUM_PREFIX: &str = "Microsoft.Dynamics.DataEntities.";

/// Whether `member` belongs to the catalog enum `name`; `None` when no field uses that enum.
fn catalog_enum_has(name: &str, member: &str) -> Option<bool> {
    catalog()
        .finops
        .iter()
        .flat_map(|e| &e.fields)
        .find_map(|f| match &f.kind {
            FoType::Enum { r#enum, members } if r#enum == name => Some(members),
            _ => None,
        })
        .map(|members| members.iter().any(|m| m == member))
}

/// Checks every `<namespace><Enum>'<Member>'` literal in a filter with `has_member` (which
/// answers `None` for an unknown enum), answering with the OData library's messages for an
/// unknown type or member.
pub(super) fn check_enum_literals(
    filter_text: &str,
    namespace: &str,
    has_member: &dyn Fn(&str, &str) -> Option<bool>,
) -> Result<(), ApiError> {
    let mut rest = filter_text;
    while let Some(pos) = rest.find(namespace) {
        let after = &rest[pos + namespace.len()..];
        let name_len = after
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        let (name, tail) = after.split_at(name_len);
        let Some(quoted) = tail.strip_prefix('\'') else {
            rest = tail;
            continue;
        };
        let end = quoted.find('\'').unwrap_or(quoted.len());
        let member = &quoted[..end];
        match has_member(name, member) {
            None => {
                return Err(plain_error(
                    StatusCode::BAD_REQUEST,
                    format!("The type '{namespace}{name}' is not defined in the model."),
                ));
            }
            Some(false) => {
                return Err(plain_error(
                    StatusCode::BAD_REQUEST,
                    format!("The string '{member}' is not a valid enumeration type constant."),
                ));
            }
            Some(true) => {}
        }
        rest = &quoted[end..];
    }
    Ok(())
}

pub(super) async fn list(
    st: &Arc<FoState>,
    set: &'static EntitySet,
    q: &Query,
    count_only: bool,
) -> Result<Response, ApiError> {
    let is_field = |f: &str| set.is_field(f);
    let expand = parse_expand(set, q)?;
    if let Some(f) = q.get("$filter") {
        check_enum_literals(f, ENUM_PREFIX, &catalog_enum_has)?;
    }
    let expr = q
        .get("$filter")
        .map(|f| filter::parse(f, &is_field).map_err(|e| query_error(set, e)))
        .transpose()?;
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
    let cross_company = q
        .get("cross-company")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));

    let page_size = st.page_size.max(1);
    let keep = top.unwrap_or(usize::MAX).min(page_size + 1);
    let reading = Reading {
        filter: expr,
        order,
        skip,
        keep,
        count_all: with_count || count_only,
        default_company_only: set.company_specific && !cross_company,
    };
    let (total, window) = read_window(st, set, reading).await?;
    if count_only {
        let mut resp = (StatusCode::OK, total.to_string()).into_response();
        resp.headers_mut()
            .insert("OData-Version", axum::http::HeaderValue::from_static("4.0"));
        return Ok(resp);
    }
    let has_more = window.len() > page_size;
    let page: Vec<Map<String, Value>> = window.into_iter().take(page_size).collect();
    let page = expand_rows(st, &expand, page, select.as_deref()).await?;
    let next = has_more.then(|| next_page_link(st, set, q, skip, top, page_size));
    let body = collection_body(
        &format!("{}/data/$metadata#{}", st.url, set.name),
        with_count.then_some(total),
        &page,
        next.as_deref(),
        None,
    );
    Ok(reply(StatusCode::OK, Some(body), &[]))
}

/// What `list` reads: the filter, the order and the window of matching rows it answers.
struct Reading {
    filter: Option<filter::Expr>,
    order: Vec<(String, bool)>,
    skip: usize,
    keep: usize,
    /// Count every matching row (`$count`), not only those up to the window's end.
    count_all: bool,
    /// Only the default company's rows (a company-specific entity read without
    /// `cross-company=true`).
    default_company_only: bool,
}

/// Rows `skip..skip + keep` of the matching rows in the reading's order, and how many
/// matched (all of them when counting or when the order is not the key's; otherwise up to the
/// window's end). A scan in key order (`scan.rs`) stops at the window's end.
async fn read_window(
    st: &Arc<FoState>,
    set: &'static EntitySet,
    reading: Reading,
) -> Result<(usize, Vec<Map<String, Value>>), ApiError> {
    let start = Start::of(reading.filter.as_ref(), &set.keys);
    // Text keys sort as the storage key does; a numeric key part would not.
    let text_keys = set
        .keys
        .iter()
        .all(|key| set.field(key).is_none_or(|field| field.kind == Kind::Str));
    let ordered =
        reading.order.is_empty() || (text_keys && in_key_order(&reading.order, &set.keys));
    let window = Window {
        skip: reading.skip,
        keep: reading.keep,
        count_all: reading.count_all || !ordered,
        order: (!ordered).then(|| reading.order.clone()),
    };
    let (filter, default_company_only) = (reading.filter, reading.default_company_only);
    let scanned = st
        .db
        .run(move |conn| {
            let matches = |row: &Map<String, Value>| {
                let company_ok = !default_company_only
                    || row
                        .get("dataAreaId")
                        .and_then(Value::as_str)
                        .is_some_and(|c| c.eq_ignore_ascii_case(DEFAULT_COMPANY));
                company_ok && filter.as_ref().is_none_or(|e| e.matches(row, DIALECT))
            };
            Ok(scan(conn, set.name, &start, &matches, &window)?)
        })
        .await?;
    Ok((scanned.matched, scanned.rows))
}

/// The `@odata.nextLink` of a full page: the same query with `$skip` moved past it and any
/// `$top` reduced by it.
fn next_page_link(
    st: &FoState,
    set: &EntitySet,
    q: &Query,
    skip: usize,
    top: Option<usize>,
    page_size: usize,
) -> String {
    let mut extra = vec![("$skip", (skip + page_size).to_string())];
    if let Some(t) = top {
        extra.push(("$top", t.saturating_sub(page_size).to_string()));
    }
    format!(
        "{}/data/{}?{}",
        st.url,
        set.name,
        q.rebuild(&["$skip", "$top"], &extra)
    )
}

pub(super) async fn get_one(
    st: &Arc<FoState>,
    set: &'static EntitySet,
    values: Vec<String>,
    q: &Query,
) -> Result<Response, ApiError> {
    // Query options are checked before the row is looked up, so a malformed query is a 400
    // even for a missing row.
    let select = parse_select(set, q)?;
    let expand = parse_expand(set, q)?;
    let refs: Vec<&str> = values.iter().map(String::as_str).collect();
    let k = storage_key(&refs);
    let found = st
        .db
        .run(move |conn| Ok(load_one(conn, set.name, &k)?))
        .await?;
    let Some(stored) = found else {
        return Err(not_found(set, &values));
    };
    let etag = stored
        .row
        .get("@odata.etag")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let mut body = expand_rows(st, &expand, vec![stored.row], select.as_deref())
        .await?
        .pop()
        .unwrap_or_default();
    if let Some(obj) = body.as_object_mut() {
        obj.insert(
            "@odata.context".into(),
            Value::from(format!("{}/data/$metadata#{}/$entity", st.url, set.name)),
        );
    }
    Ok(reply(
        StatusCode::OK,
        Some(body.to_string()),
        &[("ETag", etag)],
    ))
}
