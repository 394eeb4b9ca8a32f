//! Ignored benchmarks of the emulators: row generation, `$batch` ingest and paging reads; see
//! docs/BENCHMARKS.md.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{Dv, Fo, all_customers, all_dv, change_set, http_part, start_with};

#[tokio::test]
#[ignore = "measures bulk generation speed; run explicitly with --ignored --nocapture"]
async fn generation_speed() {
    // GIVEN a fresh directory and a large row count (DUET_GEN_ROWS overrides 100,000).
    let rows = std::env::var("DUET_GEN_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let started = Instant::now();
    // WHEN the sandbox starts.
    let env = start_with(|c| c.rows = rows).await;
    let elapsed = started.elapsed();
    // THEN all rows are generated, and the rate is reported.
    assert_eq!(env.sandbox.generated_rows(), rows, "every row is generated");
    println!(
        "generated {rows} rows in {:.2?} ({:.0} rows/s)",
        elapsed,
        rows as f64 / elapsed.as_secs_f64()
    );
    env.sandbox.shutdown().await;
}

/// Measures `$batch` ingest (change sets of 1,000 creates) and paging reads on both
/// emulators; run with `--ignored --nocapture` in a release build and record the output.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark; see docs/BENCHMARKS.md"]
async fn batch_ingest_and_paging_rates() {
    let rows: usize = std::env::var("DUET_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let per_batch = 1_000;
    let env = start_with(|c| c.fo_page_size = 5_000).await;
    let (fo, dv) = (Fo::new(&env).await, Dv::new(&env).await);

    // F&O: each batch is one change set of `per_batch` POSTs.
    let started = Instant::now();
    for b in 0..rows / per_batch {
        let parts: Vec<String> = (0..per_batch)
            .map(|i| {
                let n = b * per_batch + i;
                http_part(
                    Some(&(i + 1).to_string()),
                    "POST",
                    "CustomersV3",
                    Some(&json!({"CustomerAccount": format!("BF-{n:07}"), "OrganizationName": format!("Bench {n}")})),
                )
            })
            .collect();
        let reply = fo.batch("bench", &[change_set("cs", &parts)]).await;
        assert_eq!(reply.status, StatusCode::OK, "F&O batch {b}");
    }
    let fo_ingest = started.elapsed();
    let started = Instant::now();
    let read = all_customers(&fo, "").await.len();
    let fo_read = started.elapsed();
    assert_eq!(read, rows, "every F&O row is read back");

    // Dataverse: the same through change sets of creates.
    let started = Instant::now();
    for b in 0..rows / per_batch {
        let parts: Vec<String> = (0..per_batch)
            .map(|i| {
                let n = b * per_batch + i;
                http_part(
                    Some(&(i + 1).to_string()),
                    "POST",
                    "accounts",
                    Some(&json!({"accountnumber": format!("BD-{n:07}"), "name": format!("Bench {n}")})),
                )
            })
            .collect();
        let reply = dv.batch("bench", &[change_set("cs", &parts)], None).await;
        assert_eq!(reply.status, StatusCode::OK, "Dataverse batch {b}");
    }
    let dv_ingest = started.elapsed();
    let started = Instant::now();
    let read = all_dv(&dv, "accounts?$select=accountnumber").await.len();
    let dv_read = started.elapsed();
    assert_eq!(read, rows, "every Dataverse row is read back");

    let rate = |d: Duration| rows as f64 / d.as_secs_f64();
    println!(
        "F&O: $batch ingest {rows} rows in {fo_ingest:.2?} ({:.0} rows/s); paging read in {fo_read:.2?} ({:.0} rows/s)",
        rate(fo_ingest),
        rate(fo_read)
    );
    println!(
        "Dataverse: $batch ingest {rows} rows in {dv_ingest:.2?} ({:.0} rows/s); paging read in {dv_read:.2?} ({:.0} rows/s)",
        rate(dv_ingest),
        rate(dv_read)
    );
    env.sandbox.shutdown().await;
}
