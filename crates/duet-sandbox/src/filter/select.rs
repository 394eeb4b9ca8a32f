//! `$select`: the property names a query asks for, checked and without repeats.

use super::FilterError;

/// Parses `$select` into a list of property names.
pub(crate) fn parse_select(
    input: &str,
    is_field: &dyn Fn(&str) -> bool,
) -> Result<Vec<String>, FilterError> {
    let mut out = Vec::new();
    for item in input.split(',') {
        let name = item.trim();
        if !is_field(name) {
            return Err(FilterError::UnknownProperty(name.to_string()));
        }
        if !out.iter().any(|s: &String| s == name) {
            out.push(name.to_string());
        }
    }
    Ok(out)
}
