//! The sync engine behind the API: built over the stored link, replaced when the link or an
//! environment changes, and its events forwarded to the shells as [`DuetEvent`]s.

use std::sync::Arc;

use duet_engine::{Engine, EngineEvent};
use tokio::sync::broadcast;

use crate::model::DuetEvent;
use crate::{Api, ApiError, views};

impl Api {
    /// Shuts the running engine down and starts a new one over the stored link, so a
    /// changed link or environment takes effect at once.
    pub(crate) async fn replace_engine(self: &Arc<Self>) -> Result<(), ApiError> {
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

    /// Passes the engine's events on to the API's listeners until the engine or the API is
    /// gone.
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
                        action,
                    }),
                };
                if let Some(event) = event {
                    let _ = api.events.send(event);
                }
            }
        });
    }

    /// The running engine; there is none before anything is linked.
    pub(crate) async fn engine(&self) -> Result<Arc<Engine>, ApiError> {
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
}
