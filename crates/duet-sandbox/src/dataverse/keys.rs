//! Row keys in URLs: a key predicate parsed into a primary id or an alternate key value, and a
//! key written back into an entity URL or an error message.

use crate::odata::{self, ApiError, KeyValue};

use super::errors::bad_request;
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
    let [part] = parts.as_slice() else {
        return Err(bad_request(format!(
            "The key '{raw}' does not match a key defined for entity '{}'.",
            table.logical
        )));
    };
    let as_id = |v: &KeyValue| {
        parse_guid(v.text())
            .map(RowKey::Id)
            .ok_or_else(|| bad_request(format!("'{}' is not a valid Guid.", v.text())))
    };
    match (&part.name, &part.value) {
        (None, v) => as_id(v),
        (Some(n), v) if n == table.id => as_id(v),
        (Some(n), KeyValue::Quoted(v)) if n == table.alt_key => Ok(RowKey::Alt(v.clone())),
        (Some(n), _) => Err(bad_request(format!(
            "The key attribute '{n}' is not defined as an alternate key for entity '{}'.",
            table.logical
        ))),
    }
}

pub(super) fn key_url(root: &str, table: &Table, key: &RowKey) -> String {
    match key {
        RowKey::Id(id) => format!("{root}/{}({id})", table.set),
        RowKey::Alt(v) => format!(
            "{root}/{}({}={})",
            table.set,
            table.alt_key,
            odata::quote_key(v)
        ),
    }
}

pub(super) fn key_description(table: &Table, key: &RowKey) -> String {
    match key {
        RowKey::Id(id) => id.clone(),
        RowKey::Alt(v) => format!("{}='{v}'", table.alt_key),
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
