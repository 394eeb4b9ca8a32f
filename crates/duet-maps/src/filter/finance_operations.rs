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

use std::fmt;

use serde_json::Value;

use super::scalar::{self, Scalar, fold, glob_matches};
use super::{Comparison, FilterError, Number};
use crate::value::Row;

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

/// Parses a query-range expression.
pub fn parse(text: &str) -> Result<Expr, FilterError> {
    let mut parser = Parser {
        tokens: lex(text)?,
        index: 0,
    };
    if parser.peek().kind == Kind::End {
        return Err(parser.unexpected("a condition"));
    }
    let expr = parser.or()?;
    if parser.peek().kind != Kind::End {
        return Err(parser.unexpected("'&&', '||' or the end of the expression"));
    }
    Ok(expr)
}

/// The canonical text: every condition and every `&&`/`||` in its own parentheses, as the
/// dual-write templates write them, and strings in double quotes.
pub fn print(expr: &Expr) -> String {
    expr.to_string()
}

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

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Open,
    Close,
    And,
    Or,
    Not,
    Compare(Comparison),
    Word(String),
    Number(Number),
    /// String content with each character's 1-based position in the source text.
    Text(Vec<(char, usize)>),
    End,
}

#[derive(Debug, Clone)]
struct Token {
    kind: Kind,
    position: usize,
    text: String,
}

fn lex(text: &str) -> Result<Vec<Token>, FilterError> {
    let characters: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut index = 0;
    while index < characters.len() {
        let character = characters[index];
        let start = index;
        let position = start + 1;
        let next = characters.get(index + 1).copied();
        if character.is_whitespace() {
            index += 1;
            continue;
        }
        let single = |kind: Kind, width: usize| (kind, width);
        let (kind, width) = match (character, next) {
            ('(', _) => single(Kind::Open, 1),
            (')', _) => single(Kind::Close, 1),
            ('&', Some('&')) => single(Kind::And, 2),
            ('|', Some('|')) => single(Kind::Or, 2),
            ('=', Some('=')) => single(Kind::Compare(Comparison::Equal), 2),
            ('!', Some('=')) => single(Kind::Compare(Comparison::NotEqual), 2),
            ('<', Some('=')) => single(Kind::Compare(Comparison::LessOrEqual), 2),
            ('>', Some('=')) => single(Kind::Compare(Comparison::GreaterOrEqual), 2),
            ('!', _) => single(Kind::Not, 1),
            ('<', _) => single(Kind::Compare(Comparison::Less), 1),
            ('>', _) => single(Kind::Compare(Comparison::Greater), 1),
            ('&' | '|' | '=', _) => {
                return Err(FilterError::Unexpected {
                    expected: format!("'{character}{character}'"),
                    position,
                    found: format!("'{character}'"),
                });
            }
            ('"' | '\'', _) => {
                let (content, end) = lex_string(&characters, index)?;
                (Kind::Text(content), end - index)
            }
            _ if character.is_ascii_digit()
                || (character == '-' && next.is_some_and(|next| next.is_ascii_digit())) =>
            {
                let (number, end) =
                    crate::filter::number::lex_number(&characters, index, position)?;
                (Kind::Number(number), end - index)
            }
            _ if character.is_ascii_alphabetic() || character == '_' => {
                let end = (index..characters.len())
                    .find(|at| !(characters[*at].is_ascii_alphanumeric() || characters[*at] == '_'))
                    .unwrap_or(characters.len());
                let word: String = characters[index..end].iter().collect();
                (Kind::Word(word), end - index)
            }
            _ => {
                return Err(FilterError::Unexpected {
                    expected: "a field, a value, an operator or a parenthesis".to_owned(),
                    position,
                    found: format!("'{character}'"),
                });
            }
        };
        index += width;
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

type Content = Vec<(char, usize)>;

fn lex_string(characters: &[char], start: usize) -> Result<(Content, usize), FilterError> {
    let quote = characters[start];
    let mut content = Vec::new();
    let mut index = start + 1;
    loop {
        match characters.get(index) {
            None => {
                return Err(FilterError::UnterminatedString {
                    position: start + 1,
                });
            }
            Some(character) if *character == quote => return Ok((content, index + 1)),
            Some('\\') => match characters.get(index + 1) {
                Some(escaped @ ('\\' | '"' | '\'')) => {
                    content.push((*escaped, index + 2));
                    index += 2;
                }
                Some(other) => {
                    return Err(FilterError::InvalidLiteral {
                        kind: "escape",
                        text: format!("\\{other}"),
                        position: index + 1,
                        reason: "only \\\\, \\\" and \\' are escapes".to_owned(),
                    });
                }
                None => {
                    return Err(FilterError::UnterminatedString {
                        position: start + 1,
                    });
                }
            },
            Some(character) => {
                content.push((*character, index + 1));
                index += 1;
            }
        }
    }
}

/// One character of range text after range quoting is resolved.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Piece {
    Literal { character: char, quoted: bool },
    Wildcard(char),
    Span,
}

fn parse_ranges(content: &[(char, usize)]) -> Result<Vec<RangeItem>, FilterError> {
    let mut items = Vec::new();
    let mut pieces: Vec<(Piece, usize)> = Vec::new();
    let mut index = 0;
    loop {
        let Some(&(character, position)) = content.get(index) else {
            items.push(range_item_of(&pieces)?);
            return Ok(items);
        };
        match character {
            ',' => {
                items.push(range_item_of(&pieces)?);
                pieces.clear();
                index += 1;
            }
            '"' => {
                index += 1;
                loop {
                    match content.get(index) {
                        None => return Err(FilterError::UnterminatedString { position }),
                        Some(('"', _)) if content.get(index + 1).map(|(c, _)| *c) == Some('"') => {
                            pieces.push((
                                Piece::Literal {
                                    character: '"',
                                    quoted: true,
                                },
                                position,
                            ));
                            index += 2;
                        }
                        Some(('"', _)) => {
                            index += 1;
                            break;
                        }
                        Some(&(character, at)) => {
                            pieces.push((
                                Piece::Literal {
                                    character,
                                    quoted: true,
                                },
                                at,
                            ));
                            index += 1;
                        }
                    }
                }
            }
            '*' | '?' => {
                pieces.push((Piece::Wildcard(character), position));
                index += 1;
            }
            '.' if content.get(index + 1).map(|(c, _)| *c) == Some('.') => {
                pieces.push((Piece::Span, position));
                index += 2;
            }
            _ => {
                pieces.push((
                    Piece::Literal {
                        character,
                        quoted: false,
                    },
                    position,
                ));
                index += 1;
            }
        }
    }
}

fn range_item_of(pieces: &[(Piece, usize)]) -> Result<RangeItem, FilterError> {
    let blank = |piece: &&(Piece, usize)| matches!(piece.0, Piece::Literal { character, quoted: false } if character.is_whitespace());
    let leading = pieces.iter().take_while(blank).count();
    let trailing = pieces[leading..].iter().rev().take_while(blank).count();
    let pieces = &pieces[leading..pieces.len() - trailing];
    if let Some(&(
        Piece::Literal {
            character: operator @ ('!' | '<' | '>' | '('),
            quoted: false,
        },
        position,
    )) = pieces.first()
    {
        return Err(FilterError::Unsupported {
            construct: format!("query-range operator '{operator}' inside a string"),
            position,
            reason: "write the comparison with ==, !=, <, <=, >, >= or && outside the string, or quote the value".to_owned(),
        });
    }
    let spans: Vec<usize> = pieces
        .iter()
        .enumerate()
        .filter(|(_, (piece, _))| *piece == Piece::Span)
        .map(|(at, _)| at)
        .collect();
    let text_of = |pieces: &[(Piece, usize)]| -> Result<String, FilterError> {
        pieces
            .iter()
            .map(|(piece, position)| match piece {
                Piece::Literal { character, .. } => Ok(*character),
                _ => Err(FilterError::Unsupported {
                    construct: "a wildcard in a range bound".to_owned(),
                    position: *position,
                    reason: "a range 'a..b' takes plain values; quote a literal '*'".to_owned(),
                }),
            })
            .collect()
    };
    match spans.as_slice() {
        [] if pieces
            .iter()
            .any(|(piece, _)| matches!(piece, Piece::Wildcard(_))) =>
        {
            if let Some((_, position)) = pieces.iter().find(|(piece, _)| {
                matches!(
                    piece,
                    Piece::Literal {
                        character: '*' | '?',
                        quoted: true
                    }
                )
            }) {
                return Err(FilterError::Unsupported {
                    construct: "a quoted '*' or '?' next to wildcards".to_owned(),
                    position: *position,
                    reason: "a pattern cannot also match a literal star or question mark"
                        .to_owned(),
                });
            }
            Ok(RangeItem::Pattern(
                pieces
                    .iter()
                    .map(|(piece, _)| match piece {
                        Piece::Literal { character, .. } | Piece::Wildcard(character) => *character,
                        Piece::Span => '.',
                    })
                    .collect(),
            ))
        }
        [] => Ok(RangeItem::Exact(text_of(pieces)?)),
        [span] => Ok(RangeItem::Between {
            from: text_of(&pieces[..*span])?,
            to: text_of(&pieces[span + 1..])?,
        }),
        [_, second, ..] => Err(FilterError::Unexpected {
            expected: "a single '..' in a range item".to_owned(),
            position: pieces[*second].1,
            found: "a second '..'".to_owned(),
        }),
    }
}

struct Parser {
    tokens: Vec<Token>,
    index: usize,
}

impl Parser {
    fn peek(&self) -> &Token {
        &self.tokens[self.index]
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
            found: match token.kind {
                Kind::End => "the end of the expression".to_owned(),
                Kind::Text(_) => format!("the string {}", token.text),
                _ => format!("'{}'", token.text),
            },
        }
    }

    fn or(&mut self) -> Result<Expr, FilterError> {
        let mut left = self.and()?;
        while self.peek().kind == Kind::Or {
            self.advance();
            let right = self.and()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, FilterError> {
        let mut left = self.unary()?;
        while self.peek().kind == Kind::And {
            self.advance();
            let right = self.unary()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, FilterError> {
        if self.peek().kind == Kind::Not {
            self.advance();
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, FilterError> {
        match self.peek().kind.clone() {
            Kind::Open => {
                let open = self.advance();
                let inner = self.or()?;
                if self.peek().kind != Kind::Close {
                    return Err(self.unexpected(&format!(
                        "')' to close the '(' from position {}",
                        open.position
                    )));
                }
                self.advance();
                Ok(inner)
            }
            Kind::Word(field) => {
                self.advance();
                let Kind::Compare(operator) = self.peek().kind else {
                    return Err(self.unexpected(&format!(
                        "a comparison operator (==, !=, <, <=, >, >=) after '{field}'"
                    )));
                };
                self.advance();
                let value = self.value(operator)?;
                Ok(Expr::Compare {
                    field,
                    operator,
                    value,
                })
            }
            _ => Err(self.unexpected("a field name or '('")),
        }
    }

    fn value(&mut self, operator: Comparison) -> Result<Operand, FilterError> {
        let token = self.peek().clone();
        let value = match &token.kind {
            Kind::Number(number) => Operand::Number(*number),
            Kind::Word(member) => Operand::Symbol(member.clone()),
            Kind::Text(content) => {
                let items = parse_ranges(content)?;
                if operator.is_ordering() && !matches!(items.as_slice(), [RangeItem::Exact(_)]) {
                    return Err(FilterError::Unsupported {
                        construct: format!("range syntax after '{}'", operator.x_plus_plus()),
                        position: token.position,
                        reason: "lists, ranges and wildcards only work with == and !=".to_owned(),
                    });
                }
                Operand::Ranges(items)
            }
            _ => {
                return Err(self.unexpected(&format!("a value after '{}'", operator.x_plus_plus())));
            }
        };
        self.advance();
        Ok(value)
    }
}
