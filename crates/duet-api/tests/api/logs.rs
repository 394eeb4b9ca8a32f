//! The activity log read a page at a time with typed filters, and counted.

use duet_api::{ActivityKind, Api, Direction, LogOrderView, LogQuery};

use crate::support::{eventually, options, running};

#[tokio::test]
async fn log_pages_follow_their_cursor_with_typed_filters_and_the_first_counts() {
    let dir = tempfile::tempdir().unwrap();
    let api = Api::open(dir.path(), options("logs")).await.unwrap();
    api.start_sandbox_demo().await.unwrap();
    running(&api).await;
    let query = LogQuery {
        map: Some("customers".to_owned()),
        kind: Some(ActivityKind::Row),
        direction: Some(Direction::ToDataverse),
        order: Some(LogOrderView::OldestFirst),
        ..LogQuery::default()
    };
    // GIVEN the demo map's initial sync in the log.
    let total = eventually("the initial sync's row lines", || async {
        let total = api.log_page(&query, 1).ok()?.total?;
        (total > 20).then_some(total)
    })
    .await;
    // WHEN it is read in pages of 7, THEN every line matches, oldest first, and the pages
    // add up to the count; only the first page counts.
    let mut seen = Vec::new();
    let mut cursor = query.clone();
    loop {
        let page = api.log_page(&cursor, 7).unwrap();
        assert_eq!(page.total.is_some(), cursor.after.is_none());
        assert!(page.entries.iter().all(|entry| {
            entry.map == "customers"
                && entry.kind == ActivityKind::Row
                && entry.direction == Some(Direction::ToDataverse)
        }));
        seen.extend(page.entries.iter().map(|entry| entry.id));
        match page.next {
            Some(next) => cursor.after = Some(next),
            None => break,
        }
    }
    assert!(seen.windows(2).all(|pair| pair[0] < pair[1]));
    assert!(seen.len() as u64 >= total, "{} < {total}", seen.len());
    api.shutdown().await;
}
