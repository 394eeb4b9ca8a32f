//! The dashboard's figures and log retention, over the demo sandbox.
//! Needs a Secret Service (scripts/test provides one).

use duet_api::{Api, RetentionView};
use serde_json::json;

use crate::support::{demo_finops, eventually, options, running};

#[tokio::test]
async fn metrics_show_rows_latency_and_queue_depth_per_map_and_direction() {
    // GIVEN the demo map ran its initial sync of the generated customers.
    let dir = tempfile::tempdir().unwrap();
    let api = Api::open(dir.path(), options("metrics")).await.unwrap();
    api.start_default().await.unwrap();
    running(&api).await;
    let initial: i64 = api
        .metrics(None, 60, None)
        .unwrap()
        .series
        .iter()
        .filter(|s| s.direction == "toDataverse")
        .map(|s| s.rows)
        .sum();
    assert!(initial >= 250, "the initial sync's rows count: {initial}");

    // WHEN a customer changes in F&O and crosses to Dataverse.
    let finops = demo_finops(&api, dir.path()).await;
    finops
        .create(
            "CustomersV3",
            json!({"dataAreaId": "USMF", "CustomerAccount": "METRICS-1", "OrganizationName": "Measured"})
                .as_object()
                .unwrap(),
        )
        .await
        .unwrap();
    // THEN the dashboard counts it, with a latency, and has sampled the queue.
    let view = eventually(
        "the live change in the metrics, and a queue sample",
        || async {
            let view = api.metrics(Some("customers"), 60, None).ok()?;
            let series = view
                .series
                .iter()
                .find(|s| s.map == "customers" && s.direction == "toDataverse")?;
            (series.rows > initial && series.p50_ms.is_some() && !view.queue.is_empty())
                .then_some(view)
        },
    )
    .await;
    assert_eq!(view.bucket_seconds, 60, "an hour in one-minute buckets");
    let series = &view.series[0];
    assert!(series.points.iter().any(|p| p.rows_per_second > 0.0));
    assert!(series.p99_ms >= series.p50_ms, "{series:?}");
    assert_eq!(view.queue[0].map, "customers");
    let sum: i64 = series.points.iter().map(|p| p.rows).sum();
    assert_eq!(sum, series.rows, "points add up to the series total");
    // AND another map's figures are not mixed in.
    assert!(
        api.metrics(Some("vendors"), 60, None)
            .unwrap()
            .series
            .is_empty()
    );

    // WHEN retention is set out of range, THEN it is refused with the value.
    let error = api
        .set_retention(RetentionView {
            activity_days: 0,
            failed_days: None,
            activity_max_lines: None,
            keep_bulk_payloads: None,
        })
        .unwrap_err();
    assert_eq!(error.code, "invalid_retention");
    // WHEN it is set within range, THEN it is kept, logged, and nothing recent is pruned.
    let saved = api
        .set_retention(RetentionView {
            activity_days: 14,
            failed_days: Some(7),
            activity_max_lines: Some(2_000_000),
            keep_bulk_payloads: Some(true),
        })
        .unwrap();
    assert_eq!(api.retention().unwrap(), saved);
    let activity = api.activity(1000).await.unwrap();
    assert!(
        activity
            .iter()
            .any(|e| e.map == "retention" && e.message.contains("activity 14 days")),
        "the change is in the activity log"
    );
    let after = api.metrics(Some("customers"), 60, None).unwrap();
    assert_eq!(after.series[0].rows, series.rows, "recent rows are kept");
    // AND the same goes through the command dispatcher the UI uses.
    let answer = api.call("retention", json!({})).await.unwrap();
    assert_eq!(
        answer,
        json!({"activityDays": 14, "failedDays": 7, "activityMaxLines": 2_000_000,
            "keepBulkPayloads": true})
    );
    let answer = api
        .call("metrics", json!({"map": "customers", "minutes": 5}))
        .await
        .unwrap();
    assert_eq!(answer["bucketSeconds"], 5);
    api.shutdown().await;
}
