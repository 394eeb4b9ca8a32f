//! Translation of a query-range expression to the finance and operations OData `$filter`
//! that reads only the rows it keeps.

use super::{Expr, Operand, RangeItem};
use crate::filter::{Comparison, FilterError};

/// The finance and operations OData `$filter` that reads only matching rows.
///
/// `enum_type` names the enum behind a field (`PartyType` → `DirPartyType`); such fields
/// compare with `Microsoft.Dynamics.DataEntities.<Enum>'<Member>'` and only with `eq`/`ne`,
/// as the service requires. Other strings become quoted literals, numbers stay numbers,
/// wildcard patterns stay in `eq '*x*'` (the service's own wildcard form), ranges become
/// `ge ... and le ...`, and lists become `or` groups. The result is not URL-encoded.
pub fn to_odata_filter(
    expr: &Expr,
    enum_type: &dyn Fn(&str) -> Option<String>,
) -> Result<String, FilterError> {
    translate(expr, enum_type).map(|(text, _)| text)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    /// Needs no parentheses anywhere: `not (...)`, `true`.
    Atom,
    /// A single comparison, which `not` must parenthesize because it binds tighter.
    Compare,
    And,
    Or,
}

fn wrap((text, level): (String, Level), allowed: Level) -> String {
    if level > allowed {
        format!("({text})")
    } else {
        text
    }
}

fn translate(
    expr: &Expr,
    enum_type: &dyn Fn(&str) -> Option<String>,
) -> Result<(String, Level), FilterError> {
    Ok(match expr {
        Expr::Compare {
            field,
            operator,
            value,
        } => condition(field, *operator, value, enum_type(field).as_deref())?,
        Expr::Not(inner) => (
            format!("not {}", wrap(translate(inner, enum_type)?, Level::Atom)),
            Level::Atom,
        ),
        Expr::And(left, right) => (
            format!(
                "{} and {}",
                wrap(translate(left, enum_type)?, Level::And),
                wrap(translate(right, enum_type)?, Level::And)
            ),
            Level::And,
        ),
        Expr::Or(left, right) => (
            format!(
                "{} or {}",
                translate(left, enum_type)?.0,
                translate(right, enum_type)?.0
            ),
            Level::Or,
        ),
    })
}

fn odata_text(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn condition(
    field: &str,
    operator: Comparison,
    value: &Operand,
    enum_type: Option<&str>,
) -> Result<(String, Level), FilterError> {
    let construct = || format!("{field} {} {value}", operator.x_plus_plus());
    let untranslatable = |reason: &str| FilterError::Untranslatable {
        construct: construct(),
        reason: reason.to_owned(),
    };
    let literal = |text: &str| -> Result<String, FilterError> {
        match enum_type {
            Some(_) if operator.is_ordering() => Err(untranslatable(
                "enum fields only compare with eq and ne in finance and operations OData",
            )),
            Some(name) => Ok(format!(
                "Microsoft.Dynamics.DataEntities.{name}{}",
                odata_text(text)
            )),
            None => Ok(odata_text(text)),
        }
    };
    let simple = |right: String| {
        (
            format!("{field} {} {right}", operator.odata()),
            Level::Compare,
        )
    };
    match value {
        Operand::Number(number) => match enum_type {
            Some(_) => Err(untranslatable(
                "an enum field is compared by member name, not by number",
            )),
            None => Ok(simple(number.to_string())),
        },
        Operand::Symbol(member) => Ok(simple(literal(member)?)),
        Operand::Ranges(items) => match (operator, items.as_slice()) {
            (_, [RangeItem::Exact(text)]) => Ok(simple(literal(text)?)),
            (Comparison::Equal | Comparison::NotEqual, _) => {
                let mut parts = Vec::new();
                for item in items {
                    parts.push(range_item(field, item, enum_type, &untranslatable)?);
                }
                let any = match parts.len() {
                    0 => return Err(untranslatable("an empty range list matches nothing")),
                    1 => parts.remove(0),
                    _ => (
                        parts
                            .into_iter()
                            .map(|part| wrap(part, Level::And))
                            .collect::<Vec<_>>()
                            .join(" or "),
                        Level::Or,
                    ),
                };
                Ok(match operator {
                    Comparison::Equal => any,
                    _ => (format!("not {}", wrap(any, Level::Atom)), Level::Atom),
                })
            }
            _ => Err(untranslatable(
                "ordering comparisons need a single plain value",
            )),
        },
    }
}

fn range_item(
    field: &str,
    item: &RangeItem,
    enum_type: Option<&str>,
    untranslatable: &dyn Fn(&str) -> FilterError,
) -> Result<(String, Level), FilterError> {
    match (item, enum_type) {
        (RangeItem::Exact(text), Some(name)) => Ok((
            format!(
                "{field} eq Microsoft.Dynamics.DataEntities.{name}{}",
                odata_text(text)
            ),
            Level::Compare,
        )),
        (RangeItem::Exact(text), None) => {
            Ok((format!("{field} eq {}", odata_text(text)), Level::Compare))
        }
        (_, Some(_)) => Err(untranslatable(
            "enum fields only compare with eq and ne, so wildcards and ranges cannot apply",
        )),
        (RangeItem::Pattern(pattern), None) if pattern.contains('?') => Err(untranslatable(
            "finance and operations OData has '*' wildcards but no '?'",
        )),
        (RangeItem::Pattern(pattern), None) => Ok((
            format!("{field} eq {}", odata_text(pattern)),
            Level::Compare,
        )),
        (RangeItem::Between { from, to }, None) => {
            let low = format!("{field} ge {}", odata_text(from));
            let high = format!("{field} le {}", odata_text(to));
            Ok(match (from.is_empty(), to.is_empty()) {
                (false, false) => (format!("{low} and {high}"), Level::And),
                (false, true) => (low, Level::Compare),
                (true, false) => (high, Level::Compare),
                (true, true) => ("true".to_owned(), Level::Atom),
            })
        }
    }
}
