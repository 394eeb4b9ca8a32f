//! The query-range parser: tokens to an expression tree, with `!` binding tightest, then
//! `&&`, then `||`.

use super::lexer::{Kind, Token, lex};
use super::ranges::parse_ranges;
use super::{Expr, Operand, RangeItem};
use crate::filter::{Comparison, FilterError, MAX_DEPTH, joined, too_deep};

/// A parsed part of an expression and the height of its tree.
type Parsed = (Expr, usize);

/// Parses a query-range expression.
pub fn parse(text: &str) -> Result<Expr, FilterError> {
    let mut parser = Parser {
        tokens: lex(text)?,
        index: 0,
        open: 0,
    };
    if parser.peek().kind == Kind::End {
        return Err(parser.unexpected("a condition"));
    }
    let (expr, _) = parser.or(0)?;
    if parser.peek().kind != Kind::End {
        return Err(parser.unexpected("'&&', '||' or the end of the expression"));
    }
    Ok(expr)
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

    /// The error for a part that would nest deeper than [`MAX_DEPTH`], at the current token.
    fn too_deep(&self) -> FilterError {
        too_deep(self.peek().position)
    }

    /// `level` counts the negations enclosing the part being read; each part comes back with
    /// the height of its tree, so that `level + height` stays within [`MAX_DEPTH`] and nothing
    /// recursive over the tree can overflow the stack.
    fn or(&mut self, level: usize) -> Result<Parsed, FilterError> {
        let (mut left, mut height) = self.and(level)?;
        while self.peek().kind == Kind::Or {
            let operator = self.advance().position;
            joined(level, height, 0, operator)?;
            let (right, other) = self.and(level)?;
            height = joined(level, height, other, operator)?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok((left, height))
    }

    fn and(&mut self, level: usize) -> Result<Parsed, FilterError> {
        let (mut left, mut height) = self.unary(level)?;
        while self.peek().kind == Kind::And {
            let operator = self.advance().position;
            joined(level, height, 0, operator)?;
            let (right, other) = self.unary(level)?;
            height = joined(level, height, other, operator)?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok((left, height))
    }

    fn unary(&mut self, level: usize) -> Result<Parsed, FilterError> {
        if level >= MAX_DEPTH {
            return Err(self.too_deep());
        }
        if self.peek().kind == Kind::Not {
            self.advance();
            let (inner, height) = self.unary(level + 1)?;
            return Ok((Expr::Not(Box::new(inner)), height + 1));
        }
        self.primary(level)
    }

    fn primary(&mut self, level: usize) -> Result<Parsed, FilterError> {
        match self.peek().kind.clone() {
            Kind::Open => {
                if self.open >= MAX_DEPTH {
                    return Err(self.too_deep());
                }
                let open = self.advance();
                self.open += 1;
                let inner = self.or(level)?;
                self.open -= 1;
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
                let compare = Expr::Compare {
                    field,
                    operator,
                    value,
                };
                Ok((compare, 1))
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
