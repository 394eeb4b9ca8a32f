//! Hostile nesting: both filter parsers refuse a filter deeper than `MAX_DEPTH` with an error
//! naming the position, instead of overflowing the stack, and a filter at the limit can be
//! parsed, printed, evaluated, translated and freed on a small stack.

use duet_maps::filter::{FilterError, MAX_DEPTH, dataverse, finance_operations};
use serde_json::json;

use super::row;

/// Far deeper than the limit: 100,000 levels overflowed the stack before the limit existed
/// (a few thousand were enough on a 2 MiB stack).
const HOSTILE: usize = 100_000;

/// The stack of a tokio worker thread, where the app parses and evaluates filters.
const SMALL_STACK: usize = 2 * 1024 * 1024;

fn on_small_stack<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(SMALL_STACK)
        .spawn(work)
        .expect("a thread starts")
        .join()
        .expect("the work finishes without overflowing its stack")
}

/// The 1-based position of the `MAX_DEPTH`th `operator` in `text`: the one that would join a
/// condition past the limit to a chain.
fn operator_position(text: &str, operator: &str) -> usize {
    let (index, _) = text
        .match_indices(operator)
        .nth(MAX_DEPTH - 1)
        .expect("the chain is longer than the limit");
    index + 1
}

fn too_deep_position(error: FilterError) -> usize {
    match error {
        FilterError::TooDeep { position, limit } => {
            assert_eq!(limit, MAX_DEPTH, "the error names the limit");
            position
        }
        other => panic!("expected a depth error, got {other}"),
    }
}

#[test]
fn query_range_parentheses_and_negations_past_the_limit_are_refused_where_they_pass_it() {
    // GIVEN 100,000 opening parentheses, and 100,000 negations, before a condition.
    let parentheses = format!("{}A == 1{}", "(".repeat(HOSTILE), ")".repeat(HOSTILE));
    let negations = format!("{}A == 1", "!".repeat(HOSTILE));
    for text in [parentheses, negations] {
        // WHEN each is parsed on a small stack.
        let error = on_small_stack(move || finance_operations::parse(&text))
            .expect_err("a filter this deep is refused");
        // THEN the error points at the first character past the limit.
        assert_eq!(too_deep_position(error.clone()), MAX_DEPTH + 1);
        assert!(
            error
                .to_string()
                .contains("more than 128 levels deep at position 129"),
            "the message says what and where: {error}"
        );
    }
}

#[test]
fn query_range_chains_past_the_limit_are_refused() {
    // GIVEN 100,000 conditions chained with ||, which parse in a loop but nest in the tree.
    let chain = vec!["A == 1"; HOSTILE].join(" || ");
    let operator = operator_position(&chain, "||");
    // WHEN it is parsed on a small stack.
    let error = on_small_stack(move || finance_operations::parse(&chain))
        .expect_err("a chain this long is refused");
    // THEN the error points at the operator that would join one condition too many.
    assert_eq!(too_deep_position(error), operator);
}

#[test]
fn query_ranges_at_the_limit_work_on_a_small_stack() {
    // GIVEN the deepest expressions allowed: parentheses, negations and a chain.
    let parentheses = format!(
        "{}A == 1{}",
        "(".repeat(MAX_DEPTH - 1),
        ")".repeat(MAX_DEPTH - 1)
    );
    let negations = format!("{}A == 1", "!".repeat(MAX_DEPTH - 1));
    let chain = vec!["A == 1"; MAX_DEPTH].join(" && ");
    // An odd number of negations turns the condition round; the others keep the row.
    let expected = [true, false, true];
    for (text, expected) in [parentheses, negations, chain].into_iter().zip(expected) {
        // WHEN each is parsed, printed, parsed again, evaluated, translated and dropped.
        let (same, kept) = on_small_stack(move || {
            let expr = finance_operations::parse(&text).expect("the limit itself is allowed");
            let again = finance_operations::parse(&finance_operations::print(&expr))
                .expect("the canonical text parses");
            let kept = finance_operations::evaluate(&expr, &row(json!({"A": 1})))
                .expect("the expression evaluates");
            finance_operations::to_odata_filter(&expr, &|_| None).expect("it translates");
            (again == expr, kept)
        });
        // THEN everything finished, the canonical text means the same, and the row is kept
        // unless the condition is negated an odd number of times.
        assert!(same, "printing and parsing again gives the same tree");
        assert_eq!(
            kept, expected,
            "the deep expression still evaluates correctly"
        );
    }
}

#[test]
fn dataverse_parentheses_and_negations_past_the_limit_are_refused_where_they_pass_it() {
    // GIVEN 100,000 opening parentheses, and 100,000 negations, before a condition.
    let parentheses = format!("{}a eq 1{}", "(".repeat(HOSTILE), ")".repeat(HOSTILE));
    let negations = format!("{}a eq 1", "not ".repeat(HOSTILE));
    let expected = [MAX_DEPTH + 1, MAX_DEPTH * "not ".len() + 1];
    for (text, expected) in [parentheses, negations].into_iter().zip(expected) {
        // WHEN each is parsed on a small stack.
        let error = on_small_stack(move || dataverse::parse(&text))
            .expect_err("a filter this deep is refused");
        // THEN the error points at the first token past the limit.
        assert_eq!(too_deep_position(error), expected);
    }
}

#[test]
fn dataverse_chains_past_the_limit_are_refused() {
    // GIVEN 100,000 conditions chained with or.
    let chain = vec!["a eq 1"; HOSTILE].join(" or ");
    let operator = operator_position(&chain, " or ") + 1;
    // WHEN it is parsed on a small stack.
    let error =
        on_small_stack(move || dataverse::parse(&chain)).expect_err("a chain this long is refused");
    // THEN the error points at the operator that would join one condition too many.
    assert_eq!(too_deep_position(error), operator);
}

#[test]
fn dataverse_filters_at_the_limit_work_on_a_small_stack() {
    // GIVEN the deepest filters allowed: parentheses, negations and a chain.
    let parentheses = format!(
        "{}a eq 1{}",
        "(".repeat(MAX_DEPTH - 1),
        ")".repeat(MAX_DEPTH - 1)
    );
    let negations = format!("{}a eq 1", "not ".repeat(MAX_DEPTH - 1));
    let chain = vec!["a eq 1"; MAX_DEPTH].join(" or ");
    let expected = [true, false, true];
    for (text, expected) in [parentheses, negations, chain].into_iter().zip(expected) {
        // WHEN each is parsed, printed, parsed again, evaluated and dropped.
        let (same, kept) = on_small_stack(move || {
            let filter = dataverse::parse(&text).expect("the limit itself is allowed");
            let kept = dataverse::evaluate(&filter, &row(json!({"a": 1})));
            let same = dataverse::parse(&dataverse::print(&filter)).map(|again| again == filter);
            (same, kept)
        });
        // THEN the canonical text parses back to the same tree, and the row is kept unless
        // the condition is negated an odd number of times.
        assert_eq!(
            same,
            Ok(true),
            "printing and parsing again gives the same tree"
        );
        assert_eq!(
            kept,
            Ok(expected),
            "the deep filter still evaluates correctly"
        );
    }
}

#[test]
fn ten_megabyte_filters_are_read_whole_or_refused() {
    // GIVEN filters comparing with a 10 MB string, and a megabyte of chained conditions.
    let long = "x".repeat(10_000_000);
    let query_range = format!("Name == \"{long}\"");
    let dataverse_text = format!("name eq '{long}'");
    let chained = "a eq 1 and ".repeat(100_000);
    // WHEN they are parsed.
    let query_range = finance_operations::parse(&query_range).expect("a long value is a value");
    let dataverse_filter = dataverse::parse(&dataverse_text).expect("a long value is a value");
    let chained = dataverse::parse(&chained).expect_err("100,000 conditions are too deep");
    // THEN the long values come through whole, and the chain is refused at its limit.
    assert_eq!(
        finance_operations::print(&query_range).len(),
        10_000_000 + "(Name == \"\")".len()
    );
    assert_eq!(dataverse::print(&dataverse_filter), dataverse_text);
    assert_eq!(
        too_deep_position(chained),
        operator_position(&"a eq 1 and ".repeat(200), " and ") + 1
    );
}
