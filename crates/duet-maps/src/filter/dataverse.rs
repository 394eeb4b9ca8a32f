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

use std::fmt;

use serde_json::Value;

use super::scalar::{self, Scalar, fold, format_guid, parse_guid};
use super::temporal::{self, Date, DateTime};
use super::{Comparison, FilterError, Number};
use crate::value::Row;

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

/// Parses a `$filter` value as written (already URL-decoded).
pub fn parse(text: &str) -> Result<Filter, FilterError> {
    let mut parser = Parser {
        tokens: lex(text)?,
        index: 0,
    };
    if parser.peek().kind == Kind::End {
        return Err(parser.unexpected("a condition"));
    }
    let filter = parser.or()?;
    match &parser.peek().kind {
        Kind::End => Ok(filter),
        _ => Err(parser.after_condition("'and', 'or' or the end of the filter")),
    }
}

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

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Open,
    Close,
    Comma,
    /// Only lambdas use a colon; lexing it lets the parser refuse the lambda by name.
    Colon,
    Slash,
    Word(String),
    Literal(Literal),
    End,
}

#[derive(Debug, Clone)]
struct Token {
    kind: Kind,
    position: usize,
    text: String,
}

fn is_word_character(character: char) -> bool {
    character.is_ascii_alphanumeric() || character == '_' || character == '.'
}

fn lex(text: &str) -> Result<Vec<Token>, FilterError> {
    let characters: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut index = 0;
    while index < characters.len() {
        let character = characters[index];
        let start = index;
        let position = start + 1;
        if character.is_whitespace() {
            index += 1;
            continue;
        }
        let kind = match character {
            '(' | ')' | ',' | '/' | ':' => {
                index += 1;
                match character {
                    '(' => Kind::Open,
                    ')' => Kind::Close,
                    ',' => Kind::Comma,
                    ':' => Kind::Colon,
                    _ => Kind::Slash,
                }
            }
            '\'' => {
                index += 1;
                let mut value = String::new();
                loop {
                    match characters.get(index) {
                        None => return Err(FilterError::UnterminatedString { position }),
                        Some('\'') if characters.get(index + 1) == Some(&'\'') => {
                            value.push('\'');
                            index += 2;
                        }
                        Some('\'') => {
                            index += 1;
                            break;
                        }
                        Some(other) => {
                            value.push(*other);
                            index += 1;
                        }
                    }
                }
                Kind::Literal(Literal::Text(value))
            }
            '@' => {
                return Err(FilterError::Unsupported {
                    construct: "a parameter alias".to_owned(),
                    position,
                    reason: "write the value into the filter itself".to_owned(),
                });
            }
            _ => {
                let run_end = (index..characters.len())
                    .find(|at| {
                        !(is_word_character(characters[*at]) || "-:+".contains(characters[*at]))
                    })
                    .unwrap_or(characters.len());
                let run: String = characters[index..run_end].iter().collect();
                if let Some(guid) = run.get(..36).and_then(parse_guid).filter(|_| {
                    characters
                        .get(index + 36)
                        .is_none_or(|next| !is_word_character(*next))
                }) {
                    index += 36;
                    Kind::Literal(Literal::Guid(guid))
                } else if run.len() >= 5
                    && run.as_bytes()[..4].iter().all(u8::is_ascii_digit)
                    && run.as_bytes()[4] == b'-'
                {
                    index = run_end;
                    let parsed = if run.contains('T') {
                        temporal::parse_date_time(&run).map(Literal::DateTime)
                    } else {
                        temporal::parse_date(&run).map(Literal::Date)
                    };
                    Kind::Literal(parsed.map_err(|reason| FilterError::InvalidLiteral {
                        kind: "date",
                        text: run.clone(),
                        position,
                        reason,
                    })?)
                } else if character.is_ascii_digit()
                    || (character == '-'
                        && characters.get(index + 1).is_some_and(char::is_ascii_digit))
                {
                    let (number, end) = lex_number(&characters, index, position)?;
                    index = end;
                    Kind::Literal(Literal::Number(number))
                } else if character.is_ascii_alphabetic() || character == '_' {
                    let end = (index..characters.len())
                        .find(|at| !is_word_character(characters[*at]))
                        .unwrap_or(characters.len());
                    let word: String = characters[index..end].iter().collect();
                    index = end;
                    Kind::Word(word)
                } else {
                    return Err(FilterError::Unexpected {
                        expected: "a column, a value, an operator or a parenthesis".to_owned(),
                        position,
                        found: format!("'{character}'"),
                    });
                }
            }
        };
        tokens.push(Token {
            kind,
            position,
            text: characters[start..index].iter().collect(),
        });
    }
    tokens.push(Token {
        kind: Kind::End,
        position: characters.len() + 1,
        text: String::new(),
    });
    Ok(tokens)
}

/// Reads `-?digits(.digits)?(e[+-]?digits)?` and refuses letters glued to it.
pub(crate) fn lex_number(
    characters: &[char],
    start: usize,
    position: usize,
) -> Result<(Number, usize), FilterError> {
    let digits_from = |mut at: usize| {
        while characters.get(at).is_some_and(char::is_ascii_digit) {
            at += 1;
        }
        at
    };
    let mut end = digits_from(start + usize::from(characters[start] == '-'));
    let mut decimal = false;
    if characters.get(end) == Some(&'.')
        && characters.get(end + 1).is_some_and(char::is_ascii_digit)
    {
        decimal = true;
        end = digits_from(end + 1);
    }
    if matches!(characters.get(end), Some('e' | 'E')) {
        let sign = usize::from(matches!(characters.get(end + 1), Some('+' | '-')));
        if characters
            .get(end + 1 + sign)
            .is_some_and(char::is_ascii_digit)
        {
            decimal = true;
            end = digits_from(end + 1 + sign);
        }
    }
    let glued = (end..characters.len())
        .find(|at| {
            !(characters[*at].is_ascii_alphanumeric()
                || characters[*at] == '_'
                || characters[*at] == '.')
        })
        .unwrap_or(characters.len());
    let text: String = characters[start..glued.max(end)].iter().collect();
    let invalid = |reason: &str| FilterError::InvalidLiteral {
        kind: "number",
        text: text.clone(),
        position,
        reason: reason.to_owned(),
    };
    if glued > end {
        return Err(invalid(
            "a number cannot run into letters or a second point",
        ));
    }
    let number = if decimal {
        text.parse::<f64>()
            .ok()
            .filter(|value| value.is_finite())
            .map(Number::Decimal)
            .ok_or_else(|| invalid("it is out of range for a decimal"))?
    } else {
        text.parse::<i64>()
            .map(Number::Integer)
            .map_err(|_| invalid("it is out of range for a 64-bit integer"))?
    };
    Ok((number, end))
}

fn unsupported_operator(word: &str) -> Option<&'static str> {
    match word {
        "add" | "sub" | "mul" | "div" | "divby" | "mod" => {
            Some("Dataverse does not support arithmetic operators in $filter")
        }
        "has" => Some("Dataverse does not support the 'has' operator"),
        "in" => Some("Dataverse has no 'in' operator; combine 'eq' conditions with 'or'"),
        _ => None,
    }
}

fn comparison_of(word: &str) -> Option<Comparison> {
    Comparison::ALL
        .into_iter()
        .find(|comparison| comparison.odata() == word)
}

struct Parser {
    tokens: Vec<Token>,
    index: usize,
}

impl Parser {
    fn peek(&self) -> &Token {
        &self.tokens[self.index]
    }

    fn peek_word(&self) -> Option<&str> {
        match &self.peek().kind {
            Kind::Word(word) => Some(word),
            _ => None,
        }
    }

    fn advance(&mut self) -> Token {
        let token = self.tokens[self.index].clone();
        if token.kind != Kind::End {
            self.index += 1;
        }
        token
    }

    fn unexpected(&self, expected: &str) -> FilterError {
        let token = self.peek();
        FilterError::Unexpected {
            expected: expected.to_owned(),
            position: token.position,
            found: found(token),
        }
    }

    /// The error where a condition should end: an unsupported operator gets its reason.
    fn after_condition(&self, expected: &str) -> FilterError {
        match self.peek_word().and_then(unsupported_operator) {
            Some(reason) => FilterError::Unsupported {
                construct: format!("operator '{}'", self.peek().text),
                position: self.peek().position,
                reason: reason.to_owned(),
            },
            None => self.unexpected(expected),
        }
    }

    fn or(&mut self) -> Result<Filter, FilterError> {
        let mut left = self.and()?;
        while self.peek_word() == Some("or") {
            self.advance();
            let right = self.and()?;
            left = Filter::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Filter, FilterError> {
        let mut left = self.unary()?;
        while self.peek_word() == Some("and") {
            self.advance();
            let right = self.unary()?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Filter, FilterError> {
        if self.peek_word() == Some("not") {
            self.advance();
            return Ok(Filter::Not(Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Filter, FilterError> {
        if self.peek().kind == Kind::Open {
            let open = self.advance();
            let inner = self.or()?;
            if self.peek().kind != Kind::Close {
                return Err(self.after_condition(&format!(
                    "')' to close the '(' from position {}",
                    open.position
                )));
            }
            self.advance();
            return Ok(inner);
        }
        let is_call = self.peek_word().is_some()
            && self.tokens.get(self.index + 1).map(|token| &token.kind) == Some(&Kind::Open);
        if is_call {
            return self.call();
        }
        self.comparison()
    }

    fn call(&mut self) -> Result<Filter, FilterError> {
        let name = self.advance();
        let Some(function) = StringFunction::ALL
            .into_iter()
            .find(|function| function.name() == name.text)
        else {
            return Err(FilterError::Unsupported {
                construct: format!("function '{}'", name.text),
                position: name.position,
                reason: "Dataverse source filters support only contains, startswith and endswith"
                    .to_owned(),
            });
        };
        self.advance();
        let first = format!("a column as the first argument of '{}'", function.name());
        if self.peek_word().is_none() {
            return Err(self.unexpected(&first));
        }
        let Operand::Property(property) = self.operand(&first)? else {
            self.index -= 1;
            return Err(self.unexpected(&first));
        };
        if self.peek().kind != Kind::Comma {
            return Err(self.unexpected(&format!(
                "',' after the first argument of '{}'",
                function.name()
            )));
        }
        self.advance();
        let Kind::Literal(Literal::Text(value)) = self.peek().kind.clone() else {
            return Err(self.unexpected(&format!(
                "a quoted string as the second argument of '{}'",
                function.name()
            )));
        };
        self.advance();
        if self.peek().kind != Kind::Close {
            return Err(self.unexpected(&format!(
                "')' to close '{}(' from position {}",
                function.name(),
                name.position
            )));
        }
        self.advance();
        Ok(Filter::Call {
            function,
            property,
            value,
        })
    }

    fn comparison(&mut self) -> Result<Filter, FilterError> {
        let left = self.operand("a condition")?;
        let Some(operator) = self.peek_word().and_then(comparison_of) else {
            return Err(self.after_condition(&format!(
                "a comparison operator (eq, ne, gt, ge, lt, le) after '{left}'"
            )));
        };
        self.advance();
        let right = self.operand(&format!("a value after '{}'", operator.odata()))?;
        Ok(Filter::Compare {
            left,
            operator,
            right,
        })
    }

    fn operand(&mut self, expected: &str) -> Result<Operand, FilterError> {
        let token = self.peek().clone();
        match token.kind {
            Kind::Literal(literal) => {
                self.advance();
                Ok(Operand::Literal(literal))
            }
            Kind::Word(word) => match word.as_str() {
                "true" | "false" => {
                    self.advance();
                    Ok(Operand::Literal(Literal::Boolean(word == "true")))
                }
                "null" => {
                    self.advance();
                    Ok(Operand::Literal(Literal::Null))
                }
                _ => self.path(expected).map(Operand::Property),
            },
            _ => Err(self.unexpected(expected)),
        }
    }

    fn path(&mut self, expected: &str) -> Result<PropertyPath, FilterError> {
        let mut segments = vec![self.segment(expected)?];
        while self.peek().kind == Kind::Slash {
            self.advance();
            segments.push(self.segment("a column name after '/'")?);
        }
        Ok(PropertyPath { segments })
    }

    fn segment(&mut self, expected: &str) -> Result<String, FilterError> {
        let token = self.peek().clone();
        let Kind::Word(word) = &token.kind else {
            return Err(self.unexpected(expected));
        };
        if let Some(reason) = unsupported_operator(word) {
            return Err(FilterError::Unsupported {
                construct: format!("operator '{word}'"),
                position: token.position,
                reason: reason.to_owned(),
            });
        }
        if KEYWORDS.contains(&word.as_str()) {
            return Err(self.unexpected(expected));
        }
        if self.tokens.get(self.index + 1).map(|next| &next.kind) == Some(&Kind::Open) {
            let reason = if word == "any" || word == "all" {
                "lambda operators over related rows are not supported in source filters"
            } else {
                "functions apply to a column, not to a path"
            };
            return Err(FilterError::Unsupported {
                construct: format!("'{word}('"),
                position: token.position,
                reason: reason.to_owned(),
            });
        }
        if word.contains('.') {
            return Err(FilterError::Unsupported {
                construct: format!("qualified name '{word}'"),
                position: token.position,
                reason: "type casts and Dataverse query functions are not supported".to_owned(),
            });
        }
        self.advance();
        Ok(word.clone())
    }
}

fn found(token: &Token) -> String {
    match token.kind {
        Kind::End => "the end of the filter".to_owned(),
        Kind::Literal(Literal::Text(_)) => format!("the string {}", token.text),
        _ => format!("'{}'", token.text),
    }
}
