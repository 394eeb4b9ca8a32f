//! One map at a time, as the Maps page drives it: run, pause, resume, stop and rerun, and the
//! changes waiting in its queue.

use duet_maps::TableMap;

use crate::model::{MapView, QueuedChangeView, ResumeMode};
use crate::{Api, ApiError, Code, views};

impl Api {
    /// Adds a map, not running, unless a map of that name exists (which is left as it is).
    /// Not validated: the shells add the demo map this way.
    pub fn add_map(&self, map: &TableMap) -> Result<(), ApiError> {
        let definition = serde_json::to_value(map)
            .map_err(|error| ApiError::new(Code::InvalidMap, error.to_string()))?;
        self.store
            .ensure_map(&map.name, &definition, &self.clock.stamp())?;
        Ok(())
    }

    /// Every map with its state, counts and queue depth.
    pub async fn maps(&self) -> Result<Vec<MapView>, ApiError> {
        self.store
            .maps()?
            .into_iter()
            .map(|record| views::map_view(&self.store, self.as_the_engine_has_it(record)))
            .collect()
    }

    /// One map as the UI shows it.
    pub(crate) fn map_view(&self, name: &str) -> Result<MapView, ApiError> {
        let record = self.store.map(name)?.ok_or_else(|| {
            ApiError::new(Code::NotFound, format!("there is no map named '{name}'"))
        })?;
        views::map_view(&self.store, self.as_the_engine_has_it(record))
    }

    /// A stored map with the state and reason the engine could not store (its disk is
    /// full), so the admin sees why nothing moves.
    fn as_the_engine_has_it(&self, mut record: duet_store::MapRecord) -> duet_store::MapRecord {
        let unsaved = match self.engine.try_read() {
            Ok(engine) => engine
                .as_ref()
                .and_then(|engine| engine.unsaved_state(&record.name)),
            Err(_) => None,
        };
        if let Some((state, reason)) = unsaved {
            record.state = state;
            record.reason = reason;
        }
        record
    }

    /// Runs a map that has no validation errors.
    pub async fn run_map(&self, name: &str) -> Result<MapView, ApiError> {
        self.guard_runnable(&[name]).await?;
        self.engine().await?.run(name).await?;
        self.map_view(name)
    }

    /// Runs a map; without an initial sync, a map that has no synced state goes live from
    /// now on and existing rows are not copied.
    pub async fn run_map_with(&self, name: &str, initial_sync: bool) -> Result<MapView, ApiError> {
        self.guard_runnable(&[name]).await?;
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

    pub async fn stop_map(&self, name: &str) -> Result<MapView, ApiError> {
        self.engine().await?.stop(name).await?;
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
}
