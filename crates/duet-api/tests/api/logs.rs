//! The activity log read a page at a time with typed filters, and counted.

use duet_api::{ActivityKind, Api, CSV_HEADER, Direction, LogOrderView, LogQuery};

use crate::support::{demo_dataverse, eventually, options, running};

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

#[tokio::test]
async fn an_error_group_is_exported_as_csv_and_retried_by_its_pattern() {
    let dir = tempfile::tempdir().unwrap();
    let api = Api::open(dir.path(), options("logs-groups")).await.unwrap();
    api.start_sandbox_demo().await.unwrap();
    running(&api).await;
    // GIVEN two Dataverse accounts without a company: the demo map refuses each for the
    // same reason and keeps them as failed changes.
    let dataverse = demo_dataverse(&api, dir.path()).await;
    for number in ["GRP-1", "GRP-2"] {
        let mut row = serde_json::Map::new();
        row.insert("name".to_owned(), number.into());
        dataverse
            .upsert("accounts", &[("accountnumber", number)], &row)
            .await
            .unwrap();
    }
    let group = eventually("a group of the two failures", || async {
        api.error_groups(Some("customers"))
            .ok()?
            .into_iter()
            .find(|group| group.count == 2)
    })
    .await;
    assert_eq!(group.error_class.as_deref(), Some("application"));

    // WHEN the group is exported, THEN the file holds the header and its two lines.
    let query = LogQuery {
        map: Some(group.map.clone()),
        status: Some(group.status.clone()),
        error_class: group.error_class.clone(),
        pattern: Some(group.pattern.clone()),
        ..LogQuery::default()
    };
    let path = dir.path().join("group.csv");
    let exported = api.export_log_csv(&query, &path).await.unwrap();
    assert_eq!(exported.lines, 2);
    let text = std::fs::read_to_string(&path).unwrap();
    let records: Vec<&str> = text.split_terminator("\r\n").collect();
    assert_eq!(records[0], CSV_HEADER.join(","));
    assert_eq!(records.len(), 3, "{text}");
    assert!(
        records[1..]
            .iter()
            .all(|record| record.contains(",customers,error,")
                && record.contains(",failed,application,")),
        "{text}"
    );
    assert!(
        records[1].contains("GRP-2") && records[2].contains("GRP-1"),
        "{text}"
    );

    // WHEN the group is counted and then retried, THEN both changes go back to the queue,
    // the log says so, and (still without a company) they fail again into the same group.
    let counted = api
        .retry_error_group("customers", "failed", &group.pattern, true)
        .await
        .unwrap();
    assert_eq!((counted.changes, counted.dry_run), (2, true));
    let retried = api
        .retry_error_group("customers", "failed", &group.pattern, false)
        .await
        .unwrap();
    assert_eq!(retried.changes, 2);
    let noted = api
        .log_page(
            &LogQuery {
                text: Some("of the error group".to_owned()),
                ..LogQuery::default()
            },
            5,
        )
        .unwrap();
    assert_eq!(noted.total, Some(1));
    eventually("the retried changes refused again", || async {
        api.error_groups(Some("customers"))
            .ok()?
            .into_iter()
            .find(|again| again.pattern == group.pattern && again.count == 4)
    })
    .await;
    // A conflict group has no queued changes to retry, and an unknown map is not found.
    let conflict = api
        .retry_error_group("customers", "conflict", &group.pattern, false)
        .await
        .unwrap();
    assert_eq!(conflict.changes, 0);
    let missing = api
        .retry_error_group("nope", "failed", &group.pattern, false)
        .await
        .unwrap_err();
    assert_eq!(missing.code, duet_api::Code::NotFound);
    api.shutdown().await;
}
