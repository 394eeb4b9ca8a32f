//! The engine's public commands: run, pause, resume, stop, rerun, retry, apply_definition
//! and the map tasks they start and stop.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use duet_connect::{DataverseClient, FinOpsClient};
use duet_store::{
    ActivityRecord, AlertAction, ChangeStatus, MapState, QueuedChange, Store, StoreError,
};
use serde::{Deserialize, Serialize};
use tokio::sync::{Mutex, broadcast, mpsc, watch};
use tokio::task::JoinHandle;

use crate::alerts::AlertMonitor;
use crate::clock::Clock;

use crate::run::capture::DELTA_CURSOR;
use crate::run::context::Context;
use crate::run::definition::Edits;
use crate::run::initial::skip::SKIP_INITIAL;
use crate::run::state::CATCH_UP_MARK;
use crate::run::target::Targets;
use crate::run::watch::MapWatch;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("there is no map named '{0}'")]
    UnknownMap(String),
    #[error("the stored definition of map '{name}' is invalid: {reason}")]
    InvalidMap { name: String, reason: String },
    #[error("no environments are linked")]
    NotLinked,
    #[error("Duet is shutting down")]
    ShuttingDown,
}

/// What the engine tells the shells as it works.
#[derive(Debug, Clone)]
pub enum EngineEvent {
    MapChanged(String),
    Activity(Box<ActivityRecord>),
    /// An alert rule fired; `action` is what the engine did (`none`, `pause`, `stop`).
    Alert {
        map: String,
        message: String,
        action: AlertAction,
    },
}

#[derive(Debug, Clone)]
pub struct EngineSettings {
    /// How often finance and operations is polled for rows past the watermark.
    pub poll_interval: Duration,
    /// How long a Dataverse delta request may be held open by a server that supports it.
    pub delta_wait: Duration,
    /// The longest first wait after a failure (a round, a capture read, a write the target
    /// could not take); waits grow with failures in a row, with jitter (`duet_connect::Backoff`).
    pub failure_pause: Duration,
    /// How often finance and operations keys are read to find rows deleted there (watermark
    /// polling cannot see deletes).
    pub reconcile_interval: Duration,
}

impl Default for EngineSettings {
    fn default() -> Self {
        EngineSettings {
            poll_interval: Duration::from_millis(500),
            delta_wait: Duration::from_secs(2),
            failure_pause: Duration::from_secs(2),
            reconcile_interval: Duration::from_secs(60),
        }
    }
}

struct Running {
    stop: watch::Sender<bool>,
    applying: watch::Sender<bool>,
    /// Raised for each edit of the map's definition (`Engine::apply_definition`).
    edits: watch::Sender<u64>,
    task: JoinHandle<()>,
}

/// How a map is started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunOptions {
    /// Copy the existing rows first (the default). Without it the map goes live from now on:
    /// its cursors start at the current end of both sides and existing rows are not copied.
    pub initial_sync: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions { initial_sync: true }
    }
}

/// How a paused map goes back to live sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResumeMode {
    /// Apply every queued change in the order it was captured.
    CatchUp,
    /// Go live at once; queued changes are parked and kept for retry.
    SkipKeep,
    /// Go live at once; queued changes are dropped.
    SkipDiscard,
}

pub struct Engine {
    context: Arc<Context>,
    running: Mutex<HashMap<String, Running>>,
    /// Set once on shutdown, so watchers stop waiting.
    closed: watch::Sender<bool>,
}

impl Engine {
    pub fn new(
        store: Arc<Store>,
        finops: Arc<FinOpsClient>,
        dataverse: Arc<DataverseClient>,
        clock: Arc<dyn Clock>,
        settings: EngineSettings,
    ) -> Arc<Engine> {
        let targets = Targets::real(finops.clone(), dataverse.clone());
        Engine::with_targets(store, finops, dataverse, targets, clock, settings)
    }

    /// An engine whose single-row writes and deletes go to `targets` instead of the clients
    /// (reads and bulk writes still use the clients): for tests.
    pub fn with_targets(
        store: Arc<Store>,
        finops: Arc<FinOpsClient>,
        dataverse: Arc<DataverseClient>,
        targets: Targets,
        clock: Arc<dyn Clock>,
        settings: EngineSettings,
    ) -> Arc<Engine> {
        let (events, _) = broadcast::channel(1024);
        let (actions, mut requests) = mpsc::unbounded_channel::<(String, AlertAction)>();
        let engine = Arc::new(Engine {
            context: Arc::new(Context {
                store,
                finops,
                dataverse,
                targets,
                clock,
                settings,
                events,
                alerts: std::sync::Mutex::new(AlertMonitor::default()),
                actions,
                unsaved: std::sync::Mutex::new(HashMap::new()),
            }),
            running: Mutex::new(HashMap::new()),
            closed: watch::channel(false).0,
        });
        let weak = Arc::downgrade(&engine);
        tokio::spawn(async move {
            while let Some((map, action)) = requests.recv().await {
                let Some(engine) = weak.upgrade() else { return };
                let done = match action {
                    AlertAction::Pause => engine.pause(&map).await,
                    AlertAction::Stop => engine.stop(&map).await,
                    AlertAction::None => Ok(()),
                };
                if let Err(error) = done {
                    tracing::error!(map = %map, action = %action, error = %error, "alert action failed");
                }
            }
        });
        engine
    }

    pub fn subscribe(&self) -> broadcast::Receiver<EngineEvent> {
        self.context.events.subscribe()
    }

    /// Follows a map's stored state: [`MapWatch::next`] gives it now, then each time the
    /// engine changed it, so a caller waits for a state without polling.
    pub fn watch_map(&self, name: &str) -> MapWatch {
        MapWatch::new(
            self.context.store.clone(),
            self.context.events.subscribe(),
            self.closed.subscribe(),
            name,
        )
    }

    /// Runs a map: an initial sync when it has never run (or was stopped), then live sync.
    /// A paused map resumes by catching up; a map in Error starts its round again now
    /// instead of waiting for its next attempt; a map already initializing, running or
    /// resuming goes on as it is.
    pub async fn run(&self, name: &str) -> Result<(), EngineError> {
        let state = self.context.store.map(name)?.map(|map| map.state);
        if self.is_started(name).await {
            match state {
                Some(MapState::Error) => {}
                Some(MapState::Paused) => return self.resume(name, ResumeMode::CatchUp).await,
                _ => return Ok(()),
            }
        }
        self.start(name, true).await
    }

    /// Runs a map as [`Engine::run`] does, with options. Without an initial sync, a map that
    /// has no cursors yet goes live from now on (existing rows are not copied); a map that
    /// already synced continues from its cursors either way.
    pub async fn run_with(&self, name: &str, options: RunOptions) -> Result<(), EngineError> {
        if options.initial_sync || self.is_started(name).await {
            return self.run(name).await;
        }
        self.context.load_map(name)?;
        let store = &self.context.store;
        if store.cursor(name, DELTA_CURSOR)?.is_none() {
            store.set_cursor(name, SKIP_INITIAL, "true")?;
        }
        self.start(name, true).await
    }

    /// The state and reason of map `name` that could not be stored because the store's disk
    /// is full: the shells show them instead of the stored ones until a later state is stored.
    pub fn unsaved_state(&self, name: &str) -> Option<(MapState, Option<String>)> {
        self.context.unsaved_state(name)
    }

    /// Whether the map has a task: initializing, running, paused, resuming or retrying.
    pub async fn is_started(&self, name: &str) -> bool {
        self.running
            .lock()
            .await
            .get(name)
            .is_some_and(|running| !running.task.is_finished())
    }

    async fn start(&self, name: &str, applying: bool) -> Result<(), EngineError> {
        // The definition is read under the lock `apply_definition` takes, so a version saved
        // while the task starts is either read here or signalled to the task.
        let mut running = self.running.lock().await;
        let map = self.context.load_map(name)?;
        if self.context.store.link()?.is_none() {
            return Err(EngineError::NotLinked);
        }
        if let Some(existing) = running.remove(name) {
            let _ = existing.stop.send(true);
            let _ = existing.task.await;
        }
        let (stop, stopped) = watch::channel(false);
        let (applying_sender, applying_receiver) = watch::channel(applying);
        let (edits, signals) = watch::channel(0);
        let context = self.context.clone();
        // The edits the task has seen are counted from now, not from when it is first
        // polled: a save signalled in between must still reach it.
        let edits_seen = Edits::new(signals);
        let task = tokio::spawn(async move {
            context
                .drive(map, stopped, applying_receiver, edits_seen)
                .await
        });
        running.insert(
            name.to_owned(),
            Running {
                stop,
                applying: applying_sender,
                edits,
                task,
            },
        );
        Ok(())
    }

    /// Makes a running map (initializing, running, paused, resuming or retrying after an
    /// error) take up its newest saved definition: its current round ends at the next safe
    /// point, between changes, and the next starts with the new definition, logging "Definition
    /// version N applied". Queued changes, cursors and an initial sync's checkpoint carry over,
    /// and the map keeps its state. A map that is not running is left alone: its next run
    /// reads the newest definition anyway. A newest definition that cannot be read is refused.
    pub async fn apply_definition(&self, name: &str) -> Result<(), EngineError> {
        self.context.load_map(name)?;
        if let Some(run) = self.running.lock().await.get(name)
            && !run.task.is_finished()
        {
            run.edits.send_modify(|count| *count += 1);
        }
        Ok(())
    }

    /// Pauses a map: changes keep being captured into its durable queue, with no time or
    /// size cap but the disk; nothing is written until it resumes.
    pub async fn pause(&self, name: &str) -> Result<(), EngineError> {
        self.context.load_map(name)?;
        let started = {
            let running = self.running.lock().await;
            match running.get(name) {
                Some(run) if !run.task.is_finished() => {
                    let _ = run.applying.send(false);
                    true
                }
                _ => false,
            }
        };
        if !started {
            self.start(name, false).await?;
        }
        // A catch-up cut short by the pause ends here; the next resume marks its own.
        self.context.store.delete_cursor(name, CATCH_UP_MARK)?;
        self.context.set_state(name, MapState::Paused, None)?;
        self.context.lifecycle(
            name,
            "succeeded",
            "Paused: changes on both sides keep being captured into the queue",
        );
        Ok(())
    }

    /// Takes a paused map back to live sync in the chosen way.
    pub async fn resume(&self, name: &str, mode: ResumeMode) -> Result<(), EngineError> {
        self.context.load_map(name)?;
        let store = &self.context.store;
        // A map in its initial sync goes on with the copy: its task sets Initializing as it
        // takes up the copy again, and its queue is applied after it. Catching up, a live map
        // is Resuming until every change queued now is settled.
        let initializing = store.cursor(name, DELTA_CURSOR)?.is_none();
        let mut state = MapState::Running;
        let message = match mode {
            ResumeMode::CatchUp if initializing => {
                "Resumed: the initial sync goes on from its last checkpoint".to_owned()
            }
            ResumeMode::CatchUp => {
                let (queued, _, _) = store.queue_depth(name)?;
                let live = store
                    .map(name)?
                    .is_some_and(|map| map.state == MapState::Running);
                if !live && let Some(last) = store.last_queued_seq(name)? {
                    store.set_cursor(name, CATCH_UP_MARK, &last.to_string())?;
                    state = MapState::Resuming;
                }
                format!("Resuming: catching up on {queued} queued changes in order")
            }
            ResumeMode::SkipKeep => {
                let parked = store.set_queued_status(name, ChangeStatus::Parked)?;
                format!("Resumed at live: {parked} queued changes parked for retry")
            }
            ResumeMode::SkipDiscard => {
                let dropped = store.discard_queued(name)?;
                format!("Resumed at live: {dropped} queued changes discarded")
            }
        };
        // Set before the apply loop starts: it may find the queue caught up at once and set
        // Running, which a later Resuming would overwrite for good. A map still copying is left
        // to its task, which could finish the copy and go live meanwhile.
        if !initializing {
            self.context.set_state(name, state, None)?;
        }
        let started = {
            let running = self.running.lock().await;
            match running.get(name) {
                Some(run) if !run.task.is_finished() => {
                    let _ = run.applying.send(true);
                    true
                }
                _ => false,
            }
        };
        if !started {
            self.start(name, true).await?;
        }
        self.context.lifecycle(name, "succeeded", &message);
        Ok(())
    }

    /// Stops a map and forgets its cursors and queued changes: the next run starts with an
    /// initial sync. Failed changes stay in the error list.
    pub async fn stop(&self, name: &str) -> Result<(), EngineError> {
        self.context.load_map(name)?;
        if let Some(running) = self.running.lock().await.remove(name) {
            let _ = running.stop.send(true);
            let _ = running.task.await;
        }
        let store = &self.context.store;
        store.clear_cursors(name)?;
        store.forget_writes_of(name)?;
        store.discard_queued(name)?;
        store.set_queued_status(name, ChangeStatus::Parked)?;
        self.context.set_state(name, MapState::Stopped, None)?;
        self.context.lifecycle(
            name,
            "succeeded",
            "Stopped: the next run starts with an initial sync",
        );
        Ok(())
    }

    /// Runs the map's initial sync again over every row (Rerun all), keeping its queued and
    /// failed changes; rows the other side already holds are not written again. For "rerun
    /// failed rows only", [`Engine::retry`] puts the failed changes back in the queue.
    pub async fn rerun(&self, name: &str) -> Result<(), EngineError> {
        self.context.load_map(name)?;
        if self.context.store.link()?.is_none() {
            return Err(EngineError::NotLinked);
        }
        if let Some(running) = self.running.lock().await.remove(name) {
            let _ = running.stop.send(true);
            let _ = running.task.await;
        }
        self.context.store.clear_cursors(name)?;
        self.context.lifecycle(
            name,
            "succeeded",
            "Rerun: the initial sync runs again over every row; queued and failed changes are kept",
        );
        self.start(name, true).await
    }

    /// Clears the reason a map shows (a failure it has left behind), keeping its state.
    pub fn clear_reason(&self, name: &str) -> Result<(), EngineError> {
        let map = self
            .context
            .store
            .map(name)?
            .ok_or_else(|| EngineError::UnknownMap(name.to_owned()))?;
        if map.reason.is_some() {
            self.context.set_state(name, map.state, None)?;
        }
        Ok(())
    }

    /// Changes in a map's queue (queued, parked, failed), oldest first, optionally only
    /// those whose integration key contains `key`.
    pub fn queued(
        &self,
        name: &str,
        key: Option<&str>,
        limit: u32,
    ) -> Result<Vec<QueuedChange>, EngineError> {
        self.context.load_map(name)?;
        Ok(self.context.store.queued_changes(name, key, limit)?)
    }

    /// Puts parked or failed changes back in the queue: one (`seq`) or all of the map.
    pub async fn retry(&self, name: &str, seq: Option<i64>) -> Result<usize, EngineError> {
        self.context.load_map(name)?;
        let moved = self.context.store.retry_changes(name, seq)?;
        self.context.lifecycle(
            name,
            "succeeded",
            &format!("{moved} changes queued again for retry"),
        );
        let _ = self
            .context
            .events
            .send(EngineEvent::MapChanged(name.to_owned()));
        Ok(moved)
    }

    /// Starts again every map that was running, initializing, resuming, in error (retrying) or
    /// paused when Duet closed.
    pub async fn resume_all(&self) -> Result<(), EngineError> {
        for map in self.context.store.maps()? {
            match map.state {
                // A map in Error was retrying its round when Duet closed: it goes on.
                MapState::Running
                | MapState::Initializing
                | MapState::Resuming
                | MapState::Error => self.start(&map.name, true).await?,
                MapState::Paused => self.start(&map.name, false).await?,
                MapState::NotRunning | MapState::Stopped => {}
            }
        }
        Ok(())
    }

    /// Stops every task without changing stored states, for a clean shutdown.
    pub async fn shutdown(&self) {
        self.closed.send_replace(true);
        let mut running = self.running.lock().await;
        for (_, run) in running.drain() {
            let _ = run.stop.send(true);
            let _ = run.task.await;
        }
    }
}
