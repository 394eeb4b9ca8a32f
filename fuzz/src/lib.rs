//! What the fuzz targets share: the round trip both filter parsers must keep, a row holding
//! a value for each column a filter reads, and the objects of a page's `value`.

use std::fmt::{Debug, Display};

use serde_json::{Map, Value};

/// Parses `text`; a failure must point inside the text or just past it (`None` then). What
/// parses must print to canonical text that parses back to the same tree and prints the same
/// again; the tree is returned.
pub fn round_trip<T: PartialEq + Debug, E: Display>(
    text: &str,
    parse: impl Fn(&str) -> Result<T, E>,
    print: impl Fn(&T) -> String,
    position: impl Fn(&E) -> Option<usize>,
) -> Option<T> {
    let tree = match parse(text) {
        Ok(tree) => tree,
        Err(error) => {
            let at = position(&error).expect("a parse error has a position");
            assert!(at >= 1 && at <= text.chars().count() + 1, "{error}");
            return None;
        }
    };
    let printed = print(&tree);
    let again = parse(&printed)
        .unwrap_or_else(|error| panic!("canonical text {printed:?} does not parse: {error}"));
    assert_eq!(
        again, tree,
        "canonical text {printed:?} parses to another tree"
    );
    assert_eq!(print(&again), printed, "printing is stable");
    Some(tree)
}

/// A row giving each of `columns` a value of `samples` in turn, so each column meets another
/// JSON type.
pub fn row_of(columns: impl IntoIterator<Item = String>, samples: &[Value]) -> Map<String, Value> {
    columns
        .into_iter()
        .zip(samples.iter().cycle())
        .map(|(column, value)| (column, value.clone()))
        .collect()
}

/// The body a page was read from (it parsed, so it is JSON with a `value` array), and how
/// many objects that array holds.
pub fn page_body(text: &str) -> (Value, usize) {
    let body: Value = serde_json::from_str(text).expect("a page was JSON");
    let objects = body["value"]
        .as_array()
        .expect("a page has a value array")
        .iter()
        .filter(|row| row.is_object())
        .count();
    (body, objects)
}
