//! The query-range parser (finance and operations side filters): any text parses or is a
//! positioned error; a filter that parses prints to canonical text that parses back to the
//! same tree and prints the same again; evaluating and translating it never panic.

#![no_main]

use duet_fuzz::{round_trip, row_of};
use duet_maps::filter::finance_operations::{evaluate, parse, print, to_odata_filter};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value, json};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some(expr) = round_trip(text, parse, print, |error| error.position()) else {
        return;
    };
    // Each field the expression names gets a value of another JSON type in turn.
    let samples = [
        json!("Organization"),
        json!(42),
        json!(true),
        Value::Null,
        json!(-1.5),
    ];
    let fields = expr.fields().into_iter().map(str::to_owned);
    let _ = evaluate(&expr, &row_of(fields, &samples));
    let _ = evaluate(&expr, &Map::new());
    let enums = |field: &str| (field == "PartyType").then(|| "DirPartyType".to_owned());
    let _ = to_odata_filter(&expr, &enums);
});
