//! What one round of a map shares: the map, its resolved lookups and the link's companies.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use duet_maps::{MapError, Row, RowKey, Side, TableMap};
use duet_store::{Store, StoreError};
use serde_json::Value;
use tokio::sync::{Mutex, Notify};

use crate::run::companies::CompanyCodes;
use crate::run::context::Context;
use crate::run::lookup_by_name::{NameIds, NameLookup};
use crate::run::lookups::ResolvedLookup;

/// One run of one map: what the capture loops and the apply loop share.
pub(in crate::run) struct Session {
    pub(in crate::run) context: Arc<Context>,
    pub(in crate::run) map: TableMap,
    pub(in crate::run) lookups: Vec<ResolvedLookup>,
    pub(in crate::run) companies: Vec<String>,
    pub(in crate::run) codes: Mutex<CompanyCodes>,
    /// Wakes the apply loop when a capture added changes.
    pub(in crate::run) captured: Notify,
    /// The captures currently failing, so each failure is logged once and its recovery too.
    pub(in crate::run) capture_failing: std::sync::Mutex<HashSet<String>>,
    /// Columns of looked-up Dataverse rows read by id in this round (a key value, or a
    /// name): (target map, column, id) → value.
    pub(in crate::run) lookup_values: std::sync::Mutex<HashMap<(String, String, String), String>>,
    /// The map's lookups by name, and the names they resolved in this round.
    pub(in crate::run) names: Vec<NameLookup>,
    pub(in crate::run) name_ids: NameIds,
    /// Queued changes settled out of turn (conflict losers dropped while applying their
    /// rival), which the apply loop's current batch may still hold.
    pub(in crate::run) settled_early: std::sync::Mutex<HashSet<i64>>,
}

impl Session {
    pub(in crate::run) fn name(&self) -> &str {
        &self.map.name
    }

    pub(in crate::run) fn store(&self) -> &Store {
        &self.context.store
    }

    /// What Duet remembers of the row `key` on `side`: its mapped values, empty when it
    /// knows none.
    pub(in crate::run) fn remembered(&self, side: Side, key: &str) -> Result<Row, StoreError> {
        Ok(
            match self.store().shadow(self.name(), side.as_str(), key)? {
                Some(Value::Object(values)) => values,
                _ => Row::new(),
            },
        )
    }

    pub(in crate::run) fn key_of(
        &self,
        side: Side,
        row: &Row,
        company: Option<&str>,
    ) -> Result<RowKey, MapError> {
        match side {
            Side::FinanceOperations => self.map.key_of_finance_operations(row),
            Side::Dataverse => self.map.key_of_dataverse(row, company),
        }
    }
}
