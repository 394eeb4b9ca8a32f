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

impl Filter {
    /// The property paths the filter reads, each once, in the order they first appear. A
    /// read that evaluates the filter on its rows must select them: a column left out reads
    /// as null, and the filter would then drop rows it should keep.
    pub fn columns(&self) -> Vec<&PropertyPath> {
        let mut paths: Vec<&PropertyPath> = Vec::new();
        self.collect_columns(&mut paths);
        paths
    }

    fn collect_columns<'a>(&'a self, paths: &mut Vec<&'a PropertyPath>) {
        let mut add = |path: &'a PropertyPath| {
            if !paths.contains(&path) {
                paths.push(path);
            }
        };
        match self {
            Filter::Compare { left, right, .. } => {
                for operand in [left, right] {
                    if let Operand::Property(path) = operand {
                        add(path);
                    }
                }
            }
            Filter::Call { property, .. } => add(property),
            Filter::Not(inner) => inner.collect_columns(paths),
            Filter::And(left, right) | Filter::Or(left, right) => {
                left.collect_columns(paths);
                right.collect_columns(paths);
            }
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

#[cfg(test)]
mod tests {
    use super::{PropertyPath, parse};

    #[test]
    fn a_filter_names_each_column_it_reads_once() {
        // GIVEN a filter that reads a column twice, a function's column and a lookup path.
        let filter = parse(
            "msdyn_ordertype eq 192350000 and (statecode eq 0 or statecode eq 1) \
             and not contains(name,'x') and primarycontactid/fullname ne null",
        )
        .expect("the filter parses");
        // WHEN its columns are listed.
        let columns = filter.columns();
        // THEN each path appears once, in the order written.
        let expected = [
            PropertyPath::column("msdyn_ordertype"),
            PropertyPath::column("statecode"),
            PropertyPath::column("name"),
            PropertyPath {
                segments: vec!["primarycontactid".to_owned(), "fullname".to_owned()],
            },
        ];
        assert_eq!(
            columns,
            expected.iter().collect::<Vec<_>>(),
            "a read must select every column the filter evaluates, and each only once"
        );
    }
}
