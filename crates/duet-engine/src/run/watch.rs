//! Watching a map's state: callers that wait for a map to reach a state (a run plan, a
//! setup scenario) follow the engine's events instead of polling the store.

use std::sync::Arc;

use duet_store::{MapRecord, Store};
use tokio::sync::{broadcast, watch};

use crate::run::engine::{EngineError, EngineEvent};

/// A map's stored state, read when the engine says the map changed.
pub struct MapWatch {
    store: Arc<Store>,
    events: broadcast::Receiver<EngineEvent>,
    closed: watch::Receiver<bool>,
    name: String,
    started: bool,
}

impl MapWatch {
    /// Subscribed before the first read, so no change between that read and the wait for the
    /// next one is missed.
    pub(in crate::run) fn new(
        store: Arc<Store>,
        events: broadcast::Receiver<EngineEvent>,
        closed: watch::Receiver<bool>,
        name: &str,
    ) -> MapWatch {
        MapWatch {
            store,
            events,
            closed,
            name: name.to_owned(),
            started: false,
        }
    }

    /// The map as stored: now on the first call, then once the engine changed it. Fails when
    /// the map is gone or the engine shuts down.
    pub async fn next(&mut self) -> Result<MapRecord, EngineError> {
        if std::mem::replace(&mut self.started, true) {
            self.changed().await?;
        }
        self.store
            .map(&self.name)?
            .ok_or_else(|| EngineError::UnknownMap(self.name.clone()))
    }

    async fn changed(&mut self) -> Result<(), EngineError> {
        loop {
            if *self.closed.borrow() {
                return Err(EngineError::ShuttingDown);
            }
            tokio::select! {
                event = self.events.recv() => match event {
                    Ok(EngineEvent::MapChanged(name)) if name == self.name => return Ok(()),
                    Ok(_) => {}
                    // Events were missed: the map may have changed among them.
                    Err(broadcast::error::RecvError::Lagged(_)) => return Ok(()),
                    Err(broadcast::error::RecvError::Closed) => return Err(EngineError::ShuttingDown),
                },
                _ = self.closed.changed() => return Err(EngineError::ShuttingDown),
            }
        }
    }
}
