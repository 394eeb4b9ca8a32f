//! Entity keys: a key predicate resolved into values in key order, and key values written
//! back into an entity URL, an error message or a data event.

use axum::http::StatusCode;
use serde_json::{Map, Value};

use crate::odata::{self, ApiError, KeyValue};

use super::entities::EntitySet;
use super::errors::plain_error;
use super::rows::str_field;
use super::state::FoState;

pub(super) fn key_text(set: &EntitySet, values: &[String]) -> String {
    set.keys
        .iter()
        .zip(values)
        .map(|(k, v)| format!("{k}='{}'", v.replace('\'', "''")))
        .collect::<Vec<_>>()
        .join(",")
}

/// Resolves a key predicate into values in the order of `set.keys`.
pub(super) fn parse_key(set: &EntitySet, raw: &str) -> Result<Vec<String>, ApiError> {
    let parts = odata::parse_key_predicate(raw).map_err(|e| {
        plain_error(
            StatusCode::BAD_REQUEST,
            format!("The key '{raw}' is not valid: {e}."),
        )
    })?;
    let mismatch = || {
        plain_error(
            StatusCode::BAD_REQUEST,
            format!(
                "The number of keys specified in the URI does not match number of key properties for the resource 'Microsoft.Dynamics.DataEntities.{}'.",
                set.type_name
            ),
        )
    };
    if parts.len() != set.keys.len() {
        return Err(mismatch());
    }
    let mut values: Vec<Option<String>> = vec![None; set.keys.len()];
    for part in parts {
        let idx = match (&part.name, set.keys.len()) {
            (None, 1) => 0,
            (None, _) => return Err(mismatch()),
            (Some(n), _) => set.keys.iter().position(|k| k == n).ok_or_else(|| {
                plain_error(
                    StatusCode::BAD_REQUEST,
                    format!("'{n}' is not a key property of '{}'.", set.type_name),
                )
            })?,
        };
        let text = match part.value {
            KeyValue::Quoted(s) => s,
            KeyValue::Bare(s) => s,
        };
        if values[idx].replace(text).is_some() {
            return Err(mismatch());
        }
    }
    values.into_iter().map(|v| v.ok_or_else(mismatch)).collect()
}

pub(super) fn entity_url(st: &FoState, set: &EntitySet, values: &[String]) -> String {
    let key = set
        .keys
        .iter()
        .zip(values)
        .map(|(k, v)| format!("{k}={}", odata::quote_key(v)))
        .collect::<Vec<_>>()
        .join(",");
    format!("{}/data/{}({key})", st.url, set.name)
}

/// The key values of a stored row, in key order.
pub(super) fn stored_keys(set: &EntitySet, row: &Map<String, Value>) -> Vec<String> {
    set.keys.iter().map(|k| str_field(row, k)).collect()
}

/// Key field names paired with their values, for data events.
pub(super) fn key_pairs<'a>(set: &EntitySet, values: &'a [String]) -> Vec<(&'static str, &'a str)> {
    set.keys
        .iter()
        .copied()
        .zip(values.iter().map(String::as_str))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::entities::known_set;
    use super::*;

    #[test]
    fn key_requires_every_part() {
        assert!(
            parse_key(known_set("CustomersV3"), "CustomerAccount='C1'").is_err(),
            "dataAreaId missing"
        );
        let v = parse_key(
            known_set("CustomersV3"),
            "CustomerAccount='C''1',dataAreaId='DAT'",
        )
        .expect("valid key");
        assert_eq!(
            v,
            vec!["DAT".to_string(), "C'1".to_string()],
            "order follows the key definition"
        );
    }
}
