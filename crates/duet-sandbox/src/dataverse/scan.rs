//! A table read in storage order a page at a time: the paging cookie carries the id of the
//! last row of the page before (as Dataverse's cookie carries the last record's id), rows
//! are filtered as they are read, and reading stops once the page is full. A page costs its
//! own rows, not the rows before it, and memory holds one page however large the table.

use rusqlite::{Connection, params};
use serde_json::{Map, Value};

use crate::filter::{Dialect, Expr};

use super::rows::row_from_sql;

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

/// The rows of `set` after `after` (an id, or from the start) that `filter` keeps, at most
/// `size` of them; matching rows are counted on to `count_to` for `@odata.count`.
pub(super) fn scan(
    conn: &Connection,
    set: &str,
    after: Option<&str>,
    filter: Option<&Expr>,
    size: usize,
    count_to: usize,
) -> rusqlite::Result<ScanPage> {
    let mut statement = conn.prepare_cached(
        "SELECT id, version, body FROM dv_rows WHERE entity = ?1 AND id > ?2 ORDER BY id",
    )?;
    let mut found = statement.query(params![set, after.unwrap_or("")])?;
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
