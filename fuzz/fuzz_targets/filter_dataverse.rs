//! The Dataverse `$filter` parser: any text parses or is a positioned error; a filter that
//! parses prints to canonical text that parses back to the same tree and prints the same
//! again; evaluating it never panics.

#![no_main]

use duet_maps::filter::dataverse::{evaluate, parse, print};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value, json};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let filter = match parse(text) {
        Ok(filter) => filter,
        Err(error) => {
            let position = error.position().expect("a parse error has a position");
            assert!(
                position >= 1 && position <= text.chars().count() + 1,
                "{error}"
            );
            return;
        }
    };
    let printed = print(&filter);
    let again = parse(&printed)
        .unwrap_or_else(|error| panic!("canonical text {printed:?} does not parse: {error}"));
    assert_eq!(
        again, filter,
        "canonical text {printed:?} parses to another tree"
    );
    assert_eq!(print(&again), printed, "printing is stable");

    // Each column the filter reads gets a value of another JSON type in turn; a path's
    // first segment is the column a row holds.
    let samples = [
        json!("Contoso"),
        json!(192350000),
        json!(false),
        Value::Null,
        json!("2024-05-01T10:00:00Z"),
        json!(2.5),
    ];
    let row: Map<String, Value> = filter
        .columns()
        .into_iter()
        .zip(samples.iter().cycle())
        .map(|(path, value)| (path.segments.join("/"), value.clone()))
        .collect();
    let _ = evaluate(&filter, &row);
    let _ = evaluate(&filter, &Map::new());
});
