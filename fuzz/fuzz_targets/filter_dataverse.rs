//! The Dataverse `$filter` parser: any text parses or is a positioned error; a filter that
//! parses prints to canonical text that parses back to the same tree and prints the same
//! again; evaluating it never panics.

#![no_main]

use duet_fuzz::{round_trip, row_of};
use duet_maps::filter::dataverse::{evaluate, parse, print};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value, json};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some(filter) = round_trip(text, parse, print, |error| error.position()) else {
        return;
    };
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
    let columns = filter
        .columns()
        .into_iter()
        .map(|path| path.segments.join("/"));
    let _ = evaluate(&filter, &row_of(columns, &samples));
    let _ = evaluate(&filter, &Map::new());
});
