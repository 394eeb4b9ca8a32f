//! The canonical text of a query-range expression, as the dual-write templates write it.

use std::fmt;

use super::{Expr, Operand, RangeItem};

/// The canonical text: every condition and every `&&`/`||` in its own parentheses, as the
/// dual-write templates write them, and strings in double quotes.
pub fn print(expr: &Expr) -> String {
    expr.to_string()
}

impl fmt::Display for Expr {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Compare {
                field,
                operator,
                value,
            } => write!(formatter, "({field} {} {value})", operator.x_plus_plus()),
            Expr::Not(inner) => write!(formatter, "!{inner}"),
            Expr::And(left, right) => write!(formatter, "({left} && {right})"),
            Expr::Or(left, right) => write!(formatter, "({left} || {right})"),
        }
    }
}

impl fmt::Display for Operand {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Number(number) => number.fmt(formatter),
            Operand::Symbol(member) => formatter.write_str(member),
            Operand::Ranges(items) => {
                let range = items
                    .iter()
                    .map(RangeItem::to_string)
                    .collect::<Vec<_>>()
                    .join(",");
                write!(
                    formatter,
                    "\"{}\"",
                    range.replace('\\', "\\\\").replace('"', "\\\"")
                )
            }
        }
    }
}

impl fmt::Display for RangeItem {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RangeItem::Exact(text) => formatter.write_str(&range_literal(text)),
            RangeItem::Pattern(pattern) => {
                let mut run = String::new();
                for character in pattern.chars() {
                    if character == '*' || character == '?' {
                        formatter.write_str(&range_literal(&run))?;
                        run.clear();
                        write!(formatter, "{character}")?;
                    } else {
                        run.push(character);
                    }
                }
                formatter.write_str(&range_literal(&run))
            }
            RangeItem::Between { from, to } => {
                write!(formatter, "{}..{}", range_literal(from), range_literal(to))
            }
        }
    }
}

/// Quotes range text that would otherwise read as range syntax or lose its spaces.
fn range_literal(text: &str) -> String {
    let special = text.contains([',', '"', '*', '?', '!', '<', '>', '(', ')'])
        || text.contains("..")
        || text.starts_with('.')
        || text.ends_with('.')
        || text.starts_with(char::is_whitespace)
        || text.ends_with(char::is_whitespace);
    if special {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}
