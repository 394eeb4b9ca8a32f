//! The query-range parser (finance and operations side filters): any text parses or is a
//! positioned error; a filter that parses prints to canonical text that parses back to the
//! same tree and prints the same again; evaluating and translating it never panic.

#![no_main]

use duet_maps::filter::finance_operations::{evaluate, parse, print, to_odata_filter};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value, json};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let expr = match parse(text) {
        Ok(expr) => expr,
        Err(error) => {
            // A parse error always points somewhere inside the text or just past it.
            let position = error.position().expect("a parse error has a position");
            assert!(
                position >= 1 && position <= text.chars().count() + 1,
                "{error}"
            );
            return;
        }
    };
    let printed = print(&expr);
    let again = parse(&printed)
        .unwrap_or_else(|error| panic!("canonical text {printed:?} does not parse: {error}"));
    assert_eq!(
        again, expr,
        "canonical text {printed:?} parses to another tree"
    );
    assert_eq!(print(&again), printed, "printing is stable");

    // Each field the expression names gets a value of another JSON type in turn.
    let samples = [
        json!("Organization"),
        json!(42),
        json!(true),
        Value::Null,
        json!(-1.5),
    ];
    let row: Map<String, Value> = expr
        .fields()
        .into_iter()
        .zip(samples.iter().cycle())
        .map(|(field, value)| (field.to_owned(), value.clone()))
        .collect();
    let _ = evaluate(&expr, &row);
    let _ = evaluate(&expr, &Map::new());
    let enums = |field: &str| (field == "PartyType").then(|| "DirPartyType".to_owned());
    let _ = to_odata_filter(&expr, &enums);
});
