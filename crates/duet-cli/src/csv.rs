//! RFC 4180 CSV records for the command line's own tables, quoted by the API's one CSV
//! field rule (a field with a comma, quote or line break is quoted, its quotes doubled);
//! records end with CRLF.

/// One record of `fields`, with its line end.
pub fn record<S: AsRef<str>>(fields: &[S]) -> String {
    let quoted: Vec<String> = fields
        .iter()
        .map(|field| duet_api::csv_field(field.as_ref()).into_owned())
        .collect();
    format!("{}\r\n", quoted.join(","))
}
