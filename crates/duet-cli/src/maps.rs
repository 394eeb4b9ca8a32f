//! `duet maps` commands for map lifecycle: templates, validation, export and import of
//! packages, and differences between versions. Templates, validation and file diffs work
//! offline; the rest talk to a running Duet.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Subcommand;
use duet_maps::{TableMap, Template, template_catalog, templates};
use serde_json::{Value, json};

use crate::remote::{Server, ServerTrust};

/// `--server` for `duet maps`: only the commands that talk to a running Duet need it.
#[derive(clap::Args)]
pub struct OptionalServer {
    /// The DUET_UI_URL printed by `duet serve`.
    #[arg(long, env = "DUET_UI_URL", global = true)]
    pub server: Option<String>,
    #[command(flatten)]
    pub trust: ServerTrust,
}

impl OptionalServer {
    pub fn connect(&self) -> anyhow::Result<Server> {
        let url = self.server.as_deref().context(
            "this command talks to a running Duet: pass --server or set DUET_UI_URL to the \
             URL `duet serve` printed",
        )?;
        Server::new(url, &self.trust)
    }
}

#[derive(Subcommand)]
pub enum AlmCommand {
    /// Lists the standard templates (offline); `--json` prints their full definitions.
    Templates {
        #[arg(long)]
        json: bool,
    },
    /// Adds standard templates as stopped maps to a running Duet.
    Add {
        #[arg(required = true)]
        templates: Vec<String>,
        /// Also add the maps they look up (and the maps those look up) that are missing.
        #[arg(long)]
        with_lookups: bool,
    },
    /// Shows a map's current definition.
    Show {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Checks a map or a package file (offline); fails when anything is wrong.
    Validate { file: PathBuf },
    /// Writes a package of the named maps (all when none is named) and their lookup targets.
    Export {
        names: Vec<String>,
        /// Where to write the package; standard output when absent.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Imports a package: every map or none.
    Import {
        file: PathBuf,
        /// Overwrite maps of the same name that have another definition (history is kept).
        #[arg(long)]
        replace: bool,
    },
    /// Compares the maps of a running Duet (--server) with a package file or another Duet's
    /// DUET_UI_URL: every map added, changed (with its changed fields), unchanged or here only.
    Compare {
        source: String,
        #[arg(long)]
        json: bool,
    },
    /// Shows the comparison, then applies the package's added and changed maps to the Duet
    /// at --server: each a new version (a running map takes it at its next safe point).
    Promote {
        source: String,
        /// Promote without asking.
        #[arg(long)]
        yes: bool,
        #[arg(long)]
        json: bool,
    },
    /// Compares two maps: files, or NAME@VERSION of a running Duet.
    Diff {
        from: String,
        to: String,
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(command: AlmCommand, server: &OptionalServer) -> anyhow::Result<()> {
    match command {
        AlmCommand::Templates { json: true } => {
            let all: Vec<Value> = template_catalog().iter().map(template_json).collect();
            println!("{}", serde_json::to_string_pretty(&all)?);
            Ok(())
        }
        AlmCommand::Templates { json: false } => {
            for map in templates() {
                print_template(&map);
            }
            Ok(())
        }
        AlmCommand::Add {
            templates,
            with_lookups,
        } => add(&server.connect()?, templates, with_lookups).await,
        AlmCommand::Show { name, json } => {
            let versions = server
                .connect()?
                .call("map_versions", json!({ "name": name }))
                .await?;
            let newest = versions
                .as_array()
                .and_then(|versions| versions.last())
                .context("the map has no versions")?;
            print_definition(newest, json)
        }
        AlmCommand::Validate { file } => validate(&file),
        AlmCommand::Export { names, out } => {
            let package = server
                .connect()?
                .call("export_maps", json!({ "names": names }))
                .await?;
            let text = serde_json::to_string_pretty(&package)?;
            match out {
                Some(path) => {
                    std::fs::write(&path, text + "\n")
                        .with_context(|| format!("writing {}", path.display()))?;
                    let count = package["maps"].as_array().map_or(0, Vec::len);
                    println!("exported {count} maps to {}", path.display());
                }
                None => println!("{text}"),
            }
            Ok(())
        }
        AlmCommand::Import { file, replace } => {
            let package = read_json(&file)?;
            let report = server
                .connect()?
                .call(
                    "import_maps",
                    json!({ "package": package, "replace": replace }),
                )
                .await?;
            for (key, label) in [
                ("added", "added"),
                ("replaced", "replaced"),
                ("unchanged", "unchanged"),
            ] {
                for name in report[key].as_array().into_iter().flatten() {
                    if report["imported"] == true {
                        println!("{label}\t{}", name.as_str().unwrap_or_default());
                    }
                }
            }
            let problems = report["problems"].as_array().cloned().unwrap_or_default();
            print_problems(&problems);
            if report["imported"] != true {
                bail!(
                    "nothing was imported: the package has {} problem(s)",
                    problems.len()
                );
            }
            Ok(())
        }
        AlmCommand::Compare { source, json } => {
            crate::promote::compare(&server.connect()?, &source, json).await
        }
        AlmCommand::Promote { source, yes, json } => {
            crate::promote::promote(&server.connect()?, &source, yes, json).await
        }
        AlmCommand::Diff { from, to, json } => {
            let (from_label, before) = load_side(&from, server).await?;
            let (to_label, after) = load_side(&to, server).await?;
            let view = duet_api::diff_view(
                &from_label,
                from_label.version,
                to_label.version,
                &before,
                &after,
            );
            if json {
                println!("{}", serde_json::to_string(&view)?);
            } else {
                print_diff(&view, &from_label.name, &to_label.name);
            }
            Ok(())
        }
    }
}

/// One side of a diff: a file, or `NAME@VERSION` of the running Duet.
struct Side {
    name: String,
    version: i64,
}

impl std::ops::Deref for Side {
    type Target = str;
    fn deref(&self) -> &str {
        &self.name
    }
}

async fn load_side(spec: &str, server: &OptionalServer) -> anyhow::Result<(Side, Value)> {
    let path = Path::new(spec);
    if path.exists() {
        return Ok((
            Side {
                name: spec.to_owned(),
                version: 0,
            },
            single_map(read_json(path)?)?,
        ));
    }
    let Some((name, version)) = spec.rsplit_once('@') else {
        bail!("'{spec}' is neither a file nor NAME@VERSION");
    };
    let version: i64 = version
        .parse()
        .with_context(|| format!("'{version}' in '{spec}' is not a version number"))?;
    let versions = server
        .connect()?
        .call("map_versions", json!({ "name": name }))
        .await?;
    let found = versions
        .as_array()
        .into_iter()
        .flatten()
        .find(|entry| entry["version"] == version)
        .with_context(|| format!("map '{name}' has no version {version}"))?;
    Ok((
        Side {
            name: spec.to_owned(),
            version,
        },
        found["definition"].clone(),
    ))
}

/// A map file as it is; a package file must hold exactly one map, which is compared.
fn single_map(document: Value) -> anyhow::Result<Value> {
    if document.get("format").is_none() {
        return Ok(document);
    }
    match document["maps"].as_array().map(Vec::as_slice) {
        Some([map]) => Ok(map.clone()),
        _ => bail!("a package compares only when it holds exactly one map"),
    }
}

fn read_json(path: &Path) -> anyhow::Result<Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))
}

fn validate(file: &Path) -> anyhow::Result<()> {
    let document = read_json(file)?;
    let problems: Vec<Value> = if document.get("format").is_some() {
        let plan = duet_maps::check_import(&document, &[], false);
        let count = plan.maps.len();
        if plan.can_import() {
            println!("{}: {count} maps, no problems", file.display());
        }
        plan.problems
            .into_iter()
            .map(|problem| serde_json::to_value(problem).unwrap_or_default())
            .collect()
    } else {
        // A map on its own is checked on its own: its lookups point outside the file.
        match duet_maps::parse_map(&document, "$") {
            Ok(map) => {
                let problems = map.validate(None);
                if problems.is_empty() {
                    println!("{}: map '{}', no problems", file.display(), map.name);
                }
                problems
                    .into_iter()
                    .map(|problem| serde_json::to_value(problem).unwrap_or_default())
                    .collect()
            }
            Err(problems) => problems
                .into_iter()
                .map(|problem| serde_json::to_value(problem).unwrap_or_default())
                .collect(),
        }
    };
    print_problems(&problems);
    if !problems.is_empty() {
        bail!("{} has {} problem(s)", file.display(), problems.len());
    }
    Ok(())
}

/// One line per problem: code, path, what is wrong and how to fix it.
fn print_problems(problems: &[Value]) {
    for problem in problems {
        println!(
            "{}\t{}\t{}\tfix: {}",
            problem["code"].as_str().unwrap_or_default(),
            problem["path"].as_str().unwrap_or_default(),
            problem["message"].as_str().unwrap_or_default(),
            problem["fix"].as_str().unwrap_or_default(),
        );
    }
}

fn print_template(map: &TableMap) {
    println!(
        "{}\t{}\t{}\tfields {}\tkey {} = {}",
        map.name,
        map.finance_operations_entity,
        map.dataverse_table,
        map.fields.len(),
        map.key.finance_operations.join("+"),
        map.key.dataverse.join("+"),
    );
}

/// A template as scripts read it: what the gallery shows, and the whole definition.
fn template_json(template: &Template) -> Value {
    json!({
        "name": template.map.name,
        "title": template.map.title,
        "area": template.area,
        "companySpecific": template.map.company.is_some(),
        "flow": template.flow(),
        "looksUp": template.looks_up(),
        "definition": template.map,
    })
}

/// Adds templates; with `with_lookups`, keeps adding the missing maps they look up until
/// none is missing.
async fn add(server: &Server, mut names: Vec<String>, with_lookups: bool) -> anyhow::Result<()> {
    loop {
        let report = server
            .call("add_templates", json!({ "names": names }))
            .await?;
        let list = |key: &str| -> Vec<String> {
            report[key]
                .as_array()
                .map(|names| {
                    names
                        .iter()
                        .filter_map(|n| n.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        for name in list("added") {
            println!("added\t{name}");
        }
        for name in list("existing") {
            println!("exists\t{name}");
        }
        let missing = list("missingLookups");
        if missing.is_empty() {
            return Ok(());
        }
        if !with_lookups {
            println!(
                "missing\t{}\t(maps looked up but not added; add them, or pass --with-lookups)",
                missing.join(",")
            );
            return Ok(());
        }
        names = missing;
    }
}

fn print_definition(version: &Value, as_json: bool) -> anyhow::Result<()> {
    let definition = &version["definition"];
    if as_json {
        println!("{definition}");
        return Ok(());
    }
    let map: TableMap = serde_json::from_value(definition.clone())
        .context("the stored definition is not a readable map")?;
    println!("{}\t{}", map.name, map.title);
    println!(
        "version {} by {} at {}",
        version["version"],
        version["author"].as_str().unwrap_or_default(),
        version["at"].as_str().unwrap_or_default()
    );
    println!(
        "{} ↔ {}\tkey {} = {}",
        map.finance_operations_entity,
        map.dataverse_table,
        map.key.finance_operations.join("+"),
        map.key.dataverse.join("+")
    );
    for field in &map.fields {
        println!(
            "  {}\t{}\t{}",
            field.finance_operations.as_deref().unwrap_or("-"),
            field.direction.symbol(),
            field.dataverse.as_deref().unwrap_or("-"),
        );
    }
    Ok(())
}

fn print_diff(view: &duet_api::MapDiffView, from: &str, to: &str) {
    println!("--- {from}\n+++ {to}");
    if view.properties.is_empty() && view.fields.is_empty() {
        println!("no differences");
    }
    let shown =
        |value: &Option<Value>| value.as_ref().map_or("(none)".to_owned(), Value::to_string);
    for change in &view.properties {
        println!(
            "~ {}\t{} → {}",
            change.path,
            shown(&change.before),
            shown(&change.after)
        );
    }
    for field in &view.fields {
        let mark = match field.change {
            duet_api::FieldChange::Added => '+',
            duet_api::FieldChange::Removed => '-',
            duet_api::FieldChange::Changed => '~',
        };
        println!("{mark} field {}\t{}", field.field, field.path);
        for change in &field.changes {
            println!(
                "    {}\t{} → {}",
                change.path,
                shown(&change.before),
                shown(&change.after)
            );
        }
    }
}
