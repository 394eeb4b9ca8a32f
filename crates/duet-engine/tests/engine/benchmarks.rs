//! Ignored benchmarks of the initial sync, one per direction; see docs/BENCHMARKS.md.

use duet_maps::TableMap;
use serde_json::{Value, json};

use crate::support::{harness, harness_with_rows, row};

/// Initial-sync throughput, F&O → Dataverse, for docs/BENCHMARKS.md:
/// `DUET_BENCH_ROWS=100000 cargo test --release -p duet-engine --test main initial_sync_throughput -- --ignored --nocapture`
#[tokio::test]
#[ignore = "benchmark; see docs/BENCHMARKS.md"]
async fn initial_sync_throughput() {
    let rows: usize = std::env::var("DUET_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let harness = harness_with_rows(TableMap::customers(), rows).await;
    let seconds = harness.timed_initial_sync().await;
    let written = harness
        .store
        .activity(10)
        .unwrap()
        .into_iter()
        .find(|line| line.entry.message.starts_with("Initial sync finished"))
        .map(|line| line.entry.message)
        .unwrap_or_default();
    println!(
        "initial sync of {rows} customers: {seconds:.1} s, {:.0} rows/s ({written})",
        rows as f64 / seconds
    );
    assert!(written.contains(&format!("{rows} rows read")), "{written}");
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

/// The Dataverse phase of the initial sync: accounts that exist only in Dataverse written to
/// finance and operations. A benchmark, run by hand (see docs/BENCHMARKS.md).
#[tokio::test]
#[ignore = "benchmark: run with --ignored --nocapture, ideally in release"]
async fn initial_sync_from_dataverse_throughput() {
    let rows: usize = std::env::var("DUET_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let harness = harness().await;
    let accounts: Vec<serde_json::Map<String, Value>> = (0..rows)
        .map(|n| {
            row(
                json!({"accountnumber": format!("DVB-{n:06}"), "name": format!("Account {n}"),
                "creditlimit": 1000 + n,
                "msdyn_company@odata.bind": "/cdm_companies(cdm_companycode='DAT')"}),
            )
        })
        .collect();
    for chunk in accounts.chunks(1000) {
        harness
            .dataverse
            .upsert_multiple("accounts", "account", chunk)
            .await
            .expect("accounts are created in Dataverse");
    }
    let seconds = harness.timed_initial_sync().await;
    let written = harness
        .finops
        .count(
            "CustomersV3",
            &[("$filter", "startswith(CustomerAccount,'DVB-')")],
        )
        .await
        .unwrap();
    println!(
        "initial sync of {rows} Dataverse accounts to finance and operations: {seconds:.1} s, \
         {:.0} rows/s ({written} customers written)",
        rows as f64 / seconds
    );
    assert_eq!(
        written, rows as u64,
        "every account reached finance and operations"
    );
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}
