//! What the engine tests share: a harness that links a sandbox in a fresh store and runs an
//! engine over it, with probes for both sides and polling until something happens.

mod sides;

use std::sync::Arc;
use std::time::Duration;

use duet_connect::{Credentials, DataverseClient, FinOpsClient, TokenProvider};
use duet_engine::{ChangeStatus, Engine, EngineSettings, SystemClock};
use duet_maps::TableMap;
use duet_sandbox::{Sandbox, SandboxConfig};
use duet_store::{EnvironmentRecord, LinkRecord, Store};
use serde_json::{Value, json};

/// A sandbox linked in a fresh store, an engine over both, and clients of its own to make and
/// read changes the way a person would. The temporary directory lives as long as the harness.
pub(crate) struct Harness {
    _dir: tempfile::TempDir,
    _store_dir: Option<tempfile::TempDir>,
    pub(crate) sandbox: Sandbox,
    pub(crate) store: Arc<Store>,
    pub(crate) engine: Arc<Engine>,
    pub(crate) finops: FinOpsClient,
    pub(crate) dataverse: DataverseClient,
}

/// A harness for the demo customers map over an empty sandbox.
pub(crate) async fn harness() -> Harness {
    harness_with(TableMap::customers()).await
}

/// A harness for `map` over an empty sandbox.
pub(crate) async fn harness_with(map: TableMap) -> Harness {
    harness_with_rows(map, 0).await
}

/// A harness for `map` over a sandbox that generates `rows` customers.
pub(crate) async fn harness_with_rows(map: TableMap, rows: usize) -> Harness {
    harness_for(&[map], |config| config.rows = rows).await
}

/// A harness with every map of `maps` stored, over a sandbox `configure` sets up.
pub(crate) async fn harness_for(
    maps: &[TableMap],
    configure: impl FnOnce(&mut SandboxConfig),
) -> Harness {
    harness_storing_in(None, maps, configure).await
}

/// As [`harness_for`], with the store in a temporary directory under `store_parent` when
/// given (a small filesystem, say); the sandbox stays in the system's temporary directory.
pub(crate) async fn harness_storing_in(
    store_parent: Option<&std::path::Path>,
    maps: &[TableMap],
    configure: impl FnOnce(&mut SandboxConfig),
) -> Harness {
    let dir = tempfile::tempdir().expect("temp dir");
    let store_dir = store_parent.map(|parent| tempfile::tempdir_in(parent).expect("store dir"));
    let mut config = SandboxConfig::new(dir.path().join("sandbox"));
    configure(&mut config);
    let sandbox = Sandbox::start(config).await.expect("sandbox starts");
    let store_path = store_dir
        .as_ref()
        .map_or(dir.path(), |d| d.path())
        .join("duet.sqlite");
    let store = Arc::new(Store::open(&store_path).expect("store opens"));
    let environment = |kind: &str, url: &str| EnvironmentRecord {
        id: 0,
        kind: kind.to_owned(),
        name: kind.to_owned(),
        url: url.to_owned(),
        token_url: sandbox.token_url(),
        tenant: sandbox.tenant().to_owned(),
        client_id: sandbox.client_id().to_owned(),
        sandbox: true,
        ca_certificate: sandbox.ca_pem().map(str::to_owned),
        added_at: "2026-11-23T10:00:00Z".to_owned(),
    };
    let finance_operations_id = store
        .add_environment(&environment("financeOperations", sandbox.fo_url()))
        .unwrap();
    let dataverse_id = store
        .add_environment(&environment("dataverse", sandbox.dv_url()))
        .unwrap();
    store
        .save_link(&LinkRecord {
            finance_operations_id,
            dataverse_id,
            companies: vec!["DAT".to_owned(), "USMF".to_owned()],
            linked_at: "2026-11-23T10:00:00Z".to_owned(),
        })
        .unwrap();
    for map in maps {
        store
            .ensure_map(&map.name, &serde_json::to_value(map).unwrap(), "t0")
            .unwrap();
    }
    let http = sandbox_http(&sandbox);
    let tokens = token_provider(&http, &sandbox);
    let clients = || {
        (
            FinOpsClient::new(http.clone(), tokens.clone(), sandbox.fo_url()),
            DataverseClient::new(http.clone(), tokens.clone(), sandbox.dv_url()),
        )
    };
    let (engine_finops, engine_dataverse) = clients();
    let (finops, dataverse) = clients();
    let engine = Engine::new(
        store.clone(),
        Arc::new(engine_finops),
        Arc::new(engine_dataverse),
        Arc::new(SystemClock),
        fast_settings(),
    );
    Harness {
        _dir: dir,
        _store_dir: store_dir,
        sandbox,
        store,
        engine,
        finops,
        dataverse,
    }
}

/// A client that trusts the sandbox's own certificate authority, as Duet's clients of a
/// sandbox environment do.
pub(crate) fn sandbox_http(sandbox: &Sandbox) -> reqwest::Client {
    let authority = sandbox
        .ca_pem()
        .expect("the sandbox serves HTTPS")
        .to_owned();
    duet_connect::http_client(&duet_connect::Trust::Only(authority)).expect("a client")
}

/// A token provider for the sandbox's demo client, which both of its services accept.
pub(crate) fn token_provider(http: &reqwest::Client, sandbox: &Sandbox) -> Arc<TokenProvider> {
    Arc::new(TokenProvider::new(
        http.clone(),
        Credentials {
            token_url: sandbox.token_url(),
            client_id: sandbox.client_id().to_owned(),
            client_secret: sandbox.client_secret().to_owned(),
        },
    ))
}

/// Engine timings short enough that a test waits fractions of a second, not minutes.
pub(crate) fn fast_settings() -> EngineSettings {
    EngineSettings {
        poll_interval: Duration::from_millis(100),
        delta_wait: Duration::from_secs(1),
        failure_pause: Duration::from_millis(200),
        reconcile_interval: Duration::from_millis(300),
    }
}

/// The alternate key of the account numbered `number`.
pub(crate) fn account_key(number: &str) -> [(&str, &str); 1] {
    [("accountnumber", number)]
}

/// A row from a JSON object literal.
pub(crate) fn row(value: Value) -> serde_json::Map<String, Value> {
    value.as_object().cloned().expect("rows are objects")
}

/// Polls `probe` until it finds something, for at most 20 seconds.
pub(crate) async fn eventually<T, F, Fut>(what: &str, probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    eventually_within(what, Duration::from_secs(20), probe).await
}

/// Polls `probe` every 100 ms until it finds something, for at most `limit`.
pub(crate) async fn eventually_within<T, F, Fut>(what: &str, limit: Duration, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if let Some(found) = probe().await {
            return found;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

impl Harness {
    pub(crate) async fn create_customer(&self, company: &str, account: &str, name: &str) {
        self.finops
            .create(
                "CustomersV3",
                &row(json!({"dataAreaId": company, "CustomerAccount": account,
                    "OrganizationName": name, "CreditLimit": 2500})),
            )
            .await
            .expect("customer is created in finance and operations");
    }

    pub(crate) async fn account(&self, number: &str) -> Option<serde_json::Map<String, Value>> {
        self.dataverse
            .query(
                "accounts",
                &[("$filter", &format!("accountnumber eq '{number}'"))],
            )
            .await
            .expect("accounts can be queried")
            .into_iter()
            .next()
    }

    pub(crate) async fn customer(
        &self,
        company: &str,
        account: &str,
    ) -> Option<serde_json::Map<String, Value>> {
        self.finops
            .get(
                "CustomersV3",
                &[("dataAreaId", company), ("CustomerAccount", account)],
            )
            .await
            .expect("customers can be read")
    }

    pub(crate) async fn wait_state(&self, state: &str) {
        self.wait_map_state("customers", state).await;
    }

    pub(crate) async fn wait_map_state(&self, map: &str, state: &str) {
        eventually(&format!("{map} {state}"), || async {
            (self.store.map(map).unwrap().unwrap().state == state).then_some(())
        })
        .await;
    }

    /// The failed changes of the customers map whose key contains `key`.
    pub(crate) fn failed_changes(&self, key: &str) -> Vec<duet_engine::QueuedChange> {
        self.engine
            .queued("customers", Some(key), 100)
            .unwrap()
            .into_iter()
            .filter(|queued| queued.status == ChangeStatus::Failed)
            .collect()
    }

    /// Runs the customers map and waits (up to an hour) until its initial sync is done;
    /// returns the seconds it took.
    pub(crate) async fn timed_initial_sync(&self) -> f64 {
        let started = std::time::Instant::now();
        self.engine.run("customers").await.unwrap();
        eventually_within(
            "the initial sync to finish",
            Duration::from_secs(3600),
            || async {
                (self.store.map("customers").unwrap().unwrap().state == "running").then_some(())
            },
        )
        .await;
        started.elapsed().as_secs_f64()
    }

    pub(crate) fn row_lines(&self) -> Vec<duet_store::ActivityRecord> {
        self.store
            .activity(1000)
            .unwrap()
            .into_iter()
            .filter(|line| line.entry.kind == "row")
            .collect()
    }

    pub(crate) async fn rename_customer(&self, account: &str, name: &str) {
        self.finops
            .update(
                "CustomersV3",
                &[("dataAreaId", "DAT"), ("CustomerAccount", account)],
                &row(json!({ "OrganizationName": name })),
            )
            .await
            .expect("the rename is accepted");
    }

    pub(crate) async fn queued_names(&self, key: &str) -> Vec<String> {
        self.engine
            .queued("customers", Some(key), 100)
            .unwrap()
            .iter()
            .filter(|queued| queued.status == ChangeStatus::Queued)
            .filter_map(|queued| {
                queued.change.row["OrganizationName"]
                    .as_str()
                    .map(str::to_owned)
            })
            .collect()
    }

    /// Renames a customer three times while the map is paused, waiting for each capture.
    pub(crate) async fn three_renames_while_paused(&self, account: &str) {
        self.create_customer("DAT", account, "NameA").await;
        eventually("the synced account", || self.account(account)).await;
        self.engine.pause("customers").await.unwrap();
        for name in ["NameB", "NameC", "NameD"] {
            self.rename_customer(account, name).await;
            eventually(&format!("{name} to be captured"), || async {
                self.queued_names(&format!("DAT|{account}"))
                    .await
                    .contains(&name.to_owned())
                    .then_some(())
            })
            .await;
        }
    }

    /// A second engine over the same store and sandbox: Duet started again after a crash.
    pub(crate) fn restarted_engine(&self) -> Arc<Engine> {
        let http = sandbox_http(&self.sandbox);
        let tokens = token_provider(&http, &self.sandbox);
        Engine::new(
            self.store.clone(),
            Arc::new(FinOpsClient::new(
                http.clone(),
                tokens.clone(),
                self.sandbox.fo_url(),
            )),
            Arc::new(DataverseClient::new(http, tokens, self.sandbox.dv_url())),
            Arc::new(SystemClock),
            fast_settings(),
        )
    }
}
