//! RFC 4180 CSV records: a field with a comma, quote or line break is quoted, its quotes
//! doubled; records end with CRLF.

pub fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}

/// One record of `fields`, with its line end.
pub fn record<S: AsRef<str>>(fields: &[S]) -> String {
    let quoted: Vec<String> = fields.iter().map(|field| quote(field.as_ref())).collect();
    format!("{}\r\n", quoted.join(","))
}
