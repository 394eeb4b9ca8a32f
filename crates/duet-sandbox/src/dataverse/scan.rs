//! A table read in storage order a page at a time: the paging cookie carries the id of the
//! last row of the page before (as Dataverse's cookie carries the last record's id), rows
//! are filtered as they are read, and reading stops once the page is full. A page costs its
//! own rows, not the rows before it, and memory holds one page however large the table.

use rusqlite::{Connection, params};
use serde_json::{Map, Value};

use crate::filter::{CmpOp, Dialect, Expr, Literal, Operand, conjuncts};

use super::rows::row_from_sql;
use super::tables::Table;

/// Where a page's rows come from: after the cookie's last id, or — for a first page whose
/// filter names one row by its primary id or its one-column alternate key — that row alone,
/// found on its index as Dataverse would.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Seek {
    After(Option<String>),
    Id(String),
    AltKey(String),
}

impl Seek {
    pub(super) fn of(filter: Option<&Expr>, table: &Table, after: Option<String>) -> Seek {
        if after.is_some() {
            return Seek::After(after);
        }
        filter
            .map(conjuncts)
            .unwrap_or_default()
            .into_iter()
            .find_map(|part| match part {
                Expr::Cmp(
                    CmpOp::Eq,
                    Operand::Field(field),
                    Operand::Lit(Literal::Guid(id) | Literal::Str(id)),
                ) if field == table.id => Some(Seek::Id(id.to_ascii_lowercase())),
                Expr::Cmp(CmpOp::Eq, Operand::Field(field), Operand::Lit(Literal::Str(value)))
                    if !table.alt_key.is_empty() && field == table.alt_key =>
                {
                    Some(Seek::AltKey(value.to_lowercase()))
                }
                _ => None,
            })
            .unwrap_or(Seek::After(None))
    }
}

/// One page of a scan.
pub(super) struct ScanPage {
    pub(super) rows: Vec<Map<String, Value>>,
    /// The id of the page's last row: where the next page starts.
    pub(super) last_id: Option<String>,
    /// Whether another matching row follows.
    pub(super) more: bool,
    /// Matching rows from the start of this page, counted up to `count_to`.
    pub(super) matched: usize,
}

/// The rows of `set` from `seek` that `filter` keeps, at most `size` of them; matching rows
/// are counted on to `count_to` for `@odata.count`.
pub(super) fn scan(
    conn: &Connection,
    set: &str,
    seek: &Seek,
    filter: Option<&Expr>,
    size: usize,
    count_to: usize,
) -> rusqlite::Result<ScanPage> {
    let (sql, bound) = match seek {
        Seek::After(after) => (
            "SELECT id, version, body FROM dv_rows WHERE entity = ?1 AND id > ?2 ORDER BY id",
            after.clone().unwrap_or_default(),
        ),
        Seek::Id(id) => (
            "SELECT id, version, body FROM dv_rows WHERE entity = ?1 AND id = ?2",
            id.clone(),
        ),
        Seek::AltKey(key) => (
            "SELECT id, version, body FROM dv_rows WHERE entity = ?1 AND altkey = ?2",
            key.clone(),
        ),
    };
    let mut statement = conn.prepare_cached(sql)?;
    let mut found = statement.query(params![set, bound])?;
    let mut page = ScanPage {
        rows: Vec::with_capacity(size.min(5_000)),
        last_id: None,
        more: false,
        matched: 0,
    };
    let dialect = Dialect { wildcard_eq: false };
    while let Some(found) = found.next()? {
        let row = row_from_sql(found.get(1)?, &found.get::<_, String>(2)?);
        if filter.is_some_and(|filter| !filter.matches(&row, dialect)) {
            continue;
        }
        page.matched += 1;
        if page.rows.len() < size {
            page.last_id = Some(found.get(0)?);
            page.rows.push(row);
        } else {
            page.more = true;
            if page.matched >= count_to {
                break;
            }
        }
    }
    Ok(page)
}
