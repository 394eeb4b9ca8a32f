//! The Dataverse sample rows: rows created in Dataverse for each paired table, with their own
//! keys (so the initial sync carries them to F&O where the map allows it), the company
//! lookup, lookups to rows made before, and the filter variants of `rules`.

use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use serde_json::{Map, Value};

use super::finops::finops_code;
use super::rules::{MIRRORED, Variant, dataverse_stem, dataverse_variants, key_list};
use super::{COMPANIES, amount, code, day, ordered, paired, text};
use crate::catalog::{DvTable, DvType, catalog};

/// One Dataverse sample row.
pub(crate) struct DvSample {
    /// The table's entity set.
    pub(crate) table: &'static str,
    pub(crate) id: String,
    pub(crate) company: Option<&'static str>,
    /// Column values; a lookup `x` is set as `_x_value` with the target row's id.
    pub(crate) row: Map<String, Value>,
    /// A row one of the templates' Dataverse filters leaves out.
    pub(crate) dropped: bool,
}

/// Distinguishes these draws from the F&O rows' for the same seed.
const SALT: u64 = 0x7e3a_11e5_d5d5_0002;

const COMPANY_LOOKUP: &str = "msdyn_company";

/// Every Dataverse sample row, looked-up tables first, given the ids of the `cdm_companies`
/// rows by company code. A table with a company lookup gets rows in each company, others
/// rows in all; `cdm_companies` itself is left alone.
pub(crate) fn dataverse_rows(
    per_company: usize,
    seed: u64,
    companies: &[(&'static str, String)],
) -> Vec<DvSample> {
    let mut rng = StdRng::seed_from_u64(seed ^ SALT);
    let (_, tables) = paired();
    let depends = |set: &str| {
        catalog()
            .dv_table(set)
            .map(|t| t.columns.iter())
            .into_iter()
            .flatten()
            .filter_map(|c| match &c.kind {
                DvType::Lookup { target } => Some(target.as_str()),
                _ => None,
            })
            .collect()
    };
    let mut made: Vec<DvSample> = Vec::new();
    for set in ordered(&tables, depends) {
        let table = catalog()
            .dv_table(set)
            .expect("paired tables are in the catalog");
        if set == "cdm_companies" {
            continue;
        }
        let per_company_rows: Vec<Option<&'static str>> = match table.column(COMPANY_LOOKUP) {
            Some(_) => COMPANIES.iter().copied().map(Some).collect(),
            None => vec![None],
        };
        for company in per_company_rows {
            let mut index = 0;
            for variant in dataverse_variants(set) {
                let count = if variant.dropped { 1 } else { per_company };
                for _ in 0..count {
                    index += 1;
                    let place = Place {
                        company,
                        index,
                        companies,
                    };
                    let row = dataverse_row(table, &place, &variant, &made, &mut rng);
                    made.push(DvSample {
                        table: &table.entity_set,
                        id: uuid::Builder::from_random_bytes(rng.random())
                            .into_uuid()
                            .to_string(),
                        company,
                        row,
                        dropped: variant.dropped,
                    });
                }
            }
        }
    }
    made
}

/// Where a row goes: its company, its number there (from 1), and the company rows' ids.
struct Place<'a> {
    company: Option<&'static str>,
    index: usize,
    companies: &'a [(&'static str, String)],
}

/// The key code of a row created in Dataverse: from the end of the entity's code list while
/// its second half lasts, else `CE-` and the stem, so it never meets an F&O row's key.
/// Mirrored tables take the F&O rows' codes instead.
fn dataverse_code(table: &DvTable, place: &Place<'_>) -> String {
    let entity = catalog()
        .pairs
        .iter()
        .find(|p| p.dataverse == table.entity_set)
        .map_or("", |p| p.finops.as_str());
    if MIRRORED.contains(&table.entity_set.as_str()) {
        return finops_code(entity, place.company, place.index);
    }
    match key_list(entity) {
        Some(list) if place.index <= list.len() / 2 => list[list.len() - place.index].to_owned(),
        _ => code(
            "CE-",
            dataverse_stem(&table.entity_set, entity),
            place.company,
            place.index,
        ),
    }
}

fn dataverse_row(
    table: &DvTable,
    place: &Place<'_>,
    variant: &Variant,
    made: &[DvSample],
    rng: &mut StdRng,
) -> Map<String, Value> {
    let keys: Vec<&str> = table
        .alternate_keys
        .first()
        .map(|key| key.iter().map(String::as_str).collect())
        .unwrap_or_default();
    let code = dataverse_code(table, place);
    let mut row = Map::new();
    for column in table.columns.iter().filter(|c| c.name != table.primary_id) {
        let name = column.name.as_str();
        let value = match &column.kind {
            DvType::Lookup { .. } if name == COMPANY_LOOKUP => place
                .companies
                .iter()
                .find(|(code, _)| Some(*code) == place.company)
                .map_or(Value::Null, |(_, id)| Value::from(id.as_str())),
            DvType::Lookup { target } => look_up(target, place.company, made, rng),
            // A second key column numbers the rows under the first (lines of an order).
            _ if keys.contains(&name) && keys.len() > 1 => Value::from(place.index.to_string()),
            _ if keys.contains(&name) => Value::from(code.clone()),
            kind => typed(kind, name, &code, place.index, rng),
        };
        let property = match column.kind {
            DvType::Lookup { .. } => format!("_{name}_value"),
            _ => name.to_owned(),
        };
        row.insert(property, value);
    }
    if let Value::Object(values) = &variant.values {
        row.extend(values.clone());
    }
    row
}

/// The id of a kept row of `target` in the same company (when both have one); null when
/// there is none yet, as for the first row of a self-reference.
fn look_up(target: &str, company: Option<&str>, made: &[DvSample], rng: &mut StdRng) -> Value {
    let pool: Vec<&DvSample> = made
        .iter()
        .filter(|s| s.table == target && !s.dropped)
        .filter(|s| s.company.is_none() || company.is_none() || s.company == company)
        .collect();
    pool.choose(rng)
        .map_or(Value::Null, |s| Value::from(s.id.as_str()))
}

fn typed(kind: &DvType, name: &str, code: &str, index: usize, rng: &mut StdRng) -> Value {
    match kind {
        DvType::String => Value::from(text(name, code, rng)),
        DvType::Integer => Value::from(index),
        DvType::Decimal | DvType::Money => Value::from(amount(rng)),
        DvType::Boolean => Value::from(rng.random_bool(0.5)),
        DvType::Choice { options } => options
            .choose(rng)
            .map_or(Value::Null, |o| Value::from(o.value)),
        DvType::Datetime => Value::from(day(rng)),
        DvType::Lookup { .. } | DvType::Uniqueidentifier => Value::Null,
    }
}
