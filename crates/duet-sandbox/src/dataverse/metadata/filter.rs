//! `$filter` on metadata: comparisons of primitive and enum properties and of managed
//! properties by path (`CanCreateAttributes/Value eq true`), joined with `and`, `or`, `not`
//! and parentheses, plus membership (`Microsoft.Dynamics.CRM.In(PropertyName='LogicalName',
//! PropertyValues=['a','b'])` and OData's `LogicalName in ('a','b')`), which become an `or`
//! of equalities. Metadata supports no other function: naming one is a refusal that names it.
//!
//! The parser and the evaluator are the crate's (`crate::filter`, `Functions::Membership`).

use serde_json::{Map, Value};

use crate::filter::{Expr, FilterError, Functions};

/// Why a metadata filter was refused.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum MetaFilterError {
    /// A function metadata does not support, by the name the request used.
    Function(String),
    /// A property the item type does not have.
    UnknownProperty(String),
    Syntax(String),
}

/// Parses a metadata `$filter` with the crate's parser, allowing membership and no other
/// function; `is_property` knows the item type's filterable paths.
pub(crate) fn parse(
    input: &str,
    is_property: &dyn Fn(&str) -> bool,
) -> Result<Expr, MetaFilterError> {
    crate::filter::parse_with(input, is_property, Functions::Membership).map_err(|e| match e {
        FilterError::UnsupportedFunction(name) => MetaFilterError::Function(name),
        FilterError::UnknownProperty(name) => MetaFilterError::UnknownProperty(name),
        syntax @ FilterError::Syntax { .. } => MetaFilterError::Syntax(syntax.to_string()),
    })
}

/// The properties a filter can test on a metadata item: its primitive values, and the
/// `Value` of each managed or wrapped property (`CanCreateAttributes/Value`). Labels and
/// collections cannot be filtered on.
pub(crate) fn filterable(item: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    for (name, value) in item {
        match value {
            Value::Object(inner) => {
                if let Some(v) = inner.get("Value").filter(|v| !v.is_object()) {
                    out.insert(format!("{name}/Value"), v.clone());
                }
            }
            Value::Array(_) => {}
            other => {
                out.insert(name.clone(), other.clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::filter::Dialect;

    const DV: Dialect = Dialect { wildcard_eq: false };

    fn item(v: Value) -> Map<String, Value> {
        filterable(v.as_object().expect("object"))
    }

    #[test]
    fn membership_enums_and_paths() {
        let row = item(
            json!({"LogicalName": "account", "OwnershipType": "UserOwned",
            "CanCreateAttributes": {"Value": true, "CanBeChanged": false}}),
        );
        let known = |p: &str| row.contains_key(p);
        for text in [
            "Microsoft.Dynamics.CRM.In(PropertyName='LogicalName',PropertyValues=['contact','account'])",
            "Microsoft.Dynamics.CRM.In(PropertyName='LogicalName',PropertyValues=[\"account\"])",
            "LogicalName in ('account','lead')",
            "OwnershipType eq Microsoft.Dynamics.CRM.OwnershipTypes'UserOwned' and CanCreateAttributes/Value eq true",
            "(LogicalName eq 'x' or LogicalName eq 'account') and LogicalName ne null",
        ] {
            let e = parse(text, &known).unwrap_or_else(|e| panic!("{text}: {e:?}"));
            assert!(e.matches(&row, DV), "{text} keeps account");
        }
        let e = parse("LogicalName in ('lead')", &known).expect("valid");
        assert!(!e.matches(&row, DV), "account is not in the list");
        assert_eq!(
            parse("startswith(LogicalName,'acc')", &known),
            Err(MetaFilterError::Function("startswith".into()))
        );
        assert_eq!(
            parse("Nope eq 1", &known),
            Err(MetaFilterError::UnknownProperty("Nope".into()))
        );
    }
}
