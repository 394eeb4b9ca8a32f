//! The writer of the live crash trials: it changes rows in both environments one after
//! another, each change sent until the sandbox acknowledges it (signing in again when the
//! sandbox moved with a restarted Duet), and remembers each row's last value.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;

use crate::support::{sandbox_http, try_sign_in};

/// Rows changed in finance and operations, and as many others changed in Dataverse.
pub(crate) const ROWS_PER_SIDE: usize = 12;

/// Which side a row is changed on.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Origin {
    FinOps,
    Dataverse,
}

/// A row the writer changes: its customer account and its Dataverse id.
#[derive(Clone, Debug)]
pub(crate) struct Row {
    pub(crate) account: String,
    pub(crate) account_id: String,
    pub(crate) origin: Origin,
}

impl Row {
    /// The name the writer gives the row in its `seq`-th change.
    pub(crate) fn name(&self, seq: u64) -> String {
        let side = match self.origin {
            Origin::FinOps => "F",
            Origin::Dataverse => "D",
        };
        format!("{side} {} {seq:05}", self.account)
    }
}

/// Where the sandbox is now (its ports move with each start) and tokens for both sides.
#[derive(Clone)]
pub(crate) struct Endpoints {
    pub(crate) generation: u64,
    pub(crate) env: HashMap<String, String>,
}

/// Signed-in clients for one generation of the endpoints.
pub(crate) struct Session {
    generation: u64,
    pub(crate) http: reqwest::Client,
    pub(crate) fo: String,
    pub(crate) dv: String,
    pub(crate) fo_token: String,
    pub(crate) dv_token: String,
}

impl Session {
    /// The JSON answer to a GET of `path` (below the environment's URL) on side `origin`.
    pub(crate) async fn get_json(&self, origin: Origin, path: &str) -> serde_json::Value {
        let (root, token) = match origin {
            Origin::FinOps => (&self.fo, &self.fo_token),
            Origin::Dataverse => (&self.dv, &self.dv_token),
        };
        self.http
            .get(format!("{root}/{path}"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

/// Signs in to both sides; none while the sandbox is down (it went with a killed Duet).
pub(crate) async fn session(endpoints: &Endpoints) -> Option<Session> {
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
    let answer = try_sign_in(http, env, resource).await?;
    answer["access_token"].as_str().map(str::to_owned)
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
pub(crate) struct Writer {
    endpoints: Arc<Mutex<Endpoints>>,
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<HashMap<String, String>>,
}

impl Writer {
    pub(crate) fn start(rows: Vec<Row>, endpoints: Endpoints) -> Writer {
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

    pub(crate) fn moved(&self, env: HashMap<String, String>) {
        let mut endpoints = self.endpoints.lock().unwrap();
        endpoints.generation += 1;
        endpoints.env = env;
    }

    pub(crate) async fn finish(self) -> HashMap<String, String> {
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
