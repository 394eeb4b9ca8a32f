//! The initial sync: existing customers copied with their company, refused rows kept and
//! rerun, and a sync stopped half way resumed without duplicates or gaps.

use std::time::Duration;

use duet_engine::ChangeStatus;
use duet_maps::TableMap;
use duet_sandbox::Faults;

use crate::support::{eventually, eventually_within, harness, harness_with_rows};

#[tokio::test]
async fn initial_sync_copies_existing_customers_with_their_company() {
    // GIVEN customers in two linked companies before the map runs.
    let harness = harness().await;
    harness
        .create_customer("DAT", "INIT-1", "Initial One")
        .await;
    harness
        .create_customer("USMF", "INIT-2", "Initial Two")
        .await;
    // WHEN the map runs.
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    // THEN both are accounts in Dataverse, bound to their company.
    let first = harness
        .account("INIT-1")
        .await
        .expect("INIT-1 was copied by the initial sync");
    assert_eq!(first["name"], "Initial One");
    assert_eq!(first["creditlimit"].as_f64(), Some(2500.0));
    assert_eq!(first["customertypecode"], 3, "the >> default is written");
    let companies = harness
        .dataverse
        .query(
            "cdm_companies",
            &[("$select", "cdm_companyid,cdm_companycode")],
        )
        .await
        .unwrap();
    let usmf = companies
        .iter()
        .find(|company| company["cdm_companycode"] == "USMF")
        .expect("the sandbox has USMF");
    let second = harness.account("INIT-2").await.expect("INIT-2 was copied");
    assert_eq!(
        second["_msdyn_company_value"], usmf["cdm_companyid"],
        "company striping binds the account to its cdm_company"
    );
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn rows_refused_in_the_initial_sync_are_kept_and_rerun() {
    // GIVEN three customers, and Dataverse refusing every write with a 400.
    let harness = harness().await;
    for account in ["RR-1", "RR-2", "RR-3"] {
        harness
            .create_customer("DAT", account, "Refused first")
            .await;
    }
    harness
        .sandbox
        .set_faults(
            duet_sandbox::Side::Dataverse,
            Faults {
                fail_writes: Some(duet_sandbox::FailWrites {
                    fraction: 1.0,
                    status: 400,
                }),
                ..Faults::default()
            },
        )
        .unwrap();
    // WHEN the map runs its initial sync.
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    // THEN every row is in the error log and kept in the queue as a failed change with the
    // source row and the remote's answer.
    let failed = eventually("three failed rows", || async {
        let changes = harness
            .store
            .queued_changes("customers", Some("RR-"), 100)
            .unwrap();
        let failed: Vec<_> = changes
            .into_iter()
            .filter(|c| c.status == ChangeStatus::Failed)
            .collect();
        (failed.len() == 3).then_some(failed)
    })
    .await;
    for change in &failed {
        assert_eq!(change.change.side, duet_maps::Side::FinanceOperations);
        assert_eq!(change.change.row["OrganizationName"], "Refused first");
        assert!(
            change.error.as_deref().is_some_and(|e| e.contains("400")),
            "the remote status is kept: {:?}",
            change.error
        );
    }
    assert!(harness.account("RR-1").await.is_none());
    // AND live capture reading the rows again adds no second copy of a failure.
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(harness.store.queue_depth("customers").unwrap(), (0, 0, 3));
    // WHEN Dataverse accepts writes again and the failed rows only are rerun.
    harness
        .sandbox
        .set_faults(duet_sandbox::Side::Dataverse, Faults::default())
        .unwrap();
    assert_eq!(harness.engine.retry("customers", None).await.unwrap(), 3);
    // THEN all three arrive and leave the queue.
    for account in ["RR-1", "RR-2", "RR-3"] {
        eventually(&format!("{account} in Dataverse"), || {
            harness.account(account)
        })
        .await;
    }
    eventually("an empty queue", || async {
        (harness.store.queue_depth("customers").unwrap() == (0, 0, 0)).then_some(())
    })
    .await;
    // WHEN the whole initial sync is rerun.
    let before = harness.row_lines().len();
    harness.engine.rerun("customers").await.unwrap();
    harness.wait_state("running").await;
    // THEN it is logged, nothing is written twice, and live sync carries on.
    let lifecycle = harness.store.activity(50).unwrap();
    assert!(
        lifecycle
            .iter()
            .any(|l| l.entry.message.starts_with("Rerun:")),
        "the rerun is in the activity log"
    );
    harness
        .create_customer("DAT", "RR-4", "After the rerun")
        .await;
    eventually("RR-4 in Dataverse", || harness.account("RR-4")).await;
    let rewritten = harness.row_lines()[..harness.row_lines().len() - before]
        .iter()
        .filter(|l| l.entry.key.as_deref().is_some_and(|k| k.contains("RR-1")))
        .count();
    assert_eq!(
        rewritten, 0,
        "rows Dataverse already holds are not written again"
    );
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

/// Rows of the interrupted initial sync test: the 100,000 (about 4 minutes in a debug
/// build on 2 cores); `DUET_BIG_ROWS=10000` runs a quicker case while iterating.
fn big_rows() -> usize {
    std::env::var("DUET_BIG_ROWS")
        .ok()
        .and_then(|rows| rows.parse().ok())
        .unwrap_or(100_000)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_initial_sync_stopped_half_way_resumes_without_duplicates_or_gaps() {
    // GIVEN a finance and operations environment with many customers.
    let rows = big_rows();
    let harness = harness_with_rows(TableMap::customers(), rows).await;
    harness.engine.run("customers").await.unwrap();
    // WHEN Duet stops half way through the initial sync.
    // Generous limits: this is a correctness test, and its speed is measured in docs/BENCHMARKS.md.
    let limit = Duration::from_secs(20 + rows as u64 / 100);
    eventually_within("half of the initial sync", limit, || async {
        let progress = duet_engine::initial_progress(&harness.store, "customers")?;
        (progress.done >= rows as u64 / 2).then_some(())
    })
    .await;
    harness.engine.shutdown().await;
    assert_eq!(
        harness.store.map("customers").unwrap().unwrap().state,
        "initializing",
        "a crash leaves the map initializing, so a restart resumes it"
    );
    let written_before = harness
        .store
        .activity(u32::MAX)
        .unwrap()
        .iter()
        .filter(|line| line.entry.kind == "row")
        .count();
    assert!(written_before < rows, "the test must stop before the end");
    // AND starts again.
    let engine = harness.restarted_engine();
    engine.resume_all().await.unwrap();
    eventually_within("the resumed sync to finish", limit, || async {
        (harness.store.map("customers").unwrap().unwrap().state == "running").then_some(())
    })
    .await;
    // THEN every customer is in Dataverse exactly once, and no row was written twice.
    let accounts = harness
        .dataverse
        .query(
            "accounts",
            &[("$select", "accountnumber"), ("$count", "true")],
        )
        .await
        .unwrap();
    assert_eq!(accounts.len(), rows, "nothing missing in Dataverse");
    let mut keys: Vec<String> = harness
        .store
        .activity(u32::MAX)
        .unwrap()
        .into_iter()
        .filter(|line| line.entry.kind == "row")
        .filter_map(|line| line.entry.key)
        .collect();
    let lines = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), rows, "every customer was written");
    assert_eq!(lines, rows, "no customer was written twice");
    let finished = harness
        .store
        .activity(50)
        .unwrap()
        .into_iter()
        .find(|line| line.entry.message.starts_with("Initial sync finished"))
        .expect("the resumed sync reports its end");
    assert!(
        harness
            .store
            .activity(100_000)
            .unwrap()
            .iter()
            .any(|line| line.entry.message.starts_with("Initial sync resumed")),
        "the restart resumed from the checkpoint: {}",
        finished.entry.message
    );
    engine.shutdown().await;
    harness.sandbox.shutdown().await;
}
