//! OData `$filter`, `$orderby` and `$select` handling over JSON rows.
//!
//! Both emulators keep rows as JSON objects, so filtering is done in memory after loading a
//! table: the row counts a sandbox holds are small and this keeps one evaluator for both
//! protocol dialects.

use std::cmp::Ordering;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value};

/// Comparison operators shared by both services.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

/// String functions Dataverse supports in `$filter`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StrFn {
    Contains,
    StartsWith,
    EndsWith,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Literal {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Time(DateTime<Utc>),
    Guid(String),
    /// F&O enum literal such as `Microsoft.Dynamics.DataEntities.NoYes'Yes'`, kept by member name.
    Enum(String),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand {
    Field(String),
    Lit(Literal),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Cmp(CmpOp, Operand, Operand),
    Call(StrFn, Operand, Operand),
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub(crate) enum FilterError {
    #[error("Syntax error at position {position} near '{token}' in '{input}': {detail}.")]
    Syntax {
        position: usize,
        token: String,
        input: String,
        detail: String,
    },
    #[error("Could not find a property named '{0}'.")]
    UnknownProperty(String),
}

/// Dialect switches: F&O treats `*` inside an `eq` string literal as a wildcard.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Dialect {
    pub wildcard_eq: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    LParen,
    RParen,
    Comma,
    Word(String),
    Lit(Literal),
    End,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    pos: usize,
    text: String,
}

const KEYWORDS: &[&str] = &["and", "or", "not", "eq", "ne", "gt", "ge", "lt", "le"];

fn syntax(input: &str, position: usize, token: &str, detail: &str) -> FilterError {
    FilterError::Syntax {
        position,
        token: token.to_string(),
        input: input.to_string(),
        detail: detail.to_string(),
    }
}

/// Reads a single-quoted literal starting at `start`, undoubling `''`.
fn read_quoted(input: &str, chars: &[char], start: usize) -> Result<(String, usize), FilterError> {
    let mut i = start + 1;
    let mut out = String::new();
    loop {
        match chars.get(i) {
            None => return Err(syntax(input, start, "'", "unterminated string literal")),
            Some('\'') => {
                if chars.get(i + 1) == Some(&'\'') {
                    out.push('\'');
                    i += 2;
                } else {
                    return Ok((out, i + 1));
                }
            }
            Some(c) => {
                out.push(*c);
                i += 1;
            }
        }
    }
}

/// Recognises an unquoted GUID at `i`, which Dataverse uses for lookup and id comparisons.
fn guid_at(chars: &[char], i: usize) -> Option<String> {
    if i + 36 > chars.len() {
        return None;
    }
    let candidate: String = chars[i..i + 36].iter().collect();
    let boundary = chars
        .get(i + 36)
        .is_none_or(|c| !(c.is_alphanumeric() || *c == '-'));
    if boundary && uuid::Uuid::try_parse(&candidate).is_ok() && candidate.contains('-') {
        Some(candidate.to_ascii_lowercase())
    } else {
        None
    }
}

fn classify_bare(text: &str) -> Option<Literal> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(Literal::Time(t.with_timezone(&Utc)));
    }
    if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return d.and_hms_opt(0, 0, 0).map(|n| Literal::Time(n.and_utc()));
    }
    text.parse::<f64>().ok().map(Literal::Num)
}

fn tokenize(input: &str) -> Result<Vec<Token>, FilterError> {
    let chars: Vec<char> = input.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let simple = match c {
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            ',' => Some(Tok::Comma),
            _ => None,
        };
        if let Some(tok) = simple {
            out.push(Token {
                tok,
                pos: start,
                text: c.to_string(),
            });
            i += 1;
            continue;
        }
        if c == '\'' {
            let (s, next) = read_quoted(input, &chars, i)?;
            out.push(Token {
                tok: Tok::Lit(Literal::Str(s)),
                pos: start,
                text: chars[start..next].iter().collect(),
            });
            i = next;
            continue;
        }
        if let Some(g) = guid_at(&chars, i) {
            out.push(Token {
                tok: Tok::Lit(Literal::Guid(g.clone())),
                pos: start,
                text: g,
            });
            i += 36;
            continue;
        }
        let starts_number = c.is_ascii_digit()
            || (c == '-' && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit()));
        if starts_number {
            i += 1;
            while i < chars.len() && (chars[i].is_alphanumeric() || "-:.+".contains(chars[i])) {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            let lit = classify_bare(&text)
                .ok_or_else(|| syntax(input, start, &text, "invalid literal"))?;
            out.push(Token {
                tok: Tok::Lit(lit),
                pos: start,
                text,
            });
            continue;
        }
        if c.is_alphabetic() || c == '_' {
            i += 1;
            while i < chars.len() && (chars[i].is_alphanumeric() || "_./".contains(chars[i])) {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            if chars.get(i) == Some(&'\'') && word.contains('.') {
                let (member, next) = read_quoted(input, &chars, i)?;
                out.push(Token {
                    tok: Tok::Lit(Literal::Enum(member)),
                    pos: start,
                    text: chars[start..next].iter().collect(),
                });
                i = next;
                continue;
            }
            let tok = match word.as_str() {
                "null" => Tok::Lit(Literal::Null),
                "true" => Tok::Lit(Literal::Bool(true)),
                "false" => Tok::Lit(Literal::Bool(false)),
                _ => Tok::Word(word.clone()),
            };
            out.push(Token {
                tok,
                pos: start,
                text: word,
            });
            continue;
        }
        return Err(syntax(input, start, &c.to_string(), "unexpected character"));
    }
    out.push(Token {
        tok: Tok::End,
        pos: chars.len(),
        text: "end of input".to_string(),
    });
    Ok(out)
}

struct Parser<'a> {
    toks: Vec<Token>,
    i: usize,
    input: &'a str,
    is_field: &'a dyn Fn(&str) -> bool,
}

impl Parser<'_> {
    fn peek(&self) -> &Token {
        &self.toks[self.i.min(self.toks.len() - 1)]
    }

    fn next(&mut self) -> Token {
        let t = self.peek().clone();
        if self.i < self.toks.len() - 1 {
            self.i += 1;
        }
        t
    }

    fn error_here(&self, detail: &str) -> FilterError {
        let t = self.peek();
        syntax(self.input, t.pos, &t.text, detail)
    }

    fn is_word(&self, w: &str) -> bool {
        matches!(&self.peek().tok, Tok::Word(x) if x == w)
    }

    fn parse_or(&mut self) -> Result<Expr, FilterError> {
        let mut left = self.parse_and()?;
        while self.is_word("or") {
            self.next();
            let right = self.parse_and()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn parse_and(&mut self) -> Result<Expr, FilterError> {
        let mut left = self.parse_unary()?;
        while self.is_word("and") {
            self.next();
            let right = self.parse_unary()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn parse_unary(&mut self) -> Result<Expr, FilterError> {
        if self.is_word("not") {
            self.next();
            return Ok(Expr::Not(Box::new(self.parse_unary()?)));
        }
        self.parse_primary()
    }

    fn expect(&mut self, tok: Tok, what: &str) -> Result<(), FilterError> {
        if self.peek().tok == tok {
            self.next();
            Ok(())
        } else {
            Err(self.error_here(&format!("expected {what}")))
        }
    }

    fn parse_primary(&mut self) -> Result<Expr, FilterError> {
        if self.peek().tok == Tok::LParen {
            self.next();
            let e = self.parse_or()?;
            self.expect(Tok::RParen, "')'")?;
            return Ok(e);
        }
        let followed_by_paren = self
            .toks
            .get(self.i + 1)
            .is_some_and(|t| t.tok == Tok::LParen);
        if let Tok::Word(w) = &self.peek().tok
            && followed_by_paren
        {
            let func = match w.as_str() {
                "contains" => StrFn::Contains,
                "startswith" => StrFn::StartsWith,
                "endswith" => StrFn::EndsWith,
                _ => return Err(self.error_here("unknown function")),
            };
            self.next();
            self.expect(Tok::LParen, "'('")?;
            let a = self.parse_operand()?;
            self.expect(Tok::Comma, "','")?;
            let b = self.parse_operand()?;
            self.expect(Tok::RParen, "')'")?;
            return Ok(Expr::Call(func, a, b));
        }
        let left = self.parse_operand()?;
        let op = match &self.peek().tok {
            Tok::Word(w) => match w.as_str() {
                "eq" => CmpOp::Eq,
                "ne" => CmpOp::Ne,
                "gt" => CmpOp::Gt,
                "ge" => CmpOp::Ge,
                "lt" => CmpOp::Lt,
                "le" => CmpOp::Le,
                _ => return Err(self.error_here("expected a comparison operator")),
            },
            _ => return Err(self.error_here("expected a comparison operator")),
        };
        self.next();
        let right = self.parse_operand()?;
        Ok(Expr::Cmp(op, left, right))
    }

    fn parse_operand(&mut self) -> Result<Operand, FilterError> {
        match self.peek().tok.clone() {
            Tok::Lit(l) => {
                self.next();
                Ok(Operand::Lit(l))
            }
            Tok::Word(w) if !KEYWORDS.contains(&w.as_str()) => {
                if !(self.is_field)(&w) {
                    return Err(FilterError::UnknownProperty(w));
                }
                self.next();
                Ok(Operand::Field(w))
            }
            _ => Err(self.error_here("expected a property name or a literal")),
        }
    }
}

/// Parses a `$filter` expression, checking property names with `is_field`.
pub(crate) fn parse(input: &str, is_field: &dyn Fn(&str) -> bool) -> Result<Expr, FilterError> {
    let toks = tokenize(input)?;
    let mut p = Parser {
        toks,
        i: 0,
        input,
        is_field,
    };
    let e = p.parse_or()?;
    if p.peek().tok != Tok::End {
        return Err(p.error_here("unexpected token after the end of the expression"));
    }
    Ok(e)
}

fn resolve(op: &Operand, row: &Map<String, Value>) -> Literal {
    match op {
        Operand::Lit(l) => l.clone(),
        Operand::Field(f) => match row.get(f) {
            None | Some(Value::Null) => Literal::Null,
            Some(Value::Bool(b)) => Literal::Bool(*b),
            Some(Value::Number(n)) => Literal::Num(n.as_f64().unwrap_or(0.0)),
            Some(Value::String(s)) => Literal::Str(s.clone()),
            Some(other) => Literal::Str(other.to_string()),
        },
    }
}

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn ordering(l: &Literal, r: &Literal) -> Option<Ordering> {
    use Literal::*;
    match (l, r) {
        (Str(a), Str(b)) | (Guid(a), Str(b)) | (Str(a), Guid(b)) | (Guid(a), Guid(b)) => {
            Some(a.to_lowercase().cmp(&b.to_lowercase()))
        }
        (Enum(a), Str(b)) | (Str(a), Enum(b)) | (Enum(a), Enum(b)) => {
            Some(a.to_lowercase().cmp(&b.to_lowercase()))
        }
        (Num(a), Num(b)) => a.partial_cmp(b),
        (Bool(a), Bool(b)) => Some(a.cmp(b)),
        (Time(a), Time(b)) => Some(a.cmp(b)),
        (Str(s), Time(t)) => parse_time(s).map(|s| s.cmp(t)),
        (Time(t), Str(s)) => parse_time(s).map(|s| t.cmp(&s)),
        _ => None,
    }
}

/// Case-insensitive match where `*` stands for any run of characters.
fn wildcard_match(text: &str, pattern: &str) -> bool {
    let text = text.to_lowercase();
    let pattern = pattern.to_lowercase();
    let parts: Vec<&str> = pattern.split('*').collect();
    let mut rest = text.as_str();
    for (idx, part) in parts.iter().enumerate() {
        if idx == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if idx == parts.len() - 1 {
            return part.is_empty() || rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(pos) => rest = &rest[pos + part.len()..],
                None => return false,
            }
        }
    }
    rest.is_empty()
}

impl Expr {
    pub(crate) fn matches(&self, row: &Map<String, Value>, dialect: Dialect) -> bool {
        match self {
            Expr::And(a, b) => a.matches(row, dialect) && b.matches(row, dialect),
            Expr::Or(a, b) => a.matches(row, dialect) || b.matches(row, dialect),
            Expr::Not(a) => !a.matches(row, dialect),
            Expr::Call(func, a, b) => {
                let (Literal::Str(text), Literal::Str(needle)) = (resolve(a, row), resolve(b, row))
                else {
                    return false;
                };
                let text = text.to_lowercase();
                let needle = needle.to_lowercase();
                match func {
                    StrFn::Contains => text.contains(&needle),
                    StrFn::StartsWith => text.starts_with(&needle),
                    StrFn::EndsWith => text.ends_with(&needle),
                }
            }
            Expr::Cmp(op, a, b) => {
                let l = resolve(a, row);
                let r = resolve(b, row);
                if l == Literal::Null || r == Literal::Null {
                    let both = l == r;
                    return match op {
                        CmpOp::Eq => both,
                        CmpOp::Ne => !both,
                        _ => false,
                    };
                }
                if dialect.wildcard_eq
                    && matches!(op, CmpOp::Eq | CmpOp::Ne)
                    && let (Literal::Str(text), Literal::Str(pattern)) = (&l, &r)
                    && pattern.contains('*')
                {
                    let m = wildcard_match(text, pattern);
                    return if *op == CmpOp::Eq { m } else { !m };
                }
                match ordering(&l, &r) {
                    None => *op == CmpOp::Ne,
                    Some(o) => match op {
                        CmpOp::Eq => o == Ordering::Equal,
                        CmpOp::Ne => o != Ordering::Equal,
                        CmpOp::Gt => o == Ordering::Greater,
                        CmpOp::Ge => o != Ordering::Less,
                        CmpOp::Lt => o == Ordering::Less,
                        CmpOp::Le => o != Ordering::Greater,
                    },
                }
            }
        }
    }
}

/// Total order on JSON values for `$orderby`: nulls first, then booleans, numbers and strings.
pub(crate) fn compare_values(a: &Value, b: &Value) -> Ordering {
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::Number(_) => 2,
            Value::String(_) => 3,
            _ => 4,
        }
    }
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .unwrap_or(0.0)
            .partial_cmp(&y.as_f64().unwrap_or(0.0))
            .unwrap_or(Ordering::Equal),
        (Value::String(x), Value::String(y)) => x
            .to_lowercase()
            .cmp(&y.to_lowercase())
            .then_with(|| x.cmp(y)),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// Parses `$orderby` into `(property, descending)` pairs.
pub(crate) fn parse_orderby(
    input: &str,
    is_field: &dyn Fn(&str) -> bool,
) -> Result<Vec<(String, bool)>, FilterError> {
    let mut out = Vec::new();
    for item in input.split(',') {
        let mut words = item.split_whitespace();
        let Some(field) = words.next() else {
            return Err(syntax(input, 0, item, "empty $orderby item"));
        };
        if !is_field(field) {
            return Err(FilterError::UnknownProperty(field.to_string()));
        }
        let desc = match words.next() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(other) => {
                let pos = input.find(other).unwrap_or(0);
                return Err(syntax(input, pos, other, "expected 'asc' or 'desc'"));
            }
        };
        if let Some(extra) = words.next() {
            let pos = input.find(extra).unwrap_or(0);
            return Err(syntax(input, pos, extra, "unexpected token"));
        }
        out.push((field.to_string(), desc));
    }
    Ok(out)
}

/// Sorts rows by `$orderby`; the sort is stable so the storage order breaks ties.
pub(crate) fn sort_rows(rows: &mut [Map<String, Value>], order: &[(String, bool)]) {
    sort_row_refs(rows, order);
}

/// [`sort_rows`] over anything that reads as a row, such as references into a shared list.
pub(crate) fn sort_row_refs<R: std::borrow::Borrow<Map<String, Value>>>(
    rows: &mut [R],
    order: &[(String, bool)],
) {
    if order.is_empty() {
        return;
    }
    rows.sort_by(|a, b| {
        let (a, b) = (a.borrow(), b.borrow());
        for (field, desc) in order {
            let o = compare_values(
                a.get(field).unwrap_or(&Value::Null),
                b.get(field).unwrap_or(&Value::Null),
            );
            let o = if *desc { o.reverse() } else { o };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    });
}

/// Parses `$select` into a list of property names.
pub(crate) fn parse_select(
    input: &str,
    is_field: &dyn Fn(&str) -> bool,
) -> Result<Vec<String>, FilterError> {
    let mut out = Vec::new();
    for item in input.split(',') {
        let name = item.trim();
        if !is_field(name) {
            return Err(FilterError::UnknownProperty(name.to_string()));
        }
        if !out.iter().any(|s: &String| s == name) {
            out.push(name.to_string());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn any_field(_: &str) -> bool {
        true
    }

    fn row(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    const FO: Dialect = Dialect { wildcard_eq: true };
    const DV: Dialect = Dialect { wildcard_eq: false };

    #[test]
    fn parses_and_evaluates_boolean_logic() {
        let e = parse(
            "(Name eq 'O''Brien' or CreditLimit gt 10) and not dataAreaId eq 'USMF'",
            &any_field,
        )
        .expect("valid filter should parse");
        let r = row(json!({"Name": "o'brien", "CreditLimit": 5, "dataAreaId": "DAT"}));
        assert!(
            e.matches(&r, DV),
            "case-insensitive string match with escaped quote"
        );
        let r = row(json!({"Name": "x", "CreditLimit": 5, "dataAreaId": "DAT"}));
        assert!(!e.matches(&r, DV), "neither side of the or holds");
    }

    #[test]
    fn compares_datetimes_wildcards_and_enums() {
        let e = parse(
            "ModifiedDateTime ge 2026-11-23T10:11:12.345Z and Name eq '*ont*' and PartyType eq Microsoft.Dynamics.DataEntities.DirPartyType'Organization'",
            &any_field,
        )
        .expect("valid filter should parse");
        let r = row(
            json!({"ModifiedDateTime": "2026-11-23T10:11:12.345Z", "Name": "Contoso", "PartyType": "Organization"}),
        );
        assert!(
            e.matches(&r, FO),
            "equal time, wildcard contains and enum member"
        );
        let r = row(
            json!({"ModifiedDateTime": "2026-11-23T10:11:12.344Z", "Name": "Contoso", "PartyType": "Organization"}),
        );
        assert!(!e.matches(&r, FO), "one millisecond earlier is excluded");
    }

    #[test]
    fn reports_position_of_bad_token() {
        let err = parse("Name eqq 'x'", &any_field).expect_err("eqq is not an operator");
        match err {
            FilterError::Syntax {
                position, token, ..
            } => {
                assert_eq!(position, 5, "position of the bad operator");
                assert_eq!(token, "eqq", "the offending token is named");
            }
            other => panic!("expected a syntax error, got {other:?}"),
        }
    }

    #[test]
    fn null_and_functions() {
        let e = parse("accountnumber eq null or contains(name,'ACME')", &any_field)
            .expect("valid filter should parse");
        assert!(e.matches(&row(json!({"accountnumber": null, "name": "z"})), DV));
        assert!(e.matches(&row(json!({"accountnumber": "1", "name": "big acme"})), DV));
        assert!(!e.matches(&row(json!({"accountnumber": "1", "name": "z"})), DV));
    }
}
