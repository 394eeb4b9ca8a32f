//! The live demo: one row of a running map as both sides hold it, edited in place through the
//! linked environments' clients (`rows.rs`), the row's last changes from the activity log
//! (`history.rs`), and the scripted demos a consultant runs in front of a customer
//! (`scripts.rs` for the run and its events, `steps.rs` for what each script does). Nothing
//! here reaches into the sandbox: the same calls work against cloud environments.

mod history;
mod refused;
mod rows;
mod scripts;
mod steps;

pub use rows::{DemoField, DemoRowSummary, DemoRowView, DemoWritten};
pub use scripts::{DemoOutcome, DemoRun, DemoScript, DemoScriptView, DemoStep, DemoStepStatus};

use std::sync::Arc;

use duet_maps::{RowKey, Side, TableMap};
use serde::Deserialize;
use serde_json::Value;

use crate::model::ActivityEntry;
use crate::{Api, ApiError, Code};

/// The arguments of `demo_rows`.
#[derive(Deserialize)]
pub(crate) struct RowsArgs {
    map: String,
    #[serde(default)]
    search: String,
    limit: Option<usize>,
}

/// The arguments of `demo_row` and `demo_history`.
#[derive(Deserialize)]
pub(crate) struct RowArgs {
    map: String,
    key: String,
    limit: Option<u32>,
}

/// The arguments of `demo_write`.
#[derive(Deserialize)]
pub(crate) struct WriteArgs {
    map: String,
    side: Side,
    key: String,
    column: String,
    value: Value,
}

/// The arguments of `start_demo_script`.
#[derive(Deserialize)]
pub(crate) struct StartArgs {
    script: DemoScript,
    map: String,
    key: Option<String>,
}

/// The demo commands with their arguments as the command table reads them.
impl Api {
    pub(crate) async fn demo_rows_for(
        &self,
        args: RowsArgs,
    ) -> Result<Vec<DemoRowSummary>, ApiError> {
        let limit = args.limit.unwrap_or(20).clamp(1, 100);
        self.demo_rows(&args.map, &args.search, limit).await
    }

    pub(crate) async fn demo_row_for(&self, args: RowArgs) -> Result<DemoRowView, ApiError> {
        self.demo_row(&args.map, &args.key).await
    }

    pub(crate) async fn demo_write_for(&self, args: WriteArgs) -> Result<DemoWritten, ApiError> {
        self.demo_write(&args.map, args.side, &args.key, &args.column, args.value)
            .await
    }

    pub(crate) async fn demo_history_for(
        &self,
        args: RowArgs,
    ) -> Result<Vec<ActivityEntry>, ApiError> {
        self.demo_history(&args.map, &args.key, args.limit.unwrap_or(20))
            .await
    }

    pub(crate) fn start_demo_script_for(
        self: &Arc<Self>,
        args: StartArgs,
    ) -> Result<DemoRun, ApiError> {
        self.start_demo_script(args.script, &args.map, args.key)
    }
}

impl Api {
    /// The stored definition of map `name`.
    pub(crate) fn demo_map(&self, name: &str) -> Result<TableMap, ApiError> {
        let record = self.store.map(name)?.ok_or_else(|| {
            ApiError::new(Code::NotFound, format!("there is no map named '{name}'"))
        })?;
        serde_json::from_value(record.definition).map_err(|error| {
            ApiError::new(
                Code::InvalidMap,
                format!("the stored definition of map '{name}' is invalid: {error}"),
            )
        })
    }
}

/// A row key as the engine writes it (`DAT|C0001`), read for `map`; the demo addresses rows
/// with one key value, as the engine's single-row writes do.
pub(crate) fn row_key(map: &TableMap, text: &str) -> Result<RowKey, ApiError> {
    let key = RowKey::parse(text, map.company.is_some());
    if map.company.is_some() && key.company.is_none() {
        return Err(ApiError::new(
            Code::BadArguments,
            format!("the key '{text}' names no company (COMPANY|value)"),
        ));
    }
    if map.key.finance_operations.len() != 1 || map.key.dataverse.len() != 1 {
        return Err(ApiError::new(
            Code::BadArguments,
            format!(
                "map '{}' has a key of several columns; the demo edits rows of maps keyed by one",
                map.name
            ),
        ));
    }
    Ok(key)
}
