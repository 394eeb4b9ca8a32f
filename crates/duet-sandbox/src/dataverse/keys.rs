//! Row keys in URLs: a key predicate parsed into a primary id or an alternate key value, and a
//! key written back into an entity URL or an error message.

use serde_json::Value;

use crate::odata::{self, ApiError, KeyPart, KeyValue};

use super::errors::bad_request;
use super::rows::{KEY_PART_SEPARATOR, join_key};
use super::tables::Table;

#[derive(Debug, Clone)]
pub(super) enum RowKey {
    Id(String),
    Alt(String),
}

pub(super) fn parse_guid(text: &str) -> Option<String> {
    let t = text.trim().trim_start_matches('{').trim_end_matches('}');
    uuid::Uuid::try_parse(t).ok().map(|u| u.to_string())
}

pub(super) fn parse_row_key(table: &Table, raw: &str) -> Result<RowKey, ApiError> {
    let parts = odata::parse_key_predicate(raw)
        .map_err(|e| bad_request(format!("The key '{raw}' is not valid: {e}.")))?;
    let unknown = || {
        bad_request(format!(
            "The key '{raw}' does not match a key defined for entity '{}'.",
            table.logical
        ))
    };
    match parts.as_slice() {
        [part] => parse_single(table, part),
        _ if !table.alt_parts.is_empty() => parse_parts(table, &parts).ok_or_else(unknown),
        _ => Err(unknown()),
    }
}

fn parse_single(table: &Table, part: &KeyPart) -> Result<RowKey, ApiError> {
    let as_id = |v: &KeyValue| {
        parse_guid(v.text())
            .map(RowKey::Id)
            .ok_or_else(|| bad_request(format!("'{}' is not a valid Guid.", v.text())))
    };
    match (&part.name, &part.value) {
        (None, v) => as_id(v),
        (Some(n), v) if n == table.id => as_id(v),
        (Some(n), KeyValue::Quoted(v)) if n == table.alt_key && !n.is_empty() => {
            Ok(RowKey::Alt(v.clone()))
        }
        (Some(n), _) => Err(bad_request(format!(
            "The key attribute '{n}' is not defined as an alternate key for entity '{}'.",
            table.logical
        ))),
    }
}

/// A multi-part alternate key: every part named once, a lookup part as a bare id.
fn parse_parts(table: &Table, parts: &[KeyPart]) -> Option<RowKey> {
    let mut values = Vec::with_capacity(table.alt_parts.len());
    for key_part in &table.alt_parts {
        let mut named = parts
            .iter()
            .filter(|p| p.name.as_deref().is_some_and(|n| key_part.named(n)));
        let (Some(part), None) = (named.next(), named.next()) else {
            return None;
        };
        let value = match (key_part.lookup, &part.value) {
            (Some(_), KeyValue::Bare(id)) => parse_guid(id)?,
            (None, KeyValue::Quoted(text)) => text.clone(),
            _ => return None,
        };
        values.push(value);
    }
    Some(RowKey::Alt(join_key(&values)))
}

/// The predicate inside `set(...)` that addresses `key`.
fn predicate(table: &Table, key: &RowKey) -> String {
    match key {
        RowKey::Id(id) => id.clone(),
        RowKey::Alt(v) if table.alt_parts.is_empty() => {
            format!("{}={}", table.alt_key, odata::quote_key(v))
        }
        RowKey::Alt(v) => table
            .alt_parts
            .iter()
            .zip(v.split(KEY_PART_SEPARATOR))
            .map(|(part, value)| match part.lookup {
                Some(_) => format!("{}={value}", part.name),
                None => format!("{}={}", part.name, odata::quote_key(value)),
            })
            .collect::<Vec<_>>()
            .join(","),
    }
}

/// The columns an alternate key sets, with their values: what a row created through the key
/// URL holds unless its body says otherwise.
pub(super) fn key_columns(table: &Table, alt: &str) -> Vec<(&'static str, Value)> {
    if table.alt_parts.is_empty() {
        return vec![(table.alt_key, Value::from(alt))];
    }
    table
        .alt_parts
        .iter()
        .zip(alt.split(KEY_PART_SEPARATOR))
        .map(|(part, value)| (part.name, Value::from(value)))
        .collect()
}

pub(super) fn key_url(root: &str, table: &Table, key: &RowKey) -> String {
    format!("{root}/{}({})", table.set, predicate(table, key))
}

pub(super) fn key_description(table: &Table, key: &RowKey) -> String {
    match key {
        RowKey::Id(id) => id.clone(),
        RowKey::Alt(v) if table.alt_parts.is_empty() => format!("{}='{v}'", table.alt_key),
        RowKey::Alt(_) => predicate(table, key),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tables::known_table;
    use super::*;

    #[test]
    fn row_keys() {
        let k =
            parse_row_key(known_table("accounts"), "accountnumber='A''1'").expect("alternate key");
        assert!(
            matches!(k, RowKey::Alt(ref v) if v == "A'1"),
            "quote undoubled"
        );
        let k = parse_row_key(
            known_table("accounts"),
            "6F9619FF-8B86-D011-B42D-00C04FC964FF",
        )
        .expect("guid");
        assert!(
            matches!(k, RowKey::Id(ref v) if v == "6f9619ff-8b86-d011-b42d-00c04fc964ff"),
            "guid normalised to lowercase"
        );
        assert!(
            parse_row_key(known_table("accounts"), "name='x'").is_err(),
            "name is not a key"
        );
    }
}
