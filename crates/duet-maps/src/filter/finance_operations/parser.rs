//! The query-range parser: tokens to an expression tree, with `!` binding tightest, then
//! `&&`, then `||`.

use super::lexer::{Kind, Token, lex};
use super::ranges::parse_ranges;
use super::{Expr, Operand, RangeItem};
use crate::filter::{Comparison, FilterError};

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
