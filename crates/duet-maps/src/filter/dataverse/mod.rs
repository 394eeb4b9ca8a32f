//! The Dataverse Web API `$filter` a consultant writes on the Dataverse side of a map.
//!
//! Supported: `eq ne gt ge lt le`, `and or not`, parentheses, literals (quoted strings with
//! `''` for a quote, integers, decimals, `true`, `false`, `null`, unquoted GUIDs, dates and
//! date-times with an offset), property paths such as `primarycontactid/fullname`, and the
//! functions `contains`, `startswith` and `endswith`. Arithmetic, `has` and `in` are
//! refused because Dataverse refuses them; lambdas, parameter aliases and Dataverse query
//! functions (`Microsoft.Dynamics.CRM.*`) are refused because this model does not cover them.
//!
//! Precedence follows OData: `not` binds tightest, then `and`, then `or`; `and` and `or`
//! group to the left.

mod evaluator;
mod lexer;
mod parser;
mod printer;

use super::temporal::{Date, DateTime};
use super::{Comparison, Number};

pub use evaluator::evaluate;
pub use parser::parse;
pub use printer::{print, to_query};

/// A parsed Dataverse `$filter`.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Compare {
        left: Operand,
        operator: Comparison,
        right: Operand,
    },
    /// `contains(name,'x')`: Dataverse only accepts a column and a string literal here.
    Call {
        function: StringFunction,
        property: PropertyPath,
        value: String,
    },
    Not(Box<Filter>),
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
}

/// One side of a comparison; either side may be a column, so `firstname eq lastname` works.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Property(PropertyPath),
    Literal(Literal),
}

/// A column, or a column reached through single-valued lookups, `primarycontactid/fullname`.
///
/// Segments are identifiers (`[A-Za-z_][A-Za-z0-9_]*`) that are not filter keywords;
/// there is at least one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PropertyPath {
    pub segments: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Null,
    Boolean(bool),
    Number(Number),
    Text(String),
    /// Printed in the lower-case hyphenated form Dataverse writes.
    Guid(u128),
    DateTime(DateTime),
    Date(Date),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StringFunction {
    Contains,
    StartsWith,
    EndsWith,
}

impl StringFunction {
    pub const ALL: [StringFunction; 3] = [
        StringFunction::Contains,
        StringFunction::StartsWith,
        StringFunction::EndsWith,
    ];

    pub fn name(self) -> &'static str {
        match self {
            StringFunction::Contains => "contains",
            StringFunction::StartsWith => "startswith",
            StringFunction::EndsWith => "endswith",
        }
    }
}

impl PropertyPath {
    /// A path of one column.
    pub fn column(name: &str) -> PropertyPath {
        PropertyPath {
            segments: vec![name.to_owned()],
        }
    }
}

/// Words that mean something to the grammar and so cannot name a column.
pub const KEYWORDS: [&str; 12] = [
    "and", "or", "not", "eq", "ne", "gt", "ge", "lt", "le", "true", "false", "null",
];
