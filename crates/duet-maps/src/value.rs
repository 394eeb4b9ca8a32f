//! Row values and the comparison rules that decide whether two sides already agree.

use serde_json::{Map, Value};

/// A row as JSON properties, keyed by the side's own field or column name.
pub type Row = Map<String, Value>;

/// Brings a value to the form both sides agree on: finance and operations has no null
/// strings (it stores ""), and numbers may come back as 1000 or 1000.0.
pub fn normalize(value: &Value) -> Value {
    match value {
        Value::String(text) if text.is_empty() => Value::Null,
        Value::Number(number) => number
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .unwrap_or(Value::Null),
        other => other.clone(),
    }
}

/// True when every property of `wanted` already has the same normalized value in `current`.
pub fn same_values(wanted: &Row, current: &Row) -> bool {
    wanted.iter().all(|(name, value)| {
        normalize(value) == normalize(current.get(name).unwrap_or(&Value::Null))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn empty_string_and_null_are_the_same_value() {
        let wanted = json!({"SalesMemo": ""}).as_object().cloned().unwrap();
        let current = json!({"SalesMemo": null}).as_object().cloned().unwrap();
        assert!(
            same_values(&wanted, &current),
            "F&O stores empty strings where Dataverse stores null, so they must compare equal"
        );
    }

    #[test]
    fn integer_and_decimal_forms_of_a_number_are_equal() {
        let wanted = json!({"creditlimit": 1000}).as_object().cloned().unwrap();
        let current = json!({"creditlimit": 1000.0}).as_object().cloned().unwrap();
        assert!(
            same_values(&wanted, &current),
            "money comes back with decimals"
        );
    }

    #[test]
    fn a_changed_value_is_not_the_same() {
        let wanted = json!({"name": "Fabrikam"}).as_object().cloned().unwrap();
        let current = json!({"name": "Contoso"}).as_object().cloned().unwrap();
        assert!(!same_values(&wanted, &current), "a rename must be written");
    }

    #[test]
    fn a_missing_property_counts_as_null() {
        let wanted = json!({"telephone1": "555"}).as_object().cloned().unwrap();
        assert!(
            !same_values(&wanted, &Row::new()),
            "an unknown current value must be written"
        );
    }
}
