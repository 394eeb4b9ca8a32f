//! Crash trials under a steady stream of changes: `duet serve --sandbox` killed with SIGKILL
//! at random points of live sync and of a catch-up after a pause, while a writer keeps
//! changing rows on both sides, then started again on the same data directory. The sandbox
//! runs inside Duet, so it dies too: a write the writer did not see acknowledged is sent again
//! until it is. At the end every row holds the writer's last value on both sides, the sides
//! hold as many rows as each other, nothing failed, and Duet's log shows each row's values
//! written in the order they were made.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use rand::Rng;
use serde_json::{Value, json};

use crate::crash::{kill_points, trials};
use crate::crash_writer::{Endpoints, Origin, ROWS_PER_SIDE, Row, Session, Writer, session};
use crate::support::{Running, duet, serve_sandbox};

/// A served Duet over the sandbox in `dir`, started again after each kill.
struct Served {
    dir: std::path::PathBuf,
    running: Option<Running>,
}

impl Served {
    async fn start(dir: &Path) -> Served {
        let owned = dir.to_owned();
        let running = tokio::task::spawn_blocking(move || serve_sandbox(&owned))
            .await
            .unwrap();
        Served {
            dir: dir.to_owned(),
            running: Some(running),
        }
    }

    fn env(&self) -> HashMap<String, String> {
        self.running.as_ref().unwrap().lines.clone()
    }

    fn server(&self) -> String {
        self.env()["DUET_UI_URL"].clone()
    }

    /// SIGKILL (dropping the child kills it), then a new `duet serve` on the same data.
    async fn kill_and_restart(&mut self) {
        drop(self.running.take());
        *self = Served::start(&self.dir).await;
    }
}

/// How many changes wait in the demo map's queue.
fn queued_changes(server: &str) -> i64 {
    let list = duet(&["maps", "list", "--json"], server);
    let map: Value = serde_json::from_str(list.lines().next().unwrap()).unwrap();
    map["queued"].as_i64().unwrap_or(0)
}

/// Waits until the demo map is live; panics after `limit`.
fn wait_running(server: &str, limit: Duration) {
    let deadline = Instant::now() + limit;
    while !duet(&["maps", "list"], server).contains("\trunning\t") {
        assert!(
            Instant::now() < deadline,
            "the demo map never reached running"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The first `2 * ROWS_PER_SIDE` DAT customers with their Dataverse ids, half changed on
/// each side.
async fn pick_rows(env: &HashMap<String, String>) -> Vec<Row> {
    let endpoints = Endpoints {
        generation: 0,
        env: env.clone(),
    };
    let session = session(&endpoints).await.expect("signed in");
    let page = session
        .get_json(
            Origin::FinOps,
            &format!(
                "data/CustomersV3?cross-company=true&$filter=dataAreaId eq 'DAT'&$orderby=CustomerAccount&$top={}&$select=CustomerAccount",
                2 * ROWS_PER_SIDE
            ),
        )
        .await;
    let mut rows = Vec::new();
    for (index, customer) in page["value"].as_array().unwrap().iter().enumerate() {
        let account = customer["CustomerAccount"].as_str().unwrap().to_owned();
        let account_id = dataverse_account(&session, &account).await["accountid"]
            .as_str()
            .unwrap_or_else(|| panic!("{account} is not in Dataverse"))
            .to_owned();
        let origin = match index < ROWS_PER_SIDE {
            true => Origin::FinOps,
            false => Origin::Dataverse,
        };
        rows.push(Row {
            account,
            account_id,
            origin,
        });
    }
    assert_eq!(rows.len(), 2 * ROWS_PER_SIDE, "{page}");
    rows
}

async fn dataverse_account(session: &Session, account: &str) -> Value {
    let page = session
        .get_json(
            Origin::Dataverse,
            &format!(
                "api/data/v9.2/accounts?$filter=accountnumber eq '{account}'&$select=accountid,name"
            ),
        )
        .await;
    let found = page["value"].as_array().cloned().unwrap_or_default();
    assert!(found.len() <= 1, "{account} is in Dataverse twice: {page}");
    found.into_iter().next().unwrap_or(Value::Null)
}

async fn finops_name(session: &Session, account: &str) -> Value {
    let row = session
        .get_json(
            Origin::FinOps,
            &format!(
                "data/CustomersV3(dataAreaId='DAT',CustomerAccount='{account}')?cross-company=true"
            ),
        )
        .await;
    row["OrganizationName"].clone()
}

/// Waits until each row holds the writer's last value on both sides (two minutes at most),
/// then checks that both sides hold as many customers.
async fn assert_converged(served: &Served, rows: &[Row], last: &HashMap<String, String>) {
    let endpoints = Endpoints {
        generation: 0,
        env: served.env(),
    };
    let session = session(&endpoints).await.expect("signed in");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let mut behind = Vec::new();
        for row in rows {
            let Some(expected) = last.get(&row.account) else {
                continue;
            };
            let finops = finops_name(&session, &row.account).await;
            let dataverse = dataverse_account(&session, &row.account).await["name"].clone();
            if finops != json!(expected) || dataverse != json!(expected) {
                behind.push(format!(
                    "{}: expected {expected}, F&O {finops}, Dataverse {dataverse}",
                    row.account
                ));
            }
        }
        if behind.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the sides did not converge: {behind:#?}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let count = |url: String, token: String| {
        let http = session.http.clone();
        async move {
            let text = http
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            text.trim()
                .parse::<u64>()
                .unwrap_or_else(|_| panic!("{text}"))
        }
    };
    let finops = count(
        format!("{}/data/CustomersV3/$count?cross-company=true", session.fo),
        session.fo_token.clone(),
    )
    .await;
    let dataverse = count(
        format!("{}/api/data/v9.2/accounts/$count", session.dv),
        session.dv_token.clone(),
    )
    .await;
    assert_eq!(finops, dataverse, "no customer lost or made twice");
}

/// A conflict whose losing change carries what Duet itself wrote to that side: a value the
/// writer made on the other side ("F …" read back from Dataverse, "D …" from finance and
/// operations).
fn is_echo_of_duet(line: &Value) -> bool {
    let carried = match line["direction"].as_str() {
        Some("toFinanceOperations") => line["payload"]["name"].as_str(),
        Some("toDataverse") => line["payload"]["OrganizationName"].as_str(),
        _ => None,
    };
    let echo_prefix = match line["direction"].as_str() {
        Some("toFinanceOperations") => "F ",
        _ => "D ",
    };
    line["operation"] == "conflict" && carried.is_some_and(|value| value.starts_with(echo_prefix))
}

/// Duet's own log: no failure, and each row's values written to the other side in the
/// order the writer made them (a value may be written again after a crash, never an older
/// one after a newer).
fn assert_log_in_order(server: &str, rows: &[Row]) {
    // No failure. A conflict may be logged after a crash: Duet wrote a row and was killed
    // before remembering the write, so its echo came back as a change and lost to the newer
    // one (docs/RELIABILITY.md, known gaps); the values are checked above and below.
    let errors = duet(&["logs", "--errors", "--json", "--limit", "1000"], server);
    let (echoes, failures): (Vec<Value>, Vec<Value>) = errors
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .partition(is_echo_of_duet);
    assert!(failures.is_empty(), "failures in the log: {failures:#?}");
    if !echoes.is_empty() {
        eprintln!(
            "{} conflicts logged for echoes of writes a kill kept Duet from remembering",
            echoes.len()
        );
    }
    let log = duet(
        &["logs", "--map", "customers", "--json", "--limit", "1000000"],
        server,
    );
    let mut lines: Vec<Value> = log
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    lines.sort_by_key(|line| line["id"].as_i64());
    let mut written = 0;
    for row in rows {
        let (field, prefix) = match row.origin {
            Origin::FinOps => ("name", "F "),
            Origin::Dataverse => ("OrganizationName", "D "),
        };
        let seqs: Vec<u64> = lines
            .iter()
            .filter(|line| line["status"] == "succeeded")
            .filter(|line| {
                line["key"]
                    .as_str()
                    .is_some_and(|key| key.ends_with(&row.account))
            })
            .filter_map(|line| line["payload"][field].as_str())
            .filter(|value| value.starts_with(prefix))
            .filter_map(|value| value.rsplit(' ').next()?.parse().ok())
            .collect();
        written += seqs.len();
        assert!(
            seqs.windows(2).all(|pair| pair[0] <= pair[1]),
            "{} was written out of order: {seqs:?}",
            row.account
        );
    }
    assert!(
        written > 0,
        "the log shows no live write of the changed rows"
    );
    eprintln!(
        "{} rows changed on both sides converged; {written} writes of them in the log, each row's in order",
        rows.len()
    );
}

/// A served Duet running the demo map, with the writer at work on its rows.
async fn served_with_writer(dir: &Path) -> (Served, Vec<Row>, Writer) {
    let served = Served::start(dir).await;
    wait_running(&served.server(), Duration::from_secs(60));
    let rows = pick_rows(&served.env()).await;
    let writer = Writer::start(
        rows.clone(),
        Endpoints {
            generation: 0,
            env: served.env(),
        },
    );
    (served, rows, writer)
}

/// Stops the writer and checks both sides and the log.
async fn assert_nothing_lost(served: &Served, rows: &[Row], writer: Writer) {
    let last = writer.finish().await;
    assert_converged(served, rows, &last).await;
    assert_log_in_order(&served.server(), rows);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn live_sync_killed_under_changes_on_both_sides_loses_and_reorders_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (mut served, rows, writer) = served_with_writer(dir.path()).await;
    let mut random = kill_points("live sync");
    let count = trials();
    for trial in 1..=count {
        // WHEN Duet is killed at a random moment of live sync, THEN it starts again and goes on.
        let delay = Duration::from_millis(random.random_range(300..=3000));
        tokio::time::sleep(delay).await;
        served.kill_and_restart().await;
        writer.moved(served.env());
        eprintln!(
            "live sync trial {trial}/{count}: killed {} ms after the last start",
            delay.as_millis()
        );
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_nothing_lost(&served, &rows, writer).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_catch_up_killed_part_way_applies_every_queued_change_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let (mut served, rows, writer) = served_with_writer(dir.path()).await;
    let mut random = kill_points("catch-up");
    let count = trials();
    for trial in 1..=count {
        // GIVEN changes queued while the map is paused.
        let server = served.server();
        duet(&["maps", "pause", "customers"], &server);
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let queued = queued_changes(&server);
        assert!(queued > 0, "the paused map queued nothing");
        // WHEN it resumes by catching up and Duet is killed part-way, THEN it starts again.
        duet(
            &["maps", "resume", "customers", "--mode", "catch-up"],
            &server,
        );
        let delay = Duration::from_millis(random.random_range(0..=1200));
        tokio::time::sleep(delay).await;
        served.kill_and_restart().await;
        writer.moved(served.env());
        eprintln!(
            "catch-up trial {trial}/{count}: {queued} changes queued, killed {} ms into the catch-up",
            delay.as_millis()
        );
        wait_running(&served.server(), Duration::from_secs(120));
    }
    assert_nothing_lost(&served, &rows, writer).await;
}
