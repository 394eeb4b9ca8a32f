//! Query-range expressions as dual-write writes them on the finance and operations side:
//! `((PartyType == "Organization") && (CustomerGroupId != "90"))`.
//!
//! Grammar: conditions `Field op value` with `==`, `!=`, `<`, `<=`, `>`, `>=`, combined with
//! `&&`, `||`, `!` and parentheses (`!` binds tightest, then `&&`, then `||`; both group to
//! the left). A value is a quoted string (double or single quotes, with `\\`, `\"` and `\'`
//! as escapes), a number, or a bare identifier such as an enum member (`Organization`).
//!
//! A quoted string holds classic query-range syntax:
//! - `a,b,c` is a list; `==` matches when any item matches, `!=` when none does.
//! - `a..b` matches `a` through `b` inclusive; `a..` has no upper bound and `..b` no lower.
//! - `*` matches any run of characters and `?` exactly one.
//! - `"..."` inside the range quotes a value literally, with `""` for a quote, so values
//!   may contain commas, dots or stars.
//! - Spaces around items are ignored.
//! - The range operators `!`, `<`, `>` and SQL-style `(...)` inside a string are refused,
//!   because the surrounding expression already says these things unambiguously.
//!
//! With `<`, `<=`, `>` and `>=` a string is a single plain value.
//!
//! Evaluation compares text case-insensitively (finance and operations collations are),
//! treats a missing or null field as the empty string finance and operations stores, reads
//! numeric text as a number when compared with one, and lets `Yes`/`No`/`true`/`false`
//! match booleans.

mod evaluator;
mod lexer;
mod odata;
mod parser;
mod printer;
mod ranges;

use super::{Comparison, Number};

pub use evaluator::evaluate;
pub use odata::to_odata_filter;
pub use parser::parse;
pub use printer::print;

/// A parsed query-range expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Compare {
        field: String,
        operator: Comparison,
        value: Operand,
    },
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

impl Expr {
    /// The fields the expression compares, each once, in the order they first appear.
    pub fn fields(&self) -> Vec<&str> {
        let mut fields: Vec<&str> = Vec::new();
        self.collect_fields(&mut fields);
        fields
    }

    fn collect_fields<'a>(&'a self, fields: &mut Vec<&'a str>) {
        match self {
            Expr::Compare { field, .. } => {
                if !fields.contains(&field.as_str()) {
                    fields.push(field);
                }
            }
            Expr::Not(inner) => inner.collect_fields(fields),
            Expr::And(left, right) | Expr::Or(left, right) => {
                left.collect_fields(fields);
                right.collect_fields(fields);
            }
        }
    }
}

/// The right-hand side of a condition.
///
/// A `Ranges` list is never empty; with an ordering operator it holds one `Exact` item.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Ranges(Vec<RangeItem>),
    Number(Number),
    /// A bare identifier, usually an enum member name.
    Symbol(String),
}

/// One item of a quoted query range.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RangeItem {
    Exact(String),
    /// Contains at least one `*` or `?`, which are always wildcards here.
    Pattern(String),
    /// Inclusive bounds; an empty bound is open.
    Between {
        from: String,
        to: String,
    },
}
