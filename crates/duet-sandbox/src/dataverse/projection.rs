//! Shaping rows for a reply: the `$select` projection, the `@odata.context` URL, and
//! expanded lookups with the annotations a client asked for.

use std::sync::Arc;

use rusqlite::Connection;
use serde_json::{Map, Value};

use crate::expand::Expand;
use crate::odata::ApiError;

use super::annotations::{Annotations, annotate, display_name};
use super::keys::RowKey;
use super::rows::find_row;
use super::state::DvState;
use super::tables::{Table, lookup_target, table_by_set};

/// A row narrowed to `$select` (with its etag and primary id), or the whole row without it.
pub(super) fn project(
    table: &Table,
    mut row: Map<String, Value>,
    select: Option<&[String]>,
) -> Map<String, Value> {
    match select {
        None => row,
        Some(cols) => {
            let mut out = Map::new();
            if let Some(e) = row.remove("@odata.etag") {
                out.insert("@odata.etag".into(), e);
            }
            for c in cols {
                out.insert(c.clone(), row.get(c).cloned().unwrap_or(Value::Null));
            }
            out.insert(table.id.into(), row.remove(table.id).unwrap_or(Value::Null));
            out
        }
    }
}

pub(super) fn context(root: &str, table: &Table, select: Option<&[String]>) -> String {
    match select {
        Some(cols) => format!("{root}/$metadata#{}({})", table.set, cols.join(",")),
        None => format!("{root}/$metadata#{}", table.set),
    }
}

pub(super) fn entity_body(
    st: &DvState,
    table: &Table,
    row: Map<String, Value>,
    select: Option<&[String]>,
) -> String {
    let mut body = project(table, row, select);
    body.insert(
        "@odata.context".into(),
        Value::from(format!("{}/$entity", context(&st.root, table, select))),
    );
    Value::Object(body).to_string()
}

/// Projects rows, then adds expanded lookups and the requested annotations, reading the
/// lookup targets in one database call.
pub(super) async fn finish_rows(
    st: &Arc<DvState>,
    table: &'static Table,
    rows: Vec<Map<String, Value>>,
    select: Option<Vec<String>>,
    expand: Vec<Expand>,
    wanted: Annotations,
) -> Result<Vec<Value>, ApiError> {
    if expand.is_empty() && !wanted.any() {
        return Ok(rows
            .into_iter()
            .map(|r| Value::Object(project(table, r, select.as_deref())))
            .collect());
    }
    st.db
        .run(move |conn| {
            Ok(expand_and_annotate(
                conn,
                table,
                rows,
                select.as_deref(),
                &expand,
                wanted,
            )?)
        })
        .await
}

/// The synchronous part of [`finish_rows`]. A failed read of a lookup's target row is an
/// error: showing the lookup as `null` would tell the client the row has no such reference.
fn expand_and_annotate(
    conn: &Connection,
    table: &Table,
    rows: Vec<Map<String, Value>>,
    select: Option<&[String]>,
    expand: &[Expand],
    wanted: Annotations,
) -> Result<Vec<Value>, rusqlite::Error> {
    let target_row = |set: &str, id: &str| -> Result<Option<Map<String, Value>>, rusqlite::Error> {
        let Some(t) = table_by_set(set) else {
            return Ok(None);
        };
        Ok(find_row(conn, t, &RowKey::Id(id.to_string()))?.map(|r| r.row))
    };
    let names = |set: &str, id: &str| -> Result<Option<String>, rusqlite::Error> {
        Ok(target_row(set, id)?.and_then(|r| display_name(set, &r)))
    };
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let ids: Vec<Option<String>> = expand
            .iter()
            .map(|e| {
                row.get(&format!("_{}_value", e.nav))
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .collect();
        let mut obj = project(table, row, select);
        if wanted.any() {
            annotate(table.set, &mut obj, wanted, &names)?;
        }
        for (e, id) in expand.iter().zip(ids) {
            let target = lookup_target(table, &e.nav);
            let found = match id {
                Some(id) => target_row(target.set, &id)?,
                None => None,
            };
            let value = match found {
                None => Value::Null,
                Some(r) => {
                    let mut m = project(target, r, e.select.as_deref());
                    if wanted.any() {
                        annotate(target.set, &mut m, wanted, &names)?;
                    }
                    Value::Object(m)
                }
            };
            obj.insert(e.nav.clone(), value);
        }
        out.push(Value::Object(obj));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;

    use super::super::tables::known_table;
    use super::*;

    /// An account row whose company lookup points at a company row.
    fn account_with_company() -> Map<String, Value> {
        let mut row = Map::new();
        row.insert(
            "accountid".into(),
            Value::from("6f9619ff-8b86-d011-b42d-00c04fc964ff"),
        );
        row.insert(
            "_msdyn_company_value".into(),
            Value::from("0b6ec3c1-58d3-4b8e-9a4e-2f1c1d5c3a10"),
        );
        row
    }

    #[test]
    fn a_database_error_reading_a_lookup_target_is_returned_not_shown_as_null() {
        // GIVEN a connection without the emulator's tables, so reading any lookup target fails.
        let conn = Connection::open_in_memory().expect("in-memory database");
        let accounts = known_table("accounts");
        let company = vec![Expand {
            nav: "msdyn_company".into(),
            select: None,
        }];
        // WHEN an account is read with its company expanded.
        let expanded = expand_and_annotate(
            &conn,
            accounts,
            vec![account_with_company()],
            None,
            &company,
            Annotations::default(),
        );
        // THEN the database error comes back (and answers a 500 with the service's error
        // body), instead of a `null` company that a client would take for "no company".
        let e = ApiError::from(expanded.expect_err("a failed read of the company is an error"));
        assert_eq!(e.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", e.body);
        assert!(
            e.body["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("no such table")),
            "the error says what failed: {}",
            e.body
        );
        // WHEN the same account is read without $expand but with formatted values, which
        // also read the company for the lookup's display name.
        let annotated = expand_and_annotate(
            &conn,
            accounts,
            vec![account_with_company()],
            None,
            &[],
            Annotations::from_prefer(Some("*")),
        );
        // THEN that failed read is an error too, not a missing annotation.
        assert!(
            annotated.is_err(),
            "a failed read of a lookup's display name is an error: {annotated:?}"
        );
    }
}
