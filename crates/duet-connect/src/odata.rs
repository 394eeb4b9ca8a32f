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
        .map(|(name, value)| format!("{name}={}", encode_path(&quote(value))))
        .collect();
    format!("({})", inner.join(","))
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
    fn key_predicates_encode_spaces_and_slashes() {
        assert_eq!(
            key_predicate(&[("dataAreaId", "DAT"), ("CustomerAccount", "A B/1")]),
            "(dataAreaId='DAT',CustomerAccount='A%20B%2F1')"
        );
    }
}
