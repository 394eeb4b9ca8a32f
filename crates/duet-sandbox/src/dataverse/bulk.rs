//! The bulk messages `CreateMultiple`, `UpdateMultiple` and `UpsertMultiple` bound to a table.

use std::sync::Arc;

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::Response;
use rusqlite::Connection;
use serde_json::{Map, Value, json};

use crate::odata::{ApiError, reply, split_resource};

use super::errors::{bad_request, not_found};
use super::keys::{RowKey, key_columns, parse_row_key};
use super::routing::ROOT_PATH;
use super::rows::{Written, find_row, insert_row, join_key, update_row};
use super::state::{DvState, Who};
use super::tables::Table;
use super::write::{Changes, parse_body, parse_changes};

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Bulk {
    Create,
    Update,
    Upsert,
}

/// The row a bulk target addresses: its primary id, else its alternate key (every part of
/// a multi-part key, a lookup part bound with `@odata.bind`).
fn target_key(table: &Table, changes: &Changes) -> Option<RowKey> {
    let text = |column: &str| {
        changes
            .values
            .get(column)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    changes.id.clone().map(RowKey::Id).or_else(|| {
        if table.alt_parts.is_empty() {
            return text(table.alt_key).map(RowKey::Alt);
        }
        let parts: Option<Vec<String>> =
            table.alt_parts.iter().map(|part| text(part.name)).collect();
        parts.map(|parts| RowKey::Alt(join_key(&parts)))
    })
}

/// The key an `@odata.id` names: `accounts(accountnumber='X')`, with or without a leading `/`
/// or the service root, and of this table.
fn referenced_key(table: &Table, reference: &str) -> Result<RowKey, ApiError> {
    let path = match reference.find(ROOT_PATH) {
        Some(at) => &reference[at + ROOT_PATH.len()..],
        None => reference,
    };
    let res = split_resource(path).map_err(bad_request)?;
    match (res.key, res.tail) {
        (Some(key), None) if res.set == table.set => parse_row_key(table, &key),
        _ => Err(bad_request(format!(
            "The @odata.id '{reference}' does not address a row of '{}'.",
            table.set
        ))),
    }
}

/// Writes one target. A target names its row by `@odata.id` (the key URL, as a single
/// upsert's), else by its primary id or alternate-key columns. An upsert that creates a row
/// named by `@odata.id` takes the key from it unless the target sets the key columns, and an
/// update through it keeps the row's key.
fn write_target(
    tx: &Connection,
    table: &'static Table,
    bulk: Bulk,
    mut row: Map<String, Value>,
    who: &Who,
) -> Result<Written, ApiError> {
    let reference = match row.remove("@odata.id") {
        Some(Value::String(reference)) => Some(referenced_key(table, &reference)?),
        Some(other) => return Err(bad_request(format!("'{other}' is not a valid @odata.id."))),
        None => None,
    };
    let mut changes = parse_changes(tx, table, row)?;
    let key = reference.clone().or_else(|| target_key(table, &changes));
    let existing = match &key {
        Some(k) if bulk != Bulk::Create => find_row(tx, table, k)?,
        _ => None,
    };
    match (&reference, &existing) {
        (Some(RowKey::Alt(alt)), found) => {
            for (column, value) in key_columns(table, alt) {
                if found.is_some() {
                    changes.values.remove(column);
                } else {
                    changes.values.entry(column).or_insert(value);
                }
            }
        }
        (Some(RowKey::Id(id)), None) => changes.id = changes.id.or(Some(id.clone())),
        _ => {}
    }
    match (bulk, existing, key) {
        (Bulk::Create, _, _) => insert_row(tx, table, changes.id, changes.values, who),
        (_, Some(row), _) => update_row(tx, table, row, changes.values, who),
        (Bulk::Update, None, Some(k)) => Err(not_found(table, &k)),
        (Bulk::Update, None, None) => Err(bad_request(format!(
            "Each target of UpdateMultiple must contain '{}' or '{}'.",
            table.id, table.alt_key
        ))),
        (Bulk::Upsert, None, _) => insert_row(tx, table, changes.id, changes.values, who),
    }
}

/// `CreateMultiple`, `UpdateMultiple` and `UpsertMultiple`: every target in one transaction,
/// each written exactly like a single create or update so versions and change tracking match.
pub(super) async fn bulk_write(
    st: &Arc<DvState>,
    table: &'static Table,
    bulk: Bulk,
    body: &Bytes,
) -> Result<Response, ApiError> {
    let mut body = parse_body(body)?;
    let Some(Value::Array(targets)) = body.remove("Targets") else {
        return Err(bad_request(
            "The parameter 'Targets' is required and must be an array of entities.",
        ));
    };
    if targets.is_empty() {
        return Err(bad_request("The parameter 'Targets' must not be empty."));
    }
    let expected = table.entity_type();
    let mut rows = Vec::with_capacity(targets.len());
    for (i, target) in targets.into_iter().enumerate() {
        let Value::Object(row) = target else {
            return Err(bad_request(format!("Target {i} is not an entity object.")));
        };
        let kind = row
            .get("@odata.type")
            .and_then(Value::as_str)
            .map(|t| t.trim_start_matches('#'));
        if kind != Some(expected.as_str()) {
            return Err(bad_request(format!(
                "Target {i} must have \"@odata.type\": \"{expected}\"."
            )));
        }
        rows.push(row);
    }
    let who = st.who.clone();
    let (ids, version) = st
        .db
        .run(move |conn| {
            let tx = conn.savepoint()?;
            let mut ids = Vec::with_capacity(rows.len());
            let mut version = 0;
            for row in rows {
                let written = write_target(&tx, table, bulk, row, &who)?;
                ids.push(written.id);
                version = written.version;
            }
            tx.commit()?;
            Ok((ids, version))
        })
        .await?;
    st.changed(table, version);
    if bulk == Bulk::Create {
        let body = json!({
            "@odata.context": format!("{}/$metadata#Microsoft.Dynamics.CRM.CreateMultipleResponse", st.root),
            "Ids": ids,
        });
        Ok(reply(StatusCode::OK, Some(body.to_string()), &[]))
    } else {
        Ok(reply(StatusCode::NO_CONTENT, None, &[]))
    }
}
