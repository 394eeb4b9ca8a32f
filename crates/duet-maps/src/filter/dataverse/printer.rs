//! The canonical text of a Dataverse filter, which is also the `$filter` sent to Dataverse.

use std::fmt;

use super::{Filter, Literal, Operand, PropertyPath};
use crate::filter::scalar::format_guid;

/// The canonical text of a filter: single spaces, lower-case keywords, and only the
/// parentheses the tree needs.
pub fn print(filter: &Filter) -> String {
    filter.to_string()
}

/// The Dataverse `$filter` that reads only matching rows: the canonical text, which the
/// caller URL-encodes into the query string.
pub fn to_query(filter: &Filter) -> String {
    print(filter)
}

impl fmt::Display for Filter {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Filter::Compare {
                left,
                operator,
                right,
            } => write!(formatter, "{left} {} {right}", operator.odata()),
            Filter::Call {
                function,
                property,
                value,
            } => write!(
                formatter,
                "{}({property},{})",
                function.name(),
                quote(value)
            ),
            Filter::Not(inner) => match inner.as_ref() {
                Filter::Call { .. } => write!(formatter, "not {inner}"),
                _ => write!(formatter, "not ({inner})"),
            },
            Filter::And(left, right) => {
                // The right side keeps its parentheses so left grouping survives a reparse.
                let left = grouped(left, matches!(**left, Filter::Or(..)));
                let right = grouped(right, matches!(**right, Filter::Or(..) | Filter::And(..)));
                write!(formatter, "{left} and {right}")
            }
            Filter::Or(left, right) => {
                let right = grouped(right, matches!(**right, Filter::Or(..)));
                write!(formatter, "{left} or {right}")
            }
        }
    }
}

fn grouped(filter: &Filter, parenthesize: bool) -> String {
    if parenthesize {
        format!("({filter})")
    } else {
        filter.to_string()
    }
}

fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

impl fmt::Display for Operand {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Property(path) => path.fmt(formatter),
            Operand::Literal(literal) => literal.fmt(formatter),
        }
    }
}

impl fmt::Display for PropertyPath {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.segments.join("/"))
    }
}

impl fmt::Display for Literal {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Null => formatter.write_str("null"),
            Literal::Boolean(flag) => write!(formatter, "{flag}"),
            Literal::Number(number) => number.fmt(formatter),
            Literal::Text(text) => formatter.write_str(&quote(text)),
            Literal::Guid(guid) => formatter.write_str(&format_guid(*guid)),
            Literal::DateTime(moment) => moment.fmt(formatter),
            Literal::Date(date) => date.fmt(formatter),
        }
    }
}
