//! `$filter` on metadata: comparisons of primitive and enum properties and of managed
//! properties by path (`CanCreateAttributes/Value eq true`), joined with `and`, `or`, `not`
//! and parentheses, plus membership (`Microsoft.Dynamics.CRM.In(PropertyName='LogicalName',
//! PropertyValues=['a','b'])` and OData's `LogicalName in ('a','b')`), which become an `or`
//! of equalities. Metadata supports no other function: naming one is a refusal that names it.
//!
//! The tokens and the evaluator are the crate's (`crate::filter`); only the grammar differs.

use serde_json::{Map, Value};

use crate::filter::{CmpOp, Expr, Literal, Operand, Tok, Token, tokenize};

/// Why a metadata filter was refused.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum MetaFilterError {
    /// A function metadata does not support, by the name the request used.
    Function(String),
    /// A property the item type does not have.
    UnknownProperty(String),
    Syntax(String),
}

const IN_FUNCTION: &str = "Microsoft.Dynamics.CRM.In";

struct Parser<'a> {
    toks: Vec<Token>,
    i: usize,
    is_property: &'a dyn Fn(&str) -> bool,
}

impl Parser<'_> {
    fn peek(&self) -> &Tok {
        &self.toks[self.i.min(self.toks.len() - 1)].tok
    }

    fn next(&mut self) -> Token {
        let t = self.toks[self.i.min(self.toks.len() - 1)].clone();
        if self.i < self.toks.len() - 1 {
            self.i += 1;
        }
        t
    }

    fn syntax(&self, detail: &str) -> MetaFilterError {
        let t = &self.toks[self.i.min(self.toks.len() - 1)];
        MetaFilterError::Syntax(format!(
            "Syntax error at position {} near '{}': {detail}.",
            t.pos, t.text
        ))
    }

    fn expect(&mut self, tok: Tok, what: &str) -> Result<(), MetaFilterError> {
        if *self.peek() == tok {
            self.next();
            Ok(())
        } else {
            Err(self.syntax(&format!("expected {what}")))
        }
    }

    fn is_word(&self, word: &str) -> bool {
        matches!(self.peek(), Tok::Word(w) if w == word)
    }

    fn or(&mut self) -> Result<Expr, MetaFilterError> {
        let mut left = self.and()?;
        while self.is_word("or") {
            self.next();
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, MetaFilterError> {
        let mut left = self.unary()?;
        while self.is_word("and") {
            self.next();
            left = Expr::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, MetaFilterError> {
        if self.is_word("not") {
            self.next();
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, MetaFilterError> {
        if *self.peek() == Tok::LParen {
            self.next();
            let e = self.or()?;
            self.expect(Tok::RParen, "')'")?;
            return Ok(e);
        }
        let called = self
            .toks
            .get(self.i + 1)
            .is_some_and(|t| t.tok == Tok::LParen);
        if let Tok::Word(name) = self.peek().clone()
            && called
        {
            if name != IN_FUNCTION {
                return Err(MetaFilterError::Function(name));
            }
            self.next();
            return self.in_function();
        }
        let left = self.operand()?;
        if self.is_word("in") {
            self.next();
            let Operand::Field(property) = left else {
                return Err(self.syntax("expected a property before 'in'"));
            };
            let values = self.list(Tok::LParen, Tok::RParen)?;
            return Ok(any_of(property, values));
        }
        let op = match self.peek() {
            Tok::Word(w) => match w.as_str() {
                "eq" => CmpOp::Eq,
                "ne" => CmpOp::Ne,
                "gt" => CmpOp::Gt,
                "ge" => CmpOp::Ge,
                "lt" => CmpOp::Lt,
                "le" => CmpOp::Le,
                _ => return Err(self.syntax("expected a comparison operator")),
            },
            _ => return Err(self.syntax("expected a comparison operator")),
        };
        self.next();
        let right = self.operand()?;
        Ok(Expr::Cmp(op, left, right))
    }

    /// `(PropertyName='x',PropertyValues=['a','b'])` after the function's name.
    fn in_function(&mut self) -> Result<Expr, MetaFilterError> {
        self.expect(Tok::LParen, "'('")?;
        let mut property = None;
        let mut values = None;
        loop {
            let Tok::Word(parameter) = self.next().tok else {
                return Err(self.syntax("expected a parameter name"));
            };
            self.expect(Tok::Equals, "'='")?;
            match parameter.as_str() {
                "PropertyName" => match self.next().tok {
                    Tok::Lit(Literal::Str(name)) => property = Some(name),
                    _ => return Err(self.syntax("expected a quoted property name")),
                },
                "PropertyValues" => values = Some(self.list(Tok::LBracket, Tok::RBracket)?),
                _ => return Err(self.syntax("expected PropertyName or PropertyValues")),
            }
            match self.next().tok {
                Tok::Comma => continue,
                Tok::RParen => break,
                _ => return Err(self.syntax("expected ',' or ')'")),
            }
        }
        let (Some(property), Some(values)) = (property, values) else {
            return Err(self.syntax("In needs PropertyName and PropertyValues"));
        };
        if !(self.is_property)(&property) {
            return Err(MetaFilterError::UnknownProperty(property));
        }
        Ok(any_of(property, values))
    }

    /// A bracketed list of literals.
    fn list(&mut self, open: Tok, close: Tok) -> Result<Vec<Literal>, MetaFilterError> {
        self.expect(open, "a list")?;
        let mut values = Vec::new();
        loop {
            match self.next().tok {
                Tok::Lit(l) => values.push(l),
                t if t == close && values.is_empty() => return Ok(values),
                _ => return Err(self.syntax("expected a literal")),
            }
            match self.next().tok {
                Tok::Comma => {}
                t if t == close => return Ok(values),
                _ => return Err(self.syntax("expected ',' or the end of the list")),
            }
        }
    }

    fn operand(&mut self) -> Result<Operand, MetaFilterError> {
        match self.peek().clone() {
            Tok::Lit(l) => {
                self.next();
                Ok(Operand::Lit(l))
            }
            Tok::Word(w) if !is_keyword(&w) => {
                if !(self.is_property)(&w) {
                    return Err(MetaFilterError::UnknownProperty(w));
                }
                self.next();
                Ok(Operand::Field(w))
            }
            _ => Err(self.syntax("expected a property name or a literal")),
        }
    }
}

fn is_keyword(word: &str) -> bool {
    matches!(
        word,
        "and" | "or" | "not" | "in" | "eq" | "ne" | "gt" | "ge" | "lt" | "le"
    )
}

/// `property eq v1 or property eq v2 …`; an empty list matches nothing.
fn any_of(property: String, values: Vec<Literal>) -> Expr {
    let never = Expr::Not(Box::new(Expr::Cmp(
        CmpOp::Eq,
        Operand::Lit(Literal::Null),
        Operand::Lit(Literal::Null),
    )));
    values
        .into_iter()
        .map(|v| Expr::Cmp(CmpOp::Eq, Operand::Field(property.clone()), Operand::Lit(v)))
        .reduce(|a, b| Expr::Or(Box::new(a), Box::new(b)))
        .unwrap_or(never)
}

/// Parses a metadata `$filter`; `is_property` knows the item type's filterable paths.
pub(crate) fn parse(
    input: &str,
    is_property: &dyn Fn(&str) -> bool,
) -> Result<Expr, MetaFilterError> {
    let toks = tokenize(input).map_err(|e| MetaFilterError::Syntax(e.to_string()))?;
    let mut p = Parser {
        toks,
        i: 0,
        is_property,
    };
    let e = p.or()?;
    if *p.peek() != Tok::End {
        return Err(p.syntax("unexpected token after the end of the expression"));
    }
    Ok(e)
}

/// The properties a filter can test on a metadata item: its primitive values, and the
/// `Value` of each managed or wrapped property (`CanCreateAttributes/Value`). Labels and
/// collections cannot be filtered on.
pub(crate) fn filterable(item: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    for (name, value) in item {
        match value {
            Value::Object(inner) => {
                if let Some(v) = inner.get("Value").filter(|v| !v.is_object()) {
                    out.insert(format!("{name}/Value"), v.clone());
                }
            }
            Value::Array(_) => {}
            other => {
                out.insert(name.clone(), other.clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::filter::Dialect;

    const DV: Dialect = Dialect { wildcard_eq: false };

    fn item(v: Value) -> Map<String, Value> {
        filterable(v.as_object().expect("object"))
    }

    #[test]
    fn membership_enums_and_paths() {
        let row = item(
            json!({"LogicalName": "account", "OwnershipType": "UserOwned",
            "CanCreateAttributes": {"Value": true, "CanBeChanged": false}}),
        );
        let known = |p: &str| row.contains_key(p);
        for text in [
            "Microsoft.Dynamics.CRM.In(PropertyName='LogicalName',PropertyValues=['contact','account'])",
            "Microsoft.Dynamics.CRM.In(PropertyName='LogicalName',PropertyValues=[\"account\"])",
            "LogicalName in ('account','lead')",
            "OwnershipType eq Microsoft.Dynamics.CRM.OwnershipTypes'UserOwned' and CanCreateAttributes/Value eq true",
            "(LogicalName eq 'x' or LogicalName eq 'account') and LogicalName ne null",
        ] {
            let e = parse(text, &known).unwrap_or_else(|e| panic!("{text}: {e:?}"));
            assert!(e.matches(&row, DV), "{text} keeps account");
        }
        let e = parse("LogicalName in ('lead')", &known).expect("valid");
        assert!(!e.matches(&row, DV), "account is not in the list");
        assert_eq!(
            parse("startswith(LogicalName,'acc')", &known),
            Err(MetaFilterError::Function("startswith".into()))
        );
        assert_eq!(
            parse("Nope eq 1", &known),
            Err(MetaFilterError::UnknownProperty("Nope".into()))
        );
    }
}
