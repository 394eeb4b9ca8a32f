//! The business-event envelope posted for one queued event, in the shape F&O sends.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// First control number, in the RecId-like range the real envelopes show.
const CONTROL_START: i64 = 5_637_000_000;

/// The envelope posted for one queued event.
pub(super) fn envelope(seq: i64, queued: &Value) -> Value {
    let entity = queued["entity"].as_str().unwrap_or_default();
    let op = queued["operation"].as_str().unwrap_or_default();
    let ms = queued["time"].as_i64().unwrap_or_default();
    let time = DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default();
    let keys = queued["keys"].as_object().cloned().unwrap_or_default();
    let company = keys
        .get("dataAreaId")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let mut out = serde_json::Map::new();
    out.insert(
        "BusinessEventId".into(),
        Value::from(format!("{entity}_{op}")),
    );
    out.insert("BusinessEventLegalEntity".into(), Value::from(company));
    out.insert("ContextRecordSubject".into(), Value::from(""));
    out.insert("ControlNumber".into(), Value::from(CONTROL_START + seq));
    out.insert("EventId".into(), queued["eventId"].clone());
    out.insert("EventTime".into(), Value::from(format!("/Date({ms})/")));
    out.insert(
        "EventTimeIso8601".into(),
        Value::from(time.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()),
    );
    out.insert("MajorVersion".into(), Value::from(0));
    out.insert("MinorVersion".into(), Value::from(0));
    out.insert("ParentContextRecordSubjects".into(), json!([]));
    out.insert("EntityName".into(), Value::from(entity));
    out.insert("Operation".into(), Value::from(op));
    out.insert("Keys".into(), Value::Object(keys.clone()));
    for (k, v) in keys {
        out.entry(k).or_insert(v);
    }
    Value::Object(out)
}
