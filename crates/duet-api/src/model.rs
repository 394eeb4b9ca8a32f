//! The types that cross the boundary to the UI. Each derives `ts_rs::TS`; the generated
//! TypeScript lives in `ui/src/bindings/` and a test fails when it is stale.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Which side of the link an environment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum EnvironmentKind {
    FinanceOperations,
    Dataverse,
}

/// The side of a map an environment kind is, and back: the same two, named for the UI.
impl From<duet_maps::Side> for EnvironmentKind {
    fn from(side: duet_maps::Side) -> EnvironmentKind {
        match side {
            duet_maps::Side::FinanceOperations => EnvironmentKind::FinanceOperations,
            duet_maps::Side::Dataverse => EnvironmentKind::Dataverse,
        }
    }
}

impl From<EnvironmentKind> for duet_maps::Side {
    fn from(kind: EnvironmentKind) -> duet_maps::Side {
        match kind {
            EnvironmentKind::FinanceOperations => duet_maps::Side::FinanceOperations,
            EnvironmentKind::Dataverse => duet_maps::Side::Dataverse,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum HealthStatus {
    Healthy,
    Unhealthy,
    Unknown,
}

/// One health check result with a stable code an admin can look up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HealthCheck {
    pub code: String,
    pub status: HealthStatus,
    pub message: String,
    pub checked_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentView {
    #[ts(type = "number")]
    pub id: i64,
    pub kind: EnvironmentKind,
    pub name: String,
    pub url: String,
    pub token_url: String,
    pub tenant: String,
    pub client_id: String,
    pub sandbox: bool,
    /// Whether its HTTPS is checked against a certificate authority of its own (a sandbox's)
    /// instead of the system's.
    pub own_certificate_authority: bool,
    pub added_at: String,
    /// Whether this environment is one side of the link.
    pub linked: bool,
    pub health: Vec<HealthCheck>,
}

/// An environment as the admin enters it. The secret goes to the OS keyring and is never
/// sent back, nor shown by its debug text.
#[derive(Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NewEnvironment {
    pub kind: EnvironmentKind,
    pub name: String,
    /// The environment URL as a user types it (`https://contoso.operations.dynamics.com`,
    /// `https://contoso.crm.dynamics.com`); service roots are below it.
    pub url: String,
    /// The Entra ID token endpoint, `https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token`
    /// when empty.
    #[serde(default)]
    pub token_url: String,
    pub tenant: String,
    pub client_id: String,
    pub client_secret: String,
    #[serde(default)]
    pub sandbox: bool,
    /// A sandbox's certificate authority (the PEM text of the `DUET_CA_FILE` that
    /// `duet sandbox up` printed), trusted for this environment alone. Only a sandbox may have
    /// one. Left out when editing, a sandbox keeps the one it has.
    #[serde(default)]
    #[ts(optional)]
    pub ca_certificate: Option<String>,
}

impl std::fmt::Debug for NewEnvironment {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("NewEnvironment")
            .field("kind", &self.kind)
            .field("name", &self.name)
            .field("url", &self.url)
            .field("token_url", &self.token_url)
            .field("tenant", &self.tenant)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("sandbox", &self.sandbox)
            .field(
                "ca_certificate",
                &self.ca_certificate.as_ref().map(|_| "<PEM>"),
            )
            .finish()
    }
}

/// A legal entity of the finance and operations environment, as offered for the link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LegalEntityView {
    pub code: String,
    pub name: String,
    /// Whether the link syncs it.
    pub linked: bool,
}

/// What resetting the link will delete and keep, shown before the admin confirms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ResetPlan {
    pub finance_operations: String,
    pub dataverse: String,
    pub companies: Vec<String>,
    /// What will be deleted, one line each, with counts.
    pub deletes: Vec<String>,
    /// What stays.
    pub keeps: Vec<String>,
    /// Maps that run again after a relink.
    pub maps_to_reactivate: Vec<String>,
    /// The text the admin types to confirm: the finance and operations environment's name.
    pub confirmation: String,
}

/// The linked environment pair, with the legal entities in the link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LinkView {
    pub finance_operations: EnvironmentView,
    pub dataverse: EnvironmentView,
    pub companies: Vec<String>,
    pub linked_at: String,
}

/// Where a map stands: the store's own type, so one enum serves the engine, the store and
/// the UI.
pub use duet_store::MapState;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FieldMappingView {
    pub finance_operations: String,
    pub direction: String,
    pub dataverse: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MapView {
    pub name: String,
    pub title: String,
    pub finance_operations_entity: String,
    pub dataverse_table: String,
    pub state: MapState,
    pub reason: Option<String>,
    pub fields: Vec<FieldMappingView>,
    #[ts(type = "number")]
    pub rows_synced: i64,
    #[ts(type = "number")]
    pub errors: i64,
    /// Changes captured and waiting to be applied (growing while paused).
    #[ts(type = "number")]
    pub queued: i64,
    /// Changes set aside by a skip-to-live resume, kept for retry.
    #[ts(type = "number")]
    pub parked: i64,
    /// Changes the target refused, kept with their error for retry.
    #[ts(type = "number")]
    pub failed: i64,
    /// The initial sync under way or interrupted, if any.
    pub progress: Option<SyncProgress>,
    /// When the map's state (or definition) last changed: of two views of a map, the one
    /// with the earlier time is stale (an action's answer can arrive after the event of a
    /// later change).
    pub updated_at: String,
}

/// How far an initial sync is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncProgress {
    /// Rows read so far.
    #[ts(type = "number")]
    pub done: u64,
    /// Rows written so far (rows already equal on the target are not written).
    #[ts(type = "number")]
    pub written: u64,
    /// Rows to read in all, when the source could count them.
    #[ts(type = "number | null")]
    pub total: Option<u64>,
    pub rows_per_second: f64,
    /// Seconds left at the current rate, when the total is known.
    #[ts(type = "number | null")]
    pub eta_seconds: Option<u64>,
}

/// How a paused map goes back to live sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum ResumeMode {
    /// Apply every queued change in capture order.
    CatchUp,
    /// Go live; park the queued changes for retry.
    SkipKeep,
    /// Go live; drop the queued changes.
    SkipDiscard,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum QueueStatus {
    Queued,
    Parked,
    Failed,
}

/// A change in a map's durable queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QueuedChangeView {
    #[ts(type = "number")]
    pub seq: i64,
    /// Where the change happened.
    pub side: EnvironmentKind,
    pub operation: String,
    pub key: Option<String>,
    pub status: QueueStatus,
    #[ts(type = "number")]
    pub attempts: i64,
    pub error: Option<String>,
    pub captured_at: String,
    /// The source row as captured.
    #[ts(type = "unknown")]
    pub row: serde_json::Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Direction {
    ToDataverse,
    ToFinanceOperations,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ActivityKind {
    Lifecycle,
    Row,
    Error,
}

/// One line of the activity log: a map lifecycle event or a row-level outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ActivityEntry {
    #[ts(type = "number")]
    pub id: i64,
    pub at: String,
    pub map: String,
    pub kind: ActivityKind,
    pub direction: Option<Direction>,
    pub key: Option<String>,
    pub operation: Option<String>,
    pub status: String,
    pub message: String,
    #[ts(type = "number | null")]
    pub latency_ms: Option<i64>,
    /// The row written, or for a failure what was sent (with the remote's answer when there
    /// was one, as `{"sent": …, "remote": …}`); `null` when nothing was stored.
    #[ts(type = "unknown")]
    pub payload: Option<serde_json::Value>,
    /// A failure's error class label (`400`, `429`, `application`…); `null` otherwise.
    pub error_class: Option<String>,
}

/// Pushed to the UI (Tauri events or server-sent events).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum DuetEvent {
    MapChanged {
        map: MapView,
    },
    Activity {
        entry: ActivityEntry,
    },
    /// A setup scenario moved on: a step started, finished or failed.
    ScenarioChanged {
        run: ScenarioRun,
    },
    /// An alert rule fired; shown to the admin and, in the window, as a desktop notification.
    Alert {
        map: String,
        message: String,
        action: AlertAction,
    },
    /// A scripted demo moved on: a step started, finished or failed, or the run ended.
    DemoChanged {
        run: crate::demo::DemoRun,
    },
}

/// What happens to the map when an alert rule fires: the store's own type.
pub use duet_store::AlertAction;

/// N errors of a class within M minutes, on one map or on every map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AlertRuleView {
    /// `null` for a new rule.
    #[ts(type = "number | null")]
    pub id: Option<i64>,
    /// The map watched; `null` watches every map.
    pub map: Option<String>,
    /// One of: application, 400, 401/403, 404, 412, 429, 502, 503, timeout, other.
    pub class: String,
    pub threshold: u32,
    pub window_minutes: u32,
    pub action: AlertAction,
    pub enabled: bool,
}

/// One of the six documented setup scenarios.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ScenarioView {
    /// `new-new`, `new-existing`, `new-data-new`, `new-data-existing`, `existing-new`,
    /// `existing-existing`.
    pub id: String,
    pub title: String,
    /// `new`, `new with data` or `existing`.
    pub finance_operations: String,
    /// `new` or `existing`.
    pub dataverse: String,
    pub description: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum StepStatus {
    Pending,
    Running,
    Done,
    Skipped,
    Failed,
}

/// A step of a scenario's plan, shown before it runs and updated as it runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ScenarioStep {
    /// `reset`, `provision`, `check`, `link`, `createCompany`, `addCompanies`, `bootstrap`,
    /// `initialSync`, `live`.
    pub id: String,
    pub title: String,
    /// What the step will do, before it runs.
    pub detail: String,
    pub status: StepStatus,
    /// What it did, or why it failed and what to do.
    pub message: Option<String>,
}

/// Choices for a scenario run; every field has a default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct ScenarioOptions {
    /// Customers generated in a finance and operations environment "with data".
    pub rows: u32,
    /// Company-less accounts in an "existing" Dataverse environment.
    pub existing_rows: u32,
    /// Legal entities to link.
    pub companies: Vec<String>,
    /// Maps chosen, by name: stored maps or standard templates.
    pub maps: Vec<String>,
    /// Per map the run starts (the chosen ones and the maps they look up, in start order),
    /// its initial-sync choice and master; a map not listed syncs first with `master`.
    pub choices: Vec<crate::plan::PlanStepChoice>,
    /// Which side wins for rows on both sides.
    pub master: EnvironmentKind,
    /// Run against these environments (finance and operations id, Dataverse id) instead of
    /// provisioning sandbox environments.
    #[ts(type = "[number, number] | null")]
    pub environments: Option<(i64, i64)>,
    /// Stop after this step (to show a plan step by step); `null` runs to the end.
    pub until: Option<String>,
}

impl Default for ScenarioOptions {
    fn default() -> Self {
        ScenarioOptions {
            rows: 200,
            existing_rows: 40,
            companies: vec!["DAT".to_owned()],
            maps: vec!["customers".to_owned()],
            choices: Vec::new(),
            master: EnvironmentKind::FinanceOperations,
            environments: None,
            until: None,
        }
    }
}

/// What bootstrapping a map's existing Dataverse rows with a company did (or, in a dry
/// run, would do).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct BootstrapReport {
    pub map: String,
    /// Nothing was written: the rows show what a run would stamp.
    pub dry_run: bool,
    /// Rows matched to a finance and operations row by natural key, given its company.
    pub matched: u32,
    /// Rows with no match, given the default company (the initial sync creates them in
    /// finance and operations).
    pub unmatched: u32,
    pub default_company: String,
    /// Rows written with their company (0 in a dry run).
    pub stamped: u32,
    /// Every row without a company, matched or not.
    pub rows: Vec<BootstrapRow>,
}

/// One Dataverse row without a company and the company bootstrap gives it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BootstrapRow {
    /// The row's natural key (parts joined by `|`); empty when the row has none.
    pub key: String,
    pub dataverse_id: String,
    pub company: String,
    /// Whether a finance and operations row with this key gave the company.
    pub matched: bool,
}

/// A scenario's plan and progress, checkpointed after every step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ScenarioRun {
    pub scenario: ScenarioView,
    pub options: ScenarioOptions,
    pub status: StepStatus,
    pub steps: Vec<ScenarioStep>,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    /// What bootstrap did, per map.
    #[serde(default)]
    pub bootstraps: Vec<BootstrapReport>,
    /// Whether both sides agree at the end, per map.
    pub agreement: Vec<duet_engine::Agreement>,
    /// The environments the run linked (finance and operations id, Dataverse id).
    #[ts(type = "[number, number] | null")]
    pub environments: Option<(i64, i64)>,
}
