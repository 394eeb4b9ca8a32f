use duet_maps::filter::finance_operations::{
    Expr, Operand, RangeItem, evaluate, parse, print, to_odata_filter,
};
use duet_maps::filter::{Comparison, Number};
use serde_json::json;

use super::row;

fn ranges(field: &str, operator: Comparison, items: Vec<RangeItem>) -> Expr {
    Expr::Compare {
        field: field.to_owned(),
        operator,
        value: Operand::Ranges(items),
    }
}

fn exact(text: &str) -> RangeItem {
    RangeItem::Exact(text.to_owned())
}

fn error_text(text: &str) -> String {
    parse(text)
        .expect_err("the expression is invalid on purpose")
        .to_string()
}

fn no_enums(_: &str) -> Option<String> {
    None
}

fn party_type_enum(field: &str) -> Option<String> {
    (field == "PartyType").then(|| "DirPartyType".to_owned())
}

#[test]
fn template_filters_parse_and_print_canonically() {
    // GIVEN the source filters shipped with the dual-write templates.
    let cases = [
        (
            "((PartyType == \"Organization\"))",
            "(PartyType == \"Organization\")",
        ),
        ("((CURRENCYCODE != \"999\"))", "(CURRENCYCODE != \"999\")"),
        ("(SalesOrderNumber != \"\")", "(SalesOrderNumber != \"\")"),
        ("(accounttype == '3')", "(accounttype == \"3\")"),
        (
            "((numberofemployees > 1000) && (numberofemployees <= 2000))",
            "((numberofemployees > 1000) && (numberofemployees <= 2000))",
        ),
    ];
    for (text, canonical) in cases {
        // WHEN each is parsed and printed.
        let expr = parse(text).expect("template filters are valid");
        // THEN the canonical text has one pair of parentheses per condition and double quotes.
        assert_eq!(print(&expr), canonical, "'{text}' must print canonically");
    }
}

#[test]
fn each_operator_parses() {
    // GIVEN one condition per X++ comparison operator.
    for operator in Comparison::ALL {
        let text = format!("(CreditLimit {} 1000)", operator.x_plus_plus());
        // WHEN it is parsed.
        // THEN the tree holds the operator and the number.
        assert_eq!(
            parse(&text).expect("every X++ comparison is supported"),
            Expr::Compare {
                field: "CreditLimit".to_owned(),
                operator,
                value: Operand::Number(Number::Integer(1000)),
            },
            "'{text}' must compare the field with 1000"
        );
    }
}

#[test]
fn logical_operators_group_like_x_plus_plus() {
    // GIVEN conditions joined by ||, && and ! without extra parentheses.
    let expr = parse("A == 1 || !B == 2 && C == Yes").expect("valid expression");
    // WHEN it is parsed.
    // THEN && binds tighter than || and ! applies to the next condition.
    let condition = |field: &str, value: Operand| Expr::Compare {
        field: field.to_owned(),
        operator: Comparison::Equal,
        value,
    };
    let expected = Expr::Or(
        Box::new(condition("A", Operand::Number(Number::Integer(1)))),
        Box::new(Expr::And(
            Box::new(Expr::Not(Box::new(condition(
                "B",
                Operand::Number(Number::Integer(2)),
            )))),
            Box::new(condition("C", Operand::Symbol("Yes".to_owned()))),
        )),
    );
    assert_eq!(expr, expected, "precedence must match X++");
    assert_eq!(
        print(&expr),
        "((A == 1) || (!(B == 2) && (C == Yes)))",
        "the canonical form parenthesizes every group"
    );
}

#[test]
fn range_syntax_inside_strings_is_typed() {
    // GIVEN strings using lists, ranges, open ranges, wildcards and quoted values.
    let cases = [
        (
            "CustomerAccount == \"C0001..C0100\"",
            vec![RangeItem::Between {
                from: "C0001".to_owned(),
                to: "C0100".to_owned(),
            }],
        ),
        (
            "CustomerAccount == \"C0100..\"",
            vec![RangeItem::Between {
                from: "C0100".to_owned(),
                to: String::new(),
            }],
        ),
        (
            "CustomerAccount == \"..C0100\"",
            vec![RangeItem::Between {
                from: String::new(),
                to: "C0100".to_owned(),
            }],
        ),
        (
            "Name == \"*retail*\"",
            vec![RangeItem::Pattern("*retail*".to_owned())],
        ),
        (
            "Group == \"10, 20,30\"",
            vec![exact("10"), exact("20"), exact("30")],
        ),
        ("Name == \"\\\"a,b\\\",c\"", vec![exact("a,b"), exact("c")]),
        ("Name == \"\\\"a*\\\"\"", vec![exact("a*")]),
        ("Amount == \"1.5\"", vec![exact("1.5")]),
    ];
    for (text, items) in cases {
        // WHEN each is parsed.
        let expr = parse(text).expect("classic query-range values are supported");
        // THEN the string becomes typed range items.
        let Expr::Compare { value, .. } = expr else {
            panic!("'{text}' is a single condition");
        };
        assert_eq!(
            value,
            Operand::Ranges(items),
            "'{text}' must parse its range syntax"
        );
    }
}

#[test]
fn syntax_errors_name_position_and_token() {
    // GIVEN malformed expressions.
    let cases = [
        (
            "(PartyType = \"Organization\")",
            "expected '==' at position 12, found '='",
        ),
        (
            "(PartyType == )",
            "expected a value after '==' at position 15, found ')'",
        ),
        (
            "(Name == \"abc",
            "the string starting at position 10 is not closed",
        ),
        (
            "(A == 1) &&",
            "expected a field name or '(' at position 12, found the end of the expression",
        ),
        (
            "(A == 1) & (B == 2)",
            "expected '&&' at position 10, found '&'",
        ),
        (
            "(A == 1",
            "expected ')' to close the '(' from position 1 at position 8, found the end of the expression",
        ),
        (
            "A",
            "expected a comparison operator (==, !=, <, <=, >, >=) after 'A' at position 2, found the end of the expression",
        ),
        (
            "(A == 1) (B == 2)",
            "expected '&&', '||' or the end of the expression at position 10, found '('",
        ),
        (
            "(A == \"x\\q\")",
            "invalid escape '\\q' at position 9: only \\\\, \\\" and \\' are escapes",
        ),
        (
            "(A == \"1..2..3\")",
            "expected a single '..' in a range item at position 12, found a second '..'",
        ),
        (
            "(A == \"a*..b\")",
            "a wildcard in a range bound at position 9 is not supported: a range 'a..b' takes plain values; quote a literal '*'",
        ),
        (
            "(Amount < \"1,2\")",
            "range syntax after '<' at position 11 is not supported: lists, ranges and wildcards only work with == and !=",
        ),
        (
            "(Group == \"!90\")",
            "query-range operator '!' inside a string at position 12 is not supported: write the comparison with ==, !=, <, <=, >, >= or && outside the string, or quote the value",
        ),
        (
            "",
            "expected a condition at position 1, found the end of the expression",
        ),
    ];
    for (text, message) in cases {
        // WHEN each is parsed.
        // THEN the message is exact, so the UI can show it as is.
        assert_eq!(
            error_text(text),
            message,
            "'{text}' must fail with a positioned message"
        );
    }
}

#[test]
fn evaluation_follows_query_range_semantics() {
    // GIVEN a customer row; fields not in it are missing.
    let customer = row(json!({
        "PartyType": "Organization",
        "CustomerGroupId": "10",
        "CustomerAccount": "C0050",
        "OrganizationName": "Big Retail Co",
        "CreditLimit": 5000,
        "SalesOrderNumber": "",
        "Blocked": false,
    }));
    let cases = [
        ("((PartyType == \"Organization\"))", true),
        ("(PartyType == \"organization\")", true),
        ("(PartyType == Organization)", true),
        ("(PartyType != \"Person\")", true),
        ("(CustomerGroupId == \"10,20,30\")", true),
        ("(CustomerGroupId != \"10,20,30\")", false),
        ("(CustomerGroupId == \"20,30\")", false),
        ("(CustomerAccount == \"C0001..C0100\")", true),
        ("(CustomerAccount == \"C0100..\")", false),
        ("(CustomerAccount == \"..C0050\")", true),
        ("(OrganizationName == \"*retail*\")", true),
        ("(OrganizationName == \"big?retail*\")", true),
        ("(OrganizationName == \"retail*\")", false),
        ("(CreditLimit > 1000)", true),
        ("(CreditLimit <= 1000)", false),
        ("(CreditLimit == \"5000\")", true),
        ("(CreditLimit == \"4000..6000\")", true),
        ("(SalesOrderNumber != \"\")", false),
        ("(Missing == \"\")", true),
        ("(Missing != \"\")", false),
        ("(Missing > 5)", false),
        ("((CreditLimit >= 1000) && (CreditLimit <= 5000))", true),
        ("(!(PartyType == \"Person\") || (CreditLimit < 0))", true),
        ("(Blocked == No)", true),
        ("(Blocked == Yes)", false),
        ("(CustomerAccount < \"C1\")", true),
    ];
    for (text, expected) in cases {
        // WHEN each expression is evaluated.
        let expr = parse(text).expect("the test expressions are valid");
        let kept = evaluate(&expr, &customer).expect("the row's values are comparable");
        // THEN the row is kept exactly when the documented semantics say so.
        assert_eq!(kept, expected, "'{text}' must evaluate to {expected}");
    }
}

#[test]
fn evaluation_refuses_text_ordered_against_numbers() {
    // GIVEN a text field ordered against a number.
    let customer = row(json!({"CustomerGroupId": "retail"}));
    let expr = parse("(CustomerGroupId > 5)").expect("valid expression");
    // WHEN it is evaluated.
    let result = evaluate(&expr, &customer);
    // THEN it fails, because silently dropping the row would hide a mistyped filter.
    assert_eq!(
        result
            .expect_err("text that is not numeric has no numeric order")
            .to_string(),
        "cannot compare text 'retail' with number 5 using '>'",
        "the message names both values and the X++ operator"
    );
}

#[test]
fn translation_builds_finance_and_operations_odata() {
    // GIVEN expressions of every kind and PartyType declared as the DirPartyType enum.
    let cases = [
        (
            "((PartyType == \"Organization\") && (CustomerGroupId != \"90\"))",
            "PartyType eq Microsoft.Dynamics.DataEntities.DirPartyType'Organization' and CustomerGroupId ne '90'",
        ),
        (
            "(PartyType != Person)",
            "PartyType ne Microsoft.Dynamics.DataEntities.DirPartyType'Person'",
        ),
        (
            "(OrganizationName == \"*retail*\")",
            "OrganizationName eq '*retail*'",
        ),
        (
            "(CustomerAccount == \"C0001..C0100\")",
            "CustomerAccount ge 'C0001' and CustomerAccount le 'C0100'",
        ),
        (
            "(CustomerAccount == \"C0100..\")",
            "CustomerAccount ge 'C0100'",
        ),
        (
            "(CustomerGroupId == \"10,20,30\")",
            "CustomerGroupId eq '10' or CustomerGroupId eq '20' or CustomerGroupId eq '30'",
        ),
        (
            "((CustomerGroupId == \"10,20\") && (CreditLimit > 1000.5))",
            "(CustomerGroupId eq '10' or CustomerGroupId eq '20') and CreditLimit gt 1000.5",
        ),
        (
            "(CustomerGroupId != \"10,20\")",
            "not (CustomerGroupId eq '10' or CustomerGroupId eq '20')",
        ),
        ("!(Name == \"O'Brian\")", "not (Name eq 'O''Brian')"),
        (
            "((A == 1) || (B == 2)) && !((C == 3) && (D == 4))",
            "(A eq 1 or B eq 2) and not (C eq 3 and D eq 4)",
        ),
    ];
    for (text, query) in cases {
        // WHEN each is translated.
        let expr = parse(text).expect("the test expressions are valid");
        let translated = to_odata_filter(&expr, &party_type_enum).expect("translatable expression");
        // THEN the OData filter selects the same rows in the service's own syntax.
        assert_eq!(translated, query, "'{text}' must translate faithfully");
    }
}

#[test]
fn enum_members_stay_strings_without_an_enum_type() {
    // GIVEN the template filter and no enum information.
    let expr = parse("((PartyType == \"Organization\"))").expect("valid expression");
    // WHEN it is translated.
    let translated = to_odata_filter(&expr, &no_enums).expect("plain strings translate");
    // THEN the member is a quoted string, the only honest choice without a type.
    assert_eq!(
        translated, "PartyType eq 'Organization'",
        "no enum type, no enum literal"
    );
}

#[test]
fn untranslatable_conditions_are_refused() {
    // GIVEN conditions the finance and operations OData service cannot express.
    let cases = [
        (
            "(PartyType > \"A\")",
            "enum fields only compare with eq and ne",
        ),
        (
            "(PartyType == \"Org*\")",
            "wildcards and ranges cannot apply",
        ),
        ("(PartyType == 1)", "compared by member name"),
        ("(Name == \"a?c\")", "no '?'"),
    ];
    for (text, reason) in cases {
        // WHEN each is translated with PartyType as an enum.
        let expr = parse(text).expect("the expressions themselves are valid");
        let error = to_odata_filter(&expr, &party_type_enum)
            .expect_err("the service has no equivalent")
            .to_string();
        // THEN the error explains why, instead of sending a query that fails or over-reads.
        assert!(
            error.starts_with("cannot translate") && error.contains(reason),
            "'{text}' must be refused because of '{reason}', got: {error}"
        );
    }
}

#[test]
fn ordering_over_a_range_list_is_malformed() {
    // GIVEN a hand-built ordering condition over two range items, which the parser never makes.
    let expr = ranges("Name", Comparison::Less, vec![exact("a"), exact("b")]);
    // WHEN it is evaluated.
    let result = evaluate(&expr, &row(json!({"Name": "x"})));
    // THEN it fails as malformed rather than guessing which value was meant.
    assert!(
        matches!(result, Err(duet_maps::FilterError::Malformed { .. })),
        "ordering needs one value, got {result:?}"
    );
}
