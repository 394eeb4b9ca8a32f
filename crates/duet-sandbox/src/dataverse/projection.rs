//! Shaping rows for a reply: the `$select` projection, the `@odata.context` URL, and
//! expanded lookups with the annotations a client asked for.

use std::sync::Arc;

use rusqlite::Connection;
use serde_json::{Map, Value};

use crate::dv_expand::{self, Annotations, Expand};
use crate::odata::ApiError;

use super::keys::RowKey;
use super::rows::find_row;
use super::state::DvState;
use super::tables::{Table, lookup_target, table_by_set};

pub(super) fn project(
    table: &Table,
    mut row: Map<String, Value>,
    select: Option<&[String]>,
) -> Value {
    match select {
        None => Value::Object(row),
        Some(cols) => {
            let mut out = Map::new();
            if let Some(e) = row.remove("@odata.etag") {
                out.insert("@odata.etag".into(), e);
            }
            for c in cols {
                out.insert(c.clone(), row.get(c).cloned().unwrap_or(Value::Null));
            }
            out.insert(table.id.into(), row.remove(table.id).unwrap_or(Value::Null));
            Value::Object(out)
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
    if let Some(obj) = body.as_object_mut() {
        obj.insert(
            "@odata.context".into(),
            Value::from(format!("{}/$entity", context(&st.root, table, select))),
        );
    }
    body.to_string()
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
            .map(|r| project(table, r, select.as_deref()))
            .collect());
    }
    st.db
        .run(move |conn| {
            let conn: &Connection = conn;
            let target_row = |set: &str, id: &str| -> Option<Map<String, Value>> {
                let t = table_by_set(set)?;
                find_row(conn, t, &RowKey::Id(id.to_string()))
                    .ok()
                    .flatten()
                    .map(|r| r.row)
            };
            let names = |set: &str, id: &str| {
                target_row(set, id).and_then(|r| dv_expand::display_name(set, &r))
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
                let mut obj = match project(table, row, select.as_deref()) {
                    Value::Object(m) => m,
                    other => return Ok(vec![other]),
                };
                if wanted.any() {
                    dv_expand::annotate(table.set, &mut obj, wanted, &names);
                }
                for (e, id) in expand.iter().zip(ids) {
                    let target = lookup_target(table, &e.nav);
                    let value =
                        id.and_then(|id| target_row(target.set, &id))
                            .map_or(Value::Null, |r| {
                                let mut v = project(target, r, e.select.as_deref());
                                if wanted.any()
                                    && let Some(m) = v.as_object_mut()
                                {
                                    dv_expand::annotate(target.set, m, wanted, &names);
                                }
                                v
                            });
                    obj.insert(e.nav.clone(), value);
                }
                out.push(Value::Object(obj));
            }
            Ok(out)
        })
        .await
}
