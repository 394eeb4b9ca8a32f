//! Row keys as the two services address them: parsing a stored key, the finance and
//! operations key predicate, and Dataverse ids from entity URLs.

use duet_maps::{RowKey, TableMap};

/// The finance and operations key of `key` in `map`: the company field first when striped.
pub(in crate::run) fn finops_key_of<'a>(
    map: &'a TableMap,
    key: &'a RowKey,
) -> Vec<(&'a str, &'a str)> {
    map.finance_operations_key(key)
}

/// The Dataverse alternate key of `key` in `map`: each key column with its value.
pub(in crate::run) fn dataverse_key_of<'a>(
    map: &'a TableMap,
    key: &'a RowKey,
) -> Vec<(&'a str, &'a str)> {
    map.dataverse_key(key)
}

/// The id inside `.../accounts(<guid>)`, when the entity URL carries one.
pub(in crate::run) fn id_from_entity_url(url: &str) -> Option<String> {
    let inner = url.rsplit_once('(')?.1.strip_suffix(')')?;
    (inner.len() == 36 && !inner.contains('=')).then(|| inner.to_lowercase())
}

/// Reads a key written by `RowKey`'s `Display`: the company first when striped, then one value.
pub(in crate::run) fn parse_key(text: &str, striped: bool) -> RowKey {
    RowKey::parse(text, striped)
}

#[cfg(test)]
mod tests {
    use duet_maps::RowKey;

    use super::{id_from_entity_url, parse_key};

    #[test]
    fn entity_ids_come_from_primary_key_urls_only() {
        assert_eq!(
            id_from_entity_url(
                "http://x/api/data/v9.2/accounts(7EB682F1-CA75-E511-80D4-00155D2A68D1)"
            )
            .as_deref(),
            Some("7eb682f1-ca75-e511-80d4-00155d2a68d1")
        );
        assert_eq!(
            id_from_entity_url("http://x/accounts(accountnumber='C1')"),
            None
        );
    }

    #[test]
    fn keys_read_back_as_written() {
        let key = RowKey {
            company: Some("DAT".to_owned()),
            values: vec!["C|1".to_owned()],
        };
        assert_eq!(
            parse_key(&key.to_string(), true),
            key,
            "a bar inside a value must survive"
        );
    }
}
