use duet_maps::FilterError;
use duet_maps::filter::dataverse::{
    Filter, Literal, Operand, PropertyPath, StringFunction, evaluate, parse, print, to_query,
};
use duet_maps::filter::{Comparison, Number};
use serde_json::json;

use super::row;

fn compare(column: &str, operator: Comparison, literal: Literal) -> Filter {
    Filter::Compare {
        left: Operand::Property(PropertyPath::column(column)),
        operator,
        right: Operand::Literal(literal),
    }
}

fn error_text(text: &str) -> String {
    parse(text)
        .expect_err("the filter is invalid on purpose")
        .to_string()
}

#[test]
fn each_comparison_operator_parses() {
    // GIVEN one filter per comparison keyword.
    for operator in Comparison::ALL {
        let text = format!("numberofemployees {} 1000", operator.odata());
        // WHEN it is parsed.
        let filter = parse(&text).expect("every OData comparison keyword is supported");
        // THEN the tree holds that operator and the integer.
        assert_eq!(
            filter,
            compare(
                "numberofemployees",
                operator,
                Literal::Number(Number::Integer(1000))
            ),
            "'{text}' must compare the column with the integer"
        );
    }
}

#[test]
fn and_binds_tighter_than_or_and_not_tightest() {
    // GIVEN a filter mixing or, and, not without parentheses.
    let filter = parse("a eq 1 or not b eq 2 and c eq 3").expect("valid filter");
    // WHEN it is parsed.
    // THEN it groups as a or ((not b) and c), as OData precedence requires.
    let expected = Filter::Or(
        Box::new(compare(
            "a",
            Comparison::Equal,
            Literal::Number(Number::Integer(1)),
        )),
        Box::new(Filter::And(
            Box::new(Filter::Not(Box::new(compare(
                "b",
                Comparison::Equal,
                Literal::Number(Number::Integer(2)),
            )))),
            Box::new(compare(
                "c",
                Comparison::Equal,
                Literal::Number(Number::Integer(3)),
            )),
        )),
    );
    assert_eq!(
        filter, expected,
        "precedence must follow the OData specification"
    );
    assert_eq!(
        print(&filter),
        "a eq 1 or not (b eq 2) and c eq 3",
        "the canonical form needs no extra parentheses here"
    );
}

#[test]
fn literals_of_every_kind_parse() {
    // GIVEN one filter per literal kind.
    let cases = [
        ("name eq 'O''Brian'", Literal::Text("O'Brian".to_owned())),
        ("x eq -12", Literal::Number(Number::Integer(-12))),
        ("x eq 12.5", Literal::Number(Number::Decimal(12.5))),
        ("x eq true", Literal::Boolean(true)),
        ("x eq false", Literal::Boolean(false)),
        ("x eq null", Literal::Null),
        (
            "x eq 89390C24-9C72-E511-80D4-00155D2A68D1",
            Literal::Guid(0x89390c24_9c72_e511_80d4_00155d2a68d1),
        ),
    ];
    for (text, literal) in cases {
        // WHEN it is parsed.
        let filter = parse(text).expect("each literal form is valid OData");
        // THEN the right operand is that literal.
        let Filter::Compare { right, .. } = filter else {
            panic!("'{text}' is a comparison");
        };
        assert_eq!(
            right,
            Operand::Literal(literal),
            "'{text}' must keep its literal"
        );
    }
}

#[test]
fn dates_and_times_parse_and_print_canonically() {
    // GIVEN a date-time with an offset and fractional seconds, and a date.
    let filter = parse("createdon ge 2026-11-23T10:00:00.50+01:00 and birthdate lt 2000-02-29")
        .expect("dates and offsets are valid OData literals");
    // WHEN it is printed.
    // THEN fractions lose trailing zeros and the offset is kept.
    assert_eq!(
        print(&filter),
        "createdon ge 2026-11-23T10:00:00.5+01:00 and birthdate lt 2000-02-29",
        "canonical text keeps the instant and the written offset"
    );
}

#[test]
fn paths_and_string_functions_parse() {
    // GIVEN a lookup path, an underscore lookup value and each string function.
    let filter = parse(
        "primarycontactid/fullname eq 'Ann' and _msdyn_company_value ne null and contains(name,'coffee') and startswith(name,'F') and not endswith(name,'Ltd')",
    )
    .expect("paths and the three string functions are supported");
    // WHEN it is printed back.
    // THEN the text is the same, because it is already canonical.
    assert_eq!(
        print(&filter),
        "primarycontactid/fullname eq 'Ann' and _msdyn_company_value ne null and contains(name,'coffee') and startswith(name,'F') and not endswith(name,'Ltd')",
        "canonical input must print unchanged"
    );
    let Filter::And(_, last) = filter else {
        panic!("the filter is a chain of and");
    };
    assert_eq!(
        *last,
        Filter::Not(Box::new(Filter::Call {
            function: StringFunction::EndsWith,
            property: PropertyPath::column("name"),
            value: "Ltd".to_owned(),
        })),
        "not applies to the function call"
    );
}

#[test]
fn a_missing_value_names_position_and_token() {
    // GIVEN a comparison whose value is missing before a parenthesis.
    // WHEN it is parsed.
    // THEN the message names what was expected, where, and what was found.
    assert_eq!(
        error_text("(statecode eq )"),
        "expected a value after 'eq' at position 15, found ')'",
        "the consultant must see where the value is missing"
    );
    assert_eq!(
        error_text("name eq"),
        "expected a value after 'eq' at position 8, found the end of the filter",
        "running out of text is reported at the end"
    );
}

#[test]
fn arithmetic_and_has_are_refused_clearly() {
    // GIVEN filters using arithmetic, has and in, which Dataverse does not support.
    let cases = [
        (
            "revenue add 5 gt 10",
            "operator 'add' at position 9 is not supported",
        ),
        (
            "revenue gt 10 mul 2",
            "operator 'mul' at position 15 is not supported",
        ),
        (
            "flags has 1",
            "operator 'has' at position 7 is not supported",
        ),
        (
            "code in ('a','b')",
            "operator 'in' at position 6 is not supported",
        ),
    ];
    for (text, start) in cases {
        // WHEN each is parsed.
        let message = error_text(text);
        // THEN the error names the operator and its position and says it is unsupported.
        assert!(
            message.starts_with(start),
            "'{text}' must be refused as unsupported, got: {message}"
        );
    }
    assert!(
        error_text("revenue add 5 gt 10").contains("arithmetic"),
        "the reason must say that arithmetic is the problem"
    );
}

#[test]
fn other_syntax_errors_are_positioned() {
    // GIVEN malformed filters.
    let cases = [
        (
            "",
            "expected a condition at position 1, found the end of the filter",
        ),
        (
            "name eq 'open",
            "the string starting at position 9 is not closed",
        ),
        (
            "(name eq 'a'",
            "expected ')' to close the '(' from position 1 at position 13, found the end of the filter",
        ),
        (
            "name 'a'",
            "expected a comparison operator (eq, ne, gt, ge, lt, le) after 'name' at position 6, found the string 'a'",
        ),
        (
            "name eq 'a' name",
            "expected 'and', 'or' or the end of the filter at position 13, found 'name'",
        ),
        (
            "tolower(name) eq 'a'",
            "function 'tolower' at position 1 is not supported: Dataverse source filters support only contains, startswith and endswith",
        ),
        (
            "contains('a',name)",
            "expected a column as the first argument of 'contains' at position 10, found the string 'a'",
        ),
        (
            "contains(name,5)",
            "expected a quoted string as the second argument of 'contains' at position 15, found '5'",
        ),
        (
            "x eq 2026-02-30",
            "invalid date '2026-02-30' at position 6: day 30 does not exist in 2026-02",
        ),
        (
            "x eq 99999999999999999999",
            "invalid number '99999999999999999999' at position 6: it is out of range for a 64-bit integer",
        ),
        (
            "Account_Tasks/any(o:o/statecode eq 1)",
            "'any(' at position 15 is not supported: lambda operators over related rows are not supported in source filters",
        ),
        (
            "x eq @p1",
            "a parameter alias at position 6 is not supported: write the value into the filter itself",
        ),
        (
            "and eq 1",
            "expected a condition at position 1, found 'and'",
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
fn positions_count_characters_not_bytes() {
    // GIVEN a filter with a multi-byte character before the error.
    // WHEN it is parsed.
    // THEN the position counts the accented letter once.
    assert_eq!(
        parse("name eq 'é' or").expect_err("or needs a right side"),
        FilterError::Unexpected {
            expected: "a condition".to_owned(),
            position: 15,
            found: "the end of the filter".to_owned(),
        },
        "a consultant counts characters, not UTF-8 bytes"
    );
}

#[test]
fn evaluation_follows_dataverse_rules() {
    // GIVEN an account row with text, numbers, a lookup value, a nested lookup and a date.
    let account = row(json!({
        "name": "Fourth Coffee",
        "numberofemployees": 1500,
        "customertypecode": 3,
        "revenue": 1000.5,
        "_msdyn_company_value": "89390c24-9c72-e511-80d4-00155d2a68d1",
        "primarycontactid": {"fullname": "Ann Lee"},
        "createdon": "2026-11-23T10:00:00Z",
        "msdyn_sellable": true,
    }));
    let cases = [
        ("name eq 'FOURTH COFFEE'", true),
        ("name ne 'fourth coffee'", false),
        (
            "numberofemployees gt 1000 and numberofemployees le 2000",
            true,
        ),
        ("numberofemployees lt 1000 or revenue ge 1000.5", true),
        ("customertypecode eq 3", true),
        ("customertypecode eq '3'", true),
        (
            "_msdyn_company_value eq 89390C24-9C72-E511-80D4-00155D2A68D1",
            true,
        ),
        ("primarycontactid/fullname eq 'ann lee'", true),
        ("primarycontactid/createdby/fullname eq null", true),
        ("createdon lt 2026-11-23T10:30:00+01:00", false),
        ("createdon ge 2026-11-23", true),
        ("telephone1 eq null", true),
        ("telephone1 ne null", false),
        ("telephone1 gt 'a'", false),
        ("contains(name,'COFFEE')", true),
        ("startswith(name,'fourth')", true),
        ("endswith(name,'tea')", false),
        ("contains(telephone1,'5')", false),
        ("msdyn_sellable eq true and not (name eq 'x')", true),
        ("name eq name", true),
    ];
    for (text, expected) in cases {
        // WHEN each filter is evaluated against the row.
        let filter = parse(text).expect("the test filters are valid");
        let kept = evaluate(&filter, &account).expect("the row's values are comparable");
        // THEN the row is kept exactly when Dataverse would return it.
        assert_eq!(kept, expected, "'{text}' must evaluate to {expected}");
    }
}

#[test]
fn evaluation_reports_incomparable_values() {
    // GIVEN a text column compared with a number, and an object compared with text.
    let account = row(json!({"name": "Contoso", "address": {"city": "Oslo"}}));
    // WHEN they are evaluated.
    let text_number = evaluate(&parse("name gt 5").expect("valid filter"), &account);
    let object = evaluate(&parse("address eq 'Oslo'").expect("valid filter"), &account);
    // THEN both fail with messages that name the values, because guessing would hide a bad filter.
    assert_eq!(
        text_number
            .expect_err("text that is not a number cannot be ordered against one")
            .to_string(),
        "cannot compare text 'Contoso' with number 5 using 'gt'",
        "the message names both values and the operator"
    );
    assert_eq!(
        object.expect_err("objects are not comparable").to_string(),
        "'address' holds an object, which a filter cannot compare",
        "the message names the property"
    );
}

#[test]
fn translation_is_the_canonical_text() {
    // GIVEN the reversed filters of the dual-write templates, written loosely.
    let cases = [
        ("customertypecode   eq 3", "customertypecode eq 3"),
        (
            "(msdyn_sellable eq true) and (msdyn_contactpersonid ne null)",
            "msdyn_sellable eq true and msdyn_contactpersonid ne null",
        ),
        (
            "(a eq 1 or b eq 2) and c eq 3",
            "(a eq 1 or b eq 2) and c eq 3",
        ),
        (
            "a eq 1 and (b eq 2 and c eq 3)",
            "a eq 1 and (b eq 2 and c eq 3)",
        ),
    ];
    for (text, query) in cases {
        // WHEN each is translated to a Web API $filter.
        let filter = parse(text).expect("template filters are valid");
        // THEN the query is the canonical print, which Dataverse accepts as is.
        assert_eq!(
            to_query(&filter),
            query,
            "'{text}' must translate to canonical OData"
        );
    }
}
