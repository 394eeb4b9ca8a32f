//! What every map of the engine shares: the store, both clients, the clock, the event
//! channel and the alert monitor; and how a map's definition and lifecycle lines are read and
//! written.

use std::collections::HashMap;
use std::sync::Arc;

use duet_connect::{DataverseClient, FinOpsClient};
use duet_maps::TableMap;
use duet_store::{AlertAction, MapState, NewActivity, Store};
use tokio::sync::{broadcast, mpsc};

use crate::alerts::AlertMonitor;
use crate::clock::Clock;

use crate::run::engine::{EngineError, EngineEvent, EngineSettings};
use crate::run::target::Targets;

pub(in crate::run) struct Context {
    pub(in crate::run) store: Arc<Store>,
    pub(in crate::run) finops: Arc<FinOpsClient>,
    pub(in crate::run) dataverse: Arc<DataverseClient>,
    /// Where single-row writes and deletes go, one per side (reads stay on the clients).
    pub(in crate::run) targets: Targets,
    pub(in crate::run) clock: Arc<dyn Clock>,
    pub(in crate::run) settings: EngineSettings,
    pub(in crate::run) events: broadcast::Sender<EngineEvent>,
    pub(in crate::run) alerts: std::sync::Mutex<AlertMonitor>,
    /// Alert actions (map, action) for the engine to carry out outside the map's own task.
    pub(in crate::run) actions: mpsc::UnboundedSender<(String, AlertAction)>,
    /// Each map's state and reason the store could not take (its disk is full), until a
    /// later one is stored: what the admin must see meanwhile.
    pub(in crate::run) unsaved: std::sync::Mutex<HashMap<String, Unsaved>>,
}

/// A map's state and reason the store could not take.
pub(in crate::run) type Unsaved = (MapState, Option<String>);

impl Context {
    pub(in crate::run) fn load_map(&self, name: &str) -> Result<TableMap, EngineError> {
        let record = self
            .store
            .map(name)?
            .ok_or_else(|| EngineError::UnknownMap(name.to_owned()))?;
        serde_json::from_value(record.definition).map_err(|error| EngineError::InvalidMap {
            name: name.to_owned(),
            reason: error.to_string(),
        })
    }

    pub(in crate::run) fn record(&self, entry: NewActivity) {
        match self.store.add_activity(&entry) {
            Ok(record) => {
                let _ = self.events.send(EngineEvent::Activity(Box::new(record)));
            }
            Err(error) => {
                tracing::error!(map = %entry.map, error = %error, "activity log write failed")
            }
        }
    }

    pub(in crate::run) fn lifecycle(&self, map: &str, status: &str, message: &str) {
        self.record(NewActivity {
            at: self.clock.stamp(),
            map: map.to_owned(),
            kind: "lifecycle".to_owned(),
            direction: None,
            key: None,
            operation: None,
            status: status.to_owned(),
            message: message.to_owned(),
            latency_ms: None,
            payload: None,
            error_class: None,
        });
    }
}
