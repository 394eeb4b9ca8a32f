//! Evaluation of a Dataverse filter over a row, as Dataverse would apply it.

use serde_json::Value;

use super::{Filter, Literal, Operand, PropertyPath, StringFunction};
use crate::filter::FilterError;
use crate::filter::scalar::{self, Scalar, fold};
use crate::value::Row;

/// Whether a row passes the filter. A missing property is null; text compares
/// case-insensitively as Dataverse does; a lookup path walks nested objects (an expanded
/// lookup) and is null where one is missing. `%`, `_` and `[]` in function arguments are
/// matched literally, not as the SQL wildcards Dataverse treats them as.
pub fn evaluate(filter: &Filter, row: &Row) -> Result<bool, FilterError> {
    match filter {
        Filter::Compare {
            left,
            operator,
            right,
        } => {
            let left = resolve(left, row)?;
            let right = resolve(right, row)?;
            scalar::compare(*operator, operator.odata(), &left, &right)
        }
        Filter::Call {
            function,
            property,
            value,
        } => match lookup(property, row)? {
            Scalar::Null => Ok(false),
            Scalar::Text(text) => {
                let (text, value) = (fold(&text), fold(value));
                Ok(match function {
                    StringFunction::Contains => text.contains(&value),
                    StringFunction::StartsWith => text.starts_with(&value),
                    StringFunction::EndsWith => text.ends_with(&value),
                })
            }
            other => Err(FilterError::Incomparable {
                operator: function.name().to_owned(),
                left: other.describe(),
                right: Scalar::Text(value.clone()).describe(),
            }),
        },
        Filter::Not(inner) => Ok(!evaluate(inner, row)?),
        Filter::And(left, right) => Ok(evaluate(left, row)? && evaluate(right, row)?),
        Filter::Or(left, right) => Ok(evaluate(left, row)? || evaluate(right, row)?),
    }
}

fn resolve(operand: &Operand, row: &Row) -> Result<Scalar, FilterError> {
    match operand {
        Operand::Property(path) => lookup(path, row),
        Operand::Literal(literal) => Ok(match literal {
            Literal::Null => Scalar::Null,
            Literal::Boolean(flag) => Scalar::Bool(*flag),
            Literal::Number(number) => Scalar::Number(*number),
            Literal::Text(text) => Scalar::Text(text.clone()),
            Literal::Guid(guid) => Scalar::Guid(*guid),
            Literal::DateTime(moment) => Scalar::DateTime(*moment),
            Literal::Date(date) => Scalar::Date(*date),
        }),
    }
}

fn lookup(path: &PropertyPath, row: &Row) -> Result<Scalar, FilterError> {
    let mut segments = path.segments.iter();
    let mut current = segments
        .next()
        .and_then(|first| row.get(first))
        .unwrap_or(&Value::Null);
    for segment in segments {
        current = current.get(segment).unwrap_or(&Value::Null);
    }
    Scalar::from_json(current).map_err(|found| FilterError::NotAScalar {
        property: path.to_string(),
        found,
    })
}
