//! `duet maps bootstrap`: give a company-specific map's Dataverse rows without a company
//! the company of their finance and operations match, or show (`--dry-run`) what it would
//! stamp; every row is listed, as text, JSON or CSV.

use std::io::Write;

use serde_json::{Value, json};

use crate::remote::Server;

/// How the report is printed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Csv,
}

pub async fn run(
    server: &Server,
    name: &str,
    company: &str,
    dry_run: bool,
    format: Format,
) -> anyhow::Result<()> {
    let report = server
        .call(
            "bootstrap_map",
            json!({ "name": name, "company": company, "dryRun": dry_run }),
        )
        .await?;
    let mut out = std::io::stdout().lock();
    match format {
        Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?,
        Format::Csv => write!(out, "{}", csv(&report))?,
        Format::Text => write!(out, "{}", text(&report))?,
    }
    Ok(())
}

fn rows(report: &Value) -> &[Value] {
    report["rows"].as_array().map_or(&[], Vec::as_slice)
}

/// A summary line, then one line per row.
fn text(report: &Value) -> String {
    let verb = if report["dryRun"].as_bool() == Some(true) {
        "would stamp"
    } else {
        "stamped"
    };
    let mut out = format!(
        "{}: {verb} {} rows: {} matched a finance and operations row, {} unmatched given {}\n",
        report["map"].as_str().unwrap_or_default(),
        rows(report).len(),
        report["matched"],
        report["unmatched"],
        report["defaultCompany"].as_str().unwrap_or_default(),
    );
    for row in rows(report) {
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\n",
            row["key"].as_str().unwrap_or_default(),
            row["dataverseId"].as_str().unwrap_or_default(),
            row["company"].as_str().unwrap_or_default(),
            if row["matched"].as_bool() == Some(true) {
                "matched"
            } else {
                "unmatched"
            }
        ));
    }
    out
}

/// CSV: a header and one record per row.
fn csv(report: &Value) -> String {
    let mut out = crate::csv::record(&["key", "dataverseId", "company", "matched"]);
    for row in rows(report) {
        out.push_str(&crate::csv::record(&[
            row["key"].as_str().unwrap_or_default(),
            row["dataverseId"].as_str().unwrap_or_default(),
            row["company"].as_str().unwrap_or_default(),
            if row["matched"].as_bool() == Some(true) {
                "true"
            } else {
                "false"
            },
        ]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_commas_quotes_and_line_breaks() {
        let report = json!({
            "rows": [
                { "key": "A,1", "dataverseId": "id-1", "company": "DAT", "matched": true },
                { "key": "say \"hi\"\nthere", "dataverseId": "id-2", "company": "USMF", "matched": false },
            ]
        });
        assert_eq!(
            csv(&report),
            "key,dataverseId,company,matched\r\n\"A,1\",id-1,DAT,true\r\n\"say \"\"hi\"\"\nthere\",id-2,USMF,false\r\n"
        );
    }

    #[test]
    fn text_says_whether_it_was_a_dry_run() {
        let report = json!({
            "map": "customers", "dryRun": true, "matched": 1, "unmatched": 0,
            "defaultCompany": "DAT",
            "rows": [{ "key": "C1", "dataverseId": "id", "company": "DAT", "matched": true }]
        });
        let text = text(&report);
        assert!(text.starts_with("customers: would stamp 1 rows"), "{text}");
        assert!(text.contains("C1\tid\tDAT\tmatched"), "{text}");
    }
}
