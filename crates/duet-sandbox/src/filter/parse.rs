//! Parses `$filter` tokens into an [`Expr`] by recursive descent: `or` binds loosest, then
//! `and`, then `not`, then comparisons and string functions.

use super::lex::{Tok, Token, tokenize};
use super::{CaseFn, CmpOp, Expr, FilterError, Functions, Operand, StrFn, syntax};

const KEYWORDS: &[&str] = &["and", "or", "not", "in", "eq", "ne", "gt", "ge", "lt", "le"];

/// How deep an expression may nest (parentheses, `not`, and each `and`/`or` join on one
/// path): deeper ones are refused rather than recursed into until the stack runs out.
const MAX_DEPTH: usize = 128;

pub(super) struct Parser<'a> {
    toks: Vec<Token>,
    i: usize,
    input: &'a str,
    pub(super) is_field: &'a dyn Fn(&str) -> bool,
    pub(super) functions: Functions,
    depth: usize,
}

impl Parser<'_> {
    pub(super) fn peek(&self) -> &Token {
        &self.toks[self.i.min(self.toks.len() - 1)]
    }

    pub(super) fn next(&mut self) -> Token {
        let t = self.peek().clone();
        if self.i < self.toks.len() - 1 {
            self.i += 1;
        }
        t
    }

    pub(super) fn error_here(&self, detail: &str) -> FilterError {
        let t = self.peek();
        syntax(self.input, t.pos, &t.text, detail)
    }

    pub(super) fn is_word(&self, w: &str) -> bool {
        matches!(&self.peek().tok, Tok::Word(x) if x == w)
    }

    /// One level deeper, refused past [`MAX_DEPTH`].
    fn deeper(&mut self) -> Result<(), FilterError> {
        self.depth += 1;
        match self.depth > MAX_DEPTH {
            true => Err(self.error_here(&format!(
                "the expression nests deeper than {MAX_DEPTH} levels"
            ))),
            false => Ok(()),
        }
    }

    fn parse_or(&mut self) -> Result<Expr, FilterError> {
        let start = self.depth;
        let mut left = self.parse_and()?;
        while self.is_word("or") {
            self.deeper()?;
            self.next();
            let right = self.parse_and()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        self.depth = start;
        Ok(left)
    }

    fn parse_and(&mut self) -> Result<Expr, FilterError> {
        let start = self.depth;
        let mut left = self.parse_unary()?;
        while self.is_word("and") {
            self.deeper()?;
            self.next();
            let right = self.parse_unary()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        self.depth = start;
        Ok(left)
    }

    fn parse_unary(&mut self) -> Result<Expr, FilterError> {
        if self.is_word("not") {
            self.deeper()?;
            self.next();
            let inner = self.parse_unary()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        self.parse_primary()
    }

    pub(super) fn expect(&mut self, tok: Tok, what: &str) -> Result<(), FilterError> {
        if self.peek().tok == tok {
            self.next();
            Ok(())
        } else {
            Err(self.error_here(&format!("expected {what}")))
        }
    }

    fn parse_primary(&mut self) -> Result<Expr, FilterError> {
        if self.peek().tok == Tok::LParen {
            self.deeper()?;
            self.next();
            let e = self.parse_or()?;
            self.depth -= 1;
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
            if self.functions == Functions::Membership {
                return self.membership_function(w.clone());
            }
            let func = match w.as_str() {
                "contains" => StrFn::Contains,
                "startswith" => StrFn::StartsWith,
                "endswith" => StrFn::EndsWith,
                _ if self.case_fn(w).is_some() => return self.parse_comparison(),
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
        self.parse_comparison()
    }

    /// A case function this parser accepts, by name.
    fn case_fn(&self, name: &str) -> Option<CaseFn> {
        if self.functions != Functions::StringsAndCase {
            return None;
        }
        match name {
            "tolower" => Some(CaseFn::Lower),
            "toupper" => Some(CaseFn::Upper),
            _ => None,
        }
    }

    fn parse_comparison(&mut self) -> Result<Expr, FilterError> {
        let left = self.parse_operand()?;
        if self.functions == Functions::Membership && self.is_word("in") {
            return self.in_list(left);
        }
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
        let followed_by_paren = self
            .toks
            .get(self.i + 1)
            .is_some_and(|t| t.tok == Tok::LParen);
        if let Tok::Word(w) = &self.peek().tok
            && followed_by_paren
            && let Some(case) = self.case_fn(w)
        {
            self.next();
            self.expect(Tok::LParen, "'('")?;
            let inner = self.parse_operand()?;
            self.expect(Tok::RParen, "')'")?;
            return Ok(Operand::Case(case, Box::new(inner)));
        }
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
    parse_with(input, is_field, Functions::Strings)
}

/// Parses a `$filter` expression that may use the given `functions`.
pub(crate) fn parse_with(
    input: &str,
    is_field: &dyn Fn(&str) -> bool,
    functions: Functions,
) -> Result<Expr, FilterError> {
    let toks = tokenize(input)?;
    let mut p = Parser {
        toks,
        i: 0,
        input,
        is_field,
        functions,
        depth: 0,
    };
    let e = p.parse_or()?;
    if p.peek().tok != Tok::End {
        return Err(p.error_here("unexpected token after the end of the expression"));
    }
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(input: &str) -> Result<Expr, FilterError> {
        parse(input, &|name| name == "a")
    }

    #[test]
    fn nesting_up_to_the_limit_parses_and_beyond_it_is_refused_with_its_position() {
        let at_limit = format!("{}a eq 1{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert!(parsed(&at_limit).is_ok());
        let far = format!("{}a eq 1{}", "(".repeat(100_000), ")".repeat(100_000));
        let error = parsed(&far).unwrap_err().to_string();
        assert!(error.contains("deeper than 128"), "{error}");
        assert!(error.contains("position 128"), "{error}");
    }

    #[test]
    fn long_chains_and_negations_are_refused_past_the_limit() {
        let chain = vec!["a eq 1"; 100_000].join(" and ");
        assert!(
            parsed(&chain)
                .unwrap_err()
                .to_string()
                .contains("deeper than")
        );
        let negations = format!("{}a eq 1", "not ".repeat(100_000));
        assert!(
            parsed(&negations)
                .unwrap_err()
                .to_string()
                .contains("deeper than")
        );
        let short = vec!["a eq 1"; 100].join(" or ");
        assert!(parsed(&short).is_ok());
    }
}
