//! `duet logs`: the activity log of a running Duet, filtered on the server and read a page at
//! a time, printed oldest first as text or JSON lines; as CSV it is the server's streamed
//! `GET /api/logs.csv`, copied to stdout as it arrives.

use std::io::Write;

use serde_json::{Value, json};

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
    /// The whole filtered view as CSV, with a header, oldest first (every matching line
    /// unless --limit), streamed from the server.
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
    /// The filters that are set, by their `LogQuery` names.
    fn filters(&self) -> Vec<(&'static str, String)> {
        let direction = self.direction.as_deref().map(|direction| match direction {
            "to-dataverse" => "toDataverse".to_owned(),
            _ => "toFinanceOperations".to_owned(),
        });
        [
            ("map", self.map.clone()),
            ("kind", self.errors.then(|| "error".to_owned())),
            ("status", self.status.clone()),
            ("errorClass", self.class.clone()),
            ("direction", direction),
            ("text", self.text.clone()),
            ("from", self.since.clone()),
            ("to", self.until.clone()),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.map(|value| (name, value)))
        .collect()
    }

    /// The `log_page` query of the filters.
    fn query(&self) -> Value {
        let fields: serde_json::Map<String, Value> = self
            .filters()
            .into_iter()
            .map(|(name, value)| (name.to_owned(), Value::String(value)))
            .collect();
        Value::Object(fields)
    }

    /// The filters as URL query pairs for `GET /api/logs.csv`: oldest first, and only the
    /// newest `--limit` lines when it is given.
    fn csv_query(&self) -> Vec<(&'static str, String)> {
        let mut pairs = self.filters();
        pairs.push(("order", "oldestFirst".to_owned()));
        if let Some(limit) = self.limit {
            pairs.push(("limit", limit.max(1).to_string()));
        }
        pairs
    }
}

/// Reads up to `limit` of the newest matching lines, then answers them oldest first.
async fn read(server: &Server, query: Value, limit: u32) -> anyhow::Result<Vec<Value>> {
    let mut lines: Vec<Value> = Vec::new();
    let mut after: Option<i64> = None;
    loop {
        let wanted = PAGE.min(limit - lines.len() as u32);
        let mut paged = query.clone();
        paged["after"] = json!(after);
        let page = server
            .call("log_page", json!({ "query": paged, "limit": wanted }))
            .await?;
        lines.extend(page["entries"].as_array().cloned().unwrap_or_default());
        after = page["next"].as_i64();
        let full = lines.len() as u32 >= limit;
        if after.is_none() || full {
            break;
        }
    }
    lines.reverse();
    Ok(lines)
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
                "{}\t{}\t{}\t{}\tfirst {}\tlast {}\t{}",
                group["count"],
                group["map"].as_str().unwrap_or_default(),
                group["status"].as_str().unwrap_or_default(),
                group["errorClass"].as_str().unwrap_or("-"),
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
    if args.csv {
        let mut out = std::io::stdout().lock();
        return server
            .download("logs.csv", &args.csv_query(), &mut out)
            .await;
    }
    let lines = read(server, args.query(), args.limit.unwrap_or(1000).max(1)).await?;
    for entry in &lines {
        if args.json {
            println!("{entry}");
        } else {
            remote::print_log(entry);
        }
    }
    Ok(())
}
