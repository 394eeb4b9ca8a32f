//! The first page of a filtered log query over a log of many lines, as the Activity page
//! asks for it (`log_page`: a keyset page and the count of matching lines).

use std::path::Path;
use std::time::Instant;

use duet_store::{ActivityQuery, Store};

use super::seed;

/// Lines the Activity page asks for first.
const FIRST_PAGE: u32 = 1_000;

/// What one read took.
pub struct FirstPage {
    pub seconds: f64,
    pub lines: usize,
    pub count: u64,
}

/// Seeds `lines` lines into a fresh store in `dir`, then times the first page (and its
/// count) of the failures of one map and one error class, on the store's read connection.
pub fn first_page(dir: &Path, lines: u64) -> anyhow::Result<FirstPage> {
    let store = Store::open(&dir.join("duet.sqlite"))?;
    seed::append(&store, lines)?;
    drop(store);
    // Opened again, as a restarted Duet would find it: nothing of the seeding is cached.
    let store = Store::open(&dir.join("duet.sqlite"))?;
    let query = ActivityQuery {
        map: Some("vendors-v2".to_owned()),
        error_class: Some("400".to_owned()),
        ..ActivityQuery::default()
    };
    let started = Instant::now();
    let page = store.activity_page(&query, FIRST_PAGE)?;
    let count = store.activity_count(&query)?;
    Ok(FirstPage {
        seconds: started.elapsed().as_secs_f64(),
        lines: page.entries.len(),
        count,
    })
}
