//! Live latency measured from outside, as a person would see it: names written to a set of
//! rows on one side at a steady rate, the other side polled every 50 ms, and for each write
//! the time from its acknowledgement to the first poll that shows it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::Semaphore;

use super::ingest::Clients;

/// Rows the writes go round.
pub const LATENCY_ROWS: usize = 250;

/// The key prefix of those rows, created before the map runs.
pub const LATENCY_PREFIX: &str = "LAT";

/// Writes in flight at once, so a slow answer does not hold the rate back.
const WRITERS: usize = 32;

/// Where the names are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    ToDataverse,
    ToFinanceOperations,
}

/// What one run saw: latencies of the writes seen, and how many were overwritten before a
/// poll could see them or never arrived.
#[derive(Debug, Clone)]
pub struct Latencies {
    pub p50: f64,
    pub p99: f64,
    pub seen: usize,
    pub superseded: usize,
    pub missing: usize,
}

fn account(n: usize) -> String {
    format!("{LATENCY_PREFIX}-{n:07}")
}

/// The rows the writes go round, as finance and operations customers of company DAT.
pub fn row(n: usize) -> Value {
    json!({
        "dataAreaId": "DAT",
        "CustomerAccount": account(n),
        "OrganizationName": "Latency 0",
    })
}

/// Writes `rate` names a second for `duration` and measures when each arrives.
pub async fn measure(
    clients: Arc<Clients>,
    direction: Direction,
    rate: u32,
    duration: Duration,
    run: u32,
) -> anyhow::Result<Latencies> {
    let total = (f64::from(rate) * duration.as_secs_f64()) as usize;
    let acknowledged: Arc<Mutex<HashMap<usize, Instant>>> = Arc::default();
    let writer = tokio::spawn(write_names(
        clients.clone(),
        direction,
        rate,
        total,
        run,
        acknowledged.clone(),
    ));
    let mut arrived: HashMap<usize, Instant> = HashMap::new();
    let deadline = Instant::now() + duration + Duration::from_secs(15);
    let mut written_all = false;
    while Instant::now() < deadline {
        let polled = Instant::now();
        for write in poll_names(&clients, direction, run).await? {
            arrived.entry(write).or_insert(polled);
        }
        written_all = written_all || writer.is_finished();
        // The last write of each row is never overwritten, so once it arrived, all did.
        let last_arrived =
            (total.saturating_sub(LATENCY_ROWS)..total).all(|n| arrived.contains_key(&n));
        if written_all && last_arrived {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50).saturating_sub(polled.elapsed())).await;
    }
    writer.await??;
    let acknowledged = acknowledged
        .lock()
        .map(|map| map.clone())
        .unwrap_or_default();
    Ok(summarise(total, &acknowledged, &arrived))
}

/// Latencies of the writes seen; a write not seen is superseded when a later write of its row
/// was seen, missing otherwise.
fn summarise(
    total: usize,
    acknowledged: &HashMap<usize, Instant>,
    arrived: &HashMap<usize, Instant>,
) -> Latencies {
    let mut latencies: Vec<f64> = Vec::new();
    let (mut superseded, mut missing) = (0, 0);
    for n in 0..total {
        match (acknowledged.get(&n), arrived.get(&n)) {
            (Some(sent), Some(seen)) => {
                latencies.push(seen.saturating_duration_since(*sent).as_secs_f64())
            }
            _ if (n + LATENCY_ROWS..total)
                .step_by(LATENCY_ROWS)
                .any(|later| arrived.contains_key(&later)) =>
            {
                superseded += 1
            }
            _ => missing += 1,
        }
    }
    latencies.sort_by(f64::total_cmp);
    let rank = |share: f64| {
        latencies
            .get(((latencies.len() as f64 * share).ceil() as usize).saturating_sub(1))
            .copied()
            .unwrap_or(f64::NAN)
    };
    Latencies {
        p50: rank(0.5),
        p99: rank(0.99),
        seen: latencies.len(),
        superseded,
        missing,
    }
}

/// Write `n` of run `run` sets row `n % 250`'s name to `Run <run> write <n>`, one write every
/// `1 / rate` seconds.
async fn write_names(
    clients: Arc<Clients>,
    direction: Direction,
    rate: u32,
    total: usize,
    run: u32,
    acknowledged: Arc<Mutex<HashMap<usize, Instant>>>,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let writers = Arc::new(Semaphore::new(WRITERS));
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..total {
        let due = started + Duration::from_secs_f64(n as f64 / f64::from(rate));
        tokio::time::sleep_until(due.into()).await;
        let permit = writers.clone().acquire_owned().await?;
        let (clients, acknowledged) = (clients.clone(), acknowledged.clone());
        tasks.spawn(async move {
            let name = format!("Run {run} write {n}");
            write_name(&clients, direction, n % LATENCY_ROWS, &name).await?;
            if let Ok(mut map) = acknowledged.lock() {
                map.insert(n, Instant::now());
            }
            drop(permit);
            anyhow::Ok(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    Ok(())
}

async fn write_name(
    clients: &Clients,
    direction: Direction,
    row: usize,
    name: &str,
) -> anyhow::Result<()> {
    let number = account(row);
    match direction {
        Direction::ToDataverse => {
            let body = json!({ "OrganizationName": name });
            clients
                .finops
                .update(
                    "CustomersV3",
                    &[("dataAreaId", "DAT"), ("CustomerAccount", number.as_str())],
                    body.as_object().expect("an object"),
                )
                .await?;
        }
        Direction::ToFinanceOperations => {
            let body = json!({ "name": name });
            clients
                .dataverse
                .update_if_match(
                    "accounts",
                    &[("accountnumber", number.as_str())],
                    body.as_object().expect("an object"),
                    "*",
                )
                .await?;
        }
    }
    Ok(())
}

/// The write numbers of run `run` the other side shows now.
async fn poll_names(
    clients: &Clients,
    direction: Direction,
    run: u32,
) -> anyhow::Result<Vec<usize>> {
    let prefix = format!("{LATENCY_PREFIX}-");
    let (rows, field) = match direction {
        Direction::ToDataverse => {
            let filter = format!("startswith(accountnumber,'{prefix}')");
            let rows = clients
                .dataverse
                .query(
                    "accounts",
                    &[
                        ("$select", "accountnumber,name"),
                        ("$filter", filter.as_str()),
                    ],
                )
                .await?;
            (rows, "name")
        }
        Direction::ToFinanceOperations => {
            let filter = format!("startswith(CustomerAccount,'{prefix}')");
            let rows = clients
                .finops
                .query(
                    "CustomersV3",
                    &[
                        ("cross-company", "true"),
                        ("$select", "CustomerAccount,OrganizationName"),
                        ("$filter", filter.as_str()),
                    ],
                )
                .await?;
            (rows, "OrganizationName")
        }
    };
    let marker = format!("Run {run} write ");
    Ok(rows
        .iter()
        .filter_map(|row| {
            row.get(field)?
                .as_str()?
                .strip_prefix(&marker)?
                .parse()
                .ok()
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_overwritten_before_a_poll_saw_it_is_superseded_not_missing() {
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        let total = LATENCY_ROWS * 2;
        let acknowledged: HashMap<usize, Instant> = (0..total).map(|n| (n, at(0))).collect();
        // Every write of the second round arrived 100 ms after it was acknowledged; of the
        // first round only row 0's, after 300 ms; and row 1's second write never arrived.
        let mut arrived: HashMap<usize, Instant> =
            (LATENCY_ROWS..total).map(|n| (n, at(100))).collect();
        arrived.insert(0, at(300));
        arrived.remove(&(LATENCY_ROWS + 1));
        let latencies = summarise(total, &acknowledged, &arrived);
        assert_eq!(latencies.seen, LATENCY_ROWS);
        assert_eq!(
            latencies.superseded,
            LATENCY_ROWS - 2,
            "rows 1's first write is not superseded"
        );
        assert_eq!(latencies.missing, 2, "row 1's two writes never showed");
        assert!((latencies.p50 - 0.1).abs() < 1e-9);
        assert!((latencies.p99 - 0.1).abs() < 1e-9, "249 of 250 took 0.1 s");
    }
}
