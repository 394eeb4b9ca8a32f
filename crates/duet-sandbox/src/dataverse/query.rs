//! Reading a table with OData query options: `$select`, `$expand`, `$filter`, `$orderby`,
//! `$top`, `$count` and server-driven paging, for a collection, its count or one row.

use std::sync::Arc;

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use rusqlite::params;
use serde_json::{Map, Value};

use crate::expand::{self, Expand};
use crate::filter::{self, Dialect};
use crate::odata::{ApiError, Prefer, Query, collection_body, reply};

use super::annotations::Annotations;
use super::errors::{bad_request, not_found, query_error};
use super::keys::RowKey;
use super::projection::{context, finish_rows};
use super::rows::{etag, find_row, load_rows};
use super::scan::{Seek, scan};
use super::state::DvState;
use super::tables::{Table, lookup_target};
use super::tracking::tracked_list;
use super::write::etag_matches;

/// Dataverse's default and maximum page size.
pub(super) const MAX_PAGE_SIZE: usize = 5000;

pub(super) fn parse_select(table: &Table, q: &Query) -> Result<Option<Vec<String>>, ApiError> {
    q.get("$select")
        .map(|s| filter::parse_select(s, &|f| table.readable(f)).map_err(|e| query_error(table, e)))
        .transpose()
}

fn parse_expand(table: &'static Table, q: &Query) -> Result<Vec<Expand>, ApiError> {
    let Some(text) = q.get("$expand") else {
        return Ok(Vec::new());
    };
    let items = expand::parse_expand(text, &table.entity_type(), &|n| {
        table.lookups.iter().any(|l| l.nav == n)
    })
    .map_err(bad_request)?;
    for item in &items {
        let target = lookup_target(table, &item.nav);
        for c in item.select.iter().flatten() {
            if !target.readable(c) {
                return Err(bad_request(format!(
                    "Could not find a property named '{c}' on type '{}'.",
                    target.entity_type()
                )));
            }
        }
    }
    Ok(items)
}

/// Reads an attribute from the paging cookie carried in `$skiptoken`.
pub(super) fn cookie_attr(cookie: &str, name: &str) -> Option<String> {
    let marker = format!("{name}=\"");
    let start = cookie.find(&marker)? + marker.len();
    let end = cookie[start..].find('"')? + start;
    Some(cookie[start..end].to_string())
}

pub(super) fn page_size(prefer: &Prefer) -> usize {
    prefer
        .max_page_size
        .unwrap_or(MAX_PAGE_SIZE)
        .clamp(1, MAX_PAGE_SIZE)
}

fn parse_top(q: &Query) -> Result<Option<usize>, ApiError> {
    q.get("$top")
        .map(|t| {
            t.trim()
                .parse::<usize>()
                .map_err(|_| bad_request(format!("Invalid value '{t}' for $top.")))
        })
        .transpose()
}

/// The row a page starts at, from the `skip` attribute of the paging cookie.
fn parse_offset(skiptoken: Option<&str>) -> Result<usize, ApiError> {
    Ok(match skiptoken {
        None => 0,
        Some(c) => cookie_attr(c, "skip")
            .and_then(|s| s.parse::<usize>().ok())
            .ok_or_else(|| bad_request("The $skiptoken is not valid."))?,
    })
}

pub(super) async fn list(
    st: &Arc<DvState>,
    table: &'static Table,
    q: &Query,
    prefer: &Prefer,
) -> Result<Response, ApiError> {
    if q.get("$skip").is_some() {
        return Err(bad_request("The query parameter $skip is not supported."));
    }
    let select = parse_select(table, q)?;
    let skiptoken = q.get("$skiptoken").map(str::to_string);
    let tracking_page = skiptoken
        .as_deref()
        .and_then(|c| cookie_attr(c, "istracking"))
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let delta = q.get("$deltatoken");
    if prefer.track_changes || delta.is_some() || tracking_page {
        return tracked_list(st, table, q, prefer, skiptoken.as_deref(), select).await;
    }
    let expand = parse_expand(table, q)?;
    let is_field = |f: &str| table.readable(f);
    let expr = q
        .get("$filter")
        .map(|f| filter::parse(f, &is_field).map_err(|e| query_error(table, e)))
        .transpose()?;
    let order = q
        .get("$orderby")
        .map(|o| filter::parse_orderby(o, &is_field).map_err(|e| query_error(table, e)))
        .transpose()?
        .unwrap_or_default();
    let top = parse_top(q)?;
    let after = skiptoken.as_deref().and_then(|c| cookie_attr(c, "lastid"));
    if order.is_empty() && top.is_none() && (skiptoken.is_none() || after.is_some()) {
        let page = Paged {
            q,
            prefer,
            after,
            filter: expr,
            select,
            expand,
        };
        return scanned_list(st, table, page).await;
    }
    let offset = parse_offset(skiptoken.as_deref())?;
    let with_count = q
        .get("$count")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let set = table.set;
    let mut rows = st
        .db
        .run(move |conn| {
            Ok(load_rows(
                conn,
                set,
                "SELECT version, body FROM dv_rows WHERE entity = ?1 ORDER BY id",
                &[],
            )?)
        })
        .await?;
    let dialect = Dialect { wildcard_eq: false };
    if let Some(e) = &expr {
        rows.retain(|r| e.matches(r, dialect));
    }
    filter::sort_rows(&mut rows, &order);
    // `@odata.count` is every row matching the filter (capped like the service), whatever
    // `$top` keeps.
    let matched = rows.len();
    if let Some(t) = top {
        rows.truncate(t);
    }
    let total = rows.len();
    let size = page_size(prefer);
    let has_more = total > offset + size;
    let page_rows: Vec<Map<String, Value>> = rows.into_iter().skip(offset).take(size).collect();
    let wanted = Annotations::from_prefer(prefer.include_annotations.as_deref());
    let page = finish_rows(st, table, page_rows, select.clone(), expand, wanted).await?;
    let next = has_more.then(|| next_page_link(st, table, q, offset, size));
    let body = collection_body(
        &context(&st.root, table, select.as_deref()),
        with_count.then_some(matched.min(MAX_PAGE_SIZE)),
        &page,
        next.as_deref(),
        None,
    );
    Ok(reply(
        StatusCode::OK,
        Some(body),
        &applied_preferences(prefer),
    ))
}

/// A query read in storage order, a page at a time.
struct Paged<'q> {
    q: &'q Query,
    prefer: &'q Prefer,
    after: Option<String>,
    filter: Option<filter::Expr>,
    select: Option<Vec<String>>,
    expand: Vec<Expand>,
}

/// A query without `$orderby` or `$top`: one page read after the cookie's last id
/// (`scan.rs`), so paging through a large table reads each row once.
async fn scanned_list(
    st: &Arc<DvState>,
    table: &'static Table,
    paged: Paged<'_>,
) -> Result<Response, ApiError> {
    let size = page_size(paged.prefer);
    let with_count = paged
        .q
        .get("$count")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let count_to = if with_count { MAX_PAGE_SIZE } else { 0 };
    let seek = Seek::of(paged.filter.as_ref(), table, paged.after.clone());
    let (set, filter) = (table.set, paged.filter.clone());
    let page = st
        .db
        .run(move |conn| Ok(scan(conn, set, &seek, filter.as_ref(), size, count_to)?))
        .await?;
    let wanted = Annotations::from_prefer(paged.prefer.include_annotations.as_deref());
    let rows = finish_rows(
        st,
        table,
        page.rows,
        paged.select.clone(),
        paged.expand,
        wanted,
    )
    .await?;
    let next = match (page.more, &page.last_id) {
        (true, Some(last)) => {
            let cookie = format!(
                "<cookie pagenumber=\"2\" lastid=\"{last}\" skip=\"0\" istracking=\"False\" />"
            );
            Some(format!(
                "{}/{}?{}",
                st.root,
                table.set,
                paged.q.rebuild(&["$skiptoken"], &[("$skiptoken", cookie)])
            ))
        }
        _ => None,
    };
    let body = collection_body(
        &context(&st.root, table, paged.select.as_deref()),
        with_count.then_some(page.matched.min(MAX_PAGE_SIZE)),
        &rows,
        next.as_deref(),
        None,
    );
    Ok(reply(
        StatusCode::OK,
        Some(body),
        &applied_preferences(paged.prefer),
    ))
}

/// The `@odata.nextLink` of a page that starts at `offset`, carrying the next paging cookie.
fn next_page_link(st: &DvState, table: &Table, q: &Query, offset: usize, size: usize) -> String {
    let next_offset = offset + size;
    let cookie = format!(
        "<cookie pagenumber=\"{}\" skip=\"{next_offset}\" istracking=\"False\" />",
        next_offset / size + 1
    );
    format!(
        "{}/{}?{}",
        st.root,
        table.set,
        q.rebuild(&["$skiptoken"], &[("$skiptoken", cookie)])
    )
}

/// The `Preference-Applied` headers for the page size and annotations a client asked for.
fn applied_preferences(prefer: &Prefer) -> Vec<(&'static str, String)> {
    let mut headers = Vec::new();
    if let Some(n) = prefer.max_page_size {
        headers.push(("Preference-Applied", format!("odata.maxpagesize={n}")));
    }
    if let Some(a) = &prefer.include_annotations {
        headers.push((
            "Preference-Applied",
            format!("odata.include-annotations=\"{a}\""),
        ));
    }
    headers
}

/// `GET <set>/$count`, with the rows `$filter` keeps, capped at the maximum page size like
/// Dataverse.
pub(super) async fn count(
    st: &DvState,
    table: &'static Table,
    q: &Query,
) -> Result<Response, ApiError> {
    let expr = q
        .get("$filter")
        .map(|f| filter::parse(f, &|c| table.readable(c)).map_err(|e| query_error(table, e)))
        .transpose()?;
    let set = table.set;
    let n = st
        .db
        .run(move |conn| {
            let Some(expr) = expr else {
                return Ok(conn.query_row(
                    "SELECT COUNT(*) FROM dv_rows WHERE entity = ?1",
                    params![set],
                    |r| r.get::<_, i64>(0),
                )? as usize);
            };
            let page = scan(
                conn,
                set,
                &Seek::of(Some(&expr), table, None),
                Some(&expr),
                0,
                MAX_PAGE_SIZE,
            )?;
            Ok(page.matched)
        })
        .await?;
    let mut resp = (StatusCode::OK, n.min(MAX_PAGE_SIZE).to_string()).into_response();
    resp.headers_mut()
        .insert("OData-Version", HeaderValue::from_static("4.0"));
    Ok(resp)
}

/// `GET <set>(<key>)`. With `If-None-Match` naming the row's current etag the answer is `304
/// Not Modified`, except when `$expand` or annotations are asked for, which Dataverse always
/// answers in full.
pub(super) async fn get_one(
    st: &Arc<DvState>,
    table: &'static Table,
    key: RowKey,
    q: &Query,
    prefer: &Prefer,
    if_none_match: Option<&str>,
) -> Result<Response, ApiError> {
    let select = parse_select(table, q)?;
    let expand = parse_expand(table, q)?;
    let lookup = key.clone();
    let found = st
        .db
        .run(move |conn| Ok(find_row(conn, table, &lookup)?))
        .await?;
    let row = found.ok_or_else(|| not_found(table, &key))?;
    let tag = etag(row.version);
    let cacheable = expand.is_empty() && prefer.include_annotations.is_none();
    if cacheable && if_none_match.is_some_and(|tags| etag_matches(tags, row.version)) {
        return Ok(reply(StatusCode::NOT_MODIFIED, None, &[("ETag", tag)]));
    }
    let wanted = Annotations::from_prefer(prefer.include_annotations.as_deref());
    let mut body = finish_rows(st, table, vec![row.row], select.clone(), expand, wanted)
        .await?
        .pop()
        .unwrap_or(Value::Null);
    if let Some(obj) = body.as_object_mut() {
        obj.insert(
            "@odata.context".into(),
            Value::from(format!(
                "{}/$entity",
                context(&st.root, table, select.as_deref())
            )),
        );
    }
    Ok(reply(
        StatusCode::OK,
        Some(body.to_string()),
        &[("ETag", tag)],
    ))
}
