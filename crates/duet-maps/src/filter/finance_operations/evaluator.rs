//! Evaluation of a query-range expression over a row, under finance and operations rules:
//! case-insensitive text, empty strings for nulls, and `Yes`/`No` for booleans.

use serde_json::Value;

use super::{Expr, Operand, RangeItem};
use crate::filter::scalar::{self, Scalar, fold, glob_matches};
use crate::filter::{Comparison, FilterError};
use crate::value::Row;

/// Whether a row passes the expression; see the module documentation for the rules.
pub fn evaluate(expr: &Expr, row: &Row) -> Result<bool, FilterError> {
    match expr {
        Expr::Compare {
            field,
            operator,
            value,
        } => {
            let actual =
                Scalar::from_json(row.get(field).unwrap_or(&Value::Null)).map_err(|found| {
                    FilterError::NotAScalar {
                        property: field.clone(),
                        found,
                    }
                })?;
            compare(*operator, actual, value)
        }
        Expr::Not(inner) => Ok(!evaluate(inner, row)?),
        Expr::And(left, right) => Ok(evaluate(left, row)? && evaluate(right, row)?),
        Expr::Or(left, right) => Ok(evaluate(left, row)? || evaluate(right, row)?),
    }
}

fn compare(operator: Comparison, actual: Scalar, value: &Operand) -> Result<bool, FilterError> {
    let symbol = operator.x_plus_plus();
    match value {
        Operand::Number(number) => {
            scalar::compare(operator, symbol, &actual, &Scalar::Number(*number))
        }
        Operand::Symbol(member) => {
            let actual = empty_for_null(actual);
            if let (Scalar::Bool(flag), false) = (&actual, operator.is_ordering()) {
                let wanted = match fold(member).as_str() {
                    "yes" | "true" => true,
                    "no" | "false" => false,
                    _ => {
                        return Err(FilterError::Incomparable {
                            operator: symbol.to_owned(),
                            left: actual.describe(),
                            right: format!("enum member {member}"),
                        });
                    }
                };
                return Ok((*flag == wanted) == (operator == Comparison::Equal));
            }
            scalar::compare(operator, symbol, &actual, &Scalar::Text(member.clone()))
        }
        Operand::Ranges(items) => {
            let actual = empty_for_null(actual);
            match (operator, items.as_slice()) {
                (Comparison::Equal, _) => any_matches(&actual, items),
                (Comparison::NotEqual, _) => Ok(!any_matches(&actual, items)?),
                (_, [RangeItem::Exact(text)]) => {
                    scalar::compare(operator, symbol, &actual, &Scalar::Text(text.clone()))
                }
                _ => Err(FilterError::Malformed {
                    reason: format!("'{symbol}' needs a single plain value, not a range list"),
                }),
            }
        }
    }
}

/// Finance and operations stores no nulls: an absent string is the empty string.
fn empty_for_null(actual: Scalar) -> Scalar {
    match actual {
        Scalar::Null => Scalar::Text(String::new()),
        other => other,
    }
}

fn any_matches(actual: &Scalar, items: &[RangeItem]) -> Result<bool, FilterError> {
    for item in items {
        if item_matches(actual, item)? {
            return Ok(true);
        }
    }
    Ok(false)
}

fn item_matches(actual: &Scalar, item: &RangeItem) -> Result<bool, FilterError> {
    let at = |operator: Comparison, bound: &str| {
        scalar::compare(
            operator,
            operator.x_plus_plus(),
            actual,
            &Scalar::Text(bound.to_owned()),
        )
    };
    match item {
        RangeItem::Exact(text) => at(Comparison::Equal, text),
        RangeItem::Pattern(pattern) => {
            let text = match actual {
                Scalar::Text(text) => text.clone(),
                Scalar::Number(number) => number.to_string(),
                Scalar::Bool(flag) => flag.to_string(),
                other => other.describe(),
            };
            Ok(glob_matches(&fold(pattern), &fold(&text)))
        }
        RangeItem::Between { from, to } => Ok((from.is_empty()
            || at(Comparison::GreaterOrEqual, from)?)
            && (to.is_empty() || at(Comparison::LessOrEqual, to)?)),
    }
}
