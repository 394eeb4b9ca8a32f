//! Sample rows for every catalog entity and table a standard map template pairs, so each
//! template has data to sync: a few rows per company (or in all for shared entities), with
//! values of each field's type, references to rows that exist, and rows on both sides of
//! each template's source filters. Pure: the emulators' seed code stores what these build.
//!
//! The same `seed` and row count always give the same rows, ids included.

mod dataverse;
mod finops;
mod rules;

use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;

pub(crate) use dataverse::dataverse_rows;
pub(crate) use finops::finops_rows;

use crate::catalog::catalog;
use crate::sample;

/// The legal entities both emulators seed; company-specific rows are made in each.
pub(crate) const COMPANIES: &[&str] = &["DAT", "USMF"];

const FIRST_NAMES: &[&str] = &[
    "Ana", "Ben", "Chloe", "Dev", "Elif", "Femi", "Greta", "Hiro",
];
const LAST_NAMES: &[&str] = &[
    "Ahmed", "Berg", "Costa", "Dubois", "Evans", "Fischer", "Garcia",
];

/// The key code of the `index`-th row (from 1) of `stem` in `company`.
fn code(prefix: &str, stem: &str, company: Option<&str>, index: usize) -> String {
    match company {
        Some(company) => format!("{prefix}{stem}-{company}-{index:02}"),
        None => format!("{prefix}{stem}-{index:02}"),
    }
}

/// Names in `order` so that each comes after the names `depends_on` gives it (names outside
/// the list and a name's own are ignored); ties keep the given order.
fn ordered<'a>(names: &[&'a str], depends_on: impl Fn(&str) -> Vec<&'a str>) -> Vec<&'a str> {
    let mut placed: Vec<&str> = Vec::with_capacity(names.len());
    while placed.len() < names.len() {
        let before = placed.len();
        for name in names {
            let ready = depends_on(name)
                .iter()
                .all(|d| d == name || !names.contains(d) || placed.contains(d));
            if !placed.contains(name) && ready {
                placed.push(name);
            }
        }
        if placed.len() == before {
            // A cycle cannot be ordered; its members go last, in the given order.
            placed.extend(
                names
                    .iter()
                    .filter(|n| !placed.contains(n))
                    .collect::<Vec<_>>(),
            );
        }
    }
    placed
}

/// The F&O entities and Dataverse tables the catalog pairs, each once, in catalog order.
fn paired() -> (Vec<&'static str>, Vec<&'static str>) {
    let (mut finops, mut dataverse) = (Vec::new(), Vec::new());
    for pair in &catalog().pairs {
        if !finops.contains(&pair.finops.as_str()) {
            finops.push(pair.finops.as_str());
        }
        if !dataverse.contains(&pair.dataverse.as_str()) {
            dataverse.push(pair.dataverse.as_str());
        }
    }
    (finops, dataverse)
}

/// Text for a field with no better rule: names look like names, e-mail addresses and phone
/// numbers like those, anything else is a word and the row's key code.
fn text(field: &str, code: &str, rng: &mut StdRng) -> String {
    let lower = field.to_ascii_lowercase();
    let pick = |list: &[&str], rng: &mut StdRng| {
        (*list.choose(rng).expect("word lists are not empty")).to_owned()
    };
    if lower.contains("mail") {
        format!("{}@example.com", sample::slug(code))
    } else if lower.contains("phone") {
        format!("+1 425 555 01{:02}", rng.random_range(0..100u32))
    } else if lower.contains("firstname") {
        pick(FIRST_NAMES, rng)
    } else if lower.contains("lastname") || lower.contains("middlename") {
        pick(LAST_NAMES, rng)
    } else {
        format!("{} {code}", pick(sample::PREFIXES, rng))
    }
}

/// An amount with at most two decimals.
fn amount(rng: &mut StdRng) -> f64 {
    f64::from(rng.random_range(100..100_000u32)) / 4.0
}

/// A day in 2026 as `2026-MM-DD`.
fn day(rng: &mut StdRng) -> String {
    format!(
        "2026-{:02}-{:02}",
        rng.random_range(1..=12u32),
        rng.random_range(1..=28u32)
    )
}

#[cfg(test)]
mod tests {
    use super::ordered;

    #[test]
    fn ordering_puts_dependencies_first_and_keeps_ties() {
        // GIVEN lines that depend on headers, which depend on customers.
        let names = ["lines", "customers", "headers", "units"];
        let depends = |name: &str| match name {
            "lines" => vec!["headers", "lines"],
            "headers" => vec!["customers", "elsewhere"],
            _ => vec![],
        };
        // WHEN they are ordered.
        let order = ordered(&names, depends);
        // THEN each comes after what it refers to; self and unknown names do not hold it back.
        assert_eq!(
            order,
            ["customers", "headers", "units", "lines"],
            "referenced rows must exist before the rows that refer to them"
        );
    }
}
