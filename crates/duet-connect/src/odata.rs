//! OData literal and key syntax shared by both environments.

/// A string literal: single-quoted, with embedded quotes doubled.
pub fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A key predicate such as `(dataAreaId='DAT',CustomerAccount='C0001')`, percent-encoded
/// where a URL path needs it.
pub fn key_predicate(parts: &[(&str, &str)]) -> String {
    let inner: Vec<String> = parts
        .iter()
        .map(|(name, value)| format!("{name}={}", encode_path(&literal(name, value))))
        .collect();
    format!("({})", inner.join(","))
}

/// A value as an OData literal for `property`: a Dataverse lookup's `_<name>_value` holds a
/// row id (an `Edm.Guid`, written bare); everything else here is text, quoted.
pub fn literal(property: &str, value: &str) -> String {
    let guid = property.starts_with('_') && property.ends_with("_value");
    match guid {
        true => value.to_owned(),
        false => quote(value),
    }
}

/// Percent-encodes what may not appear raw in a path segment; quotes and `=` stay readable.
fn encode_path(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'\'' | b'=' => {
                out.push(byte as char)
            }
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_doubled_inside_literals() {
        assert_eq!(quote("O'Bryan"), "'O''Bryan'");
    }

    #[test]
    fn a_lookup_value_key_part_is_a_bare_id() {
        assert_eq!(
            key_predicate(&[
                (
                    "_salesorderid_value",
                    "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
                ),
                ("sequencenumber", "1")
            ]),
            "(_salesorderid_value=1b4e28ba-2fa1-11d2-883f-0016d3cca427,sequencenumber='1')"
        );
    }

    #[test]
    fn key_predicates_encode_spaces_and_slashes() {
        assert_eq!(
            key_predicate(&[("dataAreaId", "DAT"), ("CustomerAccount", "A B/1")]),
            "(dataAreaId='DAT',CustomerAccount='A%20B%2F1')"
        );
    }
}
