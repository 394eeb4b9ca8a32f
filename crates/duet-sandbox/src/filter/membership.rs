//! Membership tests for a filter that allows them (`Functions::Membership`): OData's
//! `X in ('a','b')` and Dataverse's `Microsoft.Dynamics.CRM.In(PropertyName='X',
//! PropertyValues=['a','b'])`, each read as `X eq 'a' or X eq 'b'`.

use super::lex::Tok;
use super::parse::Parser;
use super::{CmpOp, Expr, FilterError, Literal, Operand};

const IN_FUNCTION: &str = "Microsoft.Dynamics.CRM.In";

impl Parser<'_> {
    /// A function call where only membership is allowed: `In(…)`, or a refusal naming it.
    pub(super) fn membership_function(&mut self, name: String) -> Result<Expr, FilterError> {
        if name != IN_FUNCTION {
            return Err(FilterError::UnsupportedFunction(name));
        }
        self.next();
        self.expect(Tok::LParen, "'('")?;
        let (mut property, mut values) = (None, None);
        loop {
            let Tok::Word(parameter) = self.next().tok else {
                return Err(self.error_here("expected a parameter name"));
            };
            self.expect(Tok::Equals, "'='")?;
            match parameter.as_str() {
                "PropertyName" => match self.next().tok {
                    Tok::Lit(Literal::Str(name)) => property = Some(name),
                    _ => return Err(self.error_here("expected a quoted property name")),
                },
                "PropertyValues" => values = Some(self.literals(Tok::LBracket, Tok::RBracket)?),
                _ => return Err(self.error_here("expected PropertyName or PropertyValues")),
            }
            match self.next().tok {
                Tok::Comma => continue,
                Tok::RParen => break,
                _ => return Err(self.error_here("expected ',' or ')'")),
            }
        }
        let (Some(property), Some(values)) = (property, values) else {
            return Err(self.error_here("In needs PropertyName and PropertyValues"));
        };
        if !(self.is_field)(&property) {
            return Err(FilterError::UnknownProperty(property));
        }
        Ok(any_of(property, values))
    }

    /// `in ('a','b')` after its left operand, which must be a property.
    pub(super) fn in_list(&mut self, left: Operand) -> Result<Expr, FilterError> {
        let Operand::Field(property) = left else {
            return Err(self.error_here("expected a property before 'in'"));
        };
        self.next();
        let values = self.literals(Tok::LParen, Tok::RParen)?;
        Ok(any_of(property, values))
    }

    /// A list of literals between `open` and `close`.
    fn literals(&mut self, open: Tok, close: Tok) -> Result<Vec<Literal>, FilterError> {
        self.expect(open, "a list")?;
        let mut values = Vec::new();
        loop {
            match self.next().tok {
                Tok::Lit(l) => values.push(l),
                t if t == close && values.is_empty() => return Ok(values),
                _ => return Err(self.error_here("expected a literal")),
            }
            match self.next().tok {
                Tok::Comma => {}
                t if t == close => return Ok(values),
                _ => return Err(self.error_here("expected ',' or the end of the list")),
            }
        }
    }
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
