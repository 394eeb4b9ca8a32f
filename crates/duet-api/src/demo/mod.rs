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

use duet_maps::{RowKey, TableMap};

use crate::{Api, ApiError, Code};

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
