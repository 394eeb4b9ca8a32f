//! Writes to an entity: checking a write body against its fields, then create (`POST`),
//! update (`PATCH` merges, `PUT` replaces) and delete, each raising its data event.

use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use rusqlite::params;
use serde_json::{Map, Value};

use crate::events::Operation;
use crate::odata::{ApiError, header_str, reply};
use crate::store::next_counter;

use super::entities::{DEFAULT_COMPANY, EntitySet, Kind, NULL_DATE, defaults};
use super::errors::{not_found, plain_error, precondition_failed, write_error};
use super::keys::{entity_url, key_pairs, key_text, stored_keys};
use super::rows::{RECID_START, etag, load_one, row_from_sql, storage_key, str_field};
use super::stamps::next_modified;
use super::state::FoState;

/// Checks a write body against the entity's fields, normalising values to their stored form.
fn validate_body(set: &EntitySet, body: &Bytes) -> Result<Map<String, Value>, ApiError> {
    let parsed: Value = serde_json::from_slice(body).map_err(|e| {
        plain_error(
            StatusCode::BAD_REQUEST,
            format!("The request body is not valid JSON: {e}."),
        )
    })?;
    let Value::Object(obj) = parsed else {
        return Err(plain_error(
            StatusCode::BAD_REQUEST,
            "The request body must be a JSON object.",
        ));
    };
    let mut out = Map::new();
    for (name, value) in obj {
        // Instance annotations such as `@odata.type` and `@odata.etag` are accepted and dropped.
        if name.starts_with('@') || name.contains("@odata.") {
            continue;
        }
        let Some(field) = set.field(&name) else {
            return Err(write_error(
                set,
                &format!(
                    "The property '{name}' does not exist on type 'Microsoft.Dynamics.DataEntities.{}'",
                    set.type_name
                ),
            ));
        };
        let bad = || {
            write_error(
                set,
                &format!("The value {value} is not valid for field '{name}'"),
            )
        };
        let normalised = match field.kind {
            Kind::Time => continue,
            Kind::Date => match &value {
                Value::Null => Value::from(NULL_DATE),
                Value::String(_) => value.clone(),
                _ => return Err(bad()),
            },
            Kind::Str => match &value {
                Value::Null => Value::from(""),
                Value::String(_) => value.clone(),
                _ => return Err(bad()),
            },
            Kind::Num => match &value {
                Value::Null => Value::from(0),
                Value::Number(_) => value.clone(),
                Value::String(s) => s
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                    .map(Value::Number)
                    .ok_or_else(bad)?,
                _ => return Err(bad()),
            },
            Kind::Enum(members) => {
                let s = value.as_str().ok_or_else(bad)?;
                let m = members
                    .iter()
                    .find(|m| m.eq_ignore_ascii_case(s))
                    .ok_or_else(bad)?;
                Value::from(m.as_str())
            }
        };
        out.insert(name, normalised);
    }
    Ok(out)
}

pub(super) async fn create(
    st: &Arc<FoState>,
    set: &'static EntitySet,
    body: &Bytes,
) -> Result<Response, ApiError> {
    let changes = validate_body(set, body)?;
    let mut row = defaults(set);
    row.extend(changes);
    if set.company_specific {
        let company = str_field(&row, "dataAreaId");
        let company = if company.is_empty() {
            DEFAULT_COMPANY.to_string()
        } else {
            company.to_uppercase()
        };
        row.insert("dataAreaId".into(), Value::from(company));
    }
    for k in &set.keys {
        if str_field(&row, k).trim().is_empty() {
            return Err(write_error(set, &format!("Field '{k}' must be filled in")));
        }
    }
    let values: Vec<String> = set.keys.iter().map(|k| str_field(&row, k)).collect();
    let refs: Vec<&str> = values.iter().map(String::as_str).collect();
    let k = storage_key(&refs);
    let key_desc = key_text(set, &values);
    let (events, event_keys) = (st.events.clone(), values.clone());
    let stored = st
        .db
        .run(move |conn| {
            let tx = conn.savepoint()?;
            if set.company_specific {
                let company = str_field(&row, "dataAreaId");
                if load_one(&tx, "LegalEntities", &storage_key(&[&company]))?.is_none() {
                    return Err(write_error(
                        set,
                        &format!(
                            "The value '{company}' in field 'dataAreaId' is not found in the related table 'Legal entities'"
                        ),
                    ));
                }
            }
            if load_one(&tx, set.name, &k)?.is_some() {
                return Err(write_error(
                    set,
                    &format!("Cannot create a record in {}. {key_desc}. The record already exists", set.type_name),
                ));
            }
            let recid = next_counter(&tx, "recid", RECID_START)?;
            // Stamp inside the lock so stamp order equals commit order for watermark pollers.
            row.insert("ModifiedDateTime".into(), Value::from(next_modified()));
            tx.execute(
                "INSERT INTO fo_rows (entity, k, recid, recversion, body) VALUES (?1, ?2, ?3, 1, ?4)",
                params![set.name, k, recid, Value::Object(row.clone()).to_string()],
            )?;
            events.enqueue(&tx, set.name, Operation::Create, &key_pairs(set, &event_keys))?;
            tx.commit()?;
            Ok(row_from_sql(recid, 1, &Value::Object(row).to_string()))
        })
        .await?;
    st.events.wake();
    let etag = str_field(&stored, "@odata.etag");
    let location = entity_url(st, set, &values);
    let mut body = stored;
    body.insert(
        "@odata.context".into(),
        Value::from(format!("{}/data/$metadata#{}/$entity", st.url, set.name)),
    );
    Ok(reply(
        StatusCode::CREATED,
        Some(Value::Object(body).to_string()),
        &[("Location", location), ("ETag", etag)],
    ))
}

fn etag_matches(if_match: Option<&str>, current: &str) -> bool {
    match if_match {
        None => true,
        Some(v) => v
            .split(',')
            .map(str::trim)
            .any(|t| t == "*" || t == current),
    }
}

pub(super) async fn update(
    st: &Arc<FoState>,
    set: &'static EntitySet,
    values: Vec<String>,
    headers: &HeaderMap,
    body: &Bytes,
    partial: bool,
) -> Result<Response, ApiError> {
    let changes = validate_body(set, body)?;
    for (k, v) in set.keys.iter().zip(&values) {
        if let Some(new) = changes.get(*k).and_then(Value::as_str)
            && !new.eq_ignore_ascii_case(v)
        {
            return Err(write_error(
                set,
                &format!("The key field '{k}' cannot be changed from '{v}' to '{new}'"),
            ));
        }
    }
    let if_match = header_str(headers, "if-match").map(str::to_string);
    let refs: Vec<&str> = values.iter().map(String::as_str).collect();
    let k = storage_key(&refs);
    let missing = not_found(set, &values);
    let events = st.events.clone();
    let etag = st
        .db
        .run(move |conn| {
            let tx = conn.savepoint()?;
            let Some(stored) = load_one(&tx, set.name, &k)? else {
                return Err(missing);
            };
            let current = str_field(&stored.row, "@odata.etag");
            if !etag_matches(if_match.as_deref(), &current) {
                return Err(precondition_failed());
            }
            // Events carry the keys as stored, whatever case the URL used.
            let event_keys = stored_keys(set, &stored.row);
            let mut row = if partial {
                stored.row
            } else {
                let mut fresh = defaults(set);
                for key in &set.keys {
                    fresh.insert(
                        (*key).to_string(),
                        stored.row.get(*key).cloned().unwrap_or_default(),
                    );
                }
                fresh
            };
            row.remove("@odata.etag");
            for (name, v) in changes {
                // Keys keep their stored spelling; only case could differ here.
                if !set.keys.contains(&name.as_str()) {
                    row.insert(name, v);
                }
            }
            row.insert("ModifiedDateTime".into(), Value::from(next_modified()));
            let recversion = stored.recversion + 1;
            tx.execute(
                "UPDATE fo_rows SET recversion = ?3, body = ?4 WHERE entity = ?1 AND k = ?2",
                params![set.name, k, recversion, Value::Object(row).to_string()],
            )?;
            events.enqueue(
                &tx,
                set.name,
                Operation::Update,
                &key_pairs(set, &event_keys),
            )?;
            tx.commit()?;
            Ok(etag(recversion, stored.recid))
        })
        .await?;
    st.events.wake();
    Ok(reply(StatusCode::NO_CONTENT, None, &[("ETag", etag)]))
}

pub(super) async fn delete(
    st: &Arc<FoState>,
    set: &'static EntitySet,
    values: Vec<String>,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let if_match = header_str(headers, "if-match").map(str::to_string);
    let refs: Vec<&str> = values.iter().map(String::as_str).collect();
    let k = storage_key(&refs);
    let missing = not_found(set, &values);
    let events = st.events.clone();
    st.db
        .run(move |conn| {
            let tx = conn.savepoint()?;
            let Some(stored) = load_one(&tx, set.name, &k)? else {
                return Err(missing);
            };
            if !etag_matches(if_match.as_deref(), &str_field(&stored.row, "@odata.etag")) {
                return Err(precondition_failed());
            }
            let event_keys = stored_keys(set, &stored.row);
            tx.execute(
                "DELETE FROM fo_rows WHERE entity = ?1 AND k = ?2",
                params![set.name, k],
            )?;
            events.enqueue(
                &tx,
                set.name,
                Operation::Delete,
                &key_pairs(set, &event_keys),
            )?;
            tx.commit()?;
            Ok(())
        })
        .await?;
    st.events.wake();
    Ok(reply(StatusCode::NO_CONTENT, None, &[]))
}
