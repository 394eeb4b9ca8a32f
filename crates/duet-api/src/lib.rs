//! The one API behind every Duet shell. The Tauri window and `duet serve` only translate
//! their transport into calls of [`Api`]; no business rule lives in a shell.

mod commands;
mod environments;
mod error;
mod health;
mod maps_alm;
mod metrics;
pub mod model;
mod plan;
mod scenario;
mod secret;
mod views;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use duet_connect::{DataverseClient, FinOpsClient};
use duet_engine::{Clock, Engine, EngineEvent, EngineSettings, SystemClock};
use duet_maps::TableMap;
use duet_sandbox::{Sandbox, SandboxConfig};
use duet_store::{EnvironmentRecord, NewActivity, Store};
use tokio::sync::{Mutex, RwLock, broadcast};

pub use error::{ApiError, Code};
pub use maps_alm::{
    FieldChange, FieldDiffView, ImportReport, MapDiffView, MapProblemView, MapVersionView,
    PreviewOutcome, RowPreviewView, SavedMap, ValueChange, diff_view,
};
pub use metrics::{MetricPoint, MetricSeries, MetricsView, QueuePoint, QueueSeries, RetentionView};
pub use model::*;
pub use plan::{BulkAction, BulkResult, PlanStep, PlanStepChoice, RunPlan, check_order};
pub use secret::SecretStore;

#[derive(Debug, Clone)]
pub struct ApiOptions {
    /// The OS keyring service name; tests use their own so they never touch a user's secrets.
    pub keyring_service: String,
    pub engine: EngineSettings,
}

impl Default for ApiOptions {
    fn default() -> Self {
        ApiOptions {
            keyring_service: "dev.duet.app".to_owned(),
            engine: EngineSettings::default(),
        }
    }
}

pub struct Api {
    data_dir: PathBuf,
    store: Arc<Store>,
    secrets: SecretStore,
    clock: Arc<dyn Clock>,
    options: ApiOptions,
    engine: RwLock<Option<Arc<Engine>>>,
    health: Mutex<HashMap<EnvironmentKind, Vec<HealthCheck>>>,
    sandbox: Mutex<Option<Sandbox>>,
    /// Held while a setup scenario runs: one at a time.
    scenario_lock: Mutex<()>,
    /// Set while a run plan starts its maps: one plan at a time.
    plan_running: std::sync::atomic::AtomicBool,
    events: broadcast::Sender<DuetEvent>,
}

const FINOPS: &str = "financeOperations";
/// The error classes alert rules can watch, as the engine classifies failures.
const ALERT_CLASSES: [&str; 10] = [
    "application",
    "400",
    "401/403",
    "404",
    "412",
    "429",
    "502",
    "503",
    "timeout",
    "other",
];
/// Customers a fresh demo sandbox starts with.
const DEMO_ROWS: usize = 250;
const DATAVERSE: &str = "dataverse";

impl Api {
    /// Opens the data directory (creating it), and restarts the maps that were running.
    pub async fn open(data_dir: &Path, options: ApiOptions) -> Result<Arc<Api>, ApiError> {
        std::fs::create_dir_all(data_dir).map_err(|error| {
            ApiError::new(
                Code::DataDir,
                format!(
                    "cannot create the data directory {}: {error}",
                    data_dir.display()
                ),
            )
        })?;
        let store = Arc::new(Store::open(&data_dir.join("duet.sqlite"))?);
        let (events, _) = broadcast::channel(1024);
        let api = Arc::new(Api {
            data_dir: data_dir.to_owned(),
            store,
            secrets: SecretStore::new(options.keyring_service.clone()),
            clock: Arc::new(SystemClock),
            options,
            engine: RwLock::new(None),
            health: Mutex::new(HashMap::new()),
            sandbox: Mutex::new(None),
            scenario_lock: Mutex::new(()),
            plan_running: std::sync::atomic::AtomicBool::new(false),
            events,
        });
        api.spawn_housekeeping();
        Ok(api)
    }

    pub fn subscribe(&self) -> broadcast::Receiver<DuetEvent> {
        self.events.subscribe()
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Starts the embedded sandbox pair over this data directory, links it (once), adds the
    /// demo map and runs it. Returns the sandbox's `DUET_*` lines.
    pub async fn start_sandbox_demo(self: &Arc<Self>) -> Result<Vec<(String, String)>, ApiError> {
        let mut config = SandboxConfig::new(self.data_dir.join("sandbox"));
        // A fresh demo starts with customers to sync; a restart keeps what is there.
        config.rows = DEMO_ROWS;
        let (finops_id, dataverse_id, lines) = self.start_sandbox(config).await?;
        let companies = match self.store.link()? {
            Some(link) => link.companies,
            None => vec!["DAT".to_owned(), "USMF".to_owned()],
        };
        self.link_environments(finops_id, dataverse_id, companies)
            .await?;
        self.add_map(&TableMap::customers())?;
        let state = self.store.map("customers")?.map(|map| map.state);
        if !matches!(state.as_deref(), Some("paused" | "stopped")) {
            self.run_map("customers").await?;
        }
        Ok(lines)
    }

    /// Starts the embedded sandbox pair and registers (or refreshes) its environments;
    /// returns their ids and the sandbox's `DUET_*` lines.
    pub(crate) async fn start_sandbox(
        self: &Arc<Self>,
        config: SandboxConfig,
    ) -> Result<(i64, i64, Vec<(String, String)>), ApiError> {
        let sandbox = Sandbox::start(config).await.map_err(|error| {
            ApiError::new(
                Code::Sandbox,
                format!("the sandbox could not start: {error}"),
            )
        })?;
        let lines = sandbox.env_lines();
        let environment = |kind: EnvironmentKind, name: &str, url: &str| NewEnvironment {
            kind,
            name: name.to_owned(),
            url: url.to_owned(),
            token_url: sandbox.token_url(),
            tenant: sandbox.tenant().to_owned(),
            client_id: sandbox.client_id().to_owned(),
            client_secret: sandbox.client_secret().to_owned(),
            sandbox: true,
        };
        let finops = environment(
            EnvironmentKind::FinanceOperations,
            "Sandbox finance and operations",
            sandbox.fo_url(),
        );
        let dataverse = environment(
            EnvironmentKind::Dataverse,
            "Sandbox Dataverse",
            sandbox.dv_url(),
        );
        *self.sandbox.lock().await = Some(sandbox);
        // Sandbox ports can change between starts: the sandbox environments are found by
        // name and their URLs refreshed, then linked (once).
        let finops_id = self.upsert_sandbox_environment(finops).await?;
        let dataverse_id = self.upsert_sandbox_environment(dataverse).await?;
        Ok((finops_id, dataverse_id, lines))
    }

    /// What a window does on start: the embedded sandbox unless the admin linked real
    /// environments, in which case their maps resume.
    pub async fn start_default(self: &Arc<Self>) -> Result<(), ApiError> {
        let linked_to_cloud = self
            .store
            .environment(FINOPS)?
            .is_some_and(|environment| !environment.sandbox);
        if linked_to_cloud {
            self.resume().await
        } else {
            self.start_sandbox_demo().await.map(|_| ())
        }
    }

    /// Adds a sandbox environment, or refreshes the one with the same name and kind.
    async fn upsert_sandbox_environment(
        self: &Arc<Self>,
        environment: NewEnvironment,
    ) -> Result<i64, ApiError> {
        let existing = self.store.environments()?.into_iter().find(|record| {
            record.sandbox
                && record.name == environment.name
                && record.kind == environments::kind_key(environment.kind)
        });
        match existing {
            Some(record) => {
                let id = record.id;
                self.save_environment_change(record, environment).await?;
                Ok(id)
            }
            None => Ok(self.add_environment(environment).await?.id),
        }
    }

    fn record_lifecycle(&self, message: &str) {
        self.record_note("link", message);
    }

    /// Logs a line that belongs to no map's sync (`map` names the area: link, retention).
    fn record_note(&self, map: &str, message: &str) {
        let entry = NewActivity {
            at: self.clock.stamp(),
            map: map.to_owned(),
            kind: "lifecycle".to_owned(),
            direction: None,
            key: None,
            operation: None,
            status: "succeeded".to_owned(),
            message: message.to_owned(),
            latency_ms: None,
            payload: None,
        };
        match self.store.add_activity(&entry) {
            Ok(record) => {
                let _ = self.events.send(DuetEvent::Activity {
                    entry: views::activity_entry(record),
                });
            }
            Err(error) => tracing::error!(%error, "could not log a note"),
        }
    }

    async fn replace_engine(self: &Arc<Self>) -> Result<(), ApiError> {
        if let Some(old) = self.engine.write().await.take() {
            old.shutdown().await;
        }
        let (finops, dataverse) = self.clients().await?;
        let engine = Engine::new(
            self.store.clone(),
            Arc::new(finops),
            Arc::new(dataverse),
            self.clock.clone(),
            self.options.engine.clone(),
        );
        self.forward_events(engine.subscribe());
        *self.engine.write().await = Some(engine);
        Ok(())
    }

    async fn clients(&self) -> Result<(FinOpsClient, DataverseClient), ApiError> {
        let link = self.store.link()?.ok_or_else(ApiError::not_linked)?;
        Ok((
            self.finops_client(link.finance_operations_id).await?,
            self.dataverse_client(link.dataverse_id).await?,
        ))
    }

    fn environment(&self, kind: &str) -> Result<EnvironmentRecord, ApiError> {
        self.store
            .environment(kind)?
            .ok_or_else(ApiError::not_linked)
    }

    fn forward_events(self: &Arc<Self>, mut engine_events: broadcast::Receiver<EngineEvent>) {
        let api = Arc::downgrade(self);
        tokio::spawn(async move {
            loop {
                let event = match engine_events.recv().await {
                    Ok(event) => event,
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => return,
                };
                let Some(api) = api.upgrade() else { return };
                let event = match event {
                    EngineEvent::Activity(record) => Some(DuetEvent::Activity {
                        entry: views::activity_entry(*record),
                    }),
                    EngineEvent::MapChanged(name) => api
                        .map_view(&name)
                        .ok()
                        .map(|map| DuetEvent::MapChanged { map }),
                    EngineEvent::Alert {
                        map,
                        message,
                        action,
                    } => Some(DuetEvent::Alert {
                        map,
                        message,
                        action: views::alert_action(&action),
                    }),
                };
                if let Some(event) = event {
                    let _ = api.events.send(event);
                }
            }
        });
    }

    async fn engine(&self) -> Result<Arc<Engine>, ApiError> {
        self.engine
            .read()
            .await
            .clone()
            .ok_or_else(ApiError::not_linked)
    }

    /// Starts the engine over the stored link (if any) and resumes maps that were running.
    pub async fn resume(self: &Arc<Self>) -> Result<(), ApiError> {
        if self.store.link()?.is_none() {
            return Ok(());
        }
        self.replace_engine().await?;
        self.engine().await?.resume_all().await?;
        Ok(())
    }

    pub fn add_map(&self, map: &TableMap) -> Result<(), ApiError> {
        let definition = serde_json::to_value(map)
            .map_err(|error| ApiError::new(Code::InvalidMap, error.to_string()))?;
        self.store
            .ensure_map(&map.name, &definition, &self.clock.stamp())?;
        Ok(())
    }

    pub async fn link(&self) -> Result<Option<LinkView>, ApiError> {
        let Some(link) = self.store.link()? else {
            return Ok(None);
        };
        let health = self.health.lock().await.clone();
        let view = |kind: EnvironmentKind, key: &str| -> Result<EnvironmentView, ApiError> {
            Ok(views::environment_view(
                kind,
                self.environment(key)?,
                true,
                health.get(&kind).cloned().unwrap_or_default(),
            ))
        };
        Ok(Some(LinkView {
            finance_operations: view(EnvironmentKind::FinanceOperations, FINOPS)?,
            dataverse: view(EnvironmentKind::Dataverse, DATAVERSE)?,
            companies: link.companies,
            linked_at: link.linked_at,
        }))
    }

    /// Runs the health checks of both environments and returns the link with their results.
    pub async fn check_health(&self) -> Result<LinkView, ApiError> {
        let link = self.store.link()?.ok_or_else(ApiError::not_linked)?;
        let (finops, dataverse) = self.clients().await?;
        let maps: Vec<TableMap> = self
            .store
            .maps()?
            .into_iter()
            .filter_map(|record| serde_json::from_value(record.definition).ok())
            .collect();
        let checks = health::check(
            &finops,
            &dataverse,
            &link.companies,
            &maps,
            self.clock.as_ref(),
        )
        .await;
        *self.health.lock().await = checks;
        self.link().await?.ok_or_else(ApiError::not_linked)
    }

    pub async fn maps(&self) -> Result<Vec<MapView>, ApiError> {
        self.store
            .maps()?
            .into_iter()
            .map(|record| views::map_view(&self.store, record))
            .collect()
    }

    fn map_view(&self, name: &str) -> Result<MapView, ApiError> {
        let record = self.store.map(name)?.ok_or_else(|| {
            ApiError::new(Code::NotFound, format!("there is no map named '{name}'"))
        })?;
        views::map_view(&self.store, record)
    }

    pub async fn run_map(&self, name: &str) -> Result<MapView, ApiError> {
        self.engine().await?.run(name).await?;
        self.map_view(name)
    }

    /// Runs a map; without an initial sync, a map that has no synced state goes live from
    /// now on and existing rows are not copied.
    pub async fn run_map_with(&self, name: &str, initial_sync: bool) -> Result<MapView, ApiError> {
        self.engine()
            .await?
            .run_with(name, duet_engine::RunOptions { initial_sync })
            .await?;
        self.map_view(name)
    }

    pub async fn pause_map(&self, name: &str) -> Result<MapView, ApiError> {
        self.engine().await?.pause(name).await?;
        self.map_view(name)
    }

    pub async fn resume_map(&self, name: &str, mode: ResumeMode) -> Result<MapView, ApiError> {
        let mode = match mode {
            ResumeMode::CatchUp => duet_engine::ResumeMode::CatchUp,
            ResumeMode::SkipKeep => duet_engine::ResumeMode::SkipKeep,
            ResumeMode::SkipDiscard => duet_engine::ResumeMode::SkipDiscard,
        };
        self.engine().await?.resume(name, mode).await?;
        self.map_view(name)
    }

    /// The changes in a map's queue, oldest first, optionally only keys containing `key`.
    pub async fn queued_changes(
        &self,
        name: &str,
        key: Option<&str>,
        limit: u32,
    ) -> Result<Vec<QueuedChangeView>, ApiError> {
        Ok(self
            .engine()
            .await?
            .queued(name, key, limit.min(10_000))?
            .into_iter()
            .map(views::queued_change)
            .collect())
    }

    /// Queues parked or failed changes again: one (`seq`) or all of the map.
    pub async fn retry_changes(&self, name: &str, seq: Option<i64>) -> Result<MapView, ApiError> {
        self.engine().await?.retry(name, seq).await?;
        self.map_view(name)
    }

    /// Rerun: the initial sync again over every row (the queue is kept), or with
    /// `failed_only` just the failed rows, put back in the queue.
    pub async fn rerun_map(&self, name: &str, failed_only: bool) -> Result<MapView, ApiError> {
        let engine = self.engine().await?;
        if failed_only {
            engine.retry(name, None).await?;
        } else {
            engine.rerun(name).await?;
        }
        self.map_view(name)
    }

    pub fn alert_rules(&self) -> Result<Vec<AlertRuleView>, ApiError> {
        Ok(self
            .store
            .alert_rules()?
            .into_iter()
            .map(views::alert_rule_view)
            .collect())
    }

    /// Adds a rule (no id) or replaces one (with its id), after checking it makes sense.
    pub fn save_alert_rule(&self, rule: AlertRuleView) -> Result<AlertRuleView, ApiError> {
        if !ALERT_CLASSES.contains(&rule.class.as_str()) {
            return Err(ApiError::new(
                Code::InvalidAlertRule,
                format!(
                    "'{}' is not an error class; use one of: {}",
                    rule.class,
                    ALERT_CLASSES.join(", ")
                ),
            ));
        }
        if rule.threshold == 0 || rule.window_minutes == 0 || rule.window_minutes > 24 * 60 {
            return Err(ApiError::new(
                Code::InvalidAlertRule,
                "The threshold must be at least 1 and the window between 1 minute and 24 hours.",
            ));
        }
        if let Some(map) = &rule.map
            && self.store.map(map)?.is_none()
        {
            return Err(ApiError::new(
                Code::NotFound,
                format!("there is no map named '{map}'"),
            ));
        }
        let id = self
            .store
            .save_alert_rule(&views::alert_rule_record(&rule))?;
        Ok(AlertRuleView {
            id: Some(id),
            ..rule
        })
    }

    pub fn delete_alert_rule(&self, id: i64) -> Result<(), ApiError> {
        Ok(self.store.delete_alert_rule(id)?)
    }

    /// Raises an alert that changes nothing, so an admin can see where alerts reach them
    /// (in-app toast, desktop notification); it is logged like a real one.
    pub fn send_test_alert(&self) -> Result<ActivityEntry, ApiError> {
        let message =
            "Test alert: if this shows as a desktop notification, alerts will reach you there."
                .to_owned();
        let record = self.store.add_activity(&NewActivity {
            at: self.clock.stamp(),
            map: "alerts".to_owned(),
            kind: "lifecycle".to_owned(),
            direction: None,
            key: None,
            operation: None,
            status: "alert".to_owned(),
            message: message.clone(),
            latency_ms: None,
            payload: None,
        })?;
        let entry = views::activity_entry(record);
        let _ = self.events.send(DuetEvent::Activity {
            entry: entry.clone(),
        });
        let _ = self.events.send(DuetEvent::Alert {
            map: "alerts".to_owned(),
            message,
            action: AlertAction::None,
        });
        Ok(entry)
    }

    pub async fn stop_map(&self, name: &str) -> Result<MapView, ApiError> {
        self.engine().await?.stop(name).await?;
        self.map_view(name)
    }

    pub async fn activity(&self, limit: u32) -> Result<Vec<ActivityEntry>, ApiError> {
        Ok(self
            .store
            .activity(limit.min(10_000))?
            .into_iter()
            .map(views::activity_entry)
            .collect())
    }

    /// Stops sync tasks and the sandbox.
    pub async fn shutdown(&self) {
        if let Some(engine) = self.engine.write().await.take() {
            engine.shutdown().await;
        }
        if let Some(sandbox) = self.sandbox.lock().await.take() {
            sandbox.shutdown().await;
        }
    }
}

fn reqwest_client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(10))
        .timeout(std::time::Duration::from_secs(120))
        .build()
        .unwrap_or_default()
}
