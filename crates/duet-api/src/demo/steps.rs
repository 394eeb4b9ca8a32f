//! What each scripted demo does, step by step, through the same commands and clients the
//! window uses: pause and resume, writes on either side, the queue and the activity log.
//! Every wait reads the other side (or the log) until what is expected is there, and fails
//! with what it saw when it is not there in time.

use std::time::{Duration, Instant};

use duet_maps::{Row, RowKey, Side, TableMap};
use duet_store::{MapState, QueuedChange};
use serde_json::{Map, Value};

use super::row_key;
use super::rows::{name_columns, read_dataverse, read_finops};
use super::scripts::{DemoScript, Runner, StepResult};
use crate::model::ResumeMode;
use crate::{Api, ApiError};

/// How long a step waits for a change to be captured or to arrive.
const WAIT: Duration = Duration::from_secs(45);
const POLL: Duration = Duration::from_millis(150);

pub(super) fn text(error: ApiError) -> String {
    error.message
}

pub(super) fn side_name(side: Side) -> &'static str {
    match side {
        Side::FinanceOperations => "finance and operations",
        Side::Dataverse => "Dataverse",
    }
}

/// Polls `probe` until it answers, for at most `WAIT`; `what` names the wait in the failure.
pub(super) async fn until<T, F, Fut>(what: &str, mut probe: F) -> Result<(T, Duration), String>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>, String>>,
{
    let start = Instant::now();
    loop {
        if let Some(found) = probe().await? {
            return Ok((found, start.elapsed()));
        }
        if start.elapsed() > WAIT {
            return Err(format!("{what} did not happen within {} s", WAIT.as_secs()));
        }
        tokio::time::sleep(POLL).await;
    }
}

pub(super) fn seconds(elapsed: Duration) -> String {
    format!("{:.1} s", elapsed.as_secs_f64())
}

impl Api {
    async fn read_side(
        &self,
        map: &TableMap,
        side: Side,
        key: &RowKey,
    ) -> Result<Option<Row>, ApiError> {
        let (finops, dataverse) = self.clients().await?;
        match side {
            Side::FinanceOperations => read_finops(&finops, map, key).await,
            Side::Dataverse => read_dataverse(&dataverse, map, key).await,
        }
    }

    /// Waits until `column` of the row on `side` holds `value`; answers how long it took.
    pub(super) async fn arrives(
        &self,
        map: &TableMap,
        side: Side,
        key: &RowKey,
        column: &str,
        value: &Value,
    ) -> Result<Duration, String> {
        let what = format!("{value} arriving in {}", side_name(side));
        until(&what, || async {
            let row = self.read_side(map, side, key).await.map_err(text)?;
            Ok(row.filter(|row| row.get(column) == Some(value)).map(|_| ()))
        })
        .await
        .map(|(_, elapsed)| elapsed)
    }

    async fn state_is(&self, map: &str, state: MapState) -> Result<(), String> {
        until(&format!("the map reaching {state:?}"), || async {
            let record = self.store.map(map).map_err(|error| error.to_string())?;
            Ok(record.filter(|record| record.state == state).map(|_| ()))
        })
        .await
        .map(|_| ())
    }

    /// Pauses `map` and waits until it is Paused.
    async fn pause_and_wait(&self, map: &str) -> Result<(), String> {
        self.pause_map(map).await.map_err(text)?;
        self.state_is(map, MapState::Paused).await
    }

    /// Resumes `map` with catch-up and waits until every queued change was applied (Running).
    async fn catch_up(&self, map: &str) -> Result<(), String> {
        self.resume_map(map, ResumeMode::CatchUp)
            .await
            .map_err(text)?;
        self.state_is(map, MapState::Running).await
    }

    pub(super) fn changes_of(&self, map: &str, key: &str) -> Result<Vec<QueuedChange>, String> {
        self.store
            .queued_changes(map, Some(key), 500)
            .map(|changes| {
                changes
                    .into_iter()
                    .filter(|change| change.change.key.as_deref() == Some(key))
                    .collect()
            })
            .map_err(|error| error.to_string())
    }

    /// Writes one column on `side` and waits until the change is in the (paused) queue.
    async fn write_captured(
        &self,
        map: &TableMap,
        side: Side,
        key: &RowKey,
        column: &str,
        value: &str,
    ) -> Result<(), String> {
        let text_key = key.to_string();
        let before = self
            .changes_of(&map.name, &text_key)?
            .iter()
            .filter(|change| change.change.side == side)
            .count();
        let body: Row = Map::from_iter([(column.to_owned(), Value::from(value))]);
        self.write_row(map, side, key, &body).await.map_err(text)?;
        until(
            &format!("'{value}' being captured from {}", side_name(side)),
            || async {
                let now = self
                    .changes_of(&map.name, &text_key)?
                    .iter()
                    .filter(|change| change.change.side == side)
                    .count();
                Ok((now > before).then_some(()))
            },
        )
        .await
        .map(|_| ())
    }

    pub(super) fn newest_activity_id(&self) -> Result<i64, String> {
        Ok(self
            .store
            .activity(1)
            .map_err(|error| error.to_string())?
            .first()
            .map_or(0, |line| line.id))
    }
}

impl Runner {
    pub(super) async fn play(&mut self, key: Option<String>) -> Result<String, String> {
        let map = self.api.demo_map(&self.run.map).map_err(text)?;
        let script = self.run.script;
        if script == DemoScript::CreateAppears {
            return self.create_appears(&map).await;
        }
        let key = match key {
            Some(key) => key,
            None => self.first_row(&map).await?,
        };
        let key = row_key(&map, &key).map_err(text)?;
        self.set_key(&key.to_string());
        let result = match script {
            DemoScript::PauseCatchUp => self.pause_catch_up(&map, &key).await,
            DemoScript::RefusedRetry => self.refused_retry(&map, &key).await,
            DemoScript::ConflictMasterWins => self.conflict(&map, &key).await,
            DemoScript::CreateAppears => unreachable!("handled above"),
        };
        if result.is_err() {
            self.leave_running(&map.name).await;
        }
        result
    }

    /// A failed script must not leave the map paused: what it queued is caught up.
    async fn leave_running(&self, map: &str) {
        if let Ok(Some(record)) = self.api.store.map(map)
            && record.state == MapState::Paused
            && let Err(error) = self.api.resume_map(map, ResumeMode::CatchUp).await
        {
            tracing::warn!(%error, map, "a failed demo could not resume the map");
        }
    }

    /// The first row of the link's companies that is on both sides.
    async fn first_row(&self, map: &TableMap) -> Result<String, String> {
        let rows = self.api.demo_rows(&map.name, "", 20).await.map_err(text)?;
        rows.into_iter()
            .find(|row| row.on_finance_operations && row.on_dataverse)
            .map(|row| row.key)
            .ok_or_else(|| format!("map '{}' has no row on both sides to change", map.name))
    }

    async fn create_appears(&mut self, map: &TableMap) -> Result<String, String> {
        let api = self.api.clone();
        let (fo_name, dv_name) = name_columns(map).ok_or("the map maps no name column")?;
        let link = api
            .store
            .link()
            .map_err(|error| error.to_string())?
            .ok_or("nothing is linked")?;
        let company = link.companies.first().map(|code| code.to_uppercase());
        let prefix = map
            .number_sequence_prefixes
            .as_ref()
            .map_or("DEMO-", |prefixes| prefixes.dataverse.as_str());
        let stamp = api.clock.now().format("%H%M%S").to_string();
        let key = RowKey {
            company: company.clone(),
            values: vec![format!("{prefix}DEMO{stamp}")],
        };
        let name = format!("Demo customer {stamp}");
        self.set_key(&key.to_string());
        self.step(async {
            let mut body: Row = Map::from_iter([(dv_name.to_owned(), Value::from(name.clone()))]);
            if let (Some(striping), Some(code)) = (&map.company, &company) {
                let (_, dataverse) = api.clients().await.map_err(text)?;
                let ids = crate::companies::dataverse_companies(&dataverse, striping)
                    .await
                    .map_err(text)?;
                let id = ids
                    .iter()
                    .find(|(_, c)| c == code)
                    .map(|(id, _)| id.clone())
                    .ok_or(format!("company {code} is not in Dataverse"))?;
                body.insert(
                    format!("{}@odata.bind", striping.dataverse_lookup),
                    Value::from(format!("/{}({id})", striping.company_entity_set)),
                );
            }
            let (_, dataverse) = api.clients().await.map_err(text)?;
            dataverse
                .create_by_key(&map.dataverse_entity_set, &map.dataverse_key(&key), &body)
                .await
                .map_err(|error| error.to_string())?;
            Ok(format!("Created {key} '{name}' in Dataverse"))
        })
        .await?;
        let arrived = self
            .step(async {
                let elapsed = api
                    .arrives(
                        map,
                        Side::FinanceOperations,
                        &key,
                        fo_name,
                        &Value::from(name.clone()),
                    )
                    .await?;
                Ok(format!(
                    "{key} '{name}' is in finance and operations after {}",
                    seconds(elapsed)
                ))
            })
            .await?;
        Ok(arrived)
    }

    async fn pause_catch_up(&mut self, map: &TableMap, key: &RowKey) -> StepResult {
        let api = self.api.clone();
        let (fo_name, dv_name) = name_columns(map).ok_or("the map maps no name column")?;
        self.step(async {
            api.pause_and_wait(&map.name).await?;
            Ok("Paused: changes are captured into the queue, not applied".to_owned())
        })
        .await?;
        let mark = api.newest_activity_id()?;
        let names = ["NameA", "NameB", "NameC"];
        self.step(async {
            for name in names {
                api.write_captured(map, Side::FinanceOperations, key, fo_name, name).await?;
            }
            let queued = api.changes_of(&map.name, &key.to_string())?.len();
            Ok(format!("NameA, NameB, NameC written in finance and operations; {queued} changes of {key} wait in the queue"))
        }).await?;
        self.step(async {
            api.catch_up(&map.name).await?;
            Ok("Caught up: every change queued while paused was applied".to_owned())
        })
        .await?;
        self.step(async {
            let text_key = key.to_string();
            let (arrived, _) = until("NameA, NameB and NameC in the activity log", || async {
                let lines = api
                    .store
                    .row_activity(&map.name, &text_key, 50)
                    .map_err(|error| error.to_string())?;
                let written: Vec<String> = lines
                    .iter()
                    .rev()
                    .filter(|line| {
                        line.id > mark
                            && line.entry.kind == "row"
                            && line.entry.direction.as_deref() == Some("toDataverse")
                    })
                    .filter_map(|line| {
                        line.entry
                            .payload
                            .as_ref()?
                            .get(dv_name)?
                            .as_str()
                            .map(str::to_owned)
                    })
                    .filter(|name| names.contains(&name.as_str()))
                    .collect();
                Ok((written.len() >= names.len()).then_some(written))
            })
            .await?;
            if arrived != names {
                return Err(format!("they arrived as {} instead", arrived.join(" → ")));
            }
            api.arrives(map, Side::Dataverse, key, dv_name, &Value::from("NameC"))
                .await?;
            Ok(
                "NameA → NameB → NameC arrived in Dataverse in that order; Dataverse holds NameC"
                    .to_owned(),
            )
        })
        .await
    }

    async fn conflict(&mut self, map: &TableMap, key: &RowKey) -> StepResult {
        let api = self.api.clone();
        let (fo_name, dv_name) = name_columns(map).ok_or("the map maps no name column")?;
        let stamp = api.clock.now().format("%H:%M:%S").to_string();
        let from_fo = format!("Set in finance and operations {stamp}");
        let from_dv = format!("Set in Dataverse {stamp}");
        let master = map.master;
        let (winner, loser) = match master {
            Side::FinanceOperations => (from_fo.clone(), from_dv.clone()),
            Side::Dataverse => (from_dv.clone(), from_fo.clone()),
        };
        self.step(async {
            api.pause_and_wait(&map.name).await?;
            Ok("Paused".to_owned())
        })
        .await?;
        let mark = api.newest_activity_id()?;
        self.step(async {
            api.write_captured(map, Side::FinanceOperations, key, fo_name, &from_fo).await?;
            api.write_captured(map, Side::Dataverse, key, dv_name, &from_dv).await?;
            Ok(format!("'{from_fo}' in finance and operations, '{from_dv}' in Dataverse; both wait in the queue"))
        }).await?;
        self.step(async {
            api.catch_up(&map.name).await?;
            Ok("Caught up".to_owned())
        })
        .await?;
        self.step(async {
            api.arrives(map, Side::FinanceOperations, key, fo_name, &Value::from(winner.clone())).await?;
            api.arrives(map, Side::Dataverse, key, dv_name, &Value::from(winner.clone())).await?;
            let text_key = key.to_string();
            let (line, _) = until("the conflict line in the error log", || async {
                let lines = api.store.row_activity(&map.name, &text_key, 20).map_err(|error| error.to_string())?;
                Ok(lines.into_iter().find(|line| line.id > mark && line.entry.status == "conflict"))
            }).await?;
            Ok(format!("The master ({}) wins: both sides hold '{winner}'. Logged: {} ('{loser}' was not applied)", side_name(master), line.entry.message))
        }).await
    }
}
