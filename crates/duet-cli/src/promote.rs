//! `duet maps compare` and `duet maps promote`: a package file or another running Duet set
//! beside the Duet at `--server`, and the package applied there after the comparison.

use std::io::{BufRead, Write};
use std::path::Path;

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::remote::Server;

/// The `compare_maps` arguments for `source`: another Duet's URL, or a package file.
fn source_args(source: &str) -> anyhow::Result<Value> {
    if source.starts_with("http://") || source.starts_with("https://") {
        return Ok(json!({ "remote": { "url": source } }));
    }
    let path = Path::new(source);
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let package: Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    let name = path.file_name().map_or_else(
        || source.to_owned(),
        |name| name.to_string_lossy().into_owned(),
    );
    Ok(json!({ "package": package, "source": name }))
}

pub async fn compare(server: &Server, source: &str, as_json: bool) -> anyhow::Result<()> {
    let comparison = server.call("compare_maps", source_args(source)?).await?;
    if as_json {
        println!("{}", serde_json::to_string(&without_package(&comparison))?);
    } else {
        print_comparison(&comparison, &mut std::io::stdout())?;
    }
    Ok(())
}

pub async fn promote(
    server: &Server,
    source: &str,
    yes: bool,
    as_json: bool,
) -> anyhow::Result<()> {
    let comparison = server.call("compare_maps", source_args(source)?).await?;
    // The comparison is for the person deciding; a script reading --json gets the report.
    if as_json {
        print_comparison(&comparison, &mut std::io::stderr())?;
    } else {
        print_comparison(&comparison, &mut std::io::stdout())?;
    }
    let count = to_promote(&comparison);
    if count == 0 {
        if as_json {
            println!(
                "{}",
                json!({"source": comparison["source"], "promoted": true, "maps": []})
            );
        } else {
            println!("nothing to promote: every map of the source is here as it is");
        }
        return Ok(());
    }
    if !yes && !confirmed(count)? {
        bail!("nothing was promoted: not confirmed (pass --yes to promote without asking)");
    }
    let report = server
        .call(
            "promote_maps",
            json!({ "package": comparison["package"], "source": comparison["source"] }),
        )
        .await?;
    if as_json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print_report(&report);
    }
    if report["promoted"] != true {
        bail!("nothing was promoted: a running map refuses its new definition");
    }
    Ok(())
}

/// The comparison as scripts read it: the package the source sent is left out.
fn without_package(comparison: &Value) -> Value {
    let mut shown = comparison.clone();
    if let Some(object) = shown.as_object_mut() {
        object.remove("package");
    }
    shown
}

fn to_promote(comparison: &Value) -> usize {
    comparison["maps"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|map| map["status"] == "added" || map["status"] == "changed")
        .count()
}

/// Asks on standard error, so that standard output keeps only the comparison.
fn confirmed(count: usize) -> anyhow::Result<bool> {
    eprint!("promote {count} map(s)? [y/N] ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

/// One line per map (status, name, versions, what changed), then each changed property
/// and field on its own indented line, then the package's problems.
fn print_comparison(comparison: &Value, out: &mut impl Write) -> anyhow::Result<()> {
    writeln!(
        out,
        "comparing with {}",
        comparison["source"].as_str().unwrap_or_default()
    )?;
    for map in comparison["maps"].as_array().into_iter().flatten() {
        let version = |key: &str| map["diff"][key].as_i64().map(|v| format!("v{v}"));
        let versions = match (version("from"), version("to"), map["hereVersion"].as_i64()) {
            (Some(from), Some(to), _) => format!("{from} → {to}"),
            (_, _, Some(here)) => format!("v{here}"),
            _ => "-".to_owned(),
        };
        let status = match map["status"].as_str().unwrap_or_default() {
            "removed" => "here only (kept)",
            other => other,
        };
        let running = if map["running"] == true {
            "\trunning"
        } else {
            ""
        };
        writeln!(
            out,
            "{status}\t{}\t{versions}{running}",
            map["name"].as_str().unwrap_or_default()
        )?;
        for change in map["diff"]["properties"].as_array().into_iter().flatten() {
            writeln!(
                out,
                "    ~ {}\t{} → {}",
                change["path"].as_str().unwrap_or_default(),
                shown(&change["before"]),
                shown(&change["after"])
            )?;
        }
        for field in map["diff"]["fields"].as_array().into_iter().flatten() {
            let changed: Vec<&str> = field["changes"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|change| change["path"].as_str())
                .filter_map(|path| path.rsplit('.').next())
                .collect();
            writeln!(
                out,
                "    {} field {}\t{}",
                field["change"].as_str().unwrap_or_default(),
                field["field"].as_str().unwrap_or_default(),
                changed.join(", ")
            )?;
        }
    }
    for problem in comparison["problems"].as_array().into_iter().flatten() {
        writeln!(
            out,
            "{}\t{}\t{}\t{}",
            problem["severity"].as_str().unwrap_or_default(),
            problem["code"].as_str().unwrap_or_default(),
            problem["path"].as_str().unwrap_or_default(),
            problem["message"].as_str().unwrap_or_default()
        )?;
    }
    Ok(())
}

fn shown(value: &Value) -> String {
    if value.is_null() {
        "(none)".to_owned()
    } else {
        value.to_string()
    }
}

fn print_report(report: &Value) {
    for map in report["maps"].as_array().into_iter().flatten() {
        let name = map["name"].as_str().unwrap_or_default();
        let outcome = &map["outcome"];
        match outcome["kind"].as_str().unwrap_or_default() {
            "added" => println!("added\t{name}\tv{} (stopped)", outcome["version"]),
            "updated" => println!(
                "updated\t{name}\tv{} → v{}{}",
                outcome["from"],
                outcome["to"],
                if outcome["running"] == true {
                    "\t(running: takes it at its next safe point)"
                } else {
                    ""
                }
            ),
            "refused" => println!(
                "refused\t{name}\t{}",
                outcome["message"].as_str().unwrap_or_default()
            ),
            "notApplied" => println!("not applied\t{name}"),
            other => println!("{other}\t{name}"),
        }
    }
}
