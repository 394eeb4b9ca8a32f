//! OData `$filter`, `$orderby` and `$select` handling over JSON rows.
//!
//! Both emulators keep rows as JSON objects, so a filter is evaluated on each row as it is
//! read: one evaluator for both protocol dialects. Reads seek where the filter lets them start
//! (`finops/scan.rs`, `dataverse/scan.rs`), so a page does not cost the whole table.

mod eval;
mod lex;
mod membership;
mod order;
mod parse;
mod select;

use chrono::{DateTime, Utc};

pub(crate) use order::{compare_rows, parse_orderby, sort_rows};
pub(crate) use parse::{parse, parse_with};
pub(crate) use select::parse_select;

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

/// Case functions on an operand, `tolower(Name)` and `toupper(Name)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CaseFn {
    Lower,
    Upper,
}

/// The functions a service's `$filter` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Functions {
    /// `contains`, `startswith` and `endswith` only (the data services).
    #[default]
    Strings,
    /// Those and `tolower`/`toupper` around an operand (the F&O metadata service).
    StringsAndCase,
    /// No function but membership: `X in ('a','b')` and
    /// `Microsoft.Dynamics.CRM.In(PropertyName='X',PropertyValues=['a','b'])`, which become an
    /// `or` of equalities; any other function is refused by its name (Dataverse metadata).
    Membership,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand {
    Field(String),
    Lit(Literal),
    /// `tolower(x)` or `toupper(x)`.
    Case(CaseFn, Box<Operand>),
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
    /// A function the service does not support, by the name the request used.
    #[error("The \"{0}\" function is not supported.")]
    UnsupportedFunction(String),
}

/// Every conjunct of an `and` chain: the parts a read may seek on.
pub(crate) fn conjuncts(expr: &Expr) -> Vec<&Expr> {
    match expr {
        Expr::And(left, right) => {
            let mut all = conjuncts(left);
            all.extend(conjuncts(right));
            all
        }
        other => vec![other],
    }
}

/// Dialect switches: F&O treats `*` inside an `eq` string literal as a wildcard.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Dialect {
    pub wildcard_eq: bool,
}

/// A syntax error at `position`, naming the offending `token`.
fn syntax(input: &str, position: usize, token: &str, detail: &str) -> FilterError {
    FilterError::Syntax {
        position,
        token: token.to_string(),
        input: input.to_string(),
        detail: detail.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, Value, json};

    use super::*;

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
    fn case_functions_only_where_allowed() {
        let text = "tolower(Name) eq tolower('CustomerV3') and contains(toupper(Name),'V3')";
        assert!(
            parse(text, &any_field).is_err(),
            "data services refuse tolower"
        );
        let e = parse_with(text, &any_field, Functions::StringsAndCase).expect("metadata filter");
        assert!(e.matches(&row(json!({"Name": "CustomerV3"})), DV));
        assert!(!e.matches(&row(json!({"Name": "CustomerV2"})), DV));
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
