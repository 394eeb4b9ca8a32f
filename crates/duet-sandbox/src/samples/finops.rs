//! The F&O sample rows: each paired entity's rows per company, keys from the entity's stem
//! or code list, references to rows made before, and the filter variants of `rules`.

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use serde_json::{Map, Value};

use super::rules::{REFERENCES, Reference, Variant, finops_variants, key_list, stem};
use super::{COMPANIES, amount, code, day, ordered, paired, text};
use crate::catalog::{FoEntity, FoType, catalog};

/// One F&O sample row.
pub(crate) struct FoSample {
    pub(crate) entity: &'static str,
    pub(crate) company: Option<&'static str>,
    pub(crate) row: Map<String, Value>,
    /// A row one of the templates' F&O filters leaves out.
    pub(crate) dropped: bool,
}

/// Distinguishes these draws from the customer generator's for the same seed.
const SALT: u64 = 0x7e3a_11e5_f0f0_0001;

/// The key code of the `index`-th F&O row of `entity` in `company`: from its code list while
/// the first half of the list lasts (Dataverse takes codes from the end), else from its stem.
pub(crate) fn finops_code(entity: &str, company: Option<&str>, index: usize) -> String {
    match key_list(entity) {
        Some(list) if index <= list.len() / 2 => list[index - 1].to_owned(),
        _ => code("", stem(entity), company, index),
    }
}

/// Every F&O sample row, referenced entities first: `per_company` rows of each kept variant
/// in each company (in all, for entities shared by companies) and one of each dropped one.
/// Legal entities are left alone: the emulator seeds them and the link names them.
pub(crate) fn finops_rows(per_company: usize, seed: u64) -> Vec<FoSample> {
    let mut rng = StdRng::seed_from_u64(seed ^ SALT);
    let (entities, _) = paired();
    let depends = |entity: &str| {
        REFERENCES
            .iter()
            .filter(|r| r.entity == entity)
            .map(|r| r.target)
            .collect()
    };
    let mut made: Vec<FoSample> = Vec::new();
    for name in ordered(&entities, depends) {
        let entity = catalog()
            .fo_entity(name)
            .expect("paired entities are in the catalog");
        if name == "LegalEntities" {
            continue;
        }
        let companies: Vec<Option<&'static str>> = match entity.company_specific {
            true => COMPANIES.iter().copied().map(Some).collect(),
            false => vec![None],
        };
        for company in companies {
            let mut index = 0;
            for variant in finops_variants(name) {
                let count = if variant.dropped { 1 } else { per_company };
                for _ in 0..count {
                    index += 1;
                    let row = finops_row(entity, company, index, &variant, &made, &mut rng);
                    made.push(FoSample {
                        entity: &entity.entity_set,
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

fn finops_row(
    entity: &FoEntity,
    company: Option<&str>,
    index: usize,
    variant: &Variant,
    made: &[FoSample],
    rng: &mut StdRng,
) -> Map<String, Value> {
    let keys: Vec<&str> = entity
        .keys
        .iter()
        .map(String::as_str)
        .filter(|key| *key != "dataAreaId")
        .collect();
    let code = finops_code(&entity.entity_set, company, index);
    let mut row = Map::new();
    for field in entity.fields.iter().filter(|f| !f.read_only) {
        let name = field.name.as_str();
        let reference = REFERENCES
            .iter()
            .find(|r| r.entity == entity.entity_set && r.field == name);
        let value = match (name, reference) {
            ("dataAreaId", _) => Value::from(company.unwrap_or_default()),
            (_, Some(reference)) => refer(reference, company, made, rng),
            // A second key field numbers the rows under the first (lines of an order).
            _ if keys.contains(&name) && keys.len() > 1 => Value::from(index.to_string()),
            _ if keys.contains(&name) => Value::from(code.clone()),
            _ => typed(&field.kind, name, &code, index, rng),
        };
        row.insert(name.to_owned(), value);
    }
    if let Value::Object(values) = &variant.values {
        row.extend(values.clone());
    }
    row
}

/// The key of a kept row of the reference's target in the same company (when both are per
/// company); empty when there is none yet, as for the first row of a self-reference.
fn refer(
    reference: &Reference,
    company: Option<&str>,
    made: &[FoSample],
    rng: &mut StdRng,
) -> Value {
    let target_specific = catalog()
        .fo_entity(reference.target)
        .is_some_and(|target| target.company_specific);
    let pool: Vec<&FoSample> = made
        .iter()
        .filter(|s| s.entity == reference.target && !s.dropped)
        .filter(|s| !target_specific || company.is_none() || s.company == company)
        .filter(|s| {
            reference.only.is_none_or(|(field, value)| {
                s.row.get(field).and_then(Value::as_str) == Some(value)
            })
        })
        .collect();
    pool.choose(rng)
        .and_then(|s| s.row.get(reference.target_field).cloned())
        .unwrap_or_else(|| Value::from(""))
}

fn typed(kind: &FoType, name: &str, code: &str, index: usize, rng: &mut StdRng) -> Value {
    match kind {
        FoType::String => Value::from(text(name, code, rng)),
        FoType::Integer => Value::from(index),
        FoType::Decimal => Value::from(amount(rng)),
        FoType::Datetime => Value::from(format!("{}T12:00:00Z", day(rng))),
        FoType::Enum { members, .. } => Value::from(members.choose(rng).map_or("", String::as_str)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_come_from_lists_then_stems() {
        assert_eq!(
            finops_code("Currencies", None, 1),
            "EUR",
            "real currency codes first"
        );
        assert_eq!(
            finops_code("CustomerGroups", Some("USMF"), 2),
            "CG-USMF-02",
            "per-company codes carry the company so keys are unique across companies"
        );
    }
}
