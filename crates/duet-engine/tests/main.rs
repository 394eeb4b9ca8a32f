//! The engine against the sandbox over real HTTP: initial sync, live sync both ways, echo
//! suppression, deletes, and pause/run catching up.

use std::sync::Arc;
use std::time::Duration;

use duet_connect::{Credentials, DataverseClient, FinOpsClient, TokenProvider};
use duet_engine::{
    AlertRule, ChangeStatus, Engine, EngineEvent, EngineSettings, ResumeMode, SystemClock,
};
use duet_maps::{Side, TableMap};
use duet_sandbox::{Faults, Sandbox, SandboxConfig};
use duet_store::{EnvironmentRecord, LinkRecord, Store};
use serde_json::{Value, json};

struct Harness {
    _dir: tempfile::TempDir,
    sandbox: Sandbox,
    store: Arc<Store>,
    engine: Arc<Engine>,
    finops: FinOpsClient,
    dataverse: DataverseClient,
}

async fn harness() -> Harness {
    harness_with(TableMap::customers()).await
}

async fn harness_with(map: TableMap) -> Harness {
    harness_with_rows(map, 0).await
}

async fn harness_with_rows(map: TableMap, rows: usize) -> Harness {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = SandboxConfig::new(dir.path().join("sandbox"));
    config.rows = rows;
    let sandbox = Sandbox::start(config).await.expect("sandbox starts");
    let store = Arc::new(Store::open(&dir.path().join("duet.sqlite")).expect("store opens"));
    let environment = |kind: &str, url: &str| EnvironmentRecord {
        id: 0,
        kind: kind.to_owned(),
        name: kind.to_owned(),
        url: url.to_owned(),
        token_url: sandbox.token_url(),
        tenant: sandbox.tenant().to_owned(),
        client_id: sandbox.client_id().to_owned(),
        sandbox: true,
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
    store
        .ensure_map(&map.name, &serde_json::to_value(&map).unwrap(), "t0")
        .unwrap();
    let http = reqwest::Client::new();
    let tokens = Arc::new(TokenProvider::new(
        http.clone(),
        Credentials {
            token_url: sandbox.token_url(),
            client_id: sandbox.client_id().to_owned(),
            client_secret: sandbox.client_secret().to_owned(),
        },
    ));
    let clients = || {
        (
            FinOpsClient::new(http.clone(), tokens.clone(), sandbox.fo_url()),
            DataverseClient::new(http.clone(), tokens.clone(), sandbox.dv_url()),
        )
    };
    let (engine_finops, engine_dataverse) = clients();
    let (finops, dataverse) = clients();
    let settings = EngineSettings {
        poll_interval: Duration::from_millis(100),
        delta_wait: Duration::from_secs(1),
        failure_pause: Duration::from_millis(200),
        reconcile_interval: Duration::from_millis(300),
    };
    let engine = Engine::new(
        store.clone(),
        Arc::new(engine_finops),
        Arc::new(engine_dataverse),
        Arc::new(SystemClock),
        settings.clone(),
    );
    Harness {
        _dir: dir,
        sandbox,
        store,
        engine,
        finops,
        dataverse,
    }
}

fn row(value: Value) -> serde_json::Map<String, Value> {
    value.as_object().cloned().expect("rows are objects")
}

async fn eventually<T, F, Fut>(what: &str, probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    eventually_within(what, Duration::from_secs(20), probe).await
}

async fn eventually_within<T, F, Fut>(what: &str, limit: Duration, mut probe: F) -> T
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
    async fn create_customer(&self, company: &str, account: &str, name: &str) {
        self.finops
            .create(
                "CustomersV3",
                &row(json!({"dataAreaId": company, "CustomerAccount": account,
                    "OrganizationName": name, "CreditLimit": 2500})),
            )
            .await
            .expect("customer is created in finance and operations");
    }

    async fn account(&self, number: &str) -> Option<serde_json::Map<String, Value>> {
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

    async fn customer(
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

    async fn wait_state(&self, state: &str) {
        self.wait_map_state("customers", state).await;
    }

    async fn wait_map_state(&self, map: &str, state: &str) {
        eventually(&format!("{map} {state}"), || async {
            (self.store.map(map).unwrap().unwrap().state == state).then_some(())
        })
        .await;
    }

    /// The failed changes of the customers map whose key contains `key`.
    fn failed_changes(&self, key: &str) -> Vec<duet_engine::QueuedChange> {
        self.engine
            .queued("customers", Some(key), 100)
            .unwrap()
            .into_iter()
            .filter(|queued| queued.status == ChangeStatus::Failed)
            .collect()
    }

    /// Runs the customers map and waits (up to an hour) until its initial sync is done;
    /// returns the seconds it took.
    async fn timed_initial_sync(&self) -> f64 {
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

    fn row_lines(&self) -> Vec<duet_store::ActivityRecord> {
        self.store
            .activity(1000)
            .unwrap()
            .into_iter()
            .filter(|line| line.entry.kind == "row")
            .collect()
    }
}

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
async fn live_changes_cross_both_ways_without_echo() {
    let harness = harness().await;
    let mut events = harness.engine.subscribe();
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;

    // GIVEN a customer created in finance and operations while the map runs.
    harness
        .create_customer("DAT", "LIVE-1", "Live Customer")
        .await;
    // THEN the account appears in Dataverse.
    let account = eventually("the account in Dataverse", || harness.account("LIVE-1")).await;
    assert_eq!(account["name"], "Live Customer");

    // WHEN the account is renamed in Dataverse.
    let id = account["accountid"].as_str().unwrap().to_owned();
    harness
        .dataverse
        .upsert(
            "accounts",
            &[("accountid", id.as_str())],
            &row(json!({"name": "Renamed in CRM"})),
        )
        .await
        .expect("the rename is accepted");
    // THEN the customer changes in finance and operations.
    eventually("the rename in finance and operations", || async {
        let customer = harness.customer("DAT", "LIVE-1").await?;
        (customer["OrganizationName"] == "Renamed in CRM").then_some(())
    })
    .await;

    // AND each change was written once: no echo back to the side it came from.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let lines: Vec<_> = harness
        .row_lines()
        .into_iter()
        .filter(|line| line.entry.key.as_deref() == Some("DAT|LIVE-1"))
        .collect();
    let directions: Vec<_> = lines
        .iter()
        .rev()
        .map(|line| line.entry.direction.clone().unwrap())
        .collect();
    assert_eq!(
        directions,
        ["toDataverse", "toFinanceOperations"],
        "one write each way; an echo would add more lines"
    );
    let to_finops = &lines[0].entry;
    assert!(
        to_finops.latency_ms.is_some(),
        "live changes record their latency"
    );
    let mut saw_activity_event = false;
    while let Ok(event) = events.try_recv() {
        saw_activity_event |= matches!(event, EngineEvent::Activity(_));
    }
    assert!(
        saw_activity_event,
        "the shells are told about each synced row"
    );
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_deleted_account_deletes_the_customer() {
    let harness = harness().await;
    harness.create_customer("DAT", "DEL-1", "To Delete").await;
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    let account = eventually("the account", || harness.account("DEL-1")).await;
    // WHEN the account is deleted in Dataverse.
    let id = account["accountid"].as_str().unwrap().to_owned();
    assert!(
        harness
            .dataverse
            .delete("accounts", &[("accountid", id.as_str())])
            .await
            .unwrap()
    );
    // THEN the customer is deleted in finance and operations.
    eventually("the customer to be deleted", || async {
        harness
            .customer("DAT", "DEL-1")
            .await
            .is_none()
            .then_some(())
    })
    .await;
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_customer_deleted_in_finance_and_operations_deletes_the_account() {
    // GIVEN two synced customers.
    let harness = harness().await;
    harness
        .create_customer("DAT", "DEL-FO", "Deleted in F&O")
        .await;
    harness.create_customer("DAT", "KEEP-FO", "Kept").await;
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    eventually("both accounts", || async {
        let (a, b) = (
            harness.account("DEL-FO").await,
            harness.account("KEEP-FO").await,
        );
        (a.is_some() && b.is_some()).then_some(())
    })
    .await;
    // WHEN one customer is deleted in finance and operations (no change event shows it).
    assert!(
        harness
            .finops
            .delete(
                "CustomersV3",
                &[("dataAreaId", "DAT"), ("CustomerAccount", "DEL-FO")]
            )
            .await
            .unwrap()
    );
    // THEN key reconciliation finds it gone and deletes the account, and only that one.
    eventually("the account to be deleted", || async {
        harness.account("DEL-FO").await.is_none().then_some(())
    })
    .await;
    let deletes: Vec<_> = harness
        .row_lines()
        .into_iter()
        .filter(|line| line.entry.operation.as_deref() == Some("delete"))
        .collect();
    assert_eq!(deletes.len(), 1, "one delete logged: {deletes:?}");
    assert_eq!(deletes[0].entry.key.as_deref(), Some("DAT|DEL-FO"));
    assert_eq!(deletes[0].entry.direction.as_deref(), Some("toDataverse"));
    // AND the delete does not come back to finance and operations as an echo, and later
    // rounds queue nothing more.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert!(
        harness.account("KEEP-FO").await.is_some(),
        "the other account stays"
    );
    assert!(
        harness.customer("DAT", "KEEP-FO").await.is_some(),
        "the other customer stays"
    );
    let later = harness
        .row_lines()
        .into_iter()
        .filter(|line| line.entry.operation.as_deref() == Some("delete"))
        .count();
    assert_eq!(later, 1, "no further deletes");
    assert_eq!(harness.store.queue_depth("customers").unwrap(), (0, 0, 0));
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
        assert_eq!(change.change.side, Side::FinanceOperations);
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

#[tokio::test]
async fn source_filters_select_the_rows_each_side_syncs() {
    // GIVEN a map that syncs only finance and operations customers named "Keep…" and only
    // Dataverse accounts whose name starts with "Keep".
    let mut map = TableMap::customers();
    map.filter_finance_operations = Some("((OrganizationName == \"Keep*\"))".to_owned());
    map.filter_dataverse = Some("startswith(name,'Keep')".to_owned());
    let harness = harness_with(map).await;
    harness
        .create_customer("DAT", "FLT-1", "Keep this one")
        .await;
    harness
        .create_customer("DAT", "FLT-2", "Skip this one")
        .await;
    // WHEN the map runs its initial sync.
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    // THEN only the matching customer reached Dataverse, and the progress counted only it.
    eventually("FLT-1 in Dataverse", || harness.account("FLT-1")).await;
    assert!(
        harness.account("FLT-2").await.is_none(),
        "filtered out in the initial sync"
    );
    let finished = harness
        .store
        .activity(50)
        .unwrap()
        .into_iter()
        .find(|line| line.entry.message.starts_with("Initial sync finished"))
        .expect("the initial sync is logged");
    assert!(
        finished.entry.message.contains("1 rows read"),
        "only matching rows are read: {}",
        finished.entry.message
    );
    // WHEN live changes arrive on both sides, matching and not.
    harness.create_customer("DAT", "FLT-3", "Keep live").await;
    harness.create_customer("DAT", "FLT-4", "Skip live").await;
    for (number, name) in [
        ("FLT-5", "Keep from Dataverse"),
        ("FLT-6", "Skip from Dataverse"),
    ] {
        harness
            .dataverse
            .create_by_key(
                "accounts",
                &[("accountnumber", number)],
                &row(json!({"name": name,
                    "msdyn_company@odata.bind": "/cdm_companies(cdm_companycode='DAT')"})),
            )
            .await
            .unwrap();
    }
    // THEN only the matching rows cross.
    eventually("FLT-3 in Dataverse", || harness.account("FLT-3")).await;
    eventually("FLT-5 in finance and operations", || {
        harness.customer("DAT", "FLT-5")
    })
    .await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(
        harness.account("FLT-4").await.is_none(),
        "filtered out live in F&O"
    );
    assert!(
        harness.customer("DAT", "FLT-6").await.is_none(),
        "filtered out live in Dataverse"
    );
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_paused_map_catches_up_on_run() {
    let harness = harness().await;
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    // GIVEN a paused map.
    harness.engine.pause("customers").await.unwrap();
    assert_eq!(
        harness.store.map("customers").unwrap().unwrap().state,
        "paused"
    );
    // WHEN customers change while it is paused.
    harness.create_customer("DAT", "PAUSE-1", "Name A").await;
    harness
        .finops
        .update(
            "CustomersV3",
            &[("dataAreaId", "DAT"), ("CustomerAccount", "PAUSE-1")],
            &row(json!({"OrganizationName": "Name B"})),
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        harness.account("PAUSE-1").await.is_none(),
        "a paused map writes nothing"
    );
    // THEN running it again applies what changed meanwhile.
    harness.engine.run("customers").await.unwrap();
    let account = eventually("the caught-up account", || async {
        harness
            .account("PAUSE-1")
            .await
            .filter(|account| account["name"] == "Name B")
    })
    .await;
    assert_eq!(account["accountnumber"], "PAUSE-1");
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_row_the_target_refuses_lands_in_the_log_with_its_payload() {
    let harness = harness().await;
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    // GIVEN an account in Dataverse with no company (it cannot be placed in a legal entity).
    harness
        .dataverse
        .upsert(
            "accounts",
            &[("accountnumber", "NOCO-1")],
            &row(json!({"name": "No company"})),
        )
        .await
        .unwrap();
    // THEN the error log names the missing company and keeps the row.
    let error = eventually("the error line", || async {
        harness
            .store
            .activity(100)
            .unwrap()
            .into_iter()
            .find(|line| line.entry.kind == "error")
    })
    .await;
    assert!(
        error.entry.message.contains("msdyn_company"),
        "the message must say what is missing: {}",
        error.entry.message
    );
    let payload = error.entry.payload.expect("the row is kept with the error");
    assert_eq!(payload["accountnumber"], "NOCO-1");
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

impl Harness {
    async fn rename_customer(&self, account: &str, name: &str) {
        self.finops
            .update(
                "CustomersV3",
                &[("dataAreaId", "DAT"), ("CustomerAccount", account)],
                &row(json!({ "OrganizationName": name })),
            )
            .await
            .expect("the rename is accepted");
    }

    async fn queued_names(&self, key: &str) -> Vec<String> {
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
    async fn three_renames_while_paused(&self, account: &str) {
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
}

#[tokio::test]
async fn catch_up_replays_every_queued_change_in_order() {
    let harness = harness().await;
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    // GIVEN a paused map that captured three renames of one customer.
    harness.three_renames_while_paused("ORDER-1").await;
    assert_eq!(
        harness.queued_names("DAT|ORDER-1").await,
        ["NameB", "NameC", "NameD"],
        "a paused map keeps capturing, listable by key, in order"
    );
    assert_eq!(
        harness.account("ORDER-1").await.unwrap()["name"],
        "NameA",
        "nothing is written while paused"
    );
    // WHEN it resumes by catching up.
    harness
        .engine
        .resume("customers", ResumeMode::CatchUp)
        .await
        .unwrap();
    // THEN every rename is applied, in the order it happened.
    eventually("the last rename in Dataverse", || async {
        harness
            .account("ORDER-1")
            .await
            .filter(|account| account["name"] == "NameD")
    })
    .await;
    let applied: Vec<String> = harness
        .row_lines()
        .iter()
        .rev()
        .filter(|line| line.entry.key.as_deref() == Some("DAT|ORDER-1"))
        .filter(|line| line.entry.direction.as_deref() == Some("toDataverse"))
        .filter_map(|line| {
            line.entry.payload.as_ref()?["name"]
                .as_str()
                .map(str::to_owned)
        })
        .collect();
    assert_eq!(
        applied,
        ["NameA", "NameB", "NameC", "NameD"],
        "catch-up replays NameB → NameC → NameD"
    );
    // Resuming ends once the queue is caught up.
    harness.wait_state("running").await;
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_catch_up_is_resuming_until_the_changes_queued_while_paused_are_applied() {
    let harness = harness().await;
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    // GIVEN a paused map that captured three renames, and Dataverse down.
    harness.three_renames_while_paused("RESUMING-1").await;
    harness
        .sandbox
        .set_faults(
            duet_sandbox::Side::Dataverse,
            Faults {
                down: true,
                ..Faults::default()
            },
        )
        .unwrap();
    // WHEN it resumes by catching up.
    harness
        .engine
        .resume("customers", ResumeMode::CatchUp)
        .await
        .unwrap();
    // THEN it is Resuming while the queued changes cannot be applied, not Running.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        harness.store.map("customers").unwrap().unwrap().state,
        "resuming"
    );
    // WHEN Dataverse is back.
    harness
        .sandbox
        .set_faults(duet_sandbox::Side::Dataverse, Faults::default())
        .unwrap();
    // THEN the map is Running once the last rename is applied, and the log says so.
    harness.wait_state("running").await;
    assert_eq!(
        harness.account("RESUMING-1").await.unwrap()["name"],
        "NameD",
        "Running only after the catch-up applied every queued change"
    );
    let lifecycle: Vec<String> = harness
        .store
        .activity(1000)
        .unwrap()
        .into_iter()
        .rev()
        .filter(|line| line.entry.kind == "lifecycle")
        .map(|line| line.entry.message)
        .collect();
    let resuming = lifecycle
        .iter()
        .position(|line| line.starts_with("Resuming: catching up on 3 queued changes"))
        .expect("the resume is logged");
    let caught_up = lifecycle
        .iter()
        .position(|line| line.starts_with("Caught up"))
        .expect("the end of the catch-up is logged");
    assert!(resuming < caught_up, "{lifecycle:?}");
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_map_whose_round_fails_is_in_error_with_the_reason_and_fix_until_it_works() {
    // GIVEN finance and operations down.
    let harness = harness().await;
    harness
        .sandbox
        .set_faults(
            duet_sandbox::Side::FinOps,
            Faults {
                down: true,
                ..Faults::default()
            },
        )
        .unwrap();
    // WHEN the map runs.
    harness.engine.run("customers").await.unwrap();
    // THEN it is in Error, with what failed and what to do about it, and logged once.
    harness.wait_state("error").await;
    let map = harness.store.map("customers").unwrap().unwrap();
    let reason = map.reason.expect("an errored map says why");
    assert!(reason.contains("reading CustomersV3"), "{reason}");
    assert!(reason.contains("(503)"), "{reason}");
    assert!(
        reason.contains("Duet retries by itself with backoff"),
        "the reason carries the fix: {reason}"
    );
    // WHEN finance and operations is back.
    harness
        .sandbox
        .set_faults(duet_sandbox::Side::FinOps, Faults::default())
        .unwrap();
    // THEN the map starts again by itself and runs, with no reason left.
    harness.wait_state("running").await;
    assert_eq!(
        harness.store.map("customers").unwrap().unwrap().reason,
        None
    );
    let failures = harness
        .store
        .activity(1000)
        .unwrap()
        .into_iter()
        .filter(|line| line.entry.kind == "lifecycle" && line.entry.status == "failed")
        .count();
    assert_eq!(
        failures, 1,
        "the same failure is logged once, not per retry"
    );
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_stale_echo_of_an_earlier_write_is_not_carried_back() {
    let harness = harness().await;
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    harness.create_customer("DAT", "STALE-1", "NameA").await;
    let account = eventually("the synced account", || harness.account("STALE-1")).await;
    // GIVEN a paused map that captured two renames in finance and operations, and after
    // them a Dataverse capture of the row as it will be between Duet's two writes (NameB):
    // a read that lands between two quick writes returns the first one's values.
    harness.engine.pause("customers").await.unwrap();
    for name in ["NameB", "NameC"] {
        harness.rename_customer("STALE-1", name).await;
        eventually(&format!("{name} captured"), || async {
            harness
                .queued_names("DAT|STALE-1")
                .await
                .contains(&name.to_owned())
                .then_some(())
        })
        .await;
    }
    let mut between = account.clone();
    between.insert("name".to_owned(), Value::from("NameB"));
    harness
        .store
        .enqueue(
            "customers",
            &[duet_store::NewChange {
                side: Side::Dataverse,
                operation: duet_store::ChangeOperation::Upsert,
                key: Some("DAT|STALE-1".to_owned()),
                source_id: account["accountid"].as_str().map(str::to_owned),
                row: Value::Object(between),
                captured_at: "2026-11-23T10:00:00.000Z".to_owned(),
                read_mark: None,
            }],
            None,
        )
        .unwrap();
    // WHEN the map catches up: NameB and NameC are written to Dataverse, then that capture
    // comes up.
    harness
        .engine
        .resume("customers", ResumeMode::CatchUp)
        .await
        .unwrap();
    harness.wait_state("running").await;
    eventually("NameC in Dataverse", || async {
        harness
            .account("STALE-1")
            .await
            .filter(|account| account["name"] == "NameC")
    })
    .await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    // THEN it is known as Duet's own echo: finance and operations keeps NameC and nothing is
    // written back to it.
    assert_eq!(
        harness.customer("DAT", "STALE-1").await.unwrap()["OrganizationName"],
        "NameC"
    );
    assert_eq!(harness.account("STALE-1").await.unwrap()["name"], "NameC");
    let back: Vec<_> = harness
        .row_lines()
        .into_iter()
        .filter(|line| line.entry.key.as_deref() == Some("DAT|STALE-1"))
        .filter(|line| line.entry.direction.as_deref() == Some("toFinanceOperations"))
        .collect();
    assert!(back.is_empty(), "nothing carried back: {back:?}");
    // AND a person setting the old name again later is a real change.
    let id = harness.account("STALE-1").await.unwrap()["accountid"]
        .as_str()
        .unwrap()
        .to_owned();
    harness
        .dataverse
        .upsert(
            "accounts",
            &[("accountid", id.as_str())],
            &row(json!({"name": "NameB"})),
        )
        .await
        .unwrap();
    eventually("the person's NameB in finance and operations", || async {
        let customer = harness.customer("DAT", "STALE-1").await?;
        (customer["OrganizationName"] == "NameB").then_some(())
    })
    .await;
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn skip_to_live_parks_or_discards_the_queue() {
    let harness = harness().await;
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    // GIVEN queued renames of a paused map.
    harness.three_renames_while_paused("SKIP-1").await;
    // WHEN it resumes at live keeping the queue.
    harness
        .engine
        .resume("customers", ResumeMode::SkipKeep)
        .await
        .unwrap();
    // THEN the renames are parked, not applied, and a new change goes straight through.
    let parked = harness
        .engine
        .queued("customers", Some("DAT|SKIP-1"), 100)
        .unwrap();
    assert_eq!(parked.len(), 3);
    assert!(
        parked
            .iter()
            .all(|queued| queued.status == ChangeStatus::Parked)
    );
    harness
        .create_customer("DAT", "SKIP-2", "Live after skip")
        .await;
    eventually("the live change", || harness.account("SKIP-2")).await;
    assert_eq!(harness.account("SKIP-1").await.unwrap()["name"], "NameA");
    // WHEN the parked changes are retried THEN they are applied after all.
    assert_eq!(harness.engine.retry("customers", None).await.unwrap(), 3);
    eventually("the retried renames", || async {
        harness
            .account("SKIP-1")
            .await
            .filter(|account| account["name"] == "NameD")
    })
    .await;

    // GIVEN another paused capture, WHEN resumed discarding, THEN nothing is applied or kept.
    harness.three_renames_while_paused("SKIP-3").await;
    harness
        .engine
        .resume("customers", ResumeMode::SkipDiscard)
        .await
        .unwrap();
    assert!(
        harness
            .engine
            .queued("customers", Some("DAT|SKIP-3"), 100)
            .unwrap()
            .is_empty()
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(harness.account("SKIP-3").await.unwrap()["name"], "NameA");
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_refused_change_is_kept_as_failed_and_can_be_retried() {
    let harness = harness().await;
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    // GIVEN an account the engine cannot place (no company).
    harness
        .dataverse
        .upsert(
            "accounts",
            &[("accountnumber", "FAIL-1")],
            &row(json!({"name": "No company"})),
        )
        .await
        .unwrap();
    let failed = eventually("the failed change", || async {
        harness
            .engine
            .queued("customers", None, 100)
            .unwrap()
            .into_iter()
            .find(|queued| queued.status == ChangeStatus::Failed)
    })
    .await;
    assert!(
        failed
            .error
            .as_deref()
            .unwrap_or_default()
            .contains("msdyn_company")
    );
    assert_eq!(failed.attempts, 1);
    // WHEN it is retried without a fix THEN it fails again and is still kept.
    assert_eq!(
        harness
            .engine
            .retry("customers", Some(failed.seq))
            .await
            .unwrap(),
        1
    );
    eventually("the second attempt", || async {
        harness
            .engine
            .queued("customers", None, 100)
            .unwrap()
            .into_iter()
            .find(|queued| queued.status == ChangeStatus::Failed && queued.attempts == 2)
    })
    .await;
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

/// Pauses the map, renames one customer on both sides, and waits until both changes are queued.
async fn rename_on_both_sides_while_paused(harness: &Harness, account: &str) {
    harness.create_customer("DAT", account, "Original").await;
    let account_row = eventually("the synced account", || harness.account(account)).await;
    harness.engine.pause("customers").await.unwrap();
    harness.rename_customer(account, "Renamed in ERP").await;
    let id = account_row["accountid"].as_str().unwrap().to_owned();
    harness
        .dataverse
        .upsert(
            "accounts",
            &[("accountid", id.as_str())],
            &row(json!({"name": "Renamed in CRM"})),
        )
        .await
        .unwrap();
    let key = format!("DAT|{account}");
    eventually("both renames to be queued", || async {
        let queued = harness.engine.queued("customers", Some(&key), 100).unwrap();
        let sides: Vec<&str> = queued
            .iter()
            .map(|change| change.change.side.as_str())
            .collect();
        (sides.contains(&"financeOperations") && sides.contains(&"dataverse")).then_some(())
    })
    .await;
}

fn conflict_lines(harness: &Harness, key: &str) -> Vec<duet_store::ActivityRecord> {
    harness
        .store
        .activity(1000)
        .unwrap()
        .into_iter()
        .filter(|line| line.entry.status == "conflict" && line.entry.key.as_deref() == Some(key))
        .collect()
}

#[tokio::test]
async fn a_conflict_is_won_by_the_master_and_the_loser_is_logged() {
    // GIVEN finance and operations is the master and both sides renamed one row while paused.
    let harness = harness().await;
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    rename_on_both_sides_while_paused(&harness, "CONFLICT-1").await;
    // WHEN the map catches up.
    harness
        .engine
        .resume("customers", ResumeMode::CatchUp)
        .await
        .unwrap();
    // THEN both sides converge on the master's value.
    eventually("Dataverse to take the master's name", || async {
        harness
            .account("CONFLICT-1")
            .await
            .filter(|account| account["name"] == "Renamed in ERP")
    })
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let customer = harness.customer("DAT", "CONFLICT-1").await.unwrap();
    assert_eq!(
        customer["OrganizationName"], "Renamed in ERP",
        "the loser must not overwrite the master"
    );
    // AND the losing Dataverse change is in the log with its values.
    let lines = conflict_lines(&harness, "DAT|CONFLICT-1");
    assert_eq!(lines.len(), 1, "one conflict, logged once");
    assert_eq!(
        lines[0].entry.payload.as_ref().unwrap()["name"],
        "Renamed in CRM"
    );
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn with_dataverse_as_master_the_finance_operations_change_loses() {
    let mut map = TableMap::customers();
    map.master = Side::Dataverse;
    let harness = harness_with(map).await;
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    rename_on_both_sides_while_paused(&harness, "CONFLICT-2").await;
    harness
        .engine
        .resume("customers", ResumeMode::CatchUp)
        .await
        .unwrap();
    eventually(
        "finance and operations to take the master's name",
        || async {
            let customer = harness.customer("DAT", "CONFLICT-2").await?;
            (customer["OrganizationName"] == "Renamed in CRM").then_some(())
        },
    )
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(
        harness.account("CONFLICT-2").await.unwrap()["name"],
        "Renamed in CRM"
    );
    let lines = conflict_lines(&harness, "DAT|CONFLICT-2");
    assert_eq!(lines.len(), 1);
    assert_eq!(
        lines[0].entry.payload.as_ref().unwrap()["OrganizationName"],
        "Renamed in ERP"
    );
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn an_alert_rule_fires_on_repeated_errors_and_pauses_the_map() {
    // GIVEN a rule: 2 application errors within 5 minutes pause the map.
    let harness = harness().await;
    harness
        .store
        .save_alert_rule(&AlertRule {
            id: None,
            map: Some("customers".to_owned()),
            class: "application".to_owned(),
            threshold: 2,
            window_minutes: 5,
            action: duet_store::AlertAction::Pause,
            enabled: true,
        })
        .unwrap();
    let mut events = harness.engine.subscribe();
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    // WHEN two accounts the map cannot place arrive.
    for number in ["ALERT-1", "ALERT-2"] {
        harness
            .dataverse
            .upsert(
                "accounts",
                &[("accountnumber", number)],
                &row(json!({"name": "No company"})),
            )
            .await
            .unwrap();
    }
    // THEN the alert fires, says why, and pauses the map.
    harness.wait_state("paused").await;
    let alert = harness
        .store
        .activity(100)
        .unwrap()
        .into_iter()
        .find(|line| line.entry.status == "alert")
        .expect("the alert is in the activity log");
    assert!(
        alert
            .entry
            .message
            .contains("2 errors of class application within 5 minutes"),
        "the alert says what crossed the threshold: {}",
        alert.entry.message
    );
    let mut told = false;
    while let Ok(event) = events.try_recv() {
        told |= matches!(&event, EngineEvent::Alert { action, .. } if action == "pause");
    }
    assert!(told, "the shells are told, so they can notify the admin");
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_target_that_is_down_loses_nothing_raises_an_alert_and_recovers() {
    // GIVEN a running map and a rule: two 503s within 5 minutes raise an alert.
    let harness = harness().await;
    harness
        .store
        .save_alert_rule(&AlertRule {
            id: None,
            map: None,
            class: "503".to_owned(),
            threshold: 2,
            window_minutes: 5,
            action: duet_store::AlertAction::None,
            enabled: true,
        })
        .unwrap();
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    // WHEN Dataverse goes down while customers are created.
    harness
        .sandbox
        .set_faults(
            duet_sandbox::Side::Dataverse,
            Faults {
                down: true,
                ..Faults::default()
            },
        )
        .unwrap();
    for account in ["DOWN-1", "DOWN-2", "DOWN-3"] {
        harness
            .create_customer("DAT", account, "Created while down")
            .await;
    }
    // THEN the map says why it is stuck, the alert fires, and the changes wait in the queue.
    eventually("the reason on the map", || async {
        let map = harness.store.map("customers").unwrap().unwrap();
        map.reason.filter(|reason| reason.contains("503"))
    })
    .await;
    eventually("the alert", || async {
        harness
            .store
            .activity(200)
            .unwrap()
            .into_iter()
            .find(|line| line.entry.status == "alert")
    })
    .await;
    let queued = harness
        .engine
        .queued("customers", Some("DOWN-"), 100)
        .unwrap();
    assert_eq!(
        queued.len(),
        3,
        "every change made while the target is down is kept"
    );
    // WHEN Dataverse comes back THEN every account arrives and the reason clears.
    harness
        .sandbox
        .set_faults(duet_sandbox::Side::Dataverse, Faults::default())
        .unwrap();
    for account in ["DOWN-1", "DOWN-2", "DOWN-3"] {
        eventually(&format!("{account} in Dataverse"), || {
            harness.account(account)
        })
        .await;
    }
    eventually("the reason to clear", || async {
        harness
            .store
            .map("customers")
            .unwrap()
            .unwrap()
            .reason
            .is_none()
            .then_some(())
    })
    .await;
    assert_eq!(
        harness.store.map("customers").unwrap().unwrap().state,
        "running"
    );
    assert!(
        harness
            .engine
            .queued("customers", Some("DOWN-"), 100)
            .unwrap()
            .is_empty()
    );
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

impl Harness {
    /// A second engine over the same store and sandbox: Duet started again after a crash.
    fn restarted_engine(&self) -> Arc<Engine> {
        let http = reqwest::Client::new();
        let tokens = Arc::new(TokenProvider::new(
            http.clone(),
            Credentials {
                token_url: self.sandbox.token_url(),
                client_id: self.sandbox.client_id().to_owned(),
                client_secret: self.sandbox.client_secret().to_owned(),
            },
        ));
        Engine::new(
            self.store.clone(),
            Arc::new(FinOpsClient::new(
                http.clone(),
                tokens.clone(),
                self.sandbox.fo_url(),
            )),
            Arc::new(DataverseClient::new(http, tokens, self.sandbox.dv_url())),
            Arc::new(SystemClock),
            EngineSettings {
                poll_interval: Duration::from_millis(100),
                delta_wait: Duration::from_secs(1),
                failure_pause: Duration::from_millis(200),
                reconcile_interval: Duration::from_millis(300),
            },
        )
    }
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

#[path = "engine/already_gone.rs"]
mod already_gone;
#[path = "engine/convergence.rs"]
mod convergence;
#[path = "engine/dataverse_phase.rs"]
mod dataverse_phase;
#[path = "engine/parents.rs"]
mod parents;
#[path = "engine/run_options.rs"]
mod run_options;
mod self_references;
#[path = "engine/stale_read.rs"]
mod stale_read;
#[path = "engine/targets.rs"]
mod targets;
#[path = "engine/watch.rs"]
mod watch;

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
