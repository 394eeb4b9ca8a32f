//! The one API behind every Duet shell. The Tauri window and `duet serve` only translate
//! their transport into calls of [`Api`]; no business rule lives in a shell.

#![deny(clippy::too_many_lines)]

mod activity;
mod alerts;
mod bootstrap;
mod clients;
mod commands;
mod companies;
mod demo;
mod engine;
mod environments;
mod error;
mod filters;
mod health;
mod link;
mod logs;
mod logs_csv;
mod maps;
mod maps_alm;
mod metrics;
mod model;
mod plan;
mod preview;
mod promote;
mod reset;
mod sandbox;
mod scenario;
mod schema;
mod secret;
mod templates;
mod validation;
mod views;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use duet_engine::{Clock, Engine, EngineSettings, SystemClock};
use duet_sandbox::Sandbox;
use duet_store::{DataDirLock, Store};
use tokio::sync::{Mutex, RwLock, broadcast};

pub use demo::{
    DemoField, DemoOutcome, DemoRowSummary, DemoRowView, DemoRun, DemoScript, DemoScriptView,
    DemoStep, DemoStepStatus, DemoWritten,
};
pub use error::{ApiError, Code};
pub use filters::{FilterCheckView, FilterErrorView};
pub use logs::{ErrorGroupView, LogOrderView, LogPage, LogQuery, RetriedGroup};
pub use logs_csv::{CSV_HEADER, CsvExportView, LogCsv, csv_field, write_record};
pub use maps_alm::{
    FieldChange, FieldDiffView, ImportReport, MapDiffView, MapVersionView, SavedMap, ValueChange,
    diff_view,
};
pub use metrics::{MetricPoint, MetricSeries, MetricsView, QueuePoint, QueueSeries, RetentionView};
pub use model::*;
pub use plan::{BulkAction, BulkResult, PlanStep, PlanStepChoice, RunPlan};
pub use preview::{PreviewOutcome, RowPreviewView};
pub use promote::{
    CompareSource, MapCompareStatus, MapComparisonView, MapPromotion, MapsComparison,
    PromotionOutcome, PromotionReport, RemoteDuet,
};
pub use scenario::{MapSource, ScenarioMap};
pub use schema::{MapSchemaView, TableSchemaView};
use secret::SecretStore;
pub use secret::{SecretsAt, check_private_file, write_private_file};
pub use templates::{AddedTemplates, TemplateView};
pub use validation::{MapProblemView, ValidationView};

#[derive(Debug, Clone)]
pub struct ApiOptions {
    /// The OS keyring service name; tests use their own so they never touch a user's secrets.
    pub keyring_service: String,
    /// Where client secrets live when no environment variable gives them: the keyring (under
    /// `keyring_service`) or a secrets file.
    pub secrets: SecretsAt,
    pub engine: EngineSettings,
}

impl Default for ApiOptions {
    fn default() -> Self {
        ApiOptions {
            keyring_service: "dev.duet.app".to_owned(),
            secrets: SecretsAt::Keyring,
            engine: EngineSettings::default(),
        }
    }
}

pub struct Api {
    data_dir: PathBuf,
    /// Held while the `Api` lives: no other process runs Duet on the same data directory.
    _lock: DataDirLock,
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

/// The store's names of the two environment kinds.
const FINOPS: &str = "financeOperations";
const DATAVERSE: &str = "dataverse";

impl Api {
    /// Opens the data directory (creating it), locks it against a second Duet process, opens
    /// where secrets live (a secrets file others may read is refused), and starts the
    /// housekeeping task. Maps that were running start again with [`Api::resume`]
    /// or [`Api::start_default`].
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
        let lock = DataDirLock::acquire(data_dir)?;
        let secrets = SecretStore::open(&options)?;
        let store = Arc::new(Store::open(&data_dir.join("duet.sqlite"))?);
        let (events, _) = broadcast::channel(1024);
        let api = Arc::new(Api {
            data_dir: data_dir.to_owned(),
            _lock: lock,
            store,
            secrets,
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
