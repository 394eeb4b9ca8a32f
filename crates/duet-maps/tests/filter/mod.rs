mod dataverse;
mod depth;
mod finance_operations;
mod round_trip;

use duet_maps::Row;
use serde_json::Value;

/// A row from a JSON object literal.
fn row(value: Value) -> Row {
    value
        .as_object()
        .cloned()
        .expect("test rows are JSON objects")
}
