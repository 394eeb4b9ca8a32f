//! The filtered activity log as CSV, written a keyset page at a time to any writer: a file
//! for the window's export, an HTTP body for `duet serve`, stdout for `duet logs --csv`.
//! Memory stays flat whatever the log holds, because only one page is read at a time.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use duet_store::{ActivityRecord, LogOrder, Store};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::logs::LogQuery;
use crate::{Api, ApiError, Code};

/// Lines read per page while writing.
const EXPORT_PAGE: u32 = 5_000;

/// The header record's fields, in order.
pub const CSV_HEADER: [&str; 12] = [
    "id",
    "at",
    "map",
    "kind",
    "direction",
    "key",
    "operation",
    "status",
    "errorClass",
    "latencyMs",
    "message",
    "payload",
];

/// What an export to a file wrote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CsvExportView {
    #[ts(type = "number")]
    pub lines: u64,
    pub path: String,
}

/// One RFC 4180 field: quoted when it holds a comma, a quote, CR or LF, its quotes doubled.
pub fn csv_field(field: &str) -> std::borrow::Cow<'_, str> {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\"")).into()
    } else {
        field.into()
    }
}

/// Writes one record of `fields` and its CRLF line end.
pub fn write_record<S: AsRef<str>>(out: &mut dyn Write, fields: &[S]) -> std::io::Result<()> {
    for (index, field) in fields.iter().enumerate() {
        if index > 0 {
            out.write_all(b",")?;
        }
        out.write_all(csv_field(field.as_ref()).as_bytes())?;
    }
    out.write_all(b"\r\n")
}

/// A line's fields in the order of [`CSV_HEADER`]; the payload as compact JSON text.
fn record_fields(record: &ActivityRecord) -> [String; 12] {
    let entry = &record.entry;
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    [
        record.id.to_string(),
        entry.at.clone(),
        entry.map.clone(),
        entry.kind.clone(),
        text(&entry.direction),
        text(&entry.key),
        text(&entry.operation),
        entry.status.clone(),
        text(&entry.error_class),
        entry
            .latency_ms
            .map(|latency| latency.to_string())
            .unwrap_or_default(),
        entry.message.clone(),
        entry
            .payload
            .as_ref()
            .map(|payload| payload.to_string())
            .unwrap_or_default(),
    ]
}

/// A filtered view of the log ready to be written as CSV; it owns what it needs, so it can
/// be moved to a blocking task.
pub struct LogCsv {
    store: Arc<Store>,
    query: LogQuery,
    limit: Option<u64>,
}

impl LogCsv {
    /// Writes the header and every line of the view in its order (with a limit, only the
    /// newest `limit` lines, still in the view's order), a page at a time; answers how many
    /// lines it wrote. A writer that fails (a full disk, a closed connection) ends it.
    pub fn write_to(&self, out: &mut dyn Write) -> Result<u64, ApiError> {
        let failed = |error: std::io::Error| {
            ApiError::new(
                Code::Export,
                format!("the activity CSV could not be written: {error}"),
            )
        };
        write_record(out, &CSV_HEADER).map_err(failed)?;
        let mut query = self.query.to_store();
        query.after = None;
        let mut left = self.limit.unwrap_or(u64::MAX);
        if let (Some(limit), LogOrder::OldestFirst) = (self.limit, query.order) {
            // The newest lines of an oldest-first view are its last ones: skip the others.
            let total = self.store.activity_count(&query)?;
            query.offset = Some(total.saturating_sub(limit));
        }
        let mut written = 0;
        while left > 0 {
            let size = u32::try_from(left.min(u64::from(EXPORT_PAGE))).unwrap_or(EXPORT_PAGE);
            let page = self.store.activity_page(&query, size)?;
            for record in &page.entries {
                write_record(out, &record_fields(record)).map_err(failed)?;
            }
            written += page.entries.len() as u64;
            left -= page.entries.len() as u64;
            match page.next {
                Some(next) => {
                    query.after = Some(next);
                    query.offset = None;
                }
                None => break,
            }
        }
        out.flush().map_err(failed)?;
        Ok(written)
    }
}

impl Api {
    /// The view `query` selects, to be written as CSV (its `after` is ignored: the whole
    /// view); with `limit`, only its newest `limit` lines.
    pub fn log_csv(&self, query: &LogQuery, limit: Option<u64>) -> LogCsv {
        LogCsv {
            store: self.store.clone(),
            query: query.clone(),
            limit,
        }
    }

    /// Writes the view `query` selects as CSV to the file at `path` (created or replaced),
    /// on a blocking thread so a million lines do not hold up the other commands.
    pub async fn export_log_csv(
        &self,
        query: &LogQuery,
        path: &Path,
    ) -> Result<CsvExportView, ApiError> {
        let csv = self.log_csv(query, None);
        let target: PathBuf = path.to_owned();
        let lines = tokio::task::spawn_blocking(move || {
            let file = std::fs::File::create(&target).map_err(|error| {
                ApiError::new(
                    Code::Export,
                    format!("cannot create {}: {error}", target.display()),
                )
            })?;
            csv.write_to(&mut std::io::BufWriter::with_capacity(1 << 16, file))
        })
        .await
        .map_err(|error| {
            ApiError::new(Code::Internal, format!("the export task failed: {error}"))
        })??;
        Ok(CsvExportView {
            lines,
            path: path.display().to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_with_a_comma_quote_or_line_break_is_quoted_with_its_quotes_doubled() {
        let mut out = Vec::new();
        write_record(
            &mut out,
            &[
                "7",
                "DAT|C,1",
                "refused: \"too long\"\nsee log",
                "a\rb",
                "plain",
                "",
            ],
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "7,\"DAT|C,1\",\"refused: \"\"too long\"\"\nsee log\",\"a\rb\",plain,\r\n"
        );
    }

    #[test]
    fn a_line_is_twelve_fields_with_its_class_and_payload_as_json_text() {
        let record = ActivityRecord {
            id: 7,
            entry: duet_store::NewActivity {
                at: "2026-12-06T10:00:00Z".to_owned(),
                map: "customers".to_owned(),
                kind: "error".to_owned(),
                direction: Some("toDataverse".to_owned()),
                key: Some("DAT|C1".to_owned()),
                operation: Some("upsert".to_owned()),
                status: "failed".to_owned(),
                message: "refused".to_owned(),
                latency_ms: None,
                payload: Some(serde_json::json!({ "name": "A, B" })),
                error_class: Some("400".to_owned()),
            },
        };
        let mut out = Vec::new();
        write_record(&mut out, &record_fields(&record)).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "7,2026-12-06T10:00:00Z,customers,error,toDataverse,DAT|C1,upsert,failed,400,,refused,\"{\"\"name\"\":\"\"A, B\"\"}\"\r\n"
        );
    }
}
