//! `duet logs`: the activity log of a running Duet, filtered on the server and read a page at
//! a time, printed oldest first as text, JSON lines or CSV.

use std::io::Write;

use serde_json::{Value, json};

use crate::csv;
use crate::remote::{self, Server};

/// Lines asked for per request.
const PAGE: u32 = 2_000;

#[derive(clap::Args)]
pub struct LogsArgs {
    /// Only errors (failed rows and conflicts).
    #[arg(long)]
    errors: bool,
    /// Only this map's lines.
    #[arg(long)]
    map: Option<String>,
    /// Only lines with this status (succeeded, failed, conflict…).
    #[arg(long)]
    status: Option<String>,
    /// Only failures of this error class (application, 400, 401/403, 404, 412, 429, 502,
    /// 503, timeout, other).
    #[arg(long)]
    class: Option<String>,
    /// Only this direction.
    #[arg(long, value_parser = ["to-dataverse", "to-finance-operations"])]
    direction: Option<String>,
    /// Only lines whose row key or message holds this text.
    #[arg(long)]
    text: Option<String>,
    /// Only lines at or after this time (RFC 3339).
    #[arg(long)]
    since: Option<String>,
    /// Only lines before this time (RFC 3339).
    #[arg(long)]
    until: Option<String>,
    /// One JSON object per line.
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// The whole filtered view as CSV, with a header (every matching line unless --limit).
    #[arg(long)]
    csv: bool,
    /// Every failure grouped by map, status, error class and message pattern, with counts, first and
    /// last seen (with --map: that map's only).
    #[arg(long, conflicts_with_all = ["csv", "status", "class", "direction", "text", "since", "until"])]
    grouped: bool,
    /// How many of the newest matching lines to print (default 1000; CSV: all).
    #[arg(long)]
    limit: Option<u32>,
}

impl LogsArgs {
    fn query(&self) -> Value {
        let direction = self.direction.as_deref().map(|direction| match direction {
            "to-dataverse" => "toDataverse",
            _ => "toFinanceOperations",
        });
        json!({
            "map": self.map,
            "kind": self.errors.then_some("error"),
            "status": self.status,
            "errorClass": self.class,
            "direction": direction,
            "text": self.text,
            "from": self.since,
            "to": self.until,
        })
    }
}

/// Reads up to `limit` of the newest matching lines (all when `None`), then answers them
/// oldest first.
async fn read(server: &Server, query: Value, limit: Option<u32>) -> anyhow::Result<Vec<Value>> {
    let mut lines: Vec<Value> = Vec::new();
    let mut after: Option<i64> = None;
    loop {
        let wanted = limit.map_or(PAGE, |limit| PAGE.min(limit - lines.len() as u32));
        let mut paged = query.clone();
        paged["after"] = json!(after);
        let page = server
            .call("log_page", json!({ "query": paged, "limit": wanted }))
            .await?;
        lines.extend(page["entries"].as_array().cloned().unwrap_or_default());
        after = page["next"].as_i64();
        let full = limit.is_some_and(|limit| lines.len() as u32 >= limit);
        if after.is_none() || full {
            break;
        }
    }
    lines.reverse();
    Ok(lines)
}

fn csv_record(entry: &Value) -> String {
    let text = |field: &str| match &entry[field] {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    csv::record(&[
        text("id"),
        text("at"),
        text("map"),
        text("kind"),
        text("direction"),
        text("key"),
        text("operation"),
        text("status"),
        text("latencyMs"),
        text("message"),
        text("payload"),
    ])
}

/// Prints the failures grouped by cause, most frequent first.
async fn groups(server: &Server, map: Option<&str>, as_json: bool) -> anyhow::Result<()> {
    let groups = server.call("error_groups", json!({ "map": map })).await?;
    let mut out = std::io::stdout().lock();
    for group in groups.as_array().map(Vec::as_slice).unwrap_or_default() {
        if as_json {
            writeln!(out, "{group}")?;
        } else {
            writeln!(
                out,
                "{}\t{}\t{}\tfirst {}\tlast {}\t{}",
                group["count"],
                group["map"].as_str().unwrap_or_default(),
                group["status"].as_str().unwrap_or_default(),
                group["firstAt"].as_str().unwrap_or_default(),
                group["lastAt"].as_str().unwrap_or_default(),
                group["pattern"].as_str().unwrap_or_default(),
            )?;
        }
    }
    Ok(())
}

pub async fn run(server: &Server, args: LogsArgs) -> anyhow::Result<()> {
    if args.grouped {
        return groups(server, args.map.as_deref(), args.json).await;
    }
    let limit = match (args.limit, args.csv) {
        (Some(limit), _) => Some(limit.max(1)),
        (None, true) => None,
        (None, false) => Some(1000),
    };
    let lines = read(server, args.query(), limit).await?;
    let mut out = std::io::stdout().lock();
    if args.csv {
        out.write_all(
            csv::record(&[
                "id",
                "at",
                "map",
                "kind",
                "direction",
                "key",
                "operation",
                "status",
                "latencyMs",
                "message",
                "payload",
            ])
            .as_bytes(),
        )?;
    }
    for entry in &lines {
        if args.csv {
            out.write_all(csv_record(entry).as_bytes())?;
        } else if args.json {
            writeln!(out, "{entry}")?;
        } else {
            remote::print_log(entry);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_with_commas_quotes_and_line_breaks_is_one_csv_record() {
        let entry = json!({
            "id": 7, "at": "2026-12-06T10:00:00Z", "map": "customers", "kind": "error",
            "direction": "toDataverse", "key": "DAT|C,1", "operation": "upsert",
            "status": "failed", "latencyMs": null,
            "message": "refused: \"too long\"\nsee log",
            "payload": { "name": "A, B" }
        });
        assert_eq!(
            csv_record(&entry),
            "7,2026-12-06T10:00:00Z,customers,error,toDataverse,\"DAT|C,1\",upsert,failed,,\"refused: \"\"too long\"\"\nsee log\",\"{\"\"name\"\":\"\"A, B\"\"}\"\r\n"
        );
    }
}
