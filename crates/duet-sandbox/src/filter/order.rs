//! `$orderby`: parsed into properties and directions, and applied as a stable sort over JSON
//! rows.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use super::{FilterError, syntax};

/// Total order on JSON values for `$orderby`: nulls first, then booleans, numbers and strings.
fn compare_values(a: &Value, b: &Value) -> Ordering {
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::Number(_) => 2,
            Value::String(_) => 3,
            _ => 4,
        }
    }
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .unwrap_or(0.0)
            .partial_cmp(&y.as_f64().unwrap_or(0.0))
            .unwrap_or(Ordering::Equal),
        (Value::String(x), Value::String(y)) => x
            .to_lowercase()
            .cmp(&y.to_lowercase())
            .then_with(|| x.cmp(y)),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// Parses `$orderby` into `(property, descending)` pairs.
pub(crate) fn parse_orderby(
    input: &str,
    is_field: &dyn Fn(&str) -> bool,
) -> Result<Vec<(String, bool)>, FilterError> {
    let mut out = Vec::new();
    for item in input.split(',') {
        let mut words = item.split_whitespace();
        let Some(field) = words.next() else {
            return Err(syntax(input, 0, item, "empty $orderby item"));
        };
        if !is_field(field) {
            return Err(FilterError::UnknownProperty(field.to_string()));
        }
        let desc = match words.next() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(other) => {
                let pos = input.find(other).unwrap_or(0);
                return Err(syntax(input, pos, other, "expected 'asc' or 'desc'"));
            }
        };
        if let Some(extra) = words.next() {
            let pos = input.find(extra).unwrap_or(0);
            return Err(syntax(input, pos, extra, "unexpected token"));
        }
        out.push((field.to_string(), desc));
    }
    Ok(out)
}

/// Sorts rows by `$orderby`; the sort is stable so the storage order breaks ties.
pub(crate) fn sort_rows(rows: &mut [Map<String, Value>], order: &[(String, bool)]) {
    if order.is_empty() {
        return;
    }
    rows.sort_by(|a, b| compare_rows(a, b, order));
}

/// How two rows compare by `$orderby`.
pub(crate) fn compare_rows(
    a: &Map<String, Value>,
    b: &Map<String, Value>,
    order: &[(String, bool)],
) -> Ordering {
    for (field, desc) in order {
        let o = compare_values(
            a.get(field).unwrap_or(&Value::Null),
            b.get(field).unwrap_or(&Value::Null),
        );
        let o = if *desc { o.reverse() } else { o };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}
