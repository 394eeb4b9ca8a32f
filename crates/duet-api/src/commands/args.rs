//! The JSON arguments of the commands: one shape per kind of call, read by `Args::parse`.

use serde::Deserialize;
use serde_json::Value;

use crate::RetentionView;
use crate::model::{AlertRuleView, NewEnvironment, ResumeMode, ScenarioOptions};
use crate::plan::{BulkAction, PlanStepChoice};

#[derive(Deserialize)]
pub(super) struct Name {
    pub(super) name: String,
}

#[derive(Deserialize)]
pub(super) struct Names {
    pub(super) names: Vec<String>,
}

#[derive(Deserialize)]
pub(super) struct Id {
    pub(super) id: i64,
}

#[derive(Deserialize)]
pub(super) struct Limit {
    pub(super) limit: Option<u32>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Run {
    pub(super) name: String,
    /// Off: a map without synced state goes live from now on, copying nothing.
    pub(super) initial_sync: Option<bool>,
}

#[derive(Deserialize)]
pub(super) struct Resume {
    pub(super) name: String,
    pub(super) mode: ResumeMode,
}

#[derive(Deserialize)]
pub(super) struct Queue {
    pub(super) name: String,
    pub(super) key: Option<String>,
    pub(super) limit: Option<u32>,
}

#[derive(Deserialize)]
pub(super) struct Retry {
    pub(super) name: String,
    pub(super) seq: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Rerun {
    pub(super) name: String,
    #[serde(default)]
    pub(super) failed_only: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Bootstrap {
    pub(super) name: String,
    pub(super) company: String,
    #[serde(default)]
    pub(super) dry_run: bool,
}

#[derive(Deserialize)]
pub(super) struct ScenarioMaps {
    pub(super) options: ScenarioOptions,
}

#[derive(Deserialize)]
pub(super) struct Rule {
    pub(super) rule: AlertRuleView,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct SchemaOf {
    pub(super) finance_operations_entity: String,
    pub(super) dataverse_table: String,
    #[serde(default)]
    pub(super) refresh: bool,
}

#[derive(Deserialize)]
pub(super) struct MapOnly {
    pub(super) map: serde_json::Value,
}

#[derive(Deserialize)]
pub(super) struct FilterOf {
    pub(super) map: duet_maps::TableMap,
    pub(super) side: duet_maps::Side,
}

#[derive(Deserialize)]
pub(super) struct Preview {
    pub(super) map: duet_maps::TableMap,
    pub(super) limit: Option<usize>,
}

#[derive(Deserialize)]
pub(super) struct Save {
    pub(super) map: Value,
    pub(super) note: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct Diff {
    pub(super) name: String,
    pub(super) from: i64,
    pub(super) to: i64,
}

#[derive(Deserialize)]
pub(super) struct Rollback {
    pub(super) name: String,
    pub(super) version: i64,
}

#[derive(Deserialize)]
pub(super) struct Export {
    #[serde(default)]
    pub(super) names: Vec<String>,
}

#[derive(Deserialize)]
pub(super) struct Import {
    pub(super) package: Value,
    #[serde(default)]
    pub(super) replace: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Window {
    pub(super) map: Option<String>,
    pub(super) minutes: Option<u32>,
    pub(super) bucket_seconds: Option<u32>,
}

#[derive(Deserialize)]
pub(super) struct SetRetention {
    pub(super) retention: RetentionView,
}

#[derive(Deserialize)]
pub(super) struct StartPlan {
    pub(super) steps: Vec<PlanStepChoice>,
}

#[derive(Deserialize)]
pub(super) struct Bulk {
    pub(super) action: BulkAction,
    pub(super) names: Vec<String>,
    pub(super) mode: Option<ResumeMode>,
}

#[derive(Deserialize)]
pub(super) struct Scenario {
    pub(super) id: String,
    #[serde(default)]
    pub(super) options: ScenarioOptions,
}

#[derive(Deserialize)]
pub(super) struct AddEnvironment {
    pub(super) environment: NewEnvironment,
}

#[derive(Deserialize)]
pub(super) struct UpdateEnvironment {
    pub(super) id: i64,
    pub(super) environment: NewEnvironment,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Link {
    pub(super) finance_operations_id: i64,
    pub(super) dataverse_id: i64,
    pub(super) companies: Vec<String>,
}

#[derive(Deserialize)]
pub(super) struct Companies {
    pub(super) companies: Vec<String>,
}

#[derive(Deserialize)]
pub(super) struct Reset {
    pub(super) confirm: String,
    #[serde(default)]
    pub(super) relink: bool,
}

#[derive(Deserialize)]
pub(super) struct LogPageArgs {
    #[serde(default)]
    pub(super) query: crate::LogQuery,
    pub(super) limit: Option<u32>,
}

#[derive(Deserialize)]
pub(super) struct MapFilter {
    #[serde(default)]
    pub(super) map: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct ExportLogCsv {
    #[serde(default)]
    pub(super) query: crate::LogQuery,
    pub(super) path: std::path::PathBuf,
}

/// An error group as `error_groups` answers it; its `errorClass` may be sent along and is
/// not read, because the queue keeps no class to narrow the changes by.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RetryErrorGroup {
    pub(super) map: String,
    pub(super) status: String,
    pub(super) pattern: String,
    #[serde(default)]
    pub(super) dry_run: bool,
}
