//! The Dataverse filter parser: tokens to a filter tree, refusing what Dataverse or this
//! model does not support with the reason why.

use super::lexer::{Kind, Token, lex};
use super::{Filter, KEYWORDS, Literal, Operand, PropertyPath, StringFunction};
use crate::filter::{Comparison, FilterError, MAX_DEPTH, joined, too_deep};

/// A parsed part of a filter and the height of its tree.
type Parsed = (Filter, usize);

/// Parses a `$filter` value as written (already URL-decoded).
pub fn parse(text: &str) -> Result<Filter, FilterError> {
    let mut parser = Parser {
        tokens: lex(text)?,
        index: 0,
        open: 0,
    };
    if parser.peek().kind == Kind::End {
        return Err(parser.unexpected("a condition"));
    }
    let (filter, _) = parser.or(0)?;
    match &parser.peek().kind {
        Kind::End => Ok(filter),
        _ => Err(parser.after_condition("'and', 'or' or the end of the filter")),
    }
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
    /// Parentheses open at the token being read.
    open: usize,
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

    /// The error for a part that would nest deeper than [`MAX_DEPTH`], at the current token.
    fn too_deep(&self) -> FilterError {
        too_deep(self.peek().position)
    }

    /// `level` counts the negations enclosing the part being read; each part comes back with
    /// the height of its tree, so that `level + height` stays within [`MAX_DEPTH`] and nothing
    /// recursive over the tree can overflow the stack.
    fn or(&mut self, level: usize) -> Result<Parsed, FilterError> {
        let (mut left, mut height) = self.and(level)?;
        while self.peek_word() == Some("or") {
            let operator = self.advance().position;
            joined(level, height, 0, operator)?;
            let (right, other) = self.and(level)?;
            height = joined(level, height, other, operator)?;
            left = Filter::Or(Box::new(left), Box::new(right));
        }
        Ok((left, height))
    }

    fn and(&mut self, level: usize) -> Result<Parsed, FilterError> {
        let (mut left, mut height) = self.unary(level)?;
        while self.peek_word() == Some("and") {
            let operator = self.advance().position;
            joined(level, height, 0, operator)?;
            let (right, other) = self.unary(level)?;
            height = joined(level, height, other, operator)?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
        Ok((left, height))
    }

    fn unary(&mut self, level: usize) -> Result<Parsed, FilterError> {
        if level >= MAX_DEPTH {
            return Err(self.too_deep());
        }
        if self.peek_word() == Some("not") {
            self.advance();
            let (inner, height) = self.unary(level + 1)?;
            return Ok((Filter::Not(Box::new(inner)), height + 1));
        }
        self.primary(level)
    }

    fn primary(&mut self, level: usize) -> Result<Parsed, FilterError> {
        if self.peek().kind == Kind::Open {
            if self.open >= MAX_DEPTH {
                return Err(self.too_deep());
            }
            let open = self.advance();
            self.open += 1;
            let inner = self.or(level)?;
            self.open -= 1;
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
        let condition = if is_call {
            self.call()?
        } else {
            self.comparison()?
        };
        Ok((condition, 1))
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
