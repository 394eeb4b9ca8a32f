//! Change tracking: the first pages of every row with a delta link, then the changes and
//! deletions since a delta token, optionally waiting for them with `Prefer: wait`.

use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::Response;
use chrono::{NaiveDateTime, Utc};
use rusqlite::params;
use serde_json::{Map, Value, json};

use crate::odata::{ApiError, Prefer, Query, collection_body, reply};
use crate::store::read_counter;

use super::errors::bad_request;
use super::projection::{context, project};
use super::query::{cookie_attr, page_size};
use super::rows::{VERSION_START, load_rows};
use super::state::DvState;
use super::tables::Table;

/// Upper bound for `Prefer: wait=N`, in seconds.
const MAX_WAIT_SECS: u64 = 60;

fn delta_token(version: i64) -> String {
    format!("{version}!{}", Utc::now().format("%m/%d/%Y %H:%M:%S"))
}

fn parse_delta_token(token: &str) -> Result<i64, ApiError> {
    let malformed = || bad_request(format!("The delta token '{token}' is not valid."));
    let (version, stamp) = token.split_once('!').unwrap_or((token, ""));
    let version = version.trim().parse::<i64>().map_err(|_| malformed())?;
    if version < 0 {
        return Err(malformed());
    }
    if !stamp.is_empty()
        && NaiveDateTime::parse_from_str(stamp.trim(), "%m/%d/%Y %H:%M:%S").is_err()
    {
        return Err(malformed());
    }
    Ok(version)
}

fn delta_link(st: &DvState, table: &Table, q: &Query, version: i64) -> String {
    let mut carry = Query::default();
    if let Some(s) = q.get("$select") {
        carry.pairs.push(("$select".into(), s.to_string()));
    }
    format!(
        "{}/{}?{}",
        st.root,
        table.set,
        carry.rebuild(&[], &[("$deltatoken", delta_token(version))])
    )
}

/// A collection read with change tracking: a first tracking page, or the changes since a
/// delta token. Dataverse refuses the query options it cannot track.
pub(super) async fn tracked_list(
    st: &Arc<DvState>,
    table: &'static Table,
    q: &Query,
    prefer: &Prefer,
    skiptoken: Option<&str>,
    select: Option<Vec<String>>,
) -> Result<Response, ApiError> {
    for opt in ["$filter", "$orderby", "$expand", "$top"] {
        if q.get(opt).is_some() {
            return Err(bad_request(format!(
                "The \"{opt}\" query parameter isn't supported when Change Tracking is enabled."
            )));
        }
    }
    match q.get("$deltatoken") {
        Some(token) => changes_since(st, table, q, prefer, parse_delta_token(token)?, select).await,
        None => initial_tracking(st, table, q, prefer, skiptoken, select).await,
    }
}

/// Where a tracking page resumes: the last id already sent and the version pinned by the first
/// page, both carried in the paging cookie; a first page starts before every id.
fn resume_point(skiptoken: Option<&str>) -> Result<(String, Option<i64>), ApiError> {
    Ok(match skiptoken {
        None => (String::new(), None),
        Some(c) => {
            let last = cookie_attr(c, "last");
            let version = cookie_attr(c, "version").and_then(|v| v.parse::<i64>().ok());
            match (last, version) {
                (Some(l), Some(v)) => (l, Some(v)),
                _ => return Err(bad_request("The $skiptoken is not valid.")),
            }
        }
    })
}

/// First change-tracking request: every current row, paged by id so concurrent deletes cannot
/// shift later pages, then a delta link pinned to the version read with the first page.
async fn initial_tracking(
    st: &Arc<DvState>,
    table: &'static Table,
    q: &Query,
    prefer: &Prefer,
    skiptoken: Option<&str>,
    select: Option<Vec<String>>,
) -> Result<Response, ApiError> {
    let (after, pinned) = resume_point(skiptoken)?;
    let page_number = skiptoken
        .and_then(|c| cookie_attr(c, "pagenumber"))
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(1);
    let size = page_size(prefer);
    let set = table.set;
    let (mut rows, version) = st
        .db
        .run(move |conn| {
            let tx = conn.savepoint()?;
            let version = match pinned {
                Some(v) => v,
                None => read_counter(&tx, "version", VERSION_START)?,
            };
            let limit = (size + 1) as i64;
            let rows = load_rows(
                &tx,
                set,
                "SELECT version, body FROM dv_rows WHERE entity = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
                &[&after, &limit],
            )?;
            Ok((rows, version))
        })
        .await?;
    let has_more = rows.len() > size;
    rows.truncate(size);
    let last_id = rows
        .last()
        .and_then(|r| r.get(table.id))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let page: Vec<Value> = rows
        .into_iter()
        .map(|r| Value::Object(project(table, r, select.as_deref())))
        .collect();
    let (next, delta) = if has_more {
        let cookie = format!(
            "<cookie pagenumber=\"{}\" last=\"{last_id}\" version=\"{version}\" istracking=\"True\" />",
            page_number + 1
        );
        let link = format!(
            "{}/{}?{}",
            st.root,
            table.set,
            q.rebuild(&["$skiptoken"], &[("$skiptoken", cookie)])
        );
        (Some(link), None)
    } else {
        (None, Some(delta_link(st, table, q, version)))
    };
    let body = collection_body(
        &context(&st.root, table, select.as_deref()),
        None,
        &page,
        next.as_deref(),
        delta.as_deref(),
    );
    let mut applied = vec!["odata.track-changes".to_string()];
    if let Some(n) = prefer.max_page_size {
        applied.push(format!("odata.maxpagesize={n}"));
    }
    Ok(reply(
        StatusCode::OK,
        Some(body),
        &[("Preference-Applied", applied.join(","))],
    ))
}

struct Delta {
    rows: Vec<Map<String, Value>>,
    deleted: Vec<String>,
    version: i64,
}

/// Reads the rows changed and the ids deleted after `since`, with the version they were read
/// at, in one savepoint so the next delta link covers exactly what follows.
async fn read_delta(st: &DvState, set: &'static str, since: i64) -> Result<Delta, ApiError> {
    st.db
        .run(move |conn| {
            let tx = conn.savepoint()?;
            let version = read_counter(&tx, "version", VERSION_START)?;
            let rows = load_rows(
                &tx,
                set,
                "SELECT version, body FROM dv_rows WHERE entity = ?1 AND version > ?2 ORDER BY version",
                &[&since],
            )?;
            let mut stmt = tx.prepare(
                "SELECT id FROM dv_tombstones WHERE entity = ?1 AND version > ?2 ORDER BY version",
            )?;
            let deleted = stmt
                .query_map(params![set, since], |r| r.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()?;
            drop(stmt);
            Ok(Delta {
                rows,
                deleted,
                version,
            })
        })
        .await
}

/// Follows a delta link: changed rows in version order, then deletions, then a new delta link.
async fn changes_since(
    st: &Arc<DvState>,
    table: &'static Table,
    q: &Query,
    prefer: &Prefer,
    since: i64,
    select: Option<Vec<String>>,
) -> Result<Response, ApiError> {
    let wait = prefer.wait.unwrap_or(0).min(MAX_WAIT_SECS);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(wait);
    let mut notified = st
        .notify
        .get(table.set)
        .map(|tx| tx.subscribe())
        .ok_or_else(|| ApiError::internal("No change channel for table."))?;
    let mut shutdown = st.shutdown.clone();
    let set = table.set;
    let delta = loop {
        // Mark the current value seen before reading, so a write racing the read still wakes us.
        notified.borrow_and_update();
        let d = read_delta(st, set, since).await?;
        if !d.rows.is_empty() || !d.deleted.is_empty() || wait == 0 || *shutdown.borrow() {
            break d;
        }
        tokio::select! {
            changed = notified.changed() => {
                if changed.is_err() {
                    break d;
                }
            }
            _ = tokio::time::sleep_until(deadline) => break d,
            _ = shutdown.changed() => break d,
        }
    };
    let mut value: Vec<Value> = delta
        .rows
        .into_iter()
        .map(|r| Value::Object(project(table, r, select.as_deref())))
        .collect();
    let deleted_context = format!("{}/$metadata#{}/$deletedEntity", st.root, table.set);
    value.extend(
        delta
            .deleted
            .into_iter()
            .map(|id| json!({"@odata.context": deleted_context, "id": id, "reason": "deleted"})),
    );
    let body = collection_body(
        &format!("{}/$delta", context(&st.root, table, select.as_deref())),
        None,
        &value,
        None,
        Some(&delta_link(st, table, q, delta.version)),
    );
    Ok(reply(
        StatusCode::OK,
        Some(body),
        &[("Preference-Applied", "odata.track-changes".to_string())],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delta_tokens_round_trip() {
        let t = delta_token(42);
        assert_eq!(parse_delta_token(&t).expect("own token parses"), 42);
        assert!(
            parse_delta_token("abc").is_err(),
            "non-numeric version is malformed"
        );
        assert!(
            parse_delta_token("5!not a date").is_err(),
            "bad stamp is malformed"
        );
    }
}
