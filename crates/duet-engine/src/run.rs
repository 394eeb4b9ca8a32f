//! Running maps: the per-map task, its states, and how one change crosses to the other side.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use duet_connect::{
    BatchItem, BatchRequest, ConnectError, DataverseClient, ErrorClass, FinOpsClient, RetryPolicy,
};
use duet_maps::{LookupField, MapError, Row, RowKey, Side, TableMap, same_values};
use duet_store::{
    ActivityRecord, ChangeStatus, CursorMove, NewActivity, NewChange, QueuedChange, Store,
    StoreError,
};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::{Mutex, Notify, broadcast, mpsc, watch};
use tokio::task::JoinHandle;

mod filters;
mod reconcile;
mod skip;

pub use skip::has_synced_state;

use crate::alerts::AlertMonitor;
use crate::clock::Clock;

const DELTA_CURSOR: &str = "dataverse.deltaLink";
const WATERMARK_CURSOR: &str = "financeOperations.modifiedDateTime";
const MODIFIED_FIELD: &str = "ModifiedDateTime";
const INITIAL_DELTA: &str = "initial.deltaLink";
const INITIAL_LAST_KEY: &str = "initial.lastKey";
const INITIAL_PROGRESS: &str = "initial.progress";
/// Which pass of the initial sync of a map with self-references is under way (`2` once every
/// row was written without them).
const INITIAL_PASS: &str = "initial.pass";
/// The last key the second pass (self-references only) has written.
const INITIAL_SECOND_LAST_KEY: &str = "initial.secondPassLastKey";
/// How many times a change waits for a row it looks up before it is set aside as failed
/// (kept for retry), unless that row waits in its own map's queue.
const LOOKUP_WAITS: i64 = 10;
/// While a map resumes by catching up: the last change queued when it resumed. Once every
/// change up to it is settled the map is Running again.
const CATCH_UP_MARK: &str = "resume.catchUpTo";
/// How the error of a change waiting for its self-reference target begins.
const WAITING: &str = "waiting for";
/// How the reason of a change held back for a row of another map begins.
const HELD_BACK: &str = "held back until";
/// Set when a map was started without an initial sync and its cursors are not established
/// yet (cleared once they are, and by Stop).
const SKIP_INITIAL: &str = "initial.skip";
/// Rows read per initial-sync page, and per checkpoint.
const INITIAL_CHUNK: usize = 1000;
/// Rows per `UpsertMultiple` request.
const INITIAL_BULK: usize = 200;
/// The alert class of problems in the data or the map rather than in the connection.
const APPLICATION: &str = "application";

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
        action: String,
    },
}

#[derive(Debug, Clone)]
pub struct EngineSettings {
    /// How often finance and operations is polled for rows past the watermark.
    pub poll_interval: Duration,
    /// How long a Dataverse delta request may be held open by a server that supports it.
    pub delta_wait: Duration,
    /// The pause after a failed round before the next one.
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
}

struct Context {
    store: Arc<Store>,
    finops: Arc<FinOpsClient>,
    dataverse: Arc<DataverseClient>,
    clock: Arc<dyn Clock>,
    settings: EngineSettings,
    events: broadcast::Sender<EngineEvent>,
    alerts: std::sync::Mutex<AlertMonitor>,
    /// Alert actions (map, action) for the engine to carry out outside the map's own task.
    actions: mpsc::UnboundedSender<(String, String)>,
}

impl Engine {
    pub fn new(
        store: Arc<Store>,
        finops: Arc<FinOpsClient>,
        dataverse: Arc<DataverseClient>,
        clock: Arc<dyn Clock>,
        settings: EngineSettings,
    ) -> Arc<Engine> {
        let (events, _) = broadcast::channel(1024);
        let (actions, mut requests) = mpsc::unbounded_channel::<(String, String)>();
        let engine = Arc::new(Engine {
            context: Arc::new(Context {
                store,
                finops,
                dataverse,
                clock,
                settings,
                events,
                alerts: std::sync::Mutex::new(AlertMonitor::default()),
                actions,
            }),
            running: Mutex::new(HashMap::new()),
        });
        let weak = Arc::downgrade(&engine);
        tokio::spawn(async move {
            while let Some((map, action)) = requests.recv().await {
                let Some(engine) = weak.upgrade() else { return };
                let done = match action.as_str() {
                    "pause" => engine.pause(&map).await,
                    "stop" => engine.stop(&map).await,
                    _ => Ok(()),
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

    /// Runs a map: an initial sync when it has never run (or was stopped), then live sync.
    /// A paused map resumes by catching up; a map in Error starts its round again now
    /// instead of waiting for its next attempt.
    pub async fn run(&self, name: &str) -> Result<(), EngineError> {
        let errored = self
            .context
            .store
            .map(name)?
            .is_some_and(|map| map.state == "error");
        if self.is_started(name).await && !errored {
            return self.resume(name, ResumeMode::CatchUp).await;
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

    async fn is_started(&self, name: &str) -> bool {
        self.running
            .lock()
            .await
            .get(name)
            .is_some_and(|running| !running.task.is_finished())
    }

    async fn start(&self, name: &str, applying: bool) -> Result<(), EngineError> {
        let map = self.context.load_map(name)?;
        if self.context.store.link()?.is_none() {
            return Err(EngineError::NotLinked);
        }
        let mut running = self.running.lock().await;
        if let Some(existing) = running.remove(name) {
            let _ = existing.stop.send(true);
            let _ = existing.task.await;
        }
        let (stop, stopped) = watch::channel(false);
        let (applying_sender, applying_receiver) = watch::channel(applying);
        let context = self.context.clone();
        let task =
            tokio::spawn(async move { context.drive(map, stopped, applying_receiver).await });
        running.insert(
            name.to_owned(),
            Running {
                stop,
                applying: applying_sender,
                task,
            },
        );
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
        self.context.set_state(name, "paused", None)?;
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
        // Catching up, the map is Resuming until every change queued now is settled.
        let mut state = "running";
        let message = match mode {
            ResumeMode::CatchUp => {
                let (queued, _, _) = store.queue_depth(name)?;
                let live = store.map(name)?.is_some_and(|map| map.state == "running");
                if !live && let Some(last) = store.last_queued_seq(name)? {
                    store.set_cursor(name, CATCH_UP_MARK, &last.to_string())?;
                    state = "resuming";
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
        // Running, which a later Resuming would overwrite for good.
        self.context.set_state(name, state, None)?;
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
        self.context.set_state(name, "stopped", None)?;
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
            match map.state.as_str() {
                // A map in Error was retrying its round when Duet closed: it goes on.
                "running" | "initializing" | "resuming" | "error" => {
                    self.start(&map.name, true).await?
                }
                "paused" => self.start(&map.name, false).await?,
                _ => {}
            }
        }
        Ok(())
    }

    /// Stops every task without changing stored states, for a clean shutdown.
    pub async fn shutdown(&self) {
        let mut running = self.running.lock().await;
        for (_, run) in running.drain() {
            let _ = run.stop.send(true);
            let _ = run.task.await;
        }
    }
}

impl Context {
    fn load_map(&self, name: &str) -> Result<TableMap, EngineError> {
        let record = self
            .store
            .map(name)?
            .ok_or_else(|| EngineError::UnknownMap(name.to_owned()))?;
        serde_json::from_value(record.definition).map_err(|error| EngineError::InvalidMap {
            name: name.to_owned(),
            reason: error.to_string(),
        })
    }

    /// The map's lookup fields whose target map is known (itself, or a stored map).
    fn lookups_of(&self, map: &TableMap) -> Vec<ResolvedLookup> {
        map.lookup_fields()
            .into_iter()
            .filter_map(|field| {
                let target = if field.self_reference {
                    map.clone()
                } else {
                    self.load_map(&field.target_map).ok()?
                };
                Some(ResolvedLookup {
                    single_key: target.key.dataverse.len() == 1
                        && target.key.dataverse[0] == field.column,
                    target,
                    field,
                })
            })
            .collect()
    }

    fn set_state(&self, name: &str, state: &str, reason: Option<&str>) -> Result<(), StoreError> {
        self.store
            .set_map_state(name, state, reason, &self.clock.stamp())?;
        let _ = self.events.send(EngineEvent::MapChanged(name.to_owned()));
        Ok(())
    }

    /// Counts an error against the alert rules and carries out what fires.
    fn observe_error(&self, map: &str, class: &str) {
        let rules = match self.store.alert_rules() {
            Ok(rules) => rules,
            Err(error) => {
                tracing::error!(map = %map, error = %error, "alert rules could not be read");
                return;
            }
        };
        let fired = self
            .alerts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .observe(map, class, self.clock.now(), &rules);
        for alert in fired {
            let action = alert.rule.action.clone();
            let message = format!(
                "Alert: {} errors of class {} within {} minutes (threshold {}); action: {}",
                alert.count,
                alert.rule.class,
                alert.rule.window_minutes,
                alert.rule.threshold,
                action
            );
            self.lifecycle(map, "alert", &message);
            let _ = self.events.send(EngineEvent::Alert {
                map: map.to_owned(),
                message,
                action: action.clone(),
            });
            if action != "none" {
                let _ = self.actions.send((map.to_owned(), action));
            }
        }
    }

    /// Shows a reason on the map without changing its state.
    fn set_reason(&self, name: &str, reason: Option<&str>) {
        if let Ok(Some(map)) = self.store.map(name)
            && map.reason.as_deref() != reason
        {
            let _ = self.set_state(name, &map.state, reason);
        }
    }

    fn record(&self, entry: NewActivity) {
        match self.store.add_activity(&entry) {
            Ok(record) => {
                let _ = self.events.send(EngineEvent::Activity(Box::new(record)));
            }
            Err(error) => {
                tracing::error!(map = %entry.map, error = %error, "activity log write failed")
            }
        }
    }

    fn lifecycle(&self, map: &str, status: &str, message: &str) {
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
        });
    }

    async fn drive(
        self: Arc<Self>,
        map: TableMap,
        mut stopped: watch::Receiver<bool>,
        applying: watch::Receiver<bool>,
    ) {
        let mut last_failure: Option<String> = None;
        // Doubles after each failed round in a row, up to 64 times the failure pause.
        let mut pause = self.settings.failure_pause;
        loop {
            if *stopped.borrow() {
                return;
            }
            let outcome = self
                .clone()
                .run_once(&map, stopped.clone(), applying.clone())
                .await;
            let message = match outcome {
                Ok(()) => return,
                Err(message) => message,
            };
            // The map is in Error, with the reason (and its fix) shown, until a round works; a
            // paused map stays paused (a restart must not unpause it) and shows the reason.
            if *applying.borrow() {
                if let Err(error) = self.set_state(&map.name, "error", Some(&message)) {
                    tracing::error!(map = %map.name, error = %error, "map state write failed");
                }
            } else {
                self.set_reason(&map.name, Some(&message));
            }
            if last_failure.as_deref() != Some(message.as_str()) {
                tracing::warn!(map = %map.name, error = %message, "sync round failed");
                self.lifecycle(
                    &map.name,
                    "failed",
                    &format!(
                        "{message} (the map starts again by itself, waiting longer each time)"
                    ),
                );
                last_failure = Some(message);
                pause = self.settings.failure_pause;
            } else {
                pause = (pause * 2).min(self.settings.failure_pause * 64);
            }
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = stopped.changed() => return,
            }
        }
    }

    /// Initial sync when needed, then capture and apply until stopped. An error ends the
    /// round; `drive` waits and starts another from the stored cursors and queue.
    async fn run_once(
        self: Arc<Self>,
        map: &TableMap,
        stopped: watch::Receiver<bool>,
        applying: watch::Receiver<bool>,
    ) -> Result<(), String> {
        let companies = self
            .store
            .link()
            .map_err(|error| error.to_string())?
            .ok_or("no environments are linked")?
            .companies;
        let mut codes = CompanyCodes::default();
        codes
            .refresh(&self.dataverse, map)
            .await
            .map_err(|error| error.to_string())?;
        let lookups = self.lookups_of(map);
        let session = Arc::new(Session {
            context: self.clone(),
            map: map.clone(),
            lookups,
            companies,
            codes: Mutex::new(codes),
            captured: Notify::new(),
            capture_failing: std::sync::Mutex::new(HashSet::new()),
            lookup_keys: std::sync::Mutex::new(HashMap::new()),
            settled_early: std::sync::Mutex::new(HashSet::new()),
        });
        if self
            .store
            .cursor(&map.name, DELTA_CURSOR)
            .map_err(|error| error.to_string())?
            .is_none()
        {
            if self
                .store
                .cursor(&map.name, SKIP_INITIAL)
                .map_err(|error| error.to_string())?
                .is_some()
            {
                session.go_live_without_initial_sync().await?;
            } else {
                let mut applying = applying.clone();
                let mut stopped = stopped.clone();
                if !session.initial_sync(&mut applying, &mut stopped).await? {
                    return Ok(());
                }
            }
        }
        let catching_up = self
            .store
            .cursor(&map.name, CATCH_UP_MARK)
            .map_err(|error| error.to_string())?
            .is_some();
        let state = match (*applying.borrow(), catching_up) {
            (true, false) => "running",
            (true, true) => "resuming",
            (false, _) => "paused",
        };
        self.set_state(&map.name, state, None)
            .map_err(|error| error.to_string())?;
        let dataverse = session.clone().capture_dataverse(stopped.clone());
        let finops = session.clone().capture_finops(stopped.clone());
        let apply = session.clone().apply_queue(stopped, applying);
        tokio::try_join!(dataverse, finops, apply).map(|_| ())
    }
}

/// A lookup field the engine can resolve: the map it points into is known, so its rows can
/// be addressed by key (`@odata.bind`) and its Dataverse ids read back as keys.
struct ResolvedLookup {
    field: LookupField,
    /// The map the looked-up rows belong to (this map itself for a self-reference).
    target: TableMap,
    /// The path's column is the target map's whole Dataverse key, so a value identifies one
    /// row; only such lookups are resolved and written as bindings.
    single_key: bool,
}

/// One run of one map: what the capture loops and the apply loop share.
struct Session {
    context: Arc<Context>,
    map: TableMap,
    lookups: Vec<ResolvedLookup>,
    companies: Vec<String>,
    codes: Mutex<CompanyCodes>,
    /// Wakes the apply loop when a capture added changes.
    captured: Notify,
    /// The captures currently failing, so each failure is logged once and its recovery too.
    capture_failing: std::sync::Mutex<HashSet<String>>,
    /// Key values of looked-up Dataverse rows read by id: (target map, id) → key value.
    lookup_keys: std::sync::Mutex<HashMap<(String, String), String>>,
    /// Queued changes settled out of turn (conflict losers dropped while applying their
    /// rival), which the apply loop's current batch may still hold.
    settled_early: std::sync::Mutex<HashSet<i64>>,
}

#[derive(Default)]
struct CompanyCodes {
    by_id: HashMap<String, String>,
}

impl CompanyCodes {
    async fn refresh(
        &mut self,
        dataverse: &DataverseClient,
        map: &TableMap,
    ) -> Result<(), ConnectError> {
        let Some(striping) = &map.company else {
            return Ok(());
        };
        let id_column = "cdm_companyid";
        let rows = dataverse
            .query(
                &striping.company_entity_set,
                &[(
                    "$select",
                    &format!("{id_column},{}", striping.company_code_column),
                )],
            )
            .await?;
        self.by_id = rows
            .iter()
            .filter_map(|row| {
                let id = row.get(id_column)?.as_str()?;
                let code = row.get(&striping.company_code_column)?.as_str()?;
                Some((id.to_lowercase(), code.to_uppercase()))
            })
            .collect();
        Ok(())
    }
}

/// A row made ready to write to the other side by [`Session::prepare`].
struct Prepared<'r> {
    from: Side,
    key: RowKey,
    /// The source row, with its Dataverse lookups resolved to key values.
    row: Cow<'r, Row>,
    dataverse_id: Option<String>,
    payload: Row,
    /// What Duet remembers of the row on the other side.
    known: Option<Value>,
    latency_ms: Option<i64>,
}

/// What [`Session::prepare`] made of a row.
enum Prepare<'s, 'r> {
    /// Ready to write as it is.
    Ready(Prepared<'r>),
    /// Its self-references to these rows cannot be written yet: written without them.
    WithoutSelfReferences(Prepared<'r>, Vec<(&'s ResolvedLookup, String, RowKey)>),
    /// Nothing to write: the outcome is known already.
    Done(Outcome),
}

/// What became of one change.
enum Outcome {
    Written,
    /// The other side already holds these values (an echo, or nothing mapped changed).
    Unchanged,
    /// Out of scope: a company that is not in the link.
    Ignored,
    /// Refused for a reason retrying alone cannot fix; logged with its payload.
    Refused {
        message: String,
        class: &'static str,
    },
    /// The target could not take it now (throttled, down, timed out); retried in place.
    Unavailable {
        message: String,
        class: &'static str,
    },
    /// Not (wholly) written yet: a row it looks up is not on the other side but on its way.
    /// Either the row went without a self-reference whose target is missing, or it waits for
    /// a parent row of another map. The change is applied again once the target may be there.
    Waiting {
        message: String,
        /// The target waits in its own map's queue, so the wait has no attempt limit.
        patient: bool,
    },
}

impl Session {
    fn name(&self) -> &str {
        &self.map.name
    }

    fn store(&self) -> &Store {
        &self.context.store
    }

    fn dataverse_select(&self) -> Vec<String> {
        let mut columns: Vec<String> = vec![self.map.dataverse_id.clone()];
        // A lookup path (`msdyn_billingaccount.accountnumber`) is read as the lookup's id
        // (`_msdyn_billingaccount_value`) and resolved to the looked-up row's key.
        columns.extend(
            self.map
                .fields
                .iter()
                .filter_map(|field| field.dataverse.as_deref())
                .map(|name| match name.split_once('.') {
                    Some((lookup, _)) => format!("_{lookup}_value"),
                    None => name.to_owned(),
                }),
        );
        if let Some(striping) = &self.map.company {
            columns.push(format!("_{}_value", striping.dataverse_lookup));
        }
        columns.push("modifiedon".to_owned());
        let mut seen = HashSet::new();
        columns.retain(|column| seen.insert(column.clone()));
        columns
    }

    fn company_filter(&self) -> Option<String> {
        let striping = self.map.company.as_ref()?;
        let clauses: Vec<String> = self
            .companies
            .iter()
            .map(|code| {
                format!(
                    "{} eq {}",
                    striping.finance_operations_field,
                    duet_connect::quote(code)
                )
            })
            .collect();
        Some(format!("({})", clauses.join(" or ")))
    }

    /// Copies existing finance and operations rows to Dataverse in key order, a chunk at a
    /// time, with bulk writes. Checkpointed after every chunk, so a crash, a restart or a pause
    /// resumes where it stopped. Returns false when stopped before the end.
    async fn initial_sync(
        &self,
        applying: &mut watch::Receiver<bool>,
        stopped: &mut watch::Receiver<bool>,
    ) -> Result<bool, String> {
        let store = self.store();
        let text = |error: StoreError| error.to_string();
        self.context
            .set_state(self.name(), "initializing", None)
            .map_err(text)?;
        let resumed = store.cursor(self.name(), INITIAL_LAST_KEY).map_err(text)?;
        self.context.lifecycle(
            self.name(),
            "started",
            if resumed.is_some() {
                "Initial sync resumed from its last checkpoint (finance and operations → Dataverse)"
            } else {
                "Initial sync started (finance and operations → Dataverse)"
            },
        );
        // Tracking starts before the copy, so a Dataverse change made during it is not missed.
        let tracking_link = match store.cursor(self.name(), INITIAL_DELTA).map_err(text)? {
            Some(link) => link,
            None => {
                let select = self.dataverse_select();
                let select: Vec<&str> = select.iter().map(String::as_str).collect();
                let tracking = self
                    .context
                    .dataverse
                    .track_changes(&self.map.dataverse_entity_set, &select)
                    .await
                    .map_err(|error| format!("starting Dataverse change tracking: {error}"))?;
                // Lookups between these rows resolve among themselves, without a request each.
                let by_id = self.rows_by_id(&tracking.changed);
                for row in &tracking.changed {
                    self.remember_dataverse(row, &by_id).await;
                }
                store
                    .set_cursor(self.name(), INITIAL_DELTA, &tracking.delta_link)
                    .map_err(text)?;
                tracking.delta_link
            }
        };
        // The watermark live sync starts from is the newest change before the copy began, so
        // rows changed during the copy are read again (harmless: unchanged rows are not written).
        if store
            .cursor(self.name(), WATERMARK_CURSOR)
            .map_err(text)?
            .is_none()
            && let Some(modified) = self.newest_finops_modified().await?
        {
            store
                .advance_watermark(self.name(), WATERMARK_CURSOR, &modified)
                .map_err(text)?;
        }
        let mut progress: Progress = store
            .cursor(self.name(), INITIAL_PROGRESS)
            .map_err(text)?
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default();
        if progress.total.is_none() {
            let mut params = vec![("cross-company", "true".to_owned())];
            if let Some(filter) = self.finops_read_filter()? {
                params.push(("$filter", filter));
            }
            let params: Vec<(&str, &str)> = params
                .iter()
                .map(|(name, value)| (*name, value.as_str()))
                .collect();
            progress.total = self
                .context
                .finops
                .count(&self.map.finance_operations_entity, &params)
                .await
                .ok();
        }
        let order: Vec<String> = self.keyset_fields();
        let started = std::time::Instant::now();
        let done_before = progress.done;
        // A map whose rows refer to rows of the same table writes them in two passes: every
        // row without its self-references first, then only the self-references, once every
        // row they can point at exists.
        let passes: u8 = if self.map.needs_two_pass_write() {
            2
        } else {
            1
        };
        let mut pass: u8 = store
            .cursor(self.name(), INITIAL_PASS)
            .map_err(text)?
            .and_then(|value| value.parse().ok())
            .unwrap_or(1);
        let mut second_pass_written = 0u64;
        while pass <= passes {
            let key_cursor = if pass == 1 {
                INITIAL_LAST_KEY
            } else {
                INITIAL_SECOND_LAST_KEY
            };
            let last_key: Option<Vec<String>> = store
                .cursor(self.name(), key_cursor)
                .map_err(text)?
                .and_then(|json| serde_json::from_str(&json).ok());
            // Reads run one chunk ahead: while a chunk is written, the next one is read.
            let mut rows = self.read_initial_chunk(&order, last_key.as_deref()).await?;
            loop {
                if !*applying.borrow() {
                    self.context
                        .set_state(self.name(), "paused", None)
                        .map_err(text)?;
                    while !*applying.borrow() {
                        tokio::select! {
                            _ = applying.changed() => {}
                            _ = stopped.changed() => return Ok(false),
                        }
                    }
                    self.context
                        .set_state(self.name(), "initializing", None)
                        .map_err(text)?;
                }
                if *stopped.borrow() {
                    return Ok(false);
                }
                let Some(last) = rows.last() else { break };
                let key: Vec<String> = order
                    .iter()
                    .map(|field| {
                        last.get(field)
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned()
                    })
                    .collect();
                let more = rows.len() >= INITIAL_CHUNK;
                let read_next = async {
                    if more {
                        Some(self.read_initial_chunk(&order, Some(&key)).await)
                    } else {
                        None
                    }
                };
                let next = if pass == 1 {
                    let (written, next) = tokio::join!(self.copy_chunk(&rows), read_next);
                    progress.written += written?;
                    progress.done += rows.len() as u64;
                    let elapsed = started.elapsed().as_secs_f64().max(0.001);
                    progress.rows_per_second = (progress.done - done_before) as f64 / elapsed;
                    next
                } else {
                    let (written, next) = tokio::join!(self.link_chunk(&rows), read_next);
                    second_pass_written += written?;
                    next
                };
                store
                    .set_cursor(
                        self.name(),
                        key_cursor,
                        &serde_json::to_string(&key).map_err(|error| error.to_string())?,
                    )
                    .map_err(text)?;
                store
                    .set_cursor(
                        self.name(),
                        INITIAL_PROGRESS,
                        &serde_json::to_string(&progress).map_err(|error| error.to_string())?,
                    )
                    .map_err(text)?;
                let _ = self
                    .context
                    .events
                    .send(EngineEvent::MapChanged(self.name().to_owned()));
                match next {
                    Some(next) => rows = next?,
                    None => break,
                }
            }
            pass += 1;
            if pass <= passes {
                store
                    .set_cursor(self.name(), INITIAL_PASS, &pass.to_string())
                    .map_err(text)?;
            }
        }
        if passes == 2 {
            self.context.lifecycle(
                self.name(),
                "succeeded",
                &format!(
                    "Initial sync second pass: {second_pass_written} rows got their self-references in Dataverse"
                ),
            );
        }
        let (from_dataverse, not_eligible) = self.copy_from_dataverse().await?;
        progress.written += from_dataverse;
        if not_eligible > 0 {
            self.context.lifecycle(
                self.name(),
                "warning",
                &format!(
                    "{not_eligible} Dataverse rows were not synced: they have no company of the link \
                     (bootstrap them with a company code to include them)"
                ),
            );
        }
        store
            .set_cursor(self.name(), DELTA_CURSOR, &tracking_link)
            .map_err(text)?;
        for name in [
            INITIAL_DELTA,
            INITIAL_LAST_KEY,
            INITIAL_PROGRESS,
            INITIAL_PASS,
            INITIAL_SECOND_LAST_KEY,
        ] {
            store.delete_cursor(self.name(), name).map_err(text)?;
        }
        self.context.lifecycle(
            self.name(),
            "succeeded",
            &format!(
                "Initial sync finished: {} rows read, {} written ({:.0} rows/s)",
                progress.done, progress.written, progress.rows_per_second
            ),
        );
        Ok(true)
    }

    /// The second phase of an initial sync: Dataverse rows of the link's companies that
    /// finance and operations lacks (or, when Dataverse is the master, that differ) are
    /// written there. Rows without a company of the link are counted, not synced. Safe to run
    /// again after a crash: rows already equal are not written. Returns (written, not eligible).
    async fn copy_from_dataverse(&self) -> Result<(u64, u64), String> {
        let flows = self
            .map
            .fields
            .iter()
            .any(|field| field.direction.flows_from(Side::Dataverse));
        if !flows {
            return Ok((0, 0));
        }
        let select = self.dataverse_select().join(",");
        let rows = self
            .context
            .dataverse
            .query(&self.map.dataverse_entity_set, &[("$select", &select)])
            .await
            .map_err(|error| {
                with_fix(
                    &format!("reading {}", self.map.dataverse_entity_set),
                    &error,
                )
            })?;
        let (mut written, mut not_eligible) = (0u64, 0u64);
        // Rows written without a self-reference whose target was not in finance and
        // operations yet get a second pass once every row of the phase was written.
        let mut waiting: Vec<&Row> = Vec::new();
        let source_filter = self.dataverse_filter()?;
        let mut eligible: Vec<&Row> = Vec::new();
        for row in &rows {
            if !self.passes_dataverse_filter(source_filter.as_ref(), row) {
                continue;
            }
            let company = self.company_of_dataverse(row).await;
            let Ok(key) = self.map.key_of_dataverse(row, company.as_deref()) else {
                not_eligible += 1;
                continue;
            };
            if let Some(code) = &key.company
                && !self
                    .companies
                    .iter()
                    .any(|linked| linked.eq_ignore_ascii_case(code))
            {
                continue;
            }
            if self.map.master == Side::FinanceOperations
                && self
                    .store()
                    .shadow(
                        self.name(),
                        Side::FinanceOperations.as_str(),
                        &key.to_string(),
                    )
                    .map_err(|error| error.to_string())?
                    .is_some()
            {
                continue;
            }
            eligible.push(row);
        }
        for chunk in eligible.chunks(INITIAL_BULK) {
            let mut outcomes: Vec<(&Row, Outcome)> = Vec::with_capacity(chunk.len());
            let mut ready: Vec<(&Row, Prepared<'_>)> = Vec::new();
            for &row in chunk {
                match self.prepare(Side::Dataverse, row, false).await {
                    Prepare::Ready(prepared) => ready.push((row, prepared)),
                    Prepare::WithoutSelfReferences(prepared, missing) => outcomes.push((
                        row,
                        self.apply_without_self_references(prepared, missing).await,
                    )),
                    Prepare::Done(outcome) => outcomes.push((row, outcome)),
                }
            }
            let (rows_ready, prepared): (Vec<&Row>, Vec<Prepared<'_>>) = ready.into_iter().unzip();
            let results = self.write_finops_batch(&prepared).await;
            for ((row, prepared), (result, note)) in
                rows_ready.into_iter().zip(prepared).zip(results)
            {
                outcomes.push((row, self.finish(prepared, result, note)));
            }
            for (row, outcome) in outcomes {
                match outcome {
                    Outcome::Written => written += 1,
                    Outcome::Waiting { .. } => waiting.push(row),
                    Outcome::Unavailable { message, class } => {
                        self.context.observe_error(self.name(), class);
                        return Err(message);
                    }
                    Outcome::Refused { message, .. } => {
                        self.keep_refused_dataverse(row, &message).await?
                    }
                    _ => {}
                }
            }
        }
        for row in waiting {
            match self.apply(Side::Dataverse, row, false).await {
                Outcome::Written => written += 1,
                Outcome::Waiting { message, patient } => {
                    let company = self.company_of_dataverse(row).await;
                    // The first round read this key, so it reads again.
                    let Ok(key) = self.map.key_of_dataverse(row, company.as_deref()) else {
                        continue;
                    };
                    let key = key.to_string();
                    let id = row.get(&self.map.dataverse_id).and_then(Value::as_str);
                    if patient {
                        // Its parent waits in its own map's queue: live sync applies the row
                        // once the parent is there.
                        let change = self.change(
                            Side::Dataverse,
                            "upsert",
                            Some(key),
                            id.map(str::to_owned),
                            Value::Object(row.clone()),
                        );
                        self.store()
                            .enqueue(self.name(), &[change], None)
                            .map_err(|error| error.to_string())?;
                    } else {
                        self.keep_failed(Side::Dataverse, &key, id, row, &message)?;
                    }
                }
                Outcome::Unavailable { message, class } => {
                    self.context.observe_error(self.name(), class);
                    return Err(message);
                }
                Outcome::Refused { message, .. } => {
                    self.keep_refused_dataverse(row, &message).await?
                }
                _ => {}
            }
        }
        Ok((written, not_eligible))
    }

    /// Dataverse columns of fields that flow both ways.
    fn two_way_dataverse_columns(&self) -> HashSet<String> {
        self.map
            .fields
            .iter()
            .filter(|field| {
                field.direction.flows_from(Side::Dataverse)
                    && field.direction.flows_from(Side::FinanceOperations)
            })
            .filter_map(|field| field.dataverse.clone())
            .collect()
    }

    /// The finance and operations fields that order rows for keyset paging: company, then key.
    fn keyset_fields(&self) -> Vec<String> {
        self.map
            .company
            .iter()
            .map(|striping| striping.finance_operations_field.clone())
            .chain(self.map.key.finance_operations.iter().cloned())
            .collect()
    }

    /// The Dataverse paths of the map's self-reference fields.
    fn self_reference_paths(&self) -> HashSet<String> {
        self.lookups
            .iter()
            .filter(|lookup| lookup.field.self_reference)
            .map(|lookup| lookup.field.path.clone())
            .collect()
    }

    /// The newest `ModifiedDateTime` among the map's finance and operations rows of the
    /// link's companies: where live polling starts.
    async fn newest_finops_modified(&self) -> Result<Option<String>, String> {
        let mut params = vec![("cross-company", "true".to_owned())];
        if let Some(filter) = self.company_filter() {
            params.push(("$filter", filter));
        }
        params.push(("$orderby", format!("{MODIFIED_FIELD} desc")));
        let params: Vec<(&str, &str)> = params
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect();
        let newest = self
            .context
            .finops
            .query_page(&self.map.finance_operations_entity, &params, 1)
            .await
            .map_err(|error| {
                with_fix(
                    &format!("reading {}", self.map.finance_operations_entity),
                    &error,
                )
            })?;
        Ok(newest
            .first()
            .and_then(|row| row.get(MODIFIED_FIELD))
            .and_then(Value::as_str)
            .map(str::to_owned))
    }

    /// The next chunk of the initial sync in key order: rows of the link's companies after
    /// `last` (from the start when `None`).
    async fn read_initial_chunk(
        &self,
        order: &[String],
        last: Option<&[String]>,
    ) -> Result<Vec<Row>, String> {
        let mut clauses: Vec<String> = self.finops_read_filter()?.into_iter().collect();
        if let Some(last) = last {
            clauses.push(keyset_after(order, last));
        }
        let filter = clauses.join(" and ");
        let orderby = order.join(",");
        let mut params = vec![("cross-company", "true"), ("$orderby", orderby.as_str())];
        if !filter.is_empty() {
            params.push(("$filter", filter.as_str()));
        }
        self.context
            .finops
            .query_page(&self.map.finance_operations_entity, &params, INITIAL_CHUNK)
            .await
            .map_err(|error| {
                with_fix(
                    &format!("reading {}", self.map.finance_operations_entity),
                    &error,
                )
            })
    }

    /// Writes one chunk of the initial sync to Dataverse with `UpsertMultiple`, skipping rows
    /// Dataverse already holds; a refused batch is retried row by row so each failure is
    /// logged on its own row. Self-references are left to the second pass ([`Self::link_chunk`]).
    /// Returns how many rows were written.
    async fn copy_chunk(&self, rows: &[Row]) -> Result<u64, String> {
        let self_references = self.self_reference_paths();
        let mut pending = Vec::new();
        // What Duet saw in finance and operations, remembered for the whole chunk at once.
        let mut seen = Vec::with_capacity(rows.len());
        for row in rows {
            let key = match self.map.key_of_finance_operations(row) {
                Ok(key) => key,
                Err(error) => {
                    self.refuse(
                        Side::FinanceOperations,
                        None,
                        "read",
                        Cause::Map(&error.to_string()),
                        Some(Value::Object(row.clone())),
                    );
                    continue;
                }
            };
            let key_text = key.to_string();
            seen.push((
                key_text.clone(),
                None,
                self.map.projection(Side::FinanceOperations, row),
            ));
            let mut payload = match self.map.transform(Side::FinanceOperations, row) {
                Ok(payload) => payload,
                Err(error) => {
                    if let Outcome::Refused { message, .. } = self.refuse(
                        Side::FinanceOperations,
                        Some(&key_text),
                        "transform",
                        Cause::Map(&error.to_string()),
                        Some(Value::Object(row.clone())),
                    ) {
                        self.keep_in_queue(
                            Side::FinanceOperations,
                            &key_text,
                            None,
                            row,
                            &message,
                        )?;
                    }
                    continue;
                }
            };
            payload.retain(|column, _| !self_references.contains(column));
            let known = self
                .store()
                .shadow(self.name(), Side::Dataverse.as_str(), &key_text)
                .map_err(|error| error.to_string())?;
            // A row on both sides of a Dataverse-mastered map keeps its Dataverse values in
            // the two-way fields (the Dataverse phase writes them to finance and operations);
            // fields that only flow to Dataverse are still written.
            if known.is_some() && self.map.master == Side::Dataverse {
                let two_way = self.two_way_dataverse_columns();
                payload.retain(|column, _| !two_way.contains(column));
            }
            if let Some(Value::Object(known)) = &known
                && same_values(&payload, known)
            {
                continue;
            }
            pending.push(self.pending_for_dataverse(key, payload, row));
        }
        self.store()
            .merge_shadows(self.name(), Side::FinanceOperations.as_str(), &seen)
            .map_err(|error| error.to_string())?;
        self.write_pending(pending, "initial sync: upsert in Dataverse")
            .await
    }

    /// The second pass of the initial sync of a map with self-references: for each row of the
    /// chunk, only its self-reference columns, now that every row of the run was written.
    /// A reference to a row Dataverse does not hold is not written: the row is set aside as a
    /// failed change with the reason (kept for retry), never dropped. Returns how many rows
    /// were written.
    async fn link_chunk(&self, rows: &[Row]) -> Result<u64, String> {
        let text = |error: StoreError| error.to_string();
        let mut pending = Vec::new();
        for row in rows {
            // Rows whose key or transform fails were reported by the first pass.
            let Ok(key) = self.map.key_of_finance_operations(row) else {
                continue;
            };
            if key.company.as_deref().is_some_and(|code| {
                !self
                    .companies
                    .iter()
                    .any(|linked| linked.eq_ignore_ascii_case(code))
            }) {
                continue;
            }
            let Ok(payload) = self.map.transform(Side::FinanceOperations, row) else {
                continue;
            };
            let key_text = key.to_string();
            let Some(Value::Object(known)) = self
                .store()
                .shadow(self.name(), Side::Dataverse.as_str(), &key_text)
                .map_err(text)?
            else {
                // The row itself is not in Dataverse: its first-pass failure is in the log.
                continue;
            };
            let mut links = Row::new();
            let mut missing = Vec::new();
            for lookup in self.lookups.iter().filter(|l| l.field.self_reference) {
                let Some(value) = payload.get(&lookup.field.path) else {
                    continue;
                };
                if let Some(target) = self.self_target(lookup, &key, value) {
                    let in_dataverse = self
                        .store()
                        .shadow(self.name(), Side::Dataverse.as_str(), &target.to_string())
                        .map_err(text)?
                        .is_some();
                    if !in_dataverse {
                        missing.push((lookup, target));
                        continue;
                    }
                }
                links.insert(lookup.field.path.clone(), value.clone());
            }
            for (lookup, target) in &missing {
                let in_finance_operations = self
                    .store()
                    .shadow(
                        self.name(),
                        Side::FinanceOperations.as_str(),
                        &target.to_string(),
                    )
                    .map_err(text)?
                    .is_some();
                let message = self.missing_target_message(
                    lookup,
                    target,
                    if in_finance_operations {
                        "is in finance and operations but could not be written to Dataverse (see its own error)"
                    } else {
                        "exists neither in finance and operations (in the link's companies) nor in Dataverse"
                    },
                );
                self.keep_failed(Side::FinanceOperations, &key_text, None, row, &message)?;
            }
            if !missing.is_empty() {
                let columns: Vec<String> = missing
                    .iter()
                    .filter_map(|(lookup, _)| lookup.field.finance_operations.clone())
                    .collect();
                self.forget_columns(Side::FinanceOperations, &key_text, None, row, &columns);
            }
            if links.is_empty() || same_values(&links, &known) {
                continue;
            }
            pending.push(self.pending_for_dataverse(key, links, row));
        }
        self.write_pending(
            pending,
            "initial sync, second pass: self-references in Dataverse",
        )
        .await
    }

    /// The row a self-reference value points at: the same company, the value as its key.
    /// None for an empty value, or when the target map's key is not the one column named.
    fn self_target(&self, lookup: &ResolvedLookup, key: &RowKey, value: &Value) -> Option<RowKey> {
        let value = value.as_str().filter(|value| !value.is_empty())?;
        lookup.single_key.then(|| RowKey {
            company: key.company.clone(),
            values: vec![value.to_owned()],
        })
    }

    fn missing_target_message(
        &self,
        lookup: &ResolvedLookup,
        target: &RowKey,
        state: &str,
    ) -> String {
        let field = lookup
            .field
            .finance_operations
            .as_deref()
            .unwrap_or(&lookup.field.path);
        format!(
            "{field} refers to {target}, which {state}; the row was written without this reference"
        )
    }

    /// Sets a row aside as a failed change with its reason: in the error log with its payload,
    /// and in the queue, where a retry applies it again like a live change.
    fn keep_failed(
        &self,
        from: Side,
        key: &str,
        source_id: Option<&str>,
        row: &Row,
        message: &str,
    ) -> Result<(), String> {
        if self.keep_in_queue(from, key, source_id, row, message)?
            && let Outcome::Refused { class, .. } = self.refuse(
                from,
                Some(key),
                "lookup",
                Cause::Map(message),
                Some(Value::Object(row.clone())),
            )
        {
            self.context.observe_error(self.name(), class);
        }
        Ok(())
    }

    /// Keeps a row in the queue as a failed change (the error log already has it), once:
    /// false when the same row already waits there as failed for the same reason.
    fn keep_in_queue(
        &self,
        from: Side,
        key: &str,
        source_id: Option<&str>,
        row: &Row,
        message: &str,
    ) -> Result<bool, String> {
        let text = |error: StoreError| error.to_string();
        // A pass resumed after a crash, or live capture reading a row again, may meet the
        // row again: keep it once.
        if self.failed_already(from, key, row, message).map_err(text)? {
            return Ok(false);
        }
        let change = self.change(
            from,
            "upsert",
            Some(key.to_owned()),
            source_id.map(str::to_owned),
            Value::Object(row.clone()),
        );
        self.store()
            .enqueue_failed(self.name(), &change, message)
            .map_err(text)?;
        Ok(true)
    }

    /// Whether the same row (by its mapped values) already waits in the queue as failed for
    /// the same reason.
    fn failed_already(
        &self,
        from: Side,
        key: &str,
        row: &Row,
        message: &str,
    ) -> Result<bool, StoreError> {
        let projection = self.map.projection(from, row);
        Ok(self
            .store()
            .queued_changes(self.name(), Some(key), 1000)?
            .into_iter()
            .any(|change| {
                change.status == ChangeStatus::Failed
                    && change.change.side == from.as_str()
                    && change.change.key.as_deref() == Some(key)
                    && change.error.as_deref() == Some(message)
                    && change.change.row.as_object().is_some_and(|kept| {
                        same_values(&self.map.projection(from, kept), &projection)
                    })
            }))
    }

    /// Keeps a Dataverse row the initial sync could not write in the queue as failed, so
    /// "rerun failed rows" retries it (the refusal itself is already in the error log).
    async fn keep_refused_dataverse(&self, row: &Row, message: &str) -> Result<(), String> {
        let company = self.company_of_dataverse(row).await;
        let Ok(key) = self.map.key_of_dataverse(row, company.as_deref()) else {
            // Without a key there is nothing to retry by; the error log has the row.
            return Ok(());
        };
        let id = row.get(&self.map.dataverse_id).and_then(Value::as_str);
        self.keep_in_queue(Side::Dataverse, &key.to_string(), id, row, message)
            .map(|_| ())
    }

    fn pending_for_dataverse(&self, key: RowKey, payload: Row, source: &Row) -> Pending {
        let mut target = self.dataverse_body(&key, &payload);
        for (column, value) in self.map.key.dataverse.iter().zip(&key.values) {
            target.insert(column.clone(), Value::from(value.clone()));
        }
        Pending {
            key,
            payload,
            target,
            source: source.clone(),
        }
    }

    /// Writes rows to Dataverse with `UpsertMultiple`; a refused batch is retried row by row
    /// so each failure is logged on its own row. Returns how many rows were written.
    async fn write_pending(&self, pending: Vec<Pending>, message: &str) -> Result<u64, String> {
        let mut written = 0u64;
        for batch in pending.chunks(INITIAL_BULK) {
            let targets: Vec<Row> = batch.iter().map(|item| item.target.clone()).collect();
            let bulk = self
                .context
                .dataverse
                .upsert_multiple(
                    &self.map.dataverse_entity_set,
                    &self.map.dataverse_table,
                    &targets,
                )
                .await;
            match bulk {
                Ok(()) => {
                    let at = self.context.clock.stamp();
                    let mut lines = Vec::with_capacity(batch.len());
                    let written_rows: Vec<_> = batch
                        .iter()
                        .map(|item| (item.key.to_string(), None, item.payload.clone()))
                        .collect();
                    self.store()
                        .merge_shadows(self.name(), Side::Dataverse.as_str(), &written_rows)
                        .map_err(|error| error.to_string())?;
                    for item in batch {
                        let key_text = item.key.to_string();
                        lines.push(NewActivity {
                            at: at.clone(),
                            ..self.row_line(
                                Side::Dataverse,
                                &key_text,
                                "upsert",
                                format!("{message} (bulk)"),
                                None,
                                Some(Value::Object(item.payload.clone())),
                            )
                        });
                    }
                    self.store()
                        .add_activities(&lines)
                        .map_err(|error| error.to_string())?;
                    written += batch.len() as u64;
                }
                Err(error) if error.class.retry_policy() == RetryPolicy::Timed => {
                    self.context
                        .observe_error(self.name(), error.class.as_str());
                    return Err(with_fix("writing to Dataverse", &error));
                }
                Err(_) => {
                    for item in batch {
                        let key_text = item.key.to_string();
                        match self.write_dataverse(&item.key, &item.payload).await {
                            Ok((operation, id)) => {
                                self.merge_shadow(
                                    Side::Dataverse,
                                    &key_text,
                                    id.as_deref(),
                                    &item.payload,
                                );
                                self.store()
                                    .add_activities(&[self.row_line(
                                        Side::Dataverse,
                                        &key_text,
                                        operation,
                                        message.to_owned(),
                                        None,
                                        Some(Value::Object(item.payload.clone())),
                                    )])
                                    .map_err(|error| error.to_string())?;
                                written += 1;
                            }
                            Err(error) if error.class.retry_policy() == RetryPolicy::Timed => {
                                return Err(with_fix("writing to Dataverse", &error));
                            }
                            Err(error) => {
                                if let Outcome::Refused { class, message } = self.refuse(
                                    Side::FinanceOperations,
                                    Some(&key_text),
                                    "upsert",
                                    Cause::Remote(&error),
                                    Some(Value::Object(item.payload.clone())),
                                ) {
                                    self.context.observe_error(self.name(), class);
                                    // Kept in the queue as failed: "rerun failed rows" retries it.
                                    self.keep_in_queue(
                                        Side::FinanceOperations,
                                        &key_text,
                                        None,
                                        &item.source,
                                        &message,
                                    )?;
                                }
                            }
                        }
                    }
                }
            }
        }
        Ok(written)
    }

    /// Merges what was written into the target side's remembered values.
    fn merge_shadow(&self, side: Side, key: &str, id: Option<&str>, payload: &Row) {
        let mut merged = match self.store().shadow(self.name(), side.as_str(), key) {
            Ok(Some(Value::Object(known))) => known,
            _ => Row::new(),
        };
        merged.extend(payload.clone());
        if let Err(error) =
            self.store()
                .save_shadow(self.name(), side.as_str(), key, id, &Value::Object(merged))
        {
            tracing::error!(map = %self.map.name, error = %error, "shadow write failed");
        }
    }

    /// Follows the Dataverse delta link and queues every change with the new link, atomically.
    async fn capture_dataverse(
        self: Arc<Self>,
        mut stopped: watch::Receiver<bool>,
    ) -> Result<(), String> {
        loop {
            let link = self
                .store()
                .cursor(self.name(), DELTA_CURSOR)
                .map_err(|error| error.to_string())?
                .ok_or("the Dataverse delta link is missing")?;
            let page = tokio::select! {
                page = self.context.dataverse.delta(&link, Some(self.context.settings.delta_wait)) => page,
                _ = stopped.changed() => return Ok(()),
            };
            let page = match page {
                Ok(page) => page,
                Err(error) => {
                    self.capture_failed("reading Dataverse changes", &error)?;
                    tokio::select! {
                        _ = tokio::time::sleep(self.context.settings.failure_pause) => continue,
                        _ = stopped.changed() => return Ok(()),
                    }
                }
            };
            self.capture_recovered("Dataverse");
            let mut changes = Vec::with_capacity(page.changed.len() + page.deleted.len());
            let source_filter = self.dataverse_filter()?;
            for row in page.changed {
                if !self.passes_dataverse_filter(source_filter.as_ref(), &row) {
                    continue;
                }
                let company = self.company_of_dataverse(&row).await;
                let key = self
                    .map
                    .key_of_dataverse(&row, company.as_deref())
                    .ok()
                    .map(|key| key.to_string());
                let source_id = row
                    .get(&self.map.dataverse_id)
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                changes.push(self.change(
                    Side::Dataverse,
                    "upsert",
                    key,
                    source_id,
                    Value::Object(row),
                ));
            }
            for id in page.deleted {
                let key = self
                    .store()
                    .key_for_dataverse_id(self.name(), &id)
                    .map_err(|error| error.to_string())?;
                changes.push(self.change(Side::Dataverse, "delete", key, Some(id), Value::Null));
            }
            self.store()
                .enqueue(
                    self.name(),
                    &changes,
                    Some(CursorMove {
                        name: DELTA_CURSOR,
                        value: &page.delta_link,
                        forward_only: false,
                    }),
                )
                .map_err(|error| error.to_string())?;
            if !changes.is_empty() {
                self.captured_changes();
            }
            if *stopped.borrow() {
                return Ok(());
            }
        }
    }

    /// Polls finance and operations past the modified-time watermark and queues what changed.
    async fn capture_finops(
        self: Arc<Self>,
        mut stopped: watch::Receiver<bool>,
    ) -> Result<(), String> {
        // Rows stamped exactly at the watermark are read again by the next `ge` poll; their
        // etags are remembered so they are queued once.
        let mut at_watermark: HashSet<String> = HashSet::new();
        let mut last_reconcile = tokio::time::Instant::now();
        loop {
            if last_reconcile.elapsed() >= self.context.settings.reconcile_interval {
                last_reconcile = tokio::time::Instant::now();
                match self.reconcile_finops_deletes().await {
                    Ok(0) => {}
                    Ok(found) => {
                        tracing::info!(map = %self.map.name, found, "rows deleted in finance and operations")
                    }
                    Err(error) => {
                        tracing::warn!(map = %self.map.name, %error, "finance and operations deletes could not be checked")
                    }
                }
            }
            let watermark = self
                .store()
                .cursor(self.name(), WATERMARK_CURSOR)
                .map_err(|error| error.to_string())?;
            // `ge` rather than `gt`: rows written in the same millisecond as the watermark
            // must not be skipped.
            let mut clauses: Vec<String> = watermark
                .iter()
                .map(|watermark| format!("{MODIFIED_FIELD} ge {watermark}"))
                .collect();
            match self.finops_read_filter() {
                Ok(filter) => clauses.extend(filter),
                Err(error) => return Err(error),
            }
            let filter = clauses.join(" and ");
            let mut params = vec![("cross-company", "true"), ("$orderby", MODIFIED_FIELD)];
            if !filter.is_empty() {
                params.push(("$filter", filter.as_str()));
            }
            let rows = match self
                .context
                .finops
                .query(&self.map.finance_operations_entity, &params)
                .await
            {
                Ok(rows) => rows,
                Err(error) => {
                    self.capture_failed("reading finance and operations changes", &error)?;
                    tokio::select! {
                        _ = tokio::time::sleep(self.context.settings.failure_pause) => continue,
                        _ = stopped.changed() => return Ok(()),
                    }
                }
            };
            self.capture_recovered("finance and operations");
            let mut newest = watermark.clone();
            let mut changes = Vec::new();
            for row in rows {
                let modified = row
                    .get(MODIFIED_FIELD)
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                let etag = row
                    .get("@odata.etag")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                if modified.is_some() && modified == watermark && !at_watermark.insert(etag.clone())
                {
                    continue;
                }
                if modified > newest {
                    newest = modified.clone();
                    at_watermark.clear();
                    at_watermark.insert(etag);
                } else if modified == newest {
                    at_watermark.insert(etag);
                }
                let key = self
                    .map
                    .key_of_finance_operations(&row)
                    .ok()
                    .map(|key| key.to_string());
                changes.push(self.change(
                    Side::FinanceOperations,
                    "upsert",
                    key,
                    None,
                    Value::Object(row),
                ));
            }
            if !changes.is_empty() || newest != watermark {
                let cursor = newest.as_deref().map(|value| CursorMove {
                    name: WATERMARK_CURSOR,
                    value,
                    forward_only: true,
                });
                self.store()
                    .enqueue(self.name(), &changes, cursor)
                    .map_err(|error| error.to_string())?;
                if !changes.is_empty() {
                    self.captured_changes();
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(self.context.settings.poll_interval) => {}
                _ = stopped.changed() => return Ok(()),
            }
            if *stopped.borrow() {
                return Ok(());
            }
        }
    }

    /// A capture that failed for a reason time may fix (throttled, down, timed out) counts
    /// against the alert rules and is retried by the loop; any other failure ends the round.
    fn capture_failed(&self, what: &str, error: &ConnectError) -> Result<(), String> {
        let message = format!("{what}: {error}");
        if error.class.retry_policy() != RetryPolicy::Timed {
            return Err(message);
        }
        self.context
            .observe_error(self.name(), error.class.as_str());
        let mut failing = self
            .capture_failing
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if failing.insert(what.to_owned()) {
            self.context.lifecycle(
                self.name(),
                "failed",
                &format!("{message}; capture retries"),
            );
            self.context.set_reason(
                self.name(),
                Some(&format!("{message} — {}", error.class.solution())),
            );
        }
        Ok(())
    }

    fn capture_recovered(&self, side: &str) {
        let mut failing = self
            .capture_failing
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let before = failing.len();
        failing.retain(|what| !what.ends_with(&format!("{side} changes")));
        if failing.len() < before {
            self.context.lifecycle(
                self.name(),
                "succeeded",
                &format!("Reading {side} changes works again"),
            );
            if failing.is_empty() {
                self.context.set_reason(self.name(), None);
            }
        }
    }

    /// Wakes the apply loop and tells the shells the queue grew (a paused map's counts move).
    fn captured_changes(&self) {
        self.captured.notify_one();
        let _ = self
            .context
            .events
            .send(EngineEvent::MapChanged(self.name().to_owned()));
    }

    fn change(
        &self,
        side: Side,
        operation: &str,
        key: Option<String>,
        source_id: Option<String>,
        row: Value,
    ) -> NewChange {
        NewChange {
            side: side.as_str().to_owned(),
            operation: operation.to_owned(),
            key,
            source_id,
            row,
            captured_at: self.context.clock.stamp(),
        }
    }

    /// Applies queued changes in capture order while the map is not paused. A change leaves
    /// the queue only once it was written, found unchanged, or set aside as failed.
    async fn apply_queue(
        self: Arc<Self>,
        mut stopped: watch::Receiver<bool>,
        mut applying: watch::Receiver<bool>,
    ) -> Result<(), String> {
        let mut unavailable: Option<String> = None;
        loop {
            if *stopped.borrow() {
                return Ok(());
            }
            if !*applying.borrow() {
                tokio::select! {
                    _ = applying.changed() => continue,
                    _ = stopped.changed() => return Ok(()),
                }
            }
            // A batch read now holds no change settled before it.
            self.settled_early.lock().expect("settled changes").clear();
            let batch = self
                .store()
                .next_changes(self.name(), 200)
                .map_err(|error| error.to_string())?;
            self.caught_up(batch.first().map(|queued| queued.seq))
                .map_err(|error| error.to_string())?;
            if batch.is_empty() {
                tokio::select! {
                    _ = self.captured.notified() => {}
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    _ = applying.changed() => {}
                    _ = stopped.changed() => return Ok(()),
                }
                continue;
            }
            // Changes that only waited for a self-reference target: when a whole batch does,
            // nothing else can bring the targets now, so the loop waits before trying again.
            let (mut waited, mut progressed) = (0usize, 0usize);
            // Rows whose changes went behind the queue: this batch's later changes of them
            // moved along and are met again there.
            let mut deferred: HashSet<String> = HashSet::new();
            for queued in batch {
                if *stopped.borrow() || !*applying.borrow() {
                    break;
                }
                if queued
                    .change
                    .key
                    .as_ref()
                    .is_some_and(|key| deferred.contains(key))
                    || self
                        .settled_early
                        .lock()
                        .expect("settled changes")
                        .remove(&queued.seq)
                {
                    continue;
                }
                let outcome = self.apply_queued(&queued).await;
                let store = self.store();
                let stored = match outcome {
                    Outcome::Unavailable { message, class } => {
                        self.context.observe_error(self.name(), class);
                        if unavailable.as_deref() != Some(message.as_str()) {
                            self.context.lifecycle(
                                self.name(),
                                "failed",
                                &format!("{message}; the change stays queued and is retried"),
                            );
                            self.context
                                .set_reason(self.name(), Some(&reason_with_fix(&message, class)));
                            unavailable = Some(message.clone());
                        }
                        store
                            .note_attempt(queued.seq, &message)
                            .map_err(|error| error.to_string())?;
                        tokio::select! {
                            _ = tokio::time::sleep(self.context.settings.failure_pause) => {}
                            _ = stopped.changed() => return Ok(()),
                        }
                        break;
                    }
                    Outcome::Refused { message, class } => {
                        self.context.observe_error(self.name(), class);
                        let duplicate = match (&queued.change.key, queued.change.row.as_object()) {
                            (Some(key), Some(row)) => self
                                .failed_already(side_of(&queued.change.side), key, row, &message)
                                .unwrap_or(false),
                            _ => false,
                        };
                        if duplicate {
                            // The same row already waits as failed for the same reason.
                            store.ack_change(queued.seq)
                        } else {
                            store.fail_change(queued.seq, &message)
                        }
                    }
                    Outcome::Waiting {
                        message,
                        patient: false,
                    } if queued.attempts + 1 >= LOOKUP_WAITS => {
                        let message = format!(
                            "{message}; still missing after {LOOKUP_WAITS} attempts, so the \
                             change is kept as failed: retry it once the referenced row exists"
                        );
                        self.context.record(NewActivity {
                            at: self.context.clock.stamp(),
                            map: self.name().to_owned(),
                            kind: "error".to_owned(),
                            direction: Some(
                                direction_name(side_of(&queued.change.side).other()).to_owned(),
                            ),
                            key: queued.change.key.clone(),
                            operation: Some("lookup".to_owned()),
                            status: "failed".to_owned(),
                            message: message.clone(),
                            latency_ms: None,
                            payload: Some(queued.change.row.clone()),
                        });
                        self.context.observe_error(self.name(), APPLICATION);
                        store.fail_change(queued.seq, &message)
                    }
                    Outcome::Waiting { message, patient } => {
                        // Behind everything queued now, so the row it points at (usually
                        // queued after it) is applied first; later changes of the same row
                        // go along, so they still follow it. A patient wait (its parent is
                        // queued in its own map) does not count against the limit.
                        waited += 1;
                        if let Some(key) = &queued.change.key {
                            deferred.insert(key.clone());
                        }
                        store
                            .defer_change(self.name(), queued.seq, &message, !patient)
                            .map(|_| ())
                    }
                    Outcome::Written | Outcome::Unchanged | Outcome::Ignored => {
                        progressed += 1;
                        store.ack_change(queued.seq)
                    }
                };
                stored.map_err(|error| error.to_string())?;
                if unavailable.take().is_some() {
                    self.context.lifecycle(
                        self.name(),
                        "succeeded",
                        "The target answers again; applying the queue",
                    );
                    self.context.set_reason(self.name(), None);
                }
            }
            if waited > 0 && progressed == 0 {
                tokio::select! {
                    _ = self.captured.notified() => {}
                    _ = tokio::time::sleep(self.context.settings.failure_pause) => {}
                    _ = stopped.changed() => return Ok(()),
                }
            }
        }
    }

    /// Ends a catch-up once the oldest queued change (`next`) came after the changes queued
    /// when the map resumed: those are all settled (written, failed, or sent behind the
    /// queue to wait), so the map is Running again.
    fn caught_up(&self, next: Option<i64>) -> Result<(), StoreError> {
        let store = self.store();
        let Some(mark_text) = store.cursor(self.name(), CATCH_UP_MARK)? else {
            return Ok(());
        };
        let mark: i64 = mark_text.parse().unwrap_or(i64::MAX);
        if next.is_some_and(|next| next <= mark) {
            return Ok(());
        }
        // Each step only if nothing changed meanwhile: a pause, or a newer resume's mark,
        // wins over this catch-up ending.
        if !store.delete_cursor_if(self.name(), CATCH_UP_MARK, &mark_text)? {
            return Ok(());
        }
        if store.transition_map_state(
            self.name(),
            "resuming",
            "running",
            &self.context.clock.stamp(),
        )? {
            let _ = self
                .context
                .events
                .send(EngineEvent::MapChanged(self.name().to_owned()));
            self.context.lifecycle(
                self.name(),
                "succeeded",
                "Caught up: every change queued while paused is applied; live sync",
            );
        }
        Ok(())
    }

    async fn apply_queued(&self, queued: &QueuedChange) -> Outcome {
        let from = if queued.change.side == Side::Dataverse.as_str() {
            Side::Dataverse
        } else {
            Side::FinanceOperations
        };
        match (queued.change.operation.as_str(), &queued.change.row) {
            ("delete", _) => match (&queued.change.key, &queued.change.source_id) {
                (Some(key), _) if from == Side::FinanceOperations => {
                    self.apply_finops_delete(key).await
                }
                (Some(key), _) => self.apply_dataverse_delete(key).await,
                // A row Duet never synced was deleted: there is nothing to delete on the other side.
                (None, _) => Outcome::Ignored,
            },
            (_, Value::Object(row)) => {
                if let Some(key) = &queued.change.key
                    && let Some(outcome) = self
                        .stale_after_delete(from, key, is_held_back(queued))
                        .await
                {
                    return outcome;
                }
                if let Some(key) = &queued.change.key
                    && self.stale_echo(from, key, row)
                {
                    return Outcome::Unchanged;
                }
                if let Some(outcome) = self.resolve_conflict(from, queued, row) {
                    return outcome;
                }
                self.apply(from, row, true).await
            }
            _ => Outcome::Refused {
                message: format!("queued change {} has no row", queued.seq),
                class: APPLICATION,
            },
        }
    }

    /// Whether a change is the echo of one of Duet's earlier writes to its side, come back
    /// after a later write: capture reads a row as it is when read, so a read between two
    /// of Duet's writes returns the first write's values, which must not be carried back
    /// over the second. Writes older than the one whose echo came are forgotten, so a person
    /// setting their values again later is a real change.
    fn stale_echo(&self, from: Side, key: &str, row: &Row) -> bool {
        let store = self.store();
        let written = match store.written(self.name(), from.as_str(), key) {
            Ok(written) => written,
            Err(error) => {
                tracing::warn!(map = %self.map.name, error = %error, "write history read failed");
                return false;
            }
        };
        let projection = self.map.projection(from, row);
        let Some(index) = written.iter().rposition(|(_, values)| {
            values
                .as_object()
                .is_some_and(|values| same_values(&projection, values))
        }) else {
            return false;
        };
        // Writes before the matched one were read back before it: their echoes are past.
        if let Err(error) =
            store.forget_written_before(self.name(), from.as_str(), key, written[index].0)
        {
            tracing::warn!(map = %self.map.name, error = %error, "write history update failed");
        }
        // An echo of what the side still holds (Duet's latest write) is found unchanged by
        // the shadow comparison; only an echo of values the side has moved on from (a later
        // write, or a person's change since) is settled here.
        let current = match store.shadow(self.name(), from.as_str(), key) {
            Ok(Some(Value::Object(current))) => current,
            _ => Row::new(),
        };
        let stale = !same_values(&projection, &current);
        if stale {
            tracing::debug!(map = %self.map.name, key, "stale echo of an earlier write skipped");
        }
        stale
    }

    /// Both sides changed the same row before either change was applied: the map's master
    /// wins and the loser is logged with its values. Returns the outcome when this change lost.
    fn resolve_conflict(&self, from: Side, queued: &QueuedChange, row: &Row) -> Option<Outcome> {
        let key = queued.change.key.as_deref()?;
        // This change may itself be the echo of Duet's own write to its side: it then changes
        // nothing and must not win against a real change of the other side.
        if let Ok(Some(Value::Object(own))) = self.store().shadow(self.name(), from.as_str(), key)
            && same_values(&self.map.projection(from, row), &own)
        {
            return None;
        }
        let other = from.other();
        let known = match self.store().shadow(self.name(), other.as_str(), key) {
            Ok(Some(Value::Object(known))) => known,
            _ => Row::new(),
        };
        // A queued change of the other side that carries the values Duet last wrote there is
        // the echo of that write, not a rival.
        let rivals: Vec<QueuedChange> = self
            .store()
            .queued_for_key(self.name(), other.as_str(), key)
            .ok()?
            .into_iter()
            // A change waiting for its self-reference target had everything else written
            // already; only the reference is left, which no change of this side overrides.
            .filter(|rival| !is_waiting(rival))
            .filter(|rival| {
                rival.change.row.as_object().is_some_and(|rival_row| {
                    !same_values(&self.map.projection(other, rival_row), &known)
                })
            })
            .collect();
        if rivals.is_empty() {
            return None;
        }
        let master = self.map.master;
        let (winner, losers): (Side, Vec<(i64, Value)>) = if from == master {
            (
                from,
                rivals
                    .into_iter()
                    .map(|rival| (rival.seq, rival.change.row))
                    .collect(),
            )
        } else {
            (other, vec![(queued.seq, Value::Object(row.clone()))])
        };
        let loser = winner.other();
        for (seq, values) in losers {
            self.context.record(NewActivity {
                at: self.context.clock.stamp(),
                map: self.name().to_owned(),
                kind: "error".to_owned(),
                direction: Some(direction_name(winner).to_owned()),
                key: Some(key.to_owned()),
                operation: Some("conflict".to_owned()),
                status: "conflict".to_owned(),
                message: format!(
                    "Changed on both sides before either was applied; the master ({}) wins and this {} change was not applied",
                    side_title(master),
                    side_title(loser)
                ),
                latency_ms: None,
                payload: Some(values),
            });
            if seq != queued.seq {
                match self.store().ack_change(seq) {
                    Ok(()) => {
                        self.settled_early
                            .lock()
                            .expect("settled changes")
                            .insert(seq);
                    }
                    Err(error) => {
                        tracing::error!(map = %self.map.name, error = %error, "dropping a conflict loser failed")
                    }
                }
            }
        }
        (from != master).then_some(Outcome::Ignored)
    }

    async fn company_of_dataverse(&self, row: &Row) -> Option<String> {
        let striping = self.map.company.as_ref()?;
        let id = row
            .get(&format!("_{}_value", striping.dataverse_lookup))?
            .as_str()?
            .to_lowercase();
        let mut codes = self.codes.lock().await;
        if !codes.by_id.contains_key(&id)
            && let Err(error) = codes.refresh(&self.context.dataverse, &self.map).await
        {
            tracing::warn!(map = %self.map.name, error = %error, "company lookup refresh failed");
        }
        codes.by_id.get(&id).cloned()
    }

    fn key_of(&self, side: Side, row: &Row, company: Option<&str>) -> Result<RowKey, MapError> {
        match side {
            Side::FinanceOperations => self.map.key_of_finance_operations(row),
            Side::Dataverse => self.map.key_of_dataverse(row, company),
        }
    }

    /// Remembers a Dataverse row's values without writing anything (rows that already exist
    /// when tracking starts).
    async fn remember_dataverse(&self, row: &Row, by_id: &HashMap<String, &Row>) {
        let resolved = self.resolve_dataverse(row, by_id).await;
        let row = &resolved;
        let company = self.company_of_dataverse(row).await;
        if let Ok(key) = self.map.key_of_dataverse(row, company.as_deref()) {
            let id = row.get(&self.map.dataverse_id).and_then(Value::as_str);
            let projection = self.map.projection(Side::Dataverse, row);
            if let Err(error) = self.store().save_shadow(
                self.name(),
                Side::Dataverse.as_str(),
                &key.to_string(),
                id,
                &Value::Object(projection),
            ) {
                tracing::error!(map = %self.map.name, error = %error, "shadow write failed");
            }
        }
    }

    /// Rows of this map's Dataverse table by their id (lower case).
    fn rows_by_id<'a>(&self, rows: &'a [Row]) -> HashMap<String, &'a Row> {
        rows.iter()
            .filter_map(|row| {
                let id = row.get(&self.map.dataverse_id)?.as_str()?;
                Some((id.to_lowercase(), row))
            })
            .collect()
    }

    /// A Dataverse row with each lookup path (`msdyn_billingaccount.accountnumber`) set from
    /// the lookup's id (`_msdyn_billingaccount_value`): the key value of the row it points
    /// at, read from `by_id` (rows of this table at hand), the target map's remembered ids,
    /// or, for a self-reference, Dataverse itself. A lookup that cannot be resolved is left
    /// out, so nothing is written for it.
    async fn resolve_dataverse(&self, row: &Row, by_id: &HashMap<String, &Row>) -> Row {
        let mut resolved = row.clone();
        for lookup in self.lookups.iter().filter(|lookup| lookup.single_key) {
            let value = match row.get(&lookup.field.value_property()) {
                None => continue,
                Some(Value::Null) => Value::Null,
                Some(Value::String(id)) => {
                    match self.key_value_of(lookup, &id.to_lowercase(), by_id).await {
                        Some(value) => Value::from(value),
                        None => continue,
                    }
                }
                Some(_) => continue,
            };
            resolved.insert(lookup.field.path.clone(), value);
        }
        resolved
    }

    async fn key_value_of(
        &self,
        lookup: &ResolvedLookup,
        id: &str,
        by_id: &HashMap<String, &Row>,
    ) -> Option<String> {
        let column = &lookup.field.column;
        if lookup.field.self_reference
            && let Some(target) = by_id.get(id)
        {
            return target.get(column)?.as_str().map(str::to_owned);
        }
        match self
            .store()
            .key_for_dataverse_id(&lookup.field.target_map, id)
        {
            Ok(Some(key)) => {
                return parse_key(&key, lookup.target.company.is_some())
                    .values
                    .pop();
            }
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(map = %self.map.name, error = %error, "lookup id read failed");
            }
        }
        let cached = (lookup.target.name.clone(), id.to_owned());
        if let Some(value) = self.lookup_keys.lock().expect("lookup cache").get(&cached) {
            return Some(value.clone());
        }
        // Not synced by its map yet (or written in bulk, which returns no ids): Dataverse
        // itself says which row the id is.
        let filter = format!("{} eq {id}", lookup.target.dataverse_id);
        let rows = self
            .context
            .dataverse
            .query(
                &lookup.target.dataverse_entity_set,
                &[("$select", column.as_str()), ("$filter", filter.as_str())],
            )
            .await
            .map_err(|error| {
                tracing::warn!(map = %self.map.name, error = %error, "lookup read failed");
            })
            .ok()?;
        let value = rows.first()?.get(column)?.as_str()?.to_owned();
        self.lookup_keys
            .lock()
            .expect("lookup cache")
            .insert(cached, value.clone());
        Some(value)
    }

    /// Whether the row `key` of `map` exists on `side`: remembered there, or found by asking.
    async fn exists_in(
        &self,
        map: &TableMap,
        side: Side,
        key: &RowKey,
    ) -> Result<bool, ConnectError> {
        if matches!(
            self.store()
                .shadow(&map.name, side.as_str(), &key.to_string()),
            Ok(Some(_))
        ) {
            return Ok(true);
        }
        match side {
            Side::FinanceOperations => Ok(self
                .context
                .finops
                .get(&map.finance_operations_entity, &finops_key_of(map, key))
                .await?
                .is_some()),
            Side::Dataverse => {
                let filter: Vec<String> = map
                    .key
                    .dataverse
                    .iter()
                    .zip(&key.values)
                    .map(|(column, value)| format!("{column} eq {}", duet_connect::quote(value)))
                    .collect();
                let filter = filter.join(" and ");
                let rows = self
                    .context
                    .dataverse
                    .query(
                        &map.dataverse_entity_set,
                        &[
                            ("$select", map.dataverse_id.as_str()),
                            ("$filter", filter.as_str()),
                        ],
                    )
                    .await?;
                Ok(!rows.is_empty())
            }
        }
    }

    /// How the row `key` of `map` waits in that map's queue: `None` when it does not,
    /// `Some(true)` when a change of it is ready to apply, `Some(false)` when all its changes
    /// are themselves held back for a parent (two maps that look each other up would
    /// otherwise wait for each other for ever).
    fn queued_in(&self, map: &TableMap, key: &RowKey) -> Option<bool> {
        let key_text = key.to_string();
        let mut queued: Option<bool> = None;
        for side in [Side::FinanceOperations, Side::Dataverse] {
            if let Ok(changes) = self
                .store()
                .queued_for_key(&map.name, side.as_str(), &key_text)
            {
                for change in &changes {
                    queued = Some(queued.unwrap_or(false) || !is_held_back(change));
                }
            }
        }
        queued
    }

    /// Whether the row `key` of `map` is on its way from `side`: queued, or there.
    async fn on_its_way_from(
        &self,
        map: &TableMap,
        side: Side,
        key: &RowKey,
    ) -> Result<bool, ConnectError> {
        Ok(self.queued_in(map, key).is_some() || self.exists_in(map, side, key).await?)
    }

    /// The self-references of `payload` (as `to` names them) whose target row is not on `to`
    /// yet: (column, target key). A row referring to itself waits for its own first write.
    async fn missing_self_targets(
        &self,
        to: Side,
        key: &RowKey,
        payload: &Row,
        exists_itself: bool,
    ) -> Result<Vec<(&ResolvedLookup, String, RowKey)>, ConnectError> {
        let mut missing = Vec::new();
        for lookup in self.lookups.iter().filter(|l| l.field.self_reference) {
            let column = match to {
                Side::Dataverse => lookup.field.path.clone(),
                Side::FinanceOperations => match &lookup.field.finance_operations {
                    Some(field) => field.clone(),
                    None => continue,
                },
            };
            let Some(target) = payload
                .get(&column)
                .and_then(|value| self.self_target(lookup, key, value))
            else {
                continue;
            };
            let present = if target == *key {
                exists_itself
            } else {
                self.exists_in(&self.map, to, &target).await?
            };
            if !present {
                missing.push((lookup, column, target));
            }
        }
        Ok(missing)
    }

    /// Holds a row back while a row it looks up in another map (its parent) is missing on
    /// the other side: it waits while the parent is on its way (queued in its map, or on this
    /// side) and is refused when the parent exists nowhere. None when every parent is there.
    async fn wait_for_parents(
        &self,
        from: Side,
        key: &RowKey,
        payload: &Row,
        row: &Row,
    ) -> Option<Outcome> {
        let to = from.other();
        let parents = self
            .lookups
            .iter()
            .filter(|lookup| lookup.single_key && !lookup.field.self_reference);
        for lookup in parents {
            let column = match to {
                Side::Dataverse => Some(&lookup.field.path),
                Side::FinanceOperations => lookup.field.finance_operations.as_ref(),
            };
            let Some(value) = column
                .and_then(|column| payload.get(column))
                .and_then(Value::as_str)
                .filter(|value| !value.is_empty())
            else {
                continue;
            };
            let target = &lookup.target;
            let parent = RowKey {
                company: target.company.as_ref().and(key.company.clone()),
                values: vec![value.to_owned()],
            };
            // A check time may fix (throttled, down) is retried in place; any other failure
            // of it refuses the change with the remote's answer rather than block the queue.
            let failed = |side: Side, error: ConnectError| match error.class.retry_policy() {
                RetryPolicy::Timed => Outcome::Unavailable {
                    message: format!(
                        "checking the {} row {parent} in {}: {error}",
                        target.name,
                        side_title(side)
                    ),
                    class: error.class.as_str(),
                },
                _ => self.refuse(
                    from,
                    Some(&key.to_string()),
                    "lookup",
                    Cause::Remote(&error),
                    Some(Value::Object(row.clone())),
                ),
            };
            match self.exists_in(target, to, &parent).await {
                Ok(true) => continue,
                Ok(false) => {}
                Err(error) => return Some(failed(to, error)),
            }
            let field = lookup
                .field
                .finance_operations
                .as_deref()
                .unwrap_or(&lookup.field.path);
            // Queued in its own map, the parent is applied (or fails there) in time: no
            // limit on the wait, unless it is held back itself. Otherwise only its map's
            // capture can bring it.
            let waiting = self.queued_in(target, &parent);
            let queued = waiting == Some(true);
            let on_its_way = match waiting.is_some() {
                true => true,
                false => match self.exists_in(target, from, &parent).await {
                    Ok(found) => found,
                    Err(error) => return Some(failed(from, error)),
                },
            };
            if !on_its_way {
                let message = format!(
                    "{field} refers to the {} row {parent}, which exists neither in finance and \
                     operations nor in Dataverse",
                    target.name
                );
                return Some(self.refuse(
                    from,
                    Some(&key.to_string()),
                    "lookup",
                    Cause::Map(&message),
                    Some(Value::Object(row.clone())),
                ));
            }
            let state = self
                .store()
                .map(&target.name)
                .ok()
                .flatten()
                .map(|record| record.state)
                .unwrap_or_else(|| "missing".to_owned());
            let hint = match state.as_str() {
                "running" | "initializing" | "resuming" | "paused" => String::new(),
                "notRunning" => format!(
                    "; the map {} is not running, so nothing brings it over: run that map",
                    target.name
                ),
                state => format!(
                    "; the map {} is {state}, so nothing brings it over: run that map",
                    target.name
                ),
            };
            return Some(Outcome::Waiting {
                message: format!(
                    "{HELD_BACK} the {} row {parent} ({field}) is in {}{hint}",
                    target.name,
                    side_title(to)
                ),
                patient: queued,
            });
        }
        None
    }

    /// Carries one changed row from `from` to the other side.
    async fn apply(&self, from: Side, row: &Row, live: bool) -> Outcome {
        match self.prepare(from, row, live).await {
            Prepare::Done(outcome) => outcome,
            Prepare::WithoutSelfReferences(prepared, missing) => {
                self.apply_without_self_references(prepared, missing).await
            }
            Prepare::Ready(prepared) => {
                let written = match from.other() {
                    Side::Dataverse => self.write_dataverse(&prepared.key, &prepared.payload).await,
                    Side::FinanceOperations => {
                        self.write_finops(&prepared.key, &prepared.payload).await
                    }
                };
                self.finish(prepared, written, "")
            }
        }
    }

    /// Everything `apply` decides before the write: the key, the payload, whether the other
    /// side already has it, its parents and self-references.
    async fn prepare<'r>(&self, from: Side, row: &'r Row, live: bool) -> Prepare<'_, 'r> {
        let row: Cow<'r, Row> = if from == Side::Dataverse && !self.lookups.is_empty() {
            Cow::Owned(self.resolve_dataverse(row, &HashMap::new()).await)
        } else {
            Cow::Borrowed(row)
        };
        let company = match from {
            Side::Dataverse => self.company_of_dataverse(&row).await,
            Side::FinanceOperations => None,
        };
        let key = match self.key_of(from, &row, company.as_deref()) {
            Ok(key) => key,
            Err(error) => {
                return Prepare::Done(self.refuse(
                    from,
                    None,
                    "read",
                    Cause::Map(&error.to_string()),
                    Some(Value::Object(row.into_owned())),
                ));
            }
        };
        if let Some(code) = &key.company
            && !self
                .companies
                .iter()
                .any(|linked| linked.eq_ignore_ascii_case(code))
        {
            return Prepare::Done(Outcome::Ignored);
        }
        let key_text = key.to_string();
        let dataverse_id = match from {
            Side::Dataverse => row
                .get(&self.map.dataverse_id)
                .and_then(Value::as_str)
                .map(str::to_owned),
            Side::FinanceOperations => None,
        };
        let local_failure = |error: StoreError| {
            Prepare::Done(Outcome::Unavailable {
                message: format!("the local store failed: {error}"),
                class: "other",
            })
        };
        // What Duet knew of this side before the change, for self-references that did not
        // change here (see `keep_changed_lookups`).
        let previous = if live {
            match self.store().shadow(self.name(), from.as_str(), &key_text) {
                Ok(Some(Value::Object(previous))) => Some(previous),
                _ => None,
            }
        } else {
            None
        };
        let to = from.other();
        let transformed = self.map.transform(from, &row).map(|mut payload| {
            self.keep_changed_lookups(from, &row, previous.as_ref(), &mut payload);
            payload
        });
        let known = match self.store().shadow(self.name(), to.as_str(), &key_text) {
            Ok(known) => known,
            Err(error) => return local_failure(error),
        };
        let unchanged = |payload: &Row| match &known {
            Some(Value::Object(known)) => same_values(payload, known),
            _ => false,
        };
        // A row whose parent (a row of another map) is not on the other side yet waits for
        // it, before Duet records anything of it, so applying it again starts afresh.
        if let Ok(payload) = &transformed
            && !unchanged(payload)
            && let Some(outcome) = self.wait_for_parents(from, &key, payload, &row).await
        {
            return Prepare::Done(outcome);
        }
        let projection = self.map.projection(from, &row);
        if let Err(error) = self.store().save_shadow(
            self.name(),
            from.as_str(),
            &key_text,
            dataverse_id.as_deref(),
            &Value::Object(projection),
        ) {
            return local_failure(error);
        }
        let payload = match transformed {
            Ok(payload) => payload,
            Err(error) => {
                return Prepare::Done(self.refuse(
                    from,
                    Some(&key_text),
                    "transform",
                    Cause::Map(&error.to_string()),
                    Some(Value::Object(row.into_owned())),
                ));
            }
        };
        if unchanged(&payload) {
            return Prepare::Done(Outcome::Unchanged);
        }
        let latency_ms = if live {
            self.latency_ms(from, &row)
        } else {
            None
        };
        // A self-reference to a row the target side does not hold yet cannot be written: the
        // row goes without it now, and the reference follows once its target is there.
        let missing = match self
            .missing_self_targets(to, &key, &payload, known.is_some())
            .await
        {
            Ok(missing) => missing,
            Err(error) => {
                return Prepare::Done(Outcome::Unavailable {
                    message: format!("checking a self-reference in {}: {error}", side_title(to)),
                    class: error.class.as_str(),
                });
            }
        };
        let prepared = Prepared {
            from,
            key,
            row,
            dataverse_id,
            payload,
            known,
            latency_ms,
        };
        if missing.is_empty() {
            Prepare::Ready(prepared)
        } else {
            Prepare::WithoutSelfReferences(prepared, missing)
        }
    }

    /// What became of a prepared row once its write answered: remembered and logged when
    /// written (`note` added to the log line), retried in place when the target could not
    /// take it now, refused with the remote error otherwise.
    fn finish(
        &self,
        prepared: Prepared<'_>,
        written: Result<(&'static str, Option<String>), ConnectError>,
        note: &str,
    ) -> Outcome {
        let to = prepared.from.other();
        let key_text = prepared.key.to_string();
        match written {
            Ok((operation, id)) => {
                let mut merged = match prepared.known {
                    Some(Value::Object(known)) => known,
                    _ => Row::new(),
                };
                merged.extend(prepared.payload.clone());
                let merged = Value::Object(merged);
                let remembered = self
                    .store()
                    .save_shadow(self.name(), to.as_str(), &key_text, id.as_deref(), &merged)
                    .and_then(|()| {
                        self.store()
                            .remember_written(self.name(), to.as_str(), &key_text, &merged)
                    });
                if let Err(error) = remembered {
                    tracing::error!(map = %self.map.name, error = %error, "shadow write failed");
                }
                self.context.record(self.row_line(
                    to,
                    &key_text,
                    operation,
                    format!("{operation} in {}{note}", side_title(to)),
                    prepared.latency_ms,
                    Some(Value::Object(prepared.payload)),
                ));
                Outcome::Written
            }
            Err(error) if error.class.retry_policy() == RetryPolicy::Timed => {
                Outcome::Unavailable {
                    message: format!("writing to {}: {error}", side_title(to)),
                    class: error.class.as_str(),
                }
            }
            Err(error) => self.refuse(
                prepared.from,
                Some(&key_text),
                "upsert",
                Cause::Remote(&error),
                Some(Value::Object(prepared.payload)),
            ),
        }
    }

    /// A log line for a row written to `to` (a skipped one sets its own status).
    pub(super) fn row_line(
        &self,
        to: Side,
        key: &str,
        operation: &str,
        message: String,
        latency_ms: Option<i64>,
        payload: Option<Value>,
    ) -> NewActivity {
        NewActivity {
            at: self.context.clock.stamp(),
            map: self.name().to_owned(),
            kind: "row".to_owned(),
            direction: Some(direction_name(to).to_owned()),
            key: Some(key.to_owned()),
            operation: Some(operation.to_owned()),
            status: "succeeded".to_owned(),
            message,
            latency_ms,
            payload,
        }
    }

    /// Leaves out of a change's payload the lookups it does not carry: a Dataverse lookup
    /// that could not be resolved to a key (writing it would clear the other side), and, in
    /// live sync, a self-reference whose value on this side is what Duet already knew. The
    /// second matters for rows written without their self-reference: their echo comes back
    /// without it, and must not clear the reference on the side that has it.
    fn keep_changed_lookups(
        &self,
        from: Side,
        row: &Row,
        previous: Option<&Row>,
        payload: &mut Row,
    ) {
        for lookup in self.map.lookup_fields() {
            let Some(finance_operations) = &lookup.finance_operations else {
                continue;
            };
            let (source, target) = match from {
                Side::Dataverse => (&lookup.path, finance_operations),
                Side::FinanceOperations => (finance_operations, &lookup.path),
            };
            let Some(value) = row.get(source) else {
                if from == Side::Dataverse {
                    payload.remove(target);
                }
                continue;
            };
            if lookup.self_reference
                && let Some(previous) = previous
                && duet_maps::normalize(value)
                    == duet_maps::normalize(previous.get(source).unwrap_or(&Value::Null))
            {
                payload.remove(target);
            }
        }
    }

    /// Forgets, in what Duet remembers of `side`, the values of columns whose reference was
    /// not carried across, so that applying the change again carries them.
    fn forget_columns(
        &self,
        side: Side,
        key: &str,
        id: Option<&str>,
        row: &Row,
        columns: &[String],
    ) {
        let mut projection = self.map.projection(side, row);
        for column in columns {
            projection.remove(column);
        }
        if let Err(error) = self.store().save_shadow(
            self.name(),
            side.as_str(),
            key,
            id,
            &Value::Object(projection),
        ) {
            tracing::error!(map = %self.map.name, error = %error, "shadow write failed");
        }
    }

    /// Writes a row without the self-references whose targets are missing on the other side,
    /// then says whether the change waits for them (they exist on this side, or are queued)
    /// or fails because they exist nowhere.
    async fn apply_without_self_references(
        &self,
        mut prepared: Prepared<'_>,
        missing: Vec<(&ResolvedLookup, String, RowKey)>,
    ) -> Outcome {
        let from = prepared.from;
        let to = from.other();
        let key_text = prepared.key.to_string();
        for (_, column, _) in &missing {
            prepared.payload.remove(column);
        }
        // The source's own values of the missing references are not known to have crossed.
        let sources: Vec<String> = missing
            .iter()
            .filter_map(|(lookup, _, _)| match from {
                Side::Dataverse => Some(lookup.field.path.clone()),
                Side::FinanceOperations => lookup.field.finance_operations.clone(),
            })
            .collect();
        self.forget_columns(
            from,
            &key_text,
            prepared.dataverse_id.as_deref(),
            &prepared.row,
            &sources,
        );
        let unchanged = match &prepared.known {
            Some(Value::Object(known)) => same_values(&prepared.payload, known),
            _ => false,
        };
        let row = prepared.row.clone().into_owned();
        if !unchanged {
            let written = match to {
                Side::Dataverse => self.write_dataverse(&prepared.key, &prepared.payload).await,
                Side::FinanceOperations => {
                    self.write_finops(&prepared.key, &prepared.payload).await
                }
            };
            let note = " without its self-reference (written once the row it points at is there)";
            match self.finish(prepared, written, note) {
                Outcome::Written => {}
                outcome => return outcome,
            }
        }
        let mut waiting_for = Vec::new();
        for (lookup, _, target) in &missing {
            match self.on_its_way_from(&self.map, from, target).await {
                Ok(true) => waiting_for.push(target.to_string()),
                Ok(false) => {
                    let message = self.missing_target_message(
                        lookup,
                        target,
                        "exists neither in finance and operations nor in Dataverse",
                    );
                    return self.refuse(
                        from,
                        Some(&key_text),
                        "lookup",
                        Cause::Map(&message),
                        Some(Value::Object(row.clone())),
                    );
                }
                Err(error) => {
                    return Outcome::Unavailable {
                        message: format!(
                            "checking a self-reference in {}: {error}",
                            side_title(from)
                        ),
                        class: error.class.as_str(),
                    };
                }
            }
        }
        Outcome::Waiting {
            message: format!(
                "{WAITING} {} to reach {} before writing the reference to it",
                waiting_for.join(", "),
                side_title(to)
            ),
            patient: false,
        }
    }

    /// A Dataverse write body: the payload plus the company binding of a striped map.
    fn dataverse_body(&self, key: &RowKey, payload: &Row) -> Row {
        let mut body = payload.clone();
        // A lookup path is written as a binding to the looked-up row's key:
        // `msdyn_billingaccount@odata.bind: /accounts(accountnumber='C0002')`.
        for lookup in self.lookups.iter().filter(|lookup| lookup.single_key) {
            let Some(value) = body.remove(&lookup.field.path) else {
                continue;
            };
            let bind = match value.as_str().filter(|value| !value.is_empty()) {
                Some(value) => Value::from(format!(
                    "/{}({}={})",
                    lookup.target.dataverse_entity_set,
                    lookup.field.column,
                    duet_connect::quote(value)
                )),
                None => Value::Null,
            };
            body.insert(format!("{}@odata.bind", lookup.field.navigation), bind);
        }
        if let (Some(striping), Some(code)) = (&self.map.company, &key.company) {
            body.insert(
                format!("{}@odata.bind", striping.dataverse_lookup),
                Value::from(format!(
                    "/{}({}={})",
                    striping.company_entity_set,
                    striping.company_code_column,
                    duet_connect::quote(code)
                )),
            );
        }
        body
    }

    async fn write_dataverse(
        &self,
        key: &RowKey,
        payload: &Row,
    ) -> Result<(&'static str, Option<String>), ConnectError> {
        let body = self.dataverse_body(key, payload);
        let parts: Vec<(&str, &str)> = self
            .map
            .key
            .dataverse
            .iter()
            .map(String::as_str)
            .zip(key.values.iter().map(String::as_str))
            .collect();
        let entity_id = self
            .context
            .dataverse
            .upsert(&self.map.dataverse_entity_set, &parts, &body)
            .await?;
        Ok(("upsert", id_from_entity_url(&entity_id)))
    }

    async fn write_finops(
        &self,
        key: &RowKey,
        payload: &Row,
    ) -> Result<(&'static str, Option<String>), ConnectError> {
        let parts = self.finops_key(key);
        let created = self
            .context
            .finops
            .upsert(&self.map.finance_operations_entity, &parts, payload)
            .await?;
        Ok((if created { "create" } else { "update" }, None))
    }

    /// Writes prepared rows to finance and operations in one `$batch` (finance and
    /// operations has no `UpsertMultiple`): an update of a row Duet has seen there, a create
    /// otherwise. A request the batch could not carry (the row was there after all, or the
    /// batch itself was refused) is sent again on its own as an upsert, so each row gets
    /// its own answer. Results come back in the order given.
    async fn write_finops_batch(
        &self,
        prepared: &[Prepared<'_>],
    ) -> Vec<(
        Result<(&'static str, Option<String>), ConnectError>,
        &'static str,
    )> {
        let entity = &self.map.finance_operations_entity;
        let items: Vec<BatchItem> = prepared
            .iter()
            .map(|item| {
                let parts = self.finops_key(&item.key);
                let request = if item.known.is_some() {
                    BatchRequest::new(
                        Method::PATCH,
                        format!("{entity}{}", duet_connect::key_predicate(&parts)),
                        Some(Value::Object(item.payload.clone())),
                    )
                } else {
                    let mut body = item.payload.clone();
                    for (name, value) in &parts {
                        body.insert((*name).to_owned(), Value::from(*value));
                    }
                    BatchRequest::new(Method::POST, entity.clone(), Some(Value::Object(body)))
                };
                BatchItem::Single(request)
            })
            .collect();
        let mut results = Vec::with_capacity(prepared.len());
        let answers = match items.is_empty() {
            true => Vec::new(),
            false => match self.context.finops.batch(&items, true).await {
                Ok(answers) if answers.len() == items.len() => answers,
                // A batch with creates is not retried by the client (parts may have been
                // applied): the first row goes alone, with the client's retries. When that
                // fails too, the target is down or throttled and every row waits for the
                // phase's next attempt; otherwise the rows go one by one.
                Err(error) if error.class.retry_policy() == RetryPolicy::Timed => {
                    let first = self
                        .write_finops(&prepared[0].key, &prepared[0].payload)
                        .await;
                    if let Err(error) = &first
                        && error.class.retry_policy() == RetryPolicy::Timed
                    {
                        return prepared.iter().map(|_| (Err(error.clone()), "")).collect();
                    }
                    results.push((first, ""));
                    Vec::new()
                }
                Ok(_) | Err(_) => Vec::new(),
            },
        };
        for (index, item) in prepared.iter().enumerate().skip(results.len()) {
            let answered = answers.get(index).filter(|answer| answer.succeeded());
            match (answered, &items[index]) {
                (Some(_), BatchItem::Single(request)) => {
                    let operation = match request.method == Method::POST {
                        true => "create",
                        false => "update",
                    };
                    results.push((Ok((operation, None)), " (in a $batch)"));
                }
                _ => results.push((self.write_finops(&item.key, &item.payload).await, "")),
            }
        }
        results
    }

    fn finops_key<'a>(&'a self, key: &'a RowKey) -> Vec<(&'a str, &'a str)> {
        finops_key_of(&self.map, key)
    }

    async fn apply_dataverse_delete(&self, key_text: &str) -> Outcome {
        let key = parse_key(key_text, self.map.company.is_some());
        // The row may be back in Dataverse: a finance and operations change applied after the
        // delete was captured can have written it again. Then there is nothing to delete.
        if let Some(outcome) = self.dataverse_row_is_back(&key, key_text).await {
            return outcome;
        }
        let parts = self.finops_key(&key);
        match self
            .context
            .finops
            .delete(&self.map.finance_operations_entity, &parts)
            .await
        {
            Ok(_) => {
                if let Err(error) = self.store().forget_row(self.name(), key_text) {
                    tracing::error!(map = %self.map.name, error = %error, "shadow delete failed");
                }
                self.remember_delete(key_text);
                self.context.record(self.row_line(
                    Side::FinanceOperations,
                    key_text,
                    "delete",
                    format!("delete in {}", side_title(Side::FinanceOperations)),
                    None,
                    None,
                ));
                Outcome::Written
            }
            Err(error) if error.class.retry_policy() == RetryPolicy::Timed => {
                Outcome::Unavailable {
                    message: format!(
                        "deleting in {}: {error}",
                        side_title(Side::FinanceOperations)
                    ),
                    class: error.class.as_str(),
                }
            }
            Err(error) => self.refuse(
                Side::Dataverse,
                Some(key_text),
                "delete",
                Cause::Remote(&error),
                None,
            ),
        }
    }

    fn latency_ms(&self, from: Side, row: &Row) -> Option<i64> {
        let field = match from {
            Side::FinanceOperations => MODIFIED_FIELD,
            Side::Dataverse => "modifiedon",
        };
        let changed: DateTime<Utc> = row.get(field)?.as_str()?.parse().ok()?;
        Some(
            (self.context.clock.now() - changed)
                .num_milliseconds()
                .max(0),
        )
    }

    /// Logs a refused row in the error log with what was sent and what the remote said.
    fn refuse(
        &self,
        from: Side,
        key: Option<&str>,
        operation: &str,
        cause: Cause<'_>,
        payload: Option<Value>,
    ) -> Outcome {
        let (message, class, remote) = match cause {
            Cause::Map(message) => (message.to_owned(), APPLICATION, None),
            Cause::Remote(error) => (
                format!("{error} — {}", error.class.solution()),
                error.class.as_str(),
                error.body.clone(),
            ),
        };
        let payload = match (payload, remote) {
            (payload, Some(remote)) => Some(serde_json::json!({"sent": payload, "remote": remote})),
            (payload, None) => payload,
        };
        self.context.record(NewActivity {
            at: self.context.clock.stamp(),
            map: self.name().to_owned(),
            kind: "error".to_owned(),
            direction: Some(direction_name(from.other()).to_owned()),
            key: key.map(str::to_owned),
            operation: Some(operation.to_owned()),
            status: "failed".to_owned(),
            message: message.clone(),
            latency_ms: None,
            payload,
        });
        Outcome::Refused { message, class }
    }
}

/// A row of the initial sync on its way to Dataverse: its key, the mapped values written
/// (what the shadow remembers) and the `UpsertMultiple` target built from them.
struct Pending {
    key: RowKey,
    payload: Row,
    target: Row,
    /// The finance and operations row it came from, kept in the queue if Dataverse refuses
    /// it, so a retry applies it again.
    source: Row,
}

/// Why a row was refused: a problem in the row or the map, or the remote's answer.
enum Cause<'a> {
    Map(&'a str),
    Remote(&'a ConnectError),
}

/// How far an initial sync is, kept with its checkpoint.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Progress {
    pub done: u64,
    pub written: u64,
    pub total: Option<u64>,
    pub rows_per_second: f64,
}

/// How far a map's unfinished initial sync is, if one is under way or interrupted.
pub fn initial_progress(store: &Store, map: &str) -> Option<Progress> {
    let json = store.cursor(map, INITIAL_PROGRESS).ok()??;
    serde_json::from_str(&json).ok()
}

/// `$filter` for the rows after `last` in the order of `fields` (keyset paging):
/// `(a gt x) or (a eq x and b gt y) …`.
fn keyset_after(fields: &[String], last: &[String]) -> String {
    let clauses: Vec<String> = (0..fields.len())
        .map(|position| {
            let mut parts: Vec<String> = (0..position)
                .map(|earlier| {
                    format!(
                        "{} eq {}",
                        fields[earlier],
                        duet_connect::quote(&last[earlier])
                    )
                })
                .collect();
            parts.push(format!(
                "{} gt {}",
                fields[position],
                duet_connect::quote(&last[position])
            ));
            format!("({})", parts.join(" and "))
        })
        .collect();
    format!("({})", clauses.join(" or "))
}

/// "what: error — what to do about it", for a map's reason and the activity log.
fn with_fix(what: &str, error: &ConnectError) -> String {
    format!("{what}: {error} — {}", error.class.solution())
}

/// A reason with the written fix of its error class (`class` as [`Outcome::Unavailable`]
/// names it), for the map's reason line.
fn reason_with_fix(message: &str, class: &str) -> String {
    match ErrorClass::from_label(class) {
        Some(class) => format!("{message} — {}", class.solution()),
        None => message.to_owned(),
    }
}

/// The finance and operations key of `key` in `map`: the company field first when striped.
fn finops_key_of<'a>(map: &'a TableMap, key: &'a RowKey) -> Vec<(&'a str, &'a str)> {
    let mut parts: Vec<(&str, &str)> = Vec::new();
    if let (Some(striping), Some(code)) = (&map.company, &key.company) {
        parts.push((striping.finance_operations_field.as_str(), code.as_str()));
    }
    parts.extend(
        map.key
            .finance_operations
            .iter()
            .map(String::as_str)
            .zip(key.values.iter().map(String::as_str)),
    );
    parts
}

/// Whether a queued change went behind the queue to wait for its self-reference target.
fn is_waiting(change: &QueuedChange) -> bool {
    change.status == ChangeStatus::Queued
        && change
            .error
            .as_deref()
            .is_some_and(|error| error.starts_with(WAITING))
}

/// Whether a queued change waits for a parent row of another map.
fn is_held_back(change: &QueuedChange) -> bool {
    change
        .error
        .as_deref()
        .is_some_and(|error| error.starts_with(HELD_BACK))
}

fn side_of(name: &str) -> Side {
    if name == Side::Dataverse.as_str() {
        Side::Dataverse
    } else {
        Side::FinanceOperations
    }
}

fn direction_name(to: Side) -> &'static str {
    match to {
        Side::Dataverse => "toDataverse",
        Side::FinanceOperations => "toFinanceOperations",
    }
}

fn side_title(side: Side) -> &'static str {
    match side {
        Side::Dataverse => "Dataverse",
        Side::FinanceOperations => "finance and operations",
    }
}

/// The id inside `.../accounts(<guid>)`, when the entity URL carries one.
fn id_from_entity_url(url: &str) -> Option<String> {
    let inner = url.rsplit_once('(')?.1.strip_suffix(')')?;
    (inner.len() == 36 && !inner.contains('=')).then(|| inner.to_lowercase())
}

/// Reads a key written by `RowKey`'s `Display`: the company first when striped, then one value.
fn parse_key(text: &str, striped: bool) -> RowKey {
    match (striped, text.split_once('|')) {
        (true, Some((company, rest))) => RowKey {
            company: Some(company.to_owned()),
            values: vec![rest.to_owned()],
        },
        _ => RowKey {
            company: None,
            values: vec![text.to_owned()],
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_ids_come_from_primary_key_urls_only() {
        assert_eq!(
            id_from_entity_url(
                "http://x/api/data/v9.2/accounts(7EB682F1-CA75-E511-80D4-00155D2A68D1)"
            )
            .as_deref(),
            Some("7eb682f1-ca75-e511-80d4-00155d2a68d1")
        );
        assert_eq!(
            id_from_entity_url("http://x/accounts(accountnumber='C1')"),
            None
        );
    }

    #[test]
    fn keyset_paging_resumes_after_the_last_key_in_order() {
        let fields = ["dataAreaId".to_owned(), "CustomerAccount".to_owned()];
        assert_eq!(
            keyset_after(&fields, &["DAT".to_owned(), "O'Neil".to_owned()]),
            "((dataAreaId gt 'DAT') or (dataAreaId eq 'DAT' and CustomerAccount gt 'O''Neil'))"
        );
    }

    #[test]
    fn keys_read_back_as_written() {
        let key = RowKey {
            company: Some("DAT".to_owned()),
            values: vec!["C|1".to_owned()],
        };
        assert_eq!(
            parse_key(&key.to_string(), true),
            key,
            "a bar inside a value must survive"
        );
    }
}
