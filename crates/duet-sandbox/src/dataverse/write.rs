//! Single-row writes: checking a write body against the table, then create (`POST`), update
//! or insert (`PATCH`, with `If-Match` and `If-None-Match`) and delete with a tombstone.

use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use rusqlite::{Connection, params};
use serde_json::{Map, Value};

use crate::odata::{ApiError, Prefer, Query, header_str, reply, split_resource};
use crate::store::next_counter;

use super::errors::{
    CODE_INVALID_PROPERTY, CODE_NOT_FOUND, bad_request, duplicate, err, id_mismatch,
    invalid_property, not_found, too_long, version_mismatch,
};
use super::keys::{RowKey, key_columns, key_url, parse_guid, parse_row_key};
use super::projection::entity_body;
use super::query::parse_select;
use super::routing::ROOT_PATH;
use super::rows::{VERSION_START, Written, etag, find_row, insert_row, update_row};
use super::state::DvState;
use super::tables::{Kind, Lookup, Table, table_by_set};

/// Resolves an `@odata.bind` target such as `/cdm_companies(cdm_companycode='DAT')`.
fn resolve_bind(conn: &Connection, lookup: &Lookup, target: &str) -> Result<String, ApiError> {
    let unresolved = || {
        err(
            StatusCode::BAD_REQUEST,
            CODE_NOT_FOUND,
            format!(
                "The reference '{target}' for '{}' could not be resolved.",
                lookup.nav
            ),
        )
    };
    let path = match target.find(ROOT_PATH) {
        Some(pos) => &target[pos + ROOT_PATH.len()..],
        None => target,
    };
    let res = split_resource(path).map_err(|_| unresolved())?;
    let table = table_by_set(&res.set).filter(|t| t.set == lookup.target);
    let (Some(table), Some(key), None) = (table, res.key, res.tail) else {
        return Err(unresolved());
    };
    let key = parse_row_key(table, &key).map_err(|_| unresolved())?;
    find_row(conn, table, &key)?
        .map(|r| r.id)
        .ok_or_else(unresolved)
}

/// A validated write body: column values (lookups already resolved) and an optional id.
pub(super) struct Changes {
    pub(super) values: Map<String, Value>,
    pub(super) id: Option<String>,
}

pub(super) fn parse_body(body: &Bytes) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(bad_request("The request body must be a JSON object.")),
        Err(e) => Err(bad_request(format!(
            "The request body is not valid JSON: {e}."
        ))),
    }
}

pub(super) fn parse_changes(
    conn: &Connection,
    table: &Table,
    body: Map<String, Value>,
) -> Result<Changes, ApiError> {
    let mut values = Map::new();
    let mut id = None;
    for (name, value) in body {
        if name.starts_with('@') {
            continue;
        }
        if let Some(nav) = name.strip_suffix("@odata.bind") {
            let lookup = table
                .lookups
                .iter()
                .find(|l| l.nav == nav)
                .ok_or_else(|| invalid_property(table, &name))?;
            let resolved = match &value {
                Value::Null => Value::Null,
                Value::String(s) => Value::from(resolve_bind(conn, lookup, s)?),
                _ => return Err(invalid_property(table, &name)),
            };
            values.insert(lookup.value.to_string(), resolved);
            continue;
        }
        if let Some(lookup) = table.lookups.iter().find(|l| l.nav == name) {
            if !value.is_null() {
                return Err(bad_request(format!(
                    "Use '{}@odata.bind' to set the navigation property '{name}'.",
                    lookup.nav
                )));
            }
            values.insert(lookup.value.to_string(), Value::Null);
            continue;
        }
        if name == table.id {
            let guid = value.as_str().and_then(parse_guid).ok_or_else(|| {
                bad_request(format!("'{value}' is not a valid value for '{name}'."))
            })?;
            id = Some(guid);
            continue;
        }
        let Some(column) = table.column(&name) else {
            return Err(invalid_property(table, &name));
        };
        if column.read_only {
            // Dataverse maintains these itself and ignores client values.
            continue;
        }
        let ok = match column.kind {
            _ if value.is_null() => true,
            Kind::Str => value.is_string(),
            Kind::Money => value.is_number(),
            Kind::Int => value.is_i64(),
            Kind::Bool => value.is_boolean(),
        };
        if !ok {
            return Err(err(
                StatusCode::BAD_REQUEST,
                CODE_INVALID_PROPERTY,
                format!("Cannot convert the literal '{value}' to the expected type of '{name}'."),
            ));
        }
        if let (Some(limit), Some(text)) = (column.max_length, value.as_str())
            && text.chars().count() > limit
        {
            return Err(too_long(table, &name, limit));
        }
        values.insert(name, value);
    }
    Ok(Changes { values, id })
}

/// Whether an `If-Match` or `If-None-Match` value names the row at `version` (or is `*`).
pub(super) fn etag_matches(if_match: &str, version: i64) -> bool {
    let current = etag(version);
    if_match.split(',').map(str::trim).any(|t| {
        t == "*"
            || t == current
            || t.trim_start_matches("W/").trim_matches('"') == version.to_string()
    })
}

fn write_response(
    st: &DvState,
    table: &Table,
    written: Written,
    prefer: &Prefer,
    select: Option<&[String]>,
    entity_id: String,
) -> Response {
    if prefer.return_representation {
        let status = if written.created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        };
        reply(
            status,
            Some(entity_body(st, table, written.row, select)),
            &[
                ("ETag", etag(written.version)),
                ("Preference-Applied", "return=representation".to_string()),
            ],
        )
    } else {
        reply(
            StatusCode::NO_CONTENT,
            None,
            &[("OData-EntityId", entity_id)],
        )
    }
}

pub(super) async fn create(
    st: &Arc<DvState>,
    table: &'static Table,
    q: &Query,
    prefer: &Prefer,
    body: &Bytes,
) -> Result<Response, ApiError> {
    let select = parse_select(table, q)?;
    let body = parse_body(body)?;
    let who = st.who.clone();
    let written = st
        .db
        .run(move |conn| {
            let tx = conn.savepoint()?;
            let changes = parse_changes(&tx, table, body)?;
            let written = insert_row(&tx, table, changes.id, changes.values, &who)?;
            tx.commit()?;
            Ok(written)
        })
        .await?;
    st.changed(table, written.version);
    let entity_id = key_url(&st.root, table, &RowKey::Id(written.id.clone()));
    Ok(write_response(
        st,
        table,
        written,
        prefer,
        select.as_deref(),
        entity_id,
    ))
}

pub(super) async fn upsert(
    st: &Arc<DvState>,
    table: &'static Table,
    key: RowKey,
    q: &Query,
    prefer: &Prefer,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Response, ApiError> {
    let select = parse_select(table, q)?;
    let body = parse_body(body)?;
    let if_match = header_str(headers, "if-match").map(str::to_string);
    let if_none_match = header_str(headers, "if-none-match")
        .filter(|v| !v.eq_ignore_ascii_case("null"))
        .map(str::to_string);
    let target = key.clone();
    let who = st.who.clone();
    let written = st
        .db
        .run(move |conn| {
            let tx = conn.savepoint()?;
            let existing = find_row(&tx, table, &target)?;
            let mut changes = parse_changes(&tx, table, body)?;
            if let (RowKey::Id(url_id), Some(body_id)) = (&target, &changes.id)
                && url_id != body_id
            {
                return Err(id_mismatch(table, url_id, body_id));
            }
            let written = match existing {
                Some(row) => {
                    if if_none_match.as_deref() == Some("*") {
                        return Err(duplicate());
                    }
                    if let Some(im) = if_match.as_deref()
                        && !etag_matches(im, row.version)
                    {
                        return Err(version_mismatch());
                    }
                    // Keys cannot be changed through the key URL, so body key values are dropped.
                    if let RowKey::Alt(alt) = &target {
                        for (column, _) in key_columns(table, alt) {
                            changes.values.remove(column);
                        }
                    }
                    update_row(&tx, table, row, changes.values, &who)?
                }
                None => {
                    if if_match.is_some() {
                        return Err(not_found(table, &target));
                    }
                    let id = match &target {
                        RowKey::Id(id) => Some(id.clone()),
                        RowKey::Alt(alt) => {
                            // The URL supplies the key unless the body does.
                            for (column, value) in key_columns(table, alt) {
                                changes.values.entry(column).or_insert(value);
                            }
                            changes.id
                        }
                    };
                    insert_row(&tx, table, id, changes.values, &who)?
                }
            };
            tx.commit()?;
            Ok(written)
        })
        .await?;
    st.changed(table, written.version);
    let entity_id = key_url(&st.root, table, &key);
    Ok(write_response(
        st,
        table,
        written,
        prefer,
        select.as_deref(),
        entity_id,
    ))
}

pub(super) async fn delete(
    st: &Arc<DvState>,
    table: &'static Table,
    key: RowKey,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let if_match = header_str(headers, "if-match").map(str::to_string);
    let version = st
        .db
        .run(move |conn| {
            let tx = conn.savepoint()?;
            let row = find_row(&tx, table, &key)?.ok_or_else(|| not_found(table, &key))?;
            if let Some(im) = if_match.as_deref()
                && !etag_matches(im, row.version)
            {
                return Err(version_mismatch());
            }
            let version = next_counter(&tx, "version", VERSION_START)?;
            tx.execute(
                "DELETE FROM dv_rows WHERE entity = ?1 AND id = ?2",
                params![table.set, row.id],
            )?;
            tx.execute(
                "INSERT INTO dv_tombstones (entity, id, version) VALUES (?1, ?2, ?3)
                 ON CONFLICT(entity, id) DO UPDATE SET version = excluded.version",
                params![table.set, row.id, version],
            )?;
            tx.commit()?;
            Ok(version)
        })
        .await?;
    st.changed(table, version);
    Ok(reply(StatusCode::NO_CONTENT, None, &[]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags_match_weak_and_star() {
        assert!(etag_matches("W/\"7\"", 7));
        assert!(etag_matches("*", 7));
        assert!(!etag_matches("W/\"6\"", 7));
    }
}
