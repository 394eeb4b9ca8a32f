//! Crash trials under a steady stream of changes: `duet serve --sandbox` killed with SIGKILL
//! at random points of live sync and of a catch-up after a pause, while a writer keeps
//! changing rows on both sides, then started again on the same data directory. The sandbox
//! runs inside Duet, so it dies too: a write the writer did not see acknowledged is sent again
//! until it is. At the end every row holds the writer's last value on both sides, the sides
//! hold as many rows as each other, nothing failed, and Duet's log shows each row's values
//! written in the order they were made.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::Rng;
use serde_json::{Value, json};

use crate::crash::{kill_points, trials};
use crate::support::{Running, duet, sandbox_http, serve_sandbox};

/// Rows changed in finance and operations, and as many others changed in Dataverse.
const ROWS_PER_SIDE: usize = 12;

/// Which side a row is changed on.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Origin {
    FinOps,
    Dataverse,
}

/// A row the writer changes: its customer account and its Dataverse id.
#[derive(Clone, Debug)]
struct Row {
    account: String,
    account_id: String,
    origin: Origin,
}

impl Row {
    /// The name the writer gives the row in its `seq`-th change.
    fn name(&self, seq: u64) -> String {
        let side = match self.origin {
            Origin::FinOps => "F",
            Origin::Dataverse => "D",
        };
        format!("{side} {} {seq:05}", self.account)
    }
}

/// Where the sandbox is now (its ports move with each start) and tokens for both sides.
#[derive(Clone)]
struct Endpoints {
    generation: u64,
    env: HashMap<String, String>,
}

/// Signed-in clients for one generation of the endpoints.
struct Session {
    generation: u64,
    http: reqwest::Client,
    fo: String,
    dv: String,
    fo_token: String,
    dv_token: String,
}

/// Signs in to both sides; none while the sandbox is down (it went with a killed Duet).
async fn session(endpoints: &Endpoints) -> Option<Session> {
    let env = &endpoints.env;
    let http = sandbox_http(env);
    Some(Session {
        generation: endpoints.generation,
        fo_token: token(&http, env, &env["DUET_FO_URL"]).await?,
        dv_token: token(&http, env, &env["DUET_DV_URL"]).await?,
        fo: env["DUET_FO_URL"].clone(),
        dv: env["DUET_DV_URL"].clone(),
        http,
    })
}

async fn token(
    http: &reqwest::Client,
    env: &HashMap<String, String>,
    resource: &str,
) -> Option<String> {
    let answer = http
        .post(&env["DUET_TOKEN_URL"])
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", env["DUET_CLIENT_ID"].as_str()),
            ("client_secret", env["DUET_CLIENT_SECRET"].as_str()),
            ("scope", &format!("{resource}/.default")),
        ])
        .send()
        .await
        .ok()?;
    let body: Value = answer.json().await.ok()?;
    body["access_token"].as_str().map(str::to_owned)
}

/// Writes `name` to the row on its own side; true when the sandbox acknowledged it.
async fn write(session: &Session, row: &Row, name: &str) -> bool {
    let request = match row.origin {
        Origin::FinOps => session
            .http
            .patch(format!(
                "{}/data/CustomersV3(dataAreaId='DAT',CustomerAccount='{}')?cross-company=true",
                session.fo, row.account
            ))
            .bearer_auth(&session.fo_token)
            .json(&json!({ "OrganizationName": name })),
        Origin::Dataverse => session
            .http
            .patch(format!(
                "{}/api/data/v9.2/accounts({})",
                session.dv, row.account_id
            ))
            .bearer_auth(&session.dv_token)
            .json(&json!({ "name": name })),
    };
    matches!(request.send().await, Ok(response) if response.status().is_success())
}

/// The writer: changes the rows one after another, each change sent until acknowledged (a
/// new session when the sandbox moved), and remembers each row's last value.
struct Writer {
    endpoints: Arc<Mutex<Endpoints>>,
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<HashMap<String, String>>,
}

impl Writer {
    fn start(rows: Vec<Row>, endpoints: Endpoints) -> Writer {
        let endpoints = Arc::new(Mutex::new(endpoints));
        let stop = Arc::new(AtomicBool::new(false));
        let (shared, stopping) = (endpoints.clone(), stop.clone());
        let task = tokio::spawn(async move {
            let mut last = HashMap::new();
            let mut current: Option<Session> = None;
            let mut seq = 0u64;
            while !stopping.load(Ordering::SeqCst) {
                seq += 1;
                let row = &rows[seq as usize % rows.len()];
                let name = row.name(seq);
                loop {
                    let now = shared.lock().unwrap().clone();
                    if current
                        .as_ref()
                        .is_none_or(|s| s.generation != now.generation)
                    {
                        current = session(&now).await;
                    }
                    if let Some(session) = &current
                        && write(session, row, &name).await
                    {
                        break;
                    }
                    current = None;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                last.insert(row.account.clone(), name);
                tokio::time::sleep(Duration::from_millis(15)).await;
            }
            last
        });
        Writer {
            endpoints,
            stop,
            task,
        }
    }

    fn moved(&self, env: HashMap<String, String>) {
        let mut endpoints = self.endpoints.lock().unwrap();
        endpoints.generation += 1;
        endpoints.env = env;
    }

    async fn finish(self) -> HashMap<String, String> {
        self.stop.store(true, Ordering::SeqCst);
        let last = self.task.await.expect("the writer ends");
        let changes = last
            .values()
            .filter_map(|name| name.rsplit(' ').next()?.parse::<u64>().ok())
            .max()
            .unwrap_or(0);
        eprintln!("the writer made {changes} changes");
        last
    }
}

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
    let page: Value = session
        .http
        .get(format!(
            "{}/data/CustomersV3?cross-company=true&$filter=dataAreaId eq 'DAT'&$orderby=CustomerAccount&$top={}&$select=CustomerAccount",
            session.fo,
            2 * ROWS_PER_SIDE
        ))
        .bearer_auth(&session.fo_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
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
    let page: Value = session
        .http
        .get(format!(
            "{}/api/data/v9.2/accounts?$filter=accountnumber eq '{account}'&$select=accountid,name",
            session.dv
        ))
        .bearer_auth(&session.dv_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let found = page["value"].as_array().cloned().unwrap_or_default();
    assert!(found.len() <= 1, "{account} is in Dataverse twice: {page}");
    found.into_iter().next().unwrap_or(Value::Null)
}

async fn finops_name(session: &Session, account: &str) -> Value {
    let row: Value = session
        .http
        .get(format!(
            "{}/data/CustomersV3(dataAreaId='DAT',CustomerAccount='{account}')?cross-company=true",
            session.fo
        ))
        .bearer_auth(&session.fo_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
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

/// Duet's own log: no failure, and each row's values written to the other side in the
/// order the writer made them (a value may be written again after a crash, never an older
/// one after a newer).
fn assert_log_in_order(server: &str, rows: &[Row]) {
    let errors = duet(&["logs", "--errors", "--json", "--limit", "100"], server);
    assert!(errors.trim().is_empty(), "failures in the log: {errors}");
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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn live_sync_killed_under_changes_on_both_sides_loses_and_reorders_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut served = Served::start(dir.path()).await;
    wait_running(&served.server(), Duration::from_secs(60));
    let rows = pick_rows(&served.env()).await;
    let writer = Writer::start(
        rows.clone(),
        Endpoints {
            generation: 0,
            env: served.env(),
        },
    );
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
    let last = writer.finish().await;
    assert_converged(&served, &rows, &last).await;
    assert_log_in_order(&served.server(), &rows);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_catch_up_killed_part_way_applies_every_queued_change_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut served = Served::start(dir.path()).await;
    wait_running(&served.server(), Duration::from_secs(60));
    let rows = pick_rows(&served.env()).await;
    let writer = Writer::start(
        rows.clone(),
        Endpoints {
            generation: 0,
            env: served.env(),
        },
    );
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
    let last = writer.finish().await;
    assert_converged(&served, &rows, &last).await;
    assert_log_in_order(&served.server(), &rows);
}
