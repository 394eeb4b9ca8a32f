//! A full disk under the store, with the map running: the changes made meanwhile are not
//! lost. Run with a small filesystem of your own, e.g.
//!
//! ```sh
//! mkdir -p /tmp/small && sudo mount -t tmpfs -o size=8m tmpfs /tmp/small
//! DUET_SMALL_FS=/tmp/small cargo test -p duet-engine --test main disk_full -- --ignored
//! ```

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use duet_maps::TableMap;

use crate::support::{eventually_within, harness_storing_in};

/// Fills the filesystem of `dir` with one file, until it refuses another byte.
fn fill(dir: &Path) -> PathBuf {
    let path = dir.join("filler");
    let mut file = std::fs::File::create(&path).unwrap();
    let chunk = vec![0u8; 4096];
    while file
        .write_all(&chunk)
        .and_then(|()| file.sync_data())
        .is_ok()
    {}
    path
}

#[tokio::test]
#[ignore = "needs a small filesystem named by DUET_SMALL_FS"]
async fn changes_made_while_the_disk_is_full_cross_once_there_is_room() {
    let small = PathBuf::from(std::env::var("DUET_SMALL_FS").expect("DUET_SMALL_FS"));
    let harness = harness_storing_in(Some(&small), &[TableMap::customers()], |_| {}).await;
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;

    // GIVEN the disk under the store is full.
    let filler = fill(&small);
    // WHEN customers are created in finance and operations meanwhile.
    let accounts: Vec<String> = (1..=40).map(|n| format!("FULL-{n:02}")).collect();
    for account in &accounts {
        harness
            .create_customer("DAT", account, "Made while full")
            .await;
    }
    tokio::time::sleep(Duration::from_secs(5)).await;
    let mut crossed = 0;
    for account in &accounts {
        crossed += usize::from(harness.account(account).await.is_some());
    }
    // THEN they could not all be captured (the store could not record them)…
    assert!(crossed < accounts.len(), "the full disk held some back");
    // … AND the map shows why: the store cannot take even that, so the engine keeps it for
    // the shells to show.
    let (state, reason) = harness
        .engine
        .unsaved_state("customers")
        .expect("a state the store could not take");
    assert_eq!(state, "error");
    let reason = reason.unwrap_or_default();
    assert!(reason.contains("disk is full"), "{reason}");

    // … AND once there is room again, every one of them crosses.
    std::fs::remove_file(&filler).unwrap();
    for account in &accounts {
        eventually_within(account, Duration::from_secs(60), || {
            harness.account(account)
        })
        .await;
    }
    eprintln!(
        "{crossed} of {} crossed while the disk was full",
        accounts.len()
    );
    harness.wait_state("running").await;
    assert!(harness.engine.unsaved_state("customers").is_none());
}
