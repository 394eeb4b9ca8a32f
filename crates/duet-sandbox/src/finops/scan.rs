//! Reading an entity's rows without holding the entity: rows come from SQLite in key order
//! (case-insensitive, as F&O compares), starting where the filter lets them start — at its
//! keyset bound on the key fields, or, for a `ModifiedDateTime` watermark, on that column's
//! index — and each row is parsed, filtered and dropped unless it is part of the answer. A
//! query ordered by the key (or not ordered) stops once its page is full, so keyset paging
//! costs a page per page and memory holds a page, however many rows the entity has.

use rusqlite::{Connection, params};
use serde_json::{Map, Value};

use std::cmp::Ordering;

use crate::filter::{CmpOp, Dialect, Expr, Literal, Operand, compare_rows, conjuncts};

use super::rows::row_from_sql;

/// The key fields' values are joined with this in the storage key; it sorts below every
/// printable character, so a joined prefix sorts before its longer keys.
const KEY_SEPARATOR: char = '\u{1f}';

/// Sorts above every character a key holds.
const ABOVE_ALL: char = '\u{10ffff}';

/// Indexes the scans seek on, created with the rows table.
pub(super) const SCHEMA: &str = "
CREATE INDEX IF NOT EXISTS fo_rows_key_order ON fo_rows (entity, lower(k));
CREATE INDEX IF NOT EXISTS fo_rows_modified
    ON fo_rows (entity, json_extract(body, '$.ModifiedDateTime'));
";

/// Where a scan may start: a bound no matching row is below.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Start {
    /// From the first row.
    First,
    /// At this joined, lower-cased key prefix.
    Key(String),
    /// At rows modified at or after this (a `ModifiedDateTime` prefix).
    Modified(String),
}

impl Start {
    /// The best start `filter` allows for an entity keyed by `keys`.
    pub(super) fn of(filter: Option<&Expr>, keys: &[&str]) -> Start {
        let Some(filter) = filter else {
            return Start::First;
        };
        if let Some(key) = key_bound(filter, keys) {
            return Start::Key(key);
        }
        match modified_bound(filter) {
            Some(modified) => Start::Modified(modified),
            None => Start::First,
        }
    }
}

/// What a scan keeps: rows `skip..skip + keep` of the matches — in key order, or in `order`
/// when one is given (then only the best `skip + keep` rows are held while reading) — and how
/// many matched when `count_all` (otherwise it stops after the rows it keeps and one more).
pub(super) struct Window {
    pub(super) skip: usize,
    pub(super) keep: usize,
    pub(super) count_all: bool,
    pub(super) order: Option<Vec<(String, bool)>>,
}

pub(super) struct Scanned {
    pub(super) rows: Vec<Map<String, Value>>,
    pub(super) matched: usize,
}

/// The matching rows of `set` from `start` in key order, kept as `window` says.
pub(super) fn scan(
    conn: &Connection,
    set: &str,
    start: &Start,
    matches: &dyn Fn(&Map<String, Value>) -> bool,
    window: &Window,
) -> rusqlite::Result<Scanned> {
    let (sql, bound) = match start {
        Start::First => (
            "SELECT recid, recversion, body FROM fo_rows WHERE entity = ?1 AND ?2 = ''
             ORDER BY lower(k)",
            String::new(),
        ),
        Start::Key(key) => (
            "SELECT recid, recversion, body FROM fo_rows WHERE entity = ?1 AND lower(k) >= ?2
             ORDER BY lower(k)",
            key.clone(),
        ),
        Start::Modified(modified) => (
            "SELECT recid, recversion, body FROM fo_rows
             WHERE entity = ?1 AND json_extract(body, '$.ModifiedDateTime') >= ?2
             ORDER BY lower(k)",
            modified.clone(),
        ),
    };
    let mut statement = conn.prepare_cached(sql)?;
    let mut found = statement.query(params![set, bound])?;
    let mut scanned = Scanned {
        rows: Vec::new(),
        matched: 0,
    };
    let end = window.skip.saturating_add(window.keep);
    while let Some(found) = found.next()? {
        let row = row_from_sql(found.get(0)?, found.get(1)?, &found.get::<_, String>(2)?);
        if !matches(&row) {
            continue;
        }
        match &window.order {
            Some(order) => keep_best(&mut scanned.rows, row, order, end),
            None if scanned.matched >= window.skip && scanned.matched < end => {
                scanned.rows.push(row);
            }
            None => {}
        }
        scanned.matched += 1;
        if window.order.is_none() && !window.count_all && scanned.matched > end {
            break;
        }
    }
    if window.order.is_some() {
        scanned.rows.drain(..window.skip.min(scanned.rows.len()));
    }
    Ok(scanned)
}

/// Puts `row` in its place among `best` (sorted by `order`, ties in reading order) and keeps
/// at most `limit` rows.
fn keep_best(
    best: &mut Vec<Map<String, Value>>,
    row: Map<String, Value>,
    order: &[(String, bool)],
    limit: usize,
) {
    let place = best.partition_point(|kept| compare_rows(kept, &row, order) != Ordering::Greater);
    if place < limit {
        best.insert(place, row);
        best.truncate(limit);
    }
}

/// Whether `order` is the scan's own order: none, or the key fields ascending.
pub(super) fn in_key_order(order: &[(String, bool)], keys: &[&str]) -> bool {
    order.is_empty()
        || (order.len() <= keys.len()
            && order
                .iter()
                .zip(keys)
                .all(|((field, descending), key)| !descending && field.eq_ignore_ascii_case(key)))
}

/// `field op 'text'`, with the field named case-insensitively.
fn compared<'e>(expr: &'e Expr, field: &str) -> Option<(CmpOp, &'e str)> {
    match expr {
        Expr::Cmp(op, Operand::Field(name), Operand::Lit(Literal::Str(text)))
            if name.eq_ignore_ascii_case(field) && text.is_ascii() && !text.contains('*') =>
        {
            Some((*op, text.as_str()))
        }
        _ => None,
    }
}

/// The joined, lower-cased key prefix below which no row matching `expr` lies: from a
/// conjunction's `eq` on the leading key fields and then `gt`/`ge`/`eq` on the next, from the
/// lower of an `or`'s two bounds, or from any conjunct's bound.
fn key_bound(expr: &Expr, keys: &[&str]) -> Option<String> {
    match expr {
        Expr::Or(left, right) => {
            let (left, right) = (key_bound(left, keys)?, key_bound(right, keys)?);
            Some(left.min(right))
        }
        _ => {
            let parts = conjuncts(expr);
            let mut prefix: Vec<String> = Vec::new();
            for key in keys {
                let equal = parts
                    .iter()
                    .find_map(|part| compared(part, key).filter(|(op, _)| *op == CmpOp::Eq));
                if let Some((_, text)) = equal {
                    prefix.push(text.to_lowercase());
                    continue;
                }
                let lower = parts.iter().find_map(|part| {
                    compared(part, key).filter(|(op, _)| matches!(op, CmpOp::Gt | CmpOp::Ge))
                });
                if let Some((op, text)) = lower {
                    // Strictly greater: every row with this value, whatever follows it in
                    // the key, is below the bound too.
                    prefix.push(match op {
                        CmpOp::Gt => format!("{}{KEY_SEPARATOR}{ABOVE_ALL}", text.to_lowercase()),
                        _ => text.to_lowercase(),
                    });
                }
                break;
            }
            let own = (!prefix.is_empty()).then(|| prefix.join(&KEY_SEPARATOR.to_string()));
            let nested = parts
                .iter()
                .filter(|part| matches!(part, Expr::Or(..)))
                .filter_map(|part| key_bound(part, keys))
                .max();
            own.into_iter().chain(nested).max()
        }
    }
}

/// The second a `ModifiedDateTime ge|gt <time>` conjunct starts at, as the stored text
/// begins (`2026-12-06T10:00:00`): rows of that second and later.
fn modified_bound(expr: &Expr) -> Option<String> {
    conjuncts(expr).into_iter().find_map(|part| match part {
        Expr::Cmp(CmpOp::Gt | CmpOp::Ge, Operand::Field(name), Operand::Lit(Literal::Time(at)))
            if name.eq_ignore_ascii_case("ModifiedDateTime") =>
        {
            Some(at.format("%Y-%m-%dT%H:%M:%S").to_string())
        }
        _ => None,
    })
}

/// How rows are compared by the filter: F&O's dialect.
pub(super) const DIALECT: Dialect = Dialect { wildcard_eq: true };

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::parse;

    fn start(filter: &str) -> Start {
        let expr = parse(filter, &|_: &str| true).expect("a filter");
        Start::of(Some(&expr), &["dataAreaId", "CustomerAccount"])
    }

    #[test]
    fn a_keyset_filter_starts_at_the_last_key_and_a_watermark_at_its_second() {
        let keyset = "(dataAreaId eq 'DAT' or dataAreaId eq 'USMF') and \
            ((dataAreaId gt 'DAT') or (dataAreaId eq 'DAT' and CustomerAccount gt 'C-09'))";
        assert_eq!(
            start(keyset),
            Start::Key("dat\u{1f}c-09\u{1f}\u{10ffff}".to_owned()),
            "past every row of the last key"
        );
        assert_eq!(
            start("dataAreaId eq 'usmf' and CustomerAccount ge 'X'"),
            Start::Key("usmf\u{1f}x".to_owned())
        );
        assert_eq!(
            start("ModifiedDateTime ge 2026-12-06T10:00:00.250Z"),
            Start::Modified("2026-12-06T10:00:00".to_owned())
        );
        assert_eq!(
            start("CustomerAccount gt 'C'"),
            Start::First,
            "not the leading key field"
        );
        assert_eq!(
            start("dataAreaId eq 'D*'"),
            Start::First,
            "a wildcard is no bound"
        );
        assert_eq!(
            start("dataAreaId gt 'DAT' or OrganizationName eq 'x'"),
            Start::First,
            "one side of an or without a bound leaves none"
        );
    }

    #[test]
    fn only_the_key_fields_ascending_are_the_scans_own_order() {
        let keys = ["dataAreaId", "CustomerAccount"];
        let order = |fields: &[(&str, bool)]| -> Vec<(String, bool)> {
            fields.iter().map(|(f, d)| ((*f).to_owned(), *d)).collect()
        };
        assert!(in_key_order(&[], &keys));
        assert!(in_key_order(
            &order(&[("dataareaid", false), ("CustomerAccount", false)]),
            &keys
        ));
        assert!(!in_key_order(&order(&[("ModifiedDateTime", false)]), &keys));
        assert!(!in_key_order(&order(&[("dataAreaId", true)]), &keys));
    }
}

#[cfg(test)]
mod window_tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn only_the_best_rows_of_an_order_are_held_ties_in_reading_order() {
        let order = vec![("n".to_owned(), true)];
        let mut best = Vec::new();
        for (n, tag) in [(1, "a"), (5, "b"), (3, "c"), (5, "d"), (2, "e")] {
            let row = json!({ "n": n, "tag": tag }).as_object().cloned().unwrap();
            keep_best(&mut best, row, &order, 3);
        }
        let tags: Vec<&str> = best
            .iter()
            .map(|row| row["tag"].as_str().unwrap())
            .collect();
        assert_eq!(
            tags,
            ["b", "d", "c"],
            "the three highest, the earlier of a tie first"
        );
    }
}
