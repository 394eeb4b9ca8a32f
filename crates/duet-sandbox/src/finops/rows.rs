//! Row storage in `finops.sqlite`: storage keys, ETags, reading one row or every row of an
//! entity.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value};

use crate::odata::ApiError;

use super::state::FoState;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS fo_rows (
    entity TEXT NOT NULL,
    k TEXT NOT NULL,
    recid INTEGER NOT NULL,
    recversion INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (entity, k)
);";

/// First RecId handed out, in the range real environments use.
pub(super) const RECID_START: i64 = 5_637_144_575;

/// Keys are case-insensitive in F&O, so the storage key is upper-cased.
pub(super) fn storage_key(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| v.to_uppercase())
        .collect::<Vec<_>>()
        .join("\u{1f}")
}

pub(super) fn etag(recversion: i64, recid: i64) -> String {
    format!(
        "W/\"{}\"",
        STANDARD.encode(format!("'{recversion},{recid}'"))
    )
}

pub(super) fn row_from_sql(recid: i64, recversion: i64, body: &str) -> Map<String, Value> {
    let mut map = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v.as_object().cloned())
        .unwrap_or_default();
    map.insert("@odata.etag".into(), Value::from(etag(recversion, recid)));
    map
}

fn load_all(conn: &Connection, set: &str) -> Result<Vec<Map<String, Value>>, rusqlite::Error> {
    let mut stmt =
        conn.prepare("SELECT recid, recversion, body FROM fo_rows WHERE entity = ?1 ORDER BY k")?;
    let rows = stmt.query_map(params![set], |r| {
        Ok(row_from_sql(r.get(0)?, r.get(1)?, &r.get::<_, String>(2)?))
    })?;
    rows.collect()
}

/// Every row of `set` in storage order, read for one request and dropped with it (a
/// navigation's target rows for `$expand`).
pub(super) async fn all_rows(
    st: &FoState,
    set: &'static str,
) -> Result<Vec<Map<String, Value>>, ApiError> {
    st.db.run(move |conn| Ok(load_all(conn, set)?)).await
}

pub(super) struct Stored {
    pub(super) recid: i64,
    pub(super) recversion: i64,
    pub(super) row: Map<String, Value>,
}

pub(super) fn load_one(
    conn: &Connection,
    set: &str,
    k: &str,
) -> Result<Option<Stored>, rusqlite::Error> {
    conn.query_row(
        "SELECT recid, recversion, body FROM fo_rows WHERE entity = ?1 AND k = ?2",
        params![set, k],
        |r| {
            let recid: i64 = r.get(0)?;
            let recversion: i64 = r.get(1)?;
            let body: String = r.get(2)?;
            Ok(Stored {
                recid,
                recversion,
                row: row_from_sql(recid, recversion, &body),
            })
        },
    )
    .optional()
}

pub(super) fn str_field(row: &Map<String, Value>, name: &str) -> String {
    row.get(name)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etag_is_base64_of_version_and_recid() {
        assert_eq!(
            etag(0, 22565421176),
            "W/\"JzAsMjI1NjU0MjExNzYn\"",
            "observed F&O shape"
        );
    }
}
