//! Running maps: the per-map task, its states, and how one change crosses to the other side.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use duet_connect::{ConnectError, DataverseClient, FinOpsClient};
use duet_maps::{MapError, Row, RowKey, Side, TableMap, same_values};
use duet_store::{ActivityRecord, NewActivity, Store, StoreError};
use serde_json::Value;
use tokio::sync::{Mutex, broadcast, watch};
use tokio::task::JoinHandle;

use crate::clock::Clock;

const DELTA_CURSOR: &str = "dataverse.deltaLink";
const WATERMARK_CURSOR: &str = "financeOperations.modifiedDateTime";
const MODIFIED_FIELD: &str = "ModifiedDateTime";

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
}

#[derive(Debug, Clone)]
pub struct EngineSettings {
    /// How often finance and operations is polled for rows past the watermark.
    pub poll_interval: Duration,
    /// How long a Dataverse delta request may be held open by a server that supports it.
    pub delta_wait: Duration,
    /// The pause after a failed round before the next one.
    pub failure_pause: Duration,
}

impl Default for EngineSettings {
    fn default() -> Self {
        EngineSettings {
            poll_interval: Duration::from_millis(500),
            delta_wait: Duration::from_secs(2),
            failure_pause: Duration::from_secs(2),
        }
    }
}

struct Running {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
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
}

impl Engine {
    pub fn new(
        store: Arc<Store>,
        finops: Arc<FinOpsClient>,
        dataverse: Arc<DataverseClient>,
        clock: Arc<dyn Clock>,
        settings: EngineSettings,
    ) -> Engine {
        let (events, _) = broadcast::channel(1024);
        Engine {
            context: Arc::new(Context {
                store,
                finops,
                dataverse,
                clock,
                settings,
                events,
            }),
            running: Mutex::new(HashMap::new()),
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<EngineEvent> {
        self.context.events.subscribe()
    }

    /// Starts a map: an initial sync when it has never run (or was stopped), otherwise a
    /// resume from its stored cursors, which replays everything captured since.
    pub async fn run(&self, name: &str) -> Result<(), EngineError> {
        let map = self.context.load_map(name)?;
        if self.context.store.link()?.is_none() {
            return Err(EngineError::NotLinked);
        }
        let mut running = self.running.lock().await;
        if let Some(existing) = running.get(name)
            && !existing.task.is_finished()
        {
            return Ok(());
        }
        let (stop, stopped) = watch::channel(false);
        let context = self.context.clone();
        let task = tokio::spawn(async move { context.drive(map, stopped).await });
        running.insert(name.to_owned(), Running { stop, task });
        Ok(())
    }

    /// Pauses a map: its cursors stay where they are, so nothing that changes meanwhile is lost.
    pub async fn pause(&self, name: &str) -> Result<(), EngineError> {
        self.halt(
            name,
            "paused",
            "Paused by an admin; changes keep accumulating at the source and are replayed on run",
        )
        .await
    }

    /// Stops a map and forgets its cursors: the next run starts with an initial sync.
    pub async fn stop(&self, name: &str) -> Result<(), EngineError> {
        self.halt(name, "stopped", "Stopped by an admin").await?;
        self.context.store.clear_cursors(name)?;
        Ok(())
    }

    async fn halt(&self, name: &str, state: &str, message: &str) -> Result<(), EngineError> {
        self.context.load_map(name)?;
        if let Some(running) = self.running.lock().await.remove(name) {
            let _ = running.stop.send(true);
            let _ = running.task.await;
        }
        self.context.set_state(name, state, None)?;
        self.context.lifecycle(name, "succeeded", message);
        Ok(())
    }

    /// Starts again every map that was running or initializing when Duet last closed.
    pub async fn resume_all(&self) -> Result<(), EngineError> {
        for map in self.context.store.maps()? {
            if matches!(map.state.as_str(), "running" | "initializing") {
                self.run(&map.name).await?;
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

    fn set_state(&self, name: &str, state: &str, reason: Option<&str>) -> Result<(), StoreError> {
        self.store
            .set_map_state(name, state, reason, &self.clock.stamp())?;
        let _ = self.events.send(EngineEvent::MapChanged(name.to_owned()));
        Ok(())
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

    async fn drive(self: Arc<Self>, map: TableMap, mut stopped: watch::Receiver<bool>) {
        let mut last_failure: Option<String> = None;
        loop {
            if *stopped.borrow() {
                return;
            }
            let outcome = self.clone().run_once(&map, stopped.clone()).await;
            let message = match outcome {
                Ok(()) => return,
                Err(message) => message,
            };
            if last_failure.as_deref() != Some(message.as_str()) {
                tracing::warn!(map = %map.name, error = %message, "sync round failed");
                self.lifecycle(&map.name, "failed", &format!("{message}; retrying"));
                let _ = self.set_state(&map.name, "running", Some(&message));
                last_failure = Some(message);
            }
            tokio::select! {
                _ = tokio::time::sleep(self.settings.failure_pause) => {}
                _ = stopped.changed() => return,
            }
        }
    }

    /// Initial sync when needed, then live sync until stopped. An error ends the round;
    /// `drive` pauses and starts another from the stored cursors.
    async fn run_once(
        self: Arc<Self>,
        map: &TableMap,
        stopped: watch::Receiver<bool>,
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
        let session = Arc::new(Session {
            context: self.clone(),
            map: map.clone(),
            companies,
            codes: Mutex::new(codes),
            apply_lock: Mutex::new(()),
        });
        if self
            .store
            .cursor(&map.name, DELTA_CURSOR)
            .map_err(|error| error.to_string())?
            .is_none()
        {
            session.initial_sync().await?;
        }
        self.set_state(&map.name, "running", None)
            .map_err(|error| error.to_string())?;
        let dataverse = session.clone().follow_dataverse(stopped.clone());
        let finops = session.clone().poll_finops(stopped);
        tokio::try_join!(dataverse, finops).map(|_| ())
    }
}

/// One run of one map: what both capture loops share.
struct Session {
    context: Arc<Context>,
    map: TableMap,
    companies: Vec<String>,
    codes: Mutex<CompanyCodes>,
    /// Changes are applied one at a time, so the two capture loops never race on a row.
    apply_lock: Mutex<()>,
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

impl Session {
    fn name(&self) -> &str {
        &self.map.name
    }

    fn store(&self) -> &Store {
        &self.context.store
    }

    fn dataverse_select(&self) -> Vec<String> {
        let mut columns: Vec<String> = vec![self.map.dataverse_id.clone()];
        columns.extend(
            self.map
                .fields
                .iter()
                .filter_map(|field| field.dataverse.clone()),
        );
        if let Some(striping) = &self.map.company {
            columns.push(format!("_{}_value", striping.dataverse_lookup));
        }
        columns.push("modifiedon".to_owned());
        columns.dedup();
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

    async fn initial_sync(&self) -> Result<(), String> {
        self.context
            .set_state(self.name(), "initializing", None)
            .map_err(|error| error.to_string())?;
        self.context.lifecycle(
            self.name(),
            "started",
            "Initial sync started (finance and operations → Dataverse)",
        );
        // Tracking starts before the copy, so a Dataverse change made during it is not missed.
        let select = self.dataverse_select();
        let select: Vec<&str> = select.iter().map(String::as_str).collect();
        let tracking = self
            .context
            .dataverse
            .track_changes(&self.map.dataverse_entity_set, &select)
            .await
            .map_err(|error| format!("starting Dataverse change tracking: {error}"))?;
        for row in &tracking.changed {
            self.remember_dataverse(row).await;
        }
        let mut params = vec![("cross-company", "true".to_owned())];
        if let Some(filter) = self.company_filter() {
            params.push(("$filter", filter));
        }
        let params: Vec<(&str, &str)> = params
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect();
        let rows = self
            .context
            .finops
            .query(&self.map.finance_operations_entity, &params)
            .await
            .map_err(|error| format!("reading {}: {error}", self.map.finance_operations_entity))?;
        let mut written = 0usize;
        for row in &rows {
            if self.apply(Side::FinanceOperations, row, false).await {
                written += 1;
            }
            if let Some(modified) = row.get(MODIFIED_FIELD).and_then(Value::as_str) {
                self.store()
                    .advance_watermark(self.name(), WATERMARK_CURSOR, modified)
                    .map_err(|error| error.to_string())?;
            }
        }
        self.store()
            .set_cursor(self.name(), DELTA_CURSOR, &tracking.delta_link)
            .map_err(|error| error.to_string())?;
        self.context.lifecycle(
            self.name(),
            "succeeded",
            &format!(
                "Initial sync finished: {} rows read, {written} written",
                rows.len()
            ),
        );
        Ok(())
    }

    async fn follow_dataverse(
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
            let page = page.map_err(|error| format!("reading Dataverse changes: {error}"))?;
            for row in &page.changed {
                self.apply(Side::Dataverse, row, true).await;
            }
            for id in &page.deleted {
                self.apply_dataverse_delete(id).await;
            }
            self.store()
                .set_cursor(self.name(), DELTA_CURSOR, &page.delta_link)
                .map_err(|error| error.to_string())?;
            if *stopped.borrow() {
                return Ok(());
            }
        }
    }

    async fn poll_finops(
        self: Arc<Self>,
        mut stopped: watch::Receiver<bool>,
    ) -> Result<(), String> {
        loop {
            let watermark = self
                .store()
                .cursor(self.name(), WATERMARK_CURSOR)
                .map_err(|error| error.to_string())?;
            // `ge` rather than `gt`: rows written in the same millisecond as the watermark
            // must not be skipped; re-reading one is harmless because unchanged rows are not written.
            let mut clauses: Vec<String> = watermark
                .iter()
                .map(|watermark| format!("{MODIFIED_FIELD} ge {watermark}"))
                .collect();
            clauses.extend(self.company_filter());
            let filter = clauses.join(" and ");
            let mut params = vec![("cross-company", "true"), ("$orderby", MODIFIED_FIELD)];
            if !filter.is_empty() {
                params.push(("$filter", filter.as_str()));
            }
            let rows = self
                .context
                .finops
                .query(&self.map.finance_operations_entity, &params)
                .await
                .map_err(|error| format!("reading finance and operations changes: {error}"))?;
            for row in &rows {
                self.apply(Side::FinanceOperations, row, true).await;
                if let Some(modified) = row.get(MODIFIED_FIELD).and_then(Value::as_str) {
                    self.store()
                        .advance_watermark(self.name(), WATERMARK_CURSOR, modified)
                        .map_err(|error| error.to_string())?;
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
    async fn remember_dataverse(&self, row: &Row) {
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

    /// Carries one changed row from `from` to the other side. Returns true when it wrote.
    async fn apply(&self, from: Side, row: &Row, live: bool) -> bool {
        let _one_at_a_time = self.apply_lock.lock().await;
        let company = match from {
            Side::Dataverse => self.company_of_dataverse(row).await,
            Side::FinanceOperations => None,
        };
        let key = match self.key_of(from, row, company.as_deref()) {
            Ok(key) => key,
            Err(error) => {
                self.row_error(
                    from,
                    None,
                    "read",
                    &error.to_string(),
                    Some(Value::Object(row.clone())),
                    None,
                );
                return false;
            }
        };
        if let Some(code) = &key.company
            && !self
                .companies
                .iter()
                .any(|linked| linked.eq_ignore_ascii_case(code))
        {
            return false;
        }
        let key_text = key.to_string();
        let dataverse_id = match from {
            Side::Dataverse => row.get(&self.map.dataverse_id).and_then(Value::as_str),
            Side::FinanceOperations => None,
        };
        let projection = self.map.projection(from, row);
        if let Err(error) = self.store().save_shadow(
            self.name(),
            from.as_str(),
            &key_text,
            dataverse_id,
            &Value::Object(projection),
        ) {
            self.row_error(
                from,
                Some(&key_text),
                "read",
                &error.to_string(),
                None,
                None,
            );
            return false;
        }
        let payload = match self.map.transform(from, row) {
            Ok(payload) => payload,
            Err(error) => {
                self.row_error(
                    from,
                    Some(&key_text),
                    "transform",
                    &error.to_string(),
                    Some(Value::Object(row.clone())),
                    None,
                );
                return false;
            }
        };
        let to = from.other();
        let known = match self.store().shadow(self.name(), to.as_str(), &key_text) {
            Ok(known) => known,
            Err(error) => {
                self.row_error(
                    from,
                    Some(&key_text),
                    "read",
                    &error.to_string(),
                    None,
                    None,
                );
                return false;
            }
        };
        if let Some(Value::Object(known)) = &known
            && same_values(&payload, known)
        {
            return false;
        }
        let latency_ms = if live {
            self.latency_ms(from, row)
        } else {
            None
        };
        let written = match to {
            Side::Dataverse => self.write_dataverse(&key, &payload).await,
            Side::FinanceOperations => self.write_finops(&key, &payload).await,
        };
        match written {
            Ok((operation, id)) => {
                let mut merged = match known {
                    Some(Value::Object(known)) => known,
                    _ => Row::new(),
                };
                merged.extend(payload.clone());
                if let Err(error) = self.store().save_shadow(
                    self.name(),
                    to.as_str(),
                    &key_text,
                    id.as_deref(),
                    &Value::Object(merged),
                ) {
                    tracing::error!(map = %self.map.name, error = %error, "shadow write failed");
                }
                self.context.record(NewActivity {
                    at: self.context.clock.stamp(),
                    map: self.name().to_owned(),
                    kind: "row".to_owned(),
                    direction: Some(direction_name(to).to_owned()),
                    key: Some(key_text),
                    operation: Some(operation.to_owned()),
                    status: "succeeded".to_owned(),
                    message: format!("{operation} in {}", side_title(to)),
                    latency_ms,
                    payload: Some(Value::Object(payload)),
                });
                true
            }
            Err(error) => {
                self.row_error(
                    from,
                    Some(&key_text),
                    "upsert",
                    &error.to_string(),
                    Some(Value::Object(payload)),
                    error.body.clone(),
                );
                false
            }
        }
    }

    async fn write_dataverse(
        &self,
        key: &RowKey,
        payload: &Row,
    ) -> Result<(&'static str, Option<String>), ConnectError> {
        let mut body = payload.clone();
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

    fn finops_key<'a>(&'a self, key: &'a RowKey) -> Vec<(&'a str, &'a str)> {
        let mut parts: Vec<(&str, &str)> = Vec::new();
        if let (Some(striping), Some(code)) = (&self.map.company, &key.company) {
            parts.push((striping.finance_operations_field.as_str(), code.as_str()));
        }
        parts.extend(
            self.map
                .key
                .finance_operations
                .iter()
                .map(String::as_str)
                .zip(key.values.iter().map(String::as_str)),
        );
        parts
    }

    async fn apply_dataverse_delete(&self, id: &str) {
        let _one_at_a_time = self.apply_lock.lock().await;
        let key_text = match self.store().key_for_dataverse_id(self.name(), id) {
            Ok(Some(key)) => key,
            Ok(None) => return,
            Err(error) => {
                self.row_error(
                    Side::Dataverse,
                    None,
                    "delete",
                    &error.to_string(),
                    None,
                    None,
                );
                return;
            }
        };
        let key = parse_key(&key_text, self.map.company.is_some());
        let parts = self.finops_key(&key);
        match self
            .context
            .finops
            .delete(&self.map.finance_operations_entity, &parts)
            .await
        {
            Ok(_) => {
                if let Err(error) = self.store().forget_row(self.name(), &key_text) {
                    tracing::error!(map = %self.map.name, error = %error, "shadow delete failed");
                }
                self.context.record(NewActivity {
                    at: self.context.clock.stamp(),
                    map: self.name().to_owned(),
                    kind: "row".to_owned(),
                    direction: Some(direction_name(Side::FinanceOperations).to_owned()),
                    key: Some(key_text),
                    operation: Some("delete".to_owned()),
                    status: "succeeded".to_owned(),
                    message: format!("delete in {}", side_title(Side::FinanceOperations)),
                    latency_ms: None,
                    payload: None,
                });
            }
            Err(error) => self.row_error(
                Side::Dataverse,
                Some(&key_text),
                "delete",
                &error.to_string(),
                None,
                error.body.clone(),
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

    fn row_error(
        &self,
        from: Side,
        key: Option<&str>,
        operation: &str,
        message: &str,
        payload: Option<Value>,
        remote: Option<String>,
    ) {
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
            message: message.to_owned(),
            latency_ms: None,
            payload,
        });
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
