//! Template sample rows (`SandboxConfig::template_rows`): every entity and table a standard
//! map template pairs gets typed rows on its side, references that resolve, and rows on both
//! sides of each template's source filters; the seed decides them, and they are off unless
//! asked for.

use std::collections::{HashMap, HashSet};

use duet_maps::filter::{dataverse, finance_operations};
use duet_maps::templates;
use duet_sandbox::{DvTable, DvType, FoType, catalog};
use serde_json::{Map, Value};

use crate::support::{Dv, Env, Fo, all_dv, json_of, start_with};

type Row = Map<String, Value>;

/// Every row of each paired F&O entity (all companies) and Dataverse table, by set name.
async fn all_rows(env: &Env) -> (HashMap<String, Vec<Row>>, HashMap<String, Vec<Row>>) {
    let (fo, dv) = (Fo::new(env).await, Dv::new(env).await);
    let (mut finops, mut tables) = (HashMap::new(), HashMap::new());
    for pair in &catalog().pairs {
        let url = fo.url(&format!("{}?cross-company=true", pair.finops));
        let body = json_of(fo.get(&url).await).await;
        let rows = body["value"].as_array().expect("an F&O collection");
        let rows = rows.iter().filter_map(|r| r.as_object().cloned()).collect();
        finops.insert(pair.finops.clone(), rows);
        let rows = all_dv(&dv, &pair.dataverse).await;
        let rows = rows.iter().filter_map(|r| r.as_object().cloned()).collect();
        tables.insert(pair.dataverse.clone(), rows);
    }
    (finops, tables)
}

fn fo_type_holds(kind: &FoType, value: &Value) -> bool {
    match kind {
        FoType::String => value.is_string(),
        FoType::Integer => value.is_i64(),
        FoType::Decimal => value.is_number(),
        FoType::Datetime => value
            .as_str()
            .is_some_and(|t| chrono::DateTime::parse_from_rfc3339(t).is_ok()),
        FoType::Enum { members, .. } => value
            .as_str()
            .is_some_and(|m| members.iter().any(|x| x == m)),
    }
}

fn dv_type_holds(kind: &DvType, value: &Value) -> bool {
    match kind {
        DvType::String | DvType::Datetime | DvType::Uniqueidentifier => value.is_string(),
        DvType::Integer => value.is_i64(),
        DvType::Decimal | DvType::Money => value.is_number(),
        DvType::Boolean => value.is_boolean(),
        DvType::Choice { options } => value
            .as_i64()
            .is_some_and(|v| options.iter().any(|o| o.value == v)),
        DvType::Lookup { .. } => value.is_string(),
    }
}

#[tokio::test]
async fn template_rows_are_off_by_default() {
    // GIVEN a sandbox started with the default settings.
    let env = start_with(|_| {}).await;
    // WHEN every paired entity and table is read.
    let (finops, tables) = all_rows(&env).await;
    // THEN only the legal entities and the linked companies are there, as scenarios expect.
    for (set, rows) in finops {
        let expected = if set == "LegalEntities" { 2 } else { 0 };
        assert_eq!(
            rows.len(),
            expected,
            "{set}: a default F&O store has no template rows"
        );
    }
    for (set, rows) in tables {
        let expected = if set == "cdm_companies" { 2 } else { 0 };
        assert_eq!(
            rows.len(),
            expected,
            "{set}: a default Dataverse has no template rows"
        );
    }
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn every_paired_entity_gets_typed_rows_with_unique_keys() {
    // GIVEN a sandbox asked for 3 template rows per company.
    let env = start_with(|c| c.template_rows = 3).await;
    // WHEN every paired entity is read.
    let (finops, _) = all_rows(&env).await;
    // THEN each F&O entity has at least 3 rows per company, typed and uniquely keyed.
    for entity in catalog()
        .finops
        .iter()
        .filter(|e| e.entity_set != "LegalEntities")
    {
        let rows = &finops[&entity.entity_set];
        let companies: &[&str] = if entity.company_specific {
            &["DAT", "USMF"]
        } else {
            &[""]
        };
        for company in companies {
            let count = rows
                .iter()
                .filter(|r| company.is_empty() || r["dataAreaId"] == *company)
                .count();
            assert!(
                count >= 3,
                "{}: {count} rows in '{company}', 3 asked for",
                entity.entity_set
            );
        }
        let keys: HashSet<String> = rows
            .iter()
            .map(|r| {
                let values: Vec<String> = entity.keys.iter().map(|k| r[k].to_string()).collect();
                values.join("|")
            })
            .collect();
        assert_eq!(
            keys.len(),
            rows.len(),
            "{}: keys identify one row each",
            entity.entity_set
        );
        for row in rows {
            for field in &entity.fields {
                assert!(
                    fo_type_holds(&field.kind, &row[&field.name]),
                    "{}.{} holds a value of its type: {}",
                    entity.entity_set,
                    field.name,
                    row[&field.name]
                );
            }
        }
    }
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn every_paired_table_gets_typed_rows_whose_lookups_resolve() {
    // GIVEN a sandbox asked for 3 template rows per company.
    let env = start_with(|c| c.template_rows = 3).await;
    // WHEN every paired table is read.
    let (_, tables) = all_rows(&env).await;
    let ids: HashMap<&str, HashSet<&str>> = tables
        .iter()
        .map(|(set, rows)| {
            let table = catalog().dv_table(set).expect("a catalog table");
            let ids = rows
                .iter()
                .filter_map(|r| r[&table.primary_id].as_str())
                .collect();
            (set.as_str(), ids)
        })
        .collect();
    // THEN each table has rows whose values fit their columns, whose lookups point at rows
    // that exist and whose company is one of the linked companies.
    for table in catalog()
        .dataverse
        .iter()
        .filter(|t| t.entity_set != "cdm_companies")
    {
        let rows = &tables[&table.entity_set];
        assert!(
            rows.len() >= 3,
            "{}: {} rows, 3 asked for",
            table.entity_set,
            rows.len()
        );
        for row in rows {
            check_dataverse_row(table, row, &ids);
        }
    }
    env.sandbox.shutdown().await;
}

/// Asserts that each column of `row` holds a value of its type, and each lookup the id of a
/// row in `ids` of its target; only the company lookup must be set.
fn check_dataverse_row(table: &DvTable, row: &Row, ids: &HashMap<&str, HashSet<&str>>) {
    for column in table.columns.iter().filter(|c| c.name != table.primary_id) {
        let property = match &column.kind {
            DvType::Lookup { .. } => format!("_{}_value", column.name),
            _ => column.name.clone(),
        };
        let value = &row[&property];
        let lookup = matches!(column.kind, DvType::Lookup { .. });
        // The first row of a self-reference has nothing to refer to yet.
        if lookup && value.is_null() && column.name != "msdyn_company" {
            continue;
        }
        assert!(
            dv_type_holds(&column.kind, value),
            "{}.{property} holds a value of its type: {value}",
            table.entity_set
        );
        if let DvType::Lookup { target } = &column.kind {
            assert!(
                ids[target.as_str()].contains(value.as_str().unwrap_or_default()),
                "{}.{property} points at an existing {target} row",
                table.entity_set
            );
        }
    }
}

#[tokio::test]
async fn template_lookups_point_at_rows_of_their_target_in_the_same_company() {
    // GIVEN a sandbox with template rows.
    let env = start_with(|c| c.template_rows = 3).await;
    let (finops, _) = all_rows(&env).await;
    let maps = templates();
    // WHEN each template's lookup fields are read on the F&O side.
    for map in &maps {
        for field in map.fields.iter().filter(|f| f.lookup.is_some()) {
            let (Some(name), Some(lookup)) = (&field.finance_operations, &field.lookup) else {
                continue;
            };
            let target = maps
                .iter()
                .find(|m| m.name == lookup.target_map)
                .expect("a target map");
            let target_key = &target.key.finance_operations[0];
            let target_rows = &finops[&target.finance_operations_entity];
            // THEN every value set names a row of the target map's entity, in its company.
            let mut checked = 0;
            for row in &finops[&map.finance_operations_entity] {
                let value = row[name].as_str().unwrap_or_default();
                if value.is_empty() {
                    continue;
                }
                let same_company = |t: &Row| {
                    map.company.is_none()
                        || target.company.is_none()
                        || t["dataAreaId"] == row["dataAreaId"]
                };
                assert!(
                    target_rows
                        .iter()
                        .any(|t| t[target_key] == value && same_company(t)),
                    "{}.{name} = {value} names a {} row",
                    map.name,
                    target.finance_operations_entity
                );
                checked += 1;
            }
            assert!(
                checked > 0,
                "{}.{name}: some rows refer to a {} row",
                map.name,
                target.name
            );
        }
    }
    env.sandbox.shutdown().await;
}

/// Templates whose F&O filter accepts every value its field can hold: the vendors' filter names
/// both members of `VendorPartyType`, so no vendor can fail it.
const KEEPS_EVERY_VALUE: &[&str] = &["vendors-v2"];

#[tokio::test]
async fn each_source_filter_keeps_rows_and_drops_at_least_one() {
    // GIVEN a sandbox with template rows.
    let env = start_with(|c| c.template_rows = 3).await;
    let (finops, tables) = all_rows(&env).await;
    for map in templates() {
        // WHEN a template's F&O filter is evaluated on its entity's rows.
        if let Some(text) = &map.filter_finance_operations {
            let filter = finance_operations::parse(text).expect("template filters parse");
            let rows = &finops[&map.finance_operations_entity];
            let kept = rows
                .iter()
                .filter(|r| finance_operations::evaluate(&filter, r).expect("evaluates"))
                .count();
            // THEN some rows pass it and at least one does not, so both paths are exercised;
            // a filter that accepts every member of its enum can drop nothing.
            assert!(kept > 0, "{}: F&O rows pass '{text}'", map.name);
            if KEEPS_EVERY_VALUE.contains(&map.name.as_str()) {
                assert_eq!(
                    kept,
                    rows.len(),
                    "{}: '{text}' accepts every member",
                    map.name
                );
            } else {
                assert!(kept < rows.len(), "{}: an F&O row fails '{text}'", map.name);
            }
        }
        // AND the same holds for its Dataverse filter on its table's rows.
        if let Some(text) = &map.filter_dataverse {
            let filter = dataverse::parse(text).expect("template filters parse");
            let rows = &tables[&map.dataverse_entity_set];
            let kept = rows
                .iter()
                .filter(|r| dataverse::evaluate(&filter, r).expect("evaluates"))
                .count();
            assert!(kept > 0, "{}: Dataverse rows pass '{text}'", map.name);
            assert!(
                kept < rows.len(),
                "{}: a Dataverse row fails '{text}'",
                map.name
            );
        }
    }
    env.sandbox.shutdown().await;
}

/// Asserts that both hold the same rows, set by set, naming the first set that differs.
fn same_rows(left: &HashMap<String, Vec<Row>>, right: &HashMap<String, Vec<Row>>, why: &str) {
    let (left, right) = (comparable(left.clone()), comparable(right.clone()));
    let mut sets: Vec<&String> = left.keys().chain(right.keys()).collect();
    sets.sort();
    sets.dedup();
    for set in sets {
        assert_eq!(left.get(set), right.get(set), "{set}: {why}");
    }
}

/// The rows without what each write stamps (times, versions, etags) and without the ids of
/// the linked companies, which the emulator draws at random when it seeds them, in one order.
fn comparable(rows: HashMap<String, Vec<Row>>) -> HashMap<String, Vec<Row>> {
    const STAMPS: &[&str] = &[
        "ModifiedDateTime",
        "@odata.etag",
        "createdon",
        "modifiedon",
        "versionnumber",
        "cdm_companyid",
        "_msdyn_company_value",
    ];
    rows.into_iter()
        .map(|(set, rows)| {
            let mut rows: Vec<Row> = rows
                .into_iter()
                .map(|mut r| {
                    r.retain(|name, _| !STAMPS.contains(&name.as_str()));
                    r
                })
                .collect();
            // Dataverse answers in id order, and the companies' ids are random.
            rows.sort_by_key(|r| Value::Object(r.clone()).to_string());
            (set, rows)
        })
        .collect()
}

#[tokio::test]
async fn the_seed_decides_the_rows_and_a_restart_adds_none() {
    // GIVEN two fresh sandboxes with the same seed.
    let first = start_with(|c| {
        c.template_rows = 2;
        c.seed = 5;
    })
    .await;
    let second = start_with(|c| {
        c.template_rows = 2;
        c.seed = 5;
    })
    .await;
    // WHEN both are read.
    let (fo_a, dv_a) = all_rows(&first).await;
    let (fo_b, dv_b) = all_rows(&second).await;
    // THEN they hold the same rows, Dataverse ids included.
    same_rows(&fo_a, &fo_b, "the seed decides the F&O rows");
    same_rows(&dv_a, &dv_b, "the seed decides the Dataverse rows and ids");
    second.sandbox.shutdown().await;
    // WHEN the first is started again over its directory.
    let Env { sandbox, dir, .. } = first;
    sandbox.shutdown().await;
    let again = start_with_dir(dir).await;
    let (fo_c, dv_c) = all_rows(&again).await;
    // THEN nothing was added.
    same_rows(&fo_a, &fo_c, "a restart keeps the F&O rows as they are");
    same_rows(
        &dv_a,
        &dv_c,
        "a restart keeps the Dataverse rows as they are",
    );
    again.sandbox.shutdown().await;
}

/// A sandbox started again over `dir` with template rows asked for.
async fn start_with_dir(dir: tempfile::TempDir) -> Env {
    let mut config = duet_sandbox::SandboxConfig::new(dir.path());
    config.template_rows = 2;
    config.seed = 5;
    let sandbox = duet_sandbox::Sandbox::start(config)
        .await
        .expect("sandbox restarts");
    Env {
        http: crate::support::client_of(&sandbox),
        sandbox,
        dir,
    }
}
