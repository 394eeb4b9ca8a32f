//! `duet bench seed-logs`: fills a data directory's activity log with synthetic lines, so the
//! log's queries, the Activity page and the benchmarks can be tried at a million entries
//! without syncing a million rows first. Safe while `duet serve` runs on the same directory
//! (SQLite in WAL mode; each batch is one transaction).

use std::path::Path;
use std::time::Instant;

use duet_store::{NewActivity, Store};
use serde_json::json;

/// Lines written per transaction.
const BATCH: u64 = 20_000;
const MAPS: [&str; 3] = ["customers", "vendors-v2", "customer-groups"];

/// The `n`th synthetic line: mostly rows written, every 25th a failure of one of three
/// causes, one line a second from the given start.
fn line(n: u64, start: chrono::DateTime<chrono::Utc>) -> NewActivity {
    let map = MAPS[(n % 3) as usize];
    let at = start + chrono::Duration::seconds(n as i64);
    let key = format!("DAT|SEED-{n:07}");
    let (kind, status, message, class) = if n.is_multiple_of(25) {
        let (cause, class) = match n / 25 % 3 {
            0 => (
                format!("the Dataverse row has no value for key field 'msdyn_company' ({key})"),
                "application",
            ),
            1 => (
                format!(
                    "PATCH accounts(accountnumber='SEED-{n:07}') failed (400): The value is too long"
                ),
                "400",
            ),
            _ => (
                "the name 'Net 30' matches no row of map 'payment-terms' (msdyn_name)".to_owned(),
                "application",
            ),
        };
        ("error", "failed", cause, Some(class.to_owned()))
    } else {
        ("row", "succeeded", "upsert in Dataverse".to_owned(), None)
    };
    NewActivity {
        at: at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        map: map.to_owned(),
        kind: kind.to_owned(),
        direction: Some(
            if n.is_multiple_of(2) {
                "toDataverse"
            } else {
                "toFinanceOperations"
            }
            .to_owned(),
        ),
        key: Some(key),
        operation: Some("upsert".to_owned()),
        status: status.to_owned(),
        message,
        latency_ms: Some((n % 900) as i64 + 20),
        payload: Some(json!({ "name": format!("Seeded customer {n}"), "creditlimit": n % 5000 })),
        error_class: class,
    }
}

/// Appends `lines` synthetic lines to the store in `data`, dated from a day ago.
pub fn run(data: &Path, lines: u64) -> anyhow::Result<()> {
    std::fs::create_dir_all(data)?;
    let store = Store::open(&data.join("duet.sqlite"))?;
    let started = Instant::now();
    append(&store, lines)?;
    println!(
        "seeded {lines} activity lines in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Appends `lines` synthetic lines to `store`, dated from `lines` seconds ago, in
/// transactions of a batch each.
pub fn append(store: &Store, lines: u64) -> anyhow::Result<()> {
    let start = chrono::Utc::now() - chrono::Duration::seconds(lines as i64);
    let mut written = 0;
    while written < lines {
        let batch: Vec<NewActivity> = (written..lines.min(written + BATCH))
            .map(|n| line(n, start))
            .collect();
        store.add_activities(&batch)?;
        written += batch.len() as u64;
    }
    Ok(())
}
