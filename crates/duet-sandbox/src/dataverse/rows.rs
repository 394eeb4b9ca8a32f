//! Row storage in `dataverse.sqlite`: reading rows by key or by table, and inserting or
//! updating one row under a new environment-wide version.

use chrono::Utc;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value};

use crate::odata::ApiError;
use crate::store::next_counter;

use super::errors::duplicate;
use super::keys::RowKey;
use super::state::Who;
use super::tables::Table;

/// Starting value of the environment-wide row version counter.
pub(super) const VERSION_START: i64 = 1_000_000;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS dv_rows (
    entity TEXT NOT NULL,
    id TEXT NOT NULL,
    altkey TEXT,
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (entity, id)
);
CREATE UNIQUE INDEX IF NOT EXISTS dv_rows_altkey ON dv_rows (entity, altkey) WHERE altkey IS NOT NULL;
CREATE INDEX IF NOT EXISTS dv_rows_version ON dv_rows (entity, version);
CREATE TABLE IF NOT EXISTS dv_tombstones (
    entity TEXT NOT NULL,
    id TEXT NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (entity, id)
);";

fn now_text() -> String {
    Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

pub(super) fn etag(version: i64) -> String {
    format!("W/\"{version}\"")
}

pub(super) struct StoredRow {
    pub(super) id: String,
    pub(super) version: i64,
    pub(super) row: Map<String, Value>,
}

pub(super) fn row_from_sql(version: i64, body: &str) -> Map<String, Value> {
    let mut map = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v.as_object().cloned())
        .unwrap_or_default();
    map.insert("@odata.etag".into(), Value::from(etag(version)));
    map
}

pub(super) fn find_row(
    conn: &Connection,
    table: &Table,
    key: &RowKey,
) -> Result<Option<StoredRow>, rusqlite::Error> {
    let (sql, value) = match key {
        RowKey::Id(id) => (
            "SELECT id, version, body FROM dv_rows WHERE entity = ?1 AND id = ?2",
            id.to_ascii_lowercase(),
        ),
        RowKey::Alt(v) => (
            "SELECT id, version, body FROM dv_rows WHERE entity = ?1 AND altkey = ?2",
            v.to_lowercase(),
        ),
    };
    conn.query_row(sql, params![table.set, value], |r| {
        let version: i64 = r.get(1)?;
        Ok(StoredRow {
            id: r.get(0)?,
            version,
            row: row_from_sql(version, &r.get::<_, String>(2)?),
        })
    })
    .optional()
}

pub(super) fn load_rows(
    conn: &Connection,
    table: &str,
    sql: &str,
    args: &[&dyn rusqlite::ToSql],
) -> Result<Vec<Map<String, Value>>, rusqlite::Error> {
    let mut stmt = conn.prepare(sql)?;
    let mut all: Vec<&dyn rusqlite::ToSql> = vec![&table];
    all.extend_from_slice(args);
    let rows = stmt.query_map(all.as_slice(), |r| {
        Ok(row_from_sql(r.get(0)?, &r.get::<_, String>(1)?))
    })?;
    rows.collect()
}

/// The stored alternate key of a row: its key column, or its key parts joined in key order
/// (each as text, a lookup as the looked-up row's id); none while a part is empty.
fn alt_value(table: &Table, row: &Map<String, Value>) -> Option<String> {
    if table.alt_parts.is_empty() {
        return row
            .get(table.alt_key)
            .and_then(Value::as_str)
            .map(str::to_lowercase);
    }
    let parts: Option<Vec<String>> = table
        .alt_parts
        .iter()
        .map(|part| match row.get(part.name)? {
            Value::String(text) => Some(text.to_lowercase()),
            Value::Number(number) => Some(number.to_string()),
            _ => None,
        })
        .collect();
    parts.map(|parts| join_key(&parts))
}

/// Separates the parts of a multi-part alternate key in its stored form.
pub(super) const KEY_PART_SEPARATOR: char = '\u{1f}';

pub(super) fn join_key(parts: &[String]) -> String {
    parts.join(&KEY_PART_SEPARATOR.to_string())
}

fn check_alt_unique(
    conn: &Connection,
    table: &Table,
    alt: Option<&str>,
    id: &str,
) -> Result<(), ApiError> {
    if let Some(alt) = alt
        && let Some(other) = find_row(conn, table, &RowKey::Alt(alt.to_string()))?
        && other.id != id
    {
        return Err(duplicate());
    }
    Ok(())
}

pub(super) struct Written {
    pub(super) id: String,
    pub(super) version: i64,
    pub(super) created: bool,
    pub(super) row: Map<String, Value>,
}

/// Sets what the service fills in on create: audit stamps, owner, state and status.
fn stamp_created(table: &Table, row: &mut Map<String, Value>, who: &Who, version: i64) {
    let now = now_text();
    let user = Value::from(who.user_id.clone());
    row.insert("createdon".into(), Value::from(now.clone()));
    row.insert("modifiedon".into(), Value::from(now));
    row.insert("versionnumber".into(), Value::from(version));
    row.insert("_createdby_value".into(), user.clone());
    row.insert("_modifiedby_value".into(), user.clone());
    if table.readable("_ownerid_value") {
        row.insert("_ownerid_value".into(), user.clone());
        row.insert("_owninguser_value".into(), user);
        let unit = Value::from(who.business_unit_id.clone());
        row.insert("_owningbusinessunit_value".into(), unit);
    } else if table.readable("_organizationid_value") {
        let organization = Value::from(who.organization_id.clone());
        row.insert("_organizationid_value".into(), organization);
    }
    let state = row.get("statecode").and_then(Value::as_i64);
    if state.is_none() {
        row.insert("statecode".into(), Value::from(0));
    }
    if row.get("statuscode").is_none_or(Value::is_null) {
        // Each state's default status is numbered one above it (`metadata/optionsets.rs`).
        row.insert("statuscode".into(), Value::from(state.unwrap_or(0) + 1));
    }
    let rate_is_system = table.column("exchangerate").is_some_and(|c| c.read_only);
    if rate_is_system
        && row
            .get("_transactioncurrencyid_value")
            .is_some_and(|v| !v.is_null())
    {
        row.insert("exchangerate".into(), Value::from(1.0));
    }
}

pub(super) fn insert_row(
    conn: &Connection,
    table: &Table,
    id: Option<String>,
    values: Map<String, Value>,
    who: &Who,
) -> Result<Written, ApiError> {
    let id = id.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    if find_row(conn, table, &RowKey::Id(id.clone()))?.is_some() {
        return Err(duplicate());
    }
    let mut row = Map::new();
    row.insert(table.id.into(), Value::from(id.clone()));
    for c in &table.columns {
        row.insert(c.name.into(), Value::Null);
    }
    for l in &table.lookups {
        row.insert(l.value.into(), Value::Null);
    }
    for l in &table.system_lookups {
        row.insert((*l).into(), Value::Null);
    }
    row.extend(values);
    let alt = alt_value(table, &row);
    check_alt_unique(conn, table, alt.as_deref(), &id)?;
    let version = next_counter(conn, "version", VERSION_START)?;
    stamp_created(table, &mut row, who, version);
    conn.execute(
        "INSERT INTO dv_rows (entity, id, altkey, version, body) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            table.set,
            id,
            alt,
            version,
            Value::Object(row.clone()).to_string()
        ],
    )?;
    // A re-created id is live again, so its old tombstone must not be reported as a delete.
    conn.execute(
        "DELETE FROM dv_tombstones WHERE entity = ?1 AND id = ?2",
        params![table.set, id],
    )?;
    row.insert("@odata.etag".into(), Value::from(etag(version)));
    Ok(Written {
        id,
        version,
        created: true,
        row,
    })
}

pub(super) fn update_row(
    conn: &Connection,
    table: &Table,
    existing: StoredRow,
    values: Map<String, Value>,
    who: &Who,
) -> Result<Written, ApiError> {
    let mut row = existing.row;
    row.remove("@odata.etag");
    // A new state without a status gets the state's default status, as Dataverse sets it.
    let new_state = values.get("statecode").and_then(Value::as_i64);
    if let Some(state) = new_state.filter(|_| !values.contains_key("statuscode")) {
        row.insert("statuscode".into(), Value::from(state + 1));
    }
    row.extend(values);
    let alt = alt_value(table, &row);
    check_alt_unique(conn, table, alt.as_deref(), &existing.id)?;
    let version = next_counter(conn, "version", VERSION_START)?;
    row.insert("modifiedon".into(), Value::from(now_text()));
    row.insert("versionnumber".into(), Value::from(version));
    row.insert("_modifiedby_value".into(), Value::from(who.user_id.clone()));
    conn.execute(
        "UPDATE dv_rows SET altkey = ?3, version = ?4, body = ?5 WHERE entity = ?1 AND id = ?2",
        params![
            table.set,
            existing.id,
            alt,
            version,
            Value::Object(row.clone()).to_string()
        ],
    )?;
    row.insert("@odata.etag".into(), Value::from(etag(version)));
    Ok(Written {
        id: existing.id,
        version,
        created: false,
        row,
    })
}
