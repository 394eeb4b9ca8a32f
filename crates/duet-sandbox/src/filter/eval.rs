//! Evaluates a parsed `$filter` against one JSON row, with each dialect's rules for nulls,
//! case, dates and F&O's `*` wildcards.

use std::cmp::Ordering;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::{CaseFn, CmpOp, Dialect, Expr, Literal, Operand, StrFn};

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
        Operand::Case(case, inner) => match resolve(inner, row) {
            Literal::Str(s) => Literal::Str(match case {
                CaseFn::Lower => s.to_lowercase(),
                CaseFn::Upper => s.to_uppercase(),
            }),
            other => other,
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
