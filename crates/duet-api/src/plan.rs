//! Map lifecycle over several maps: a run plan that starts related maps in dependency order
//! (each with or without an initial sync, and with its master), and bulk Run, Pause, Resume
//! and Stop.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use duet_engine::RunOptions;
use duet_maps::{Side, TableMap};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::json;
use crate::model::{EnvironmentKind, MapState, ResumeMode};
use crate::{Api, ApiError, Code};

/// The note of the map version a run plan saves when it changes a map's master.
const MASTER_NOTE: &str = "master set by run plan";

/// One map of a run plan, in start order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlanStep {
    pub map: String,
    pub title: String,
    /// The maps of the plan this map looks rows up in: they start before it.
    pub depends_on: Vec<String>,
    /// Copy existing rows first; off, the map goes live from now on. Defaults to on unless
    /// the map already has synced state to continue from.
    pub initial_sync: bool,
    /// The side whose change wins a conflict.
    pub master: EnvironmentKind,
    pub state: MapState,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunPlan {
    pub steps: Vec<PlanStep>,
}

/// What the admin chose for one step of a plan to start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlanStepChoice {
    pub map: String,
    pub initial_sync: bool,
    pub master: EnvironmentKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum BulkAction {
    Run,
    Pause,
    Resume,
    Stop,
}

/// What became of one map of a bulk action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BulkResult {
    pub map: String,
    pub ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub error: Option<ApiError>,
}

/// The maps `map` looks up among `names`, itself excluded.
fn depends_on(map: &TableMap, names: &HashSet<&str>) -> Vec<String> {
    map.lookup_targets()
        .into_iter()
        .filter(|target| *target != map.name && names.contains(target))
        .map(str::to_owned)
        .collect()
}

/// Refuses an order where a map comes before a map of the plan it looks up.
fn check_order(maps: &[TableMap]) -> Result<(), ApiError> {
    let position: HashMap<&str, usize> = maps
        .iter()
        .enumerate()
        .map(|(index, map)| (map.name.as_str(), index))
        .collect();
    for (index, map) in maps.iter().enumerate() {
        for target in map.lookup_targets() {
            if let Some(&at) = position.get(target)
                && at > index
            {
                return Err(ApiError::new(
                    Code::PlanOrder,
                    format!(
                        "'{}' comes before '{target}', but it looks up rows of '{target}': \
                         move '{target}' before '{}'",
                        map.name, map.name
                    ),
                ));
            }
        }
    }
    Ok(())
}

impl Api {
    pub(crate) fn stored_map(&self, name: &str) -> Result<(TableMap, MapState), ApiError> {
        let record = self.store.map(name)?.ok_or_else(|| {
            ApiError::new(Code::NotFound, format!("there is no map named '{name}'"))
        })?;
        let map = serde_json::from_value(record.definition).map_err(|error| {
            ApiError::new(
                Code::InvalidMap,
                format!("the stored definition of map '{name}' is invalid: {error}"),
            )
        })?;
        Ok((map, record.state))
    }

    fn plan_step(&self, map: &TableMap, state: MapState, names: &HashSet<&str>) -> PlanStep {
        PlanStep {
            map: map.name.clone(),
            title: map.title.clone(),
            depends_on: depends_on(map, names),
            initial_sync: !duet_engine::has_synced_state(&self.store, &map.name),
            master: map.master.into(),
            state,
        }
    }

    /// The named maps and the stored maps they look up (transitively), in an order where
    /// every map comes after the maps it looks up.
    pub fn run_plan(&self, names: &[String]) -> Result<RunPlan, ApiError> {
        if names.is_empty() {
            return Err(ApiError::new(
                Code::BadArguments,
                "name at least one map for a run plan",
            ));
        }
        let mut maps: Vec<(TableMap, MapState)> = Vec::new();
        let mut pending: Vec<String> = names.to_vec();
        let mut seen: HashSet<String> = HashSet::new();
        let mut index = 0;
        while index < pending.len() {
            let name = pending[index].clone();
            index += 1;
            if !seen.insert(name.clone()) {
                continue;
            }
            let (map, state) = self.stored_map(&name)?;
            for target in map.lookup_targets() {
                // A lookup into a map that is not stored is a validation problem (DW-V012),
                // shown on the map; the plan has nothing to start for it.
                if target != map.name && self.store.map(target)?.is_some() {
                    pending.push(target.to_owned());
                }
            }
            maps.push((map, state));
        }
        let definitions: Vec<TableMap> = maps.iter().map(|(map, _)| map.clone()).collect();
        let order = duet_maps::start_order(&definitions)
            .map_err(|cycle| ApiError::new(Code::PlanCycle, cycle.to_string()))?;
        let all: HashSet<&str> = order.iter().map(String::as_str).collect();
        let steps = order
            .iter()
            .filter_map(|name| maps.iter().find(|(map, _)| &map.name == name))
            .map(|(map, state)| self.plan_step(map, *state, &all))
            .collect();
        Ok(RunPlan { steps })
    }

    /// Checks a plan's order, sets each map's master, and starts the maps one after another
    /// in a background task: each waits until the one before reached Running. Answers at
    /// once with the accepted plan.
    pub async fn start_plan(
        self: &Arc<Self>,
        choices: &[PlanStepChoice],
    ) -> Result<RunPlan, ApiError> {
        if choices.is_empty() {
            return Err(ApiError::new(
                Code::BadArguments,
                "a run plan needs at least one step",
            ));
        }
        let mut maps: Vec<(TableMap, MapState)> = Vec::with_capacity(choices.len());
        for choice in choices {
            if maps.iter().any(|(map, _)| map.name == choice.map) {
                return Err(ApiError::new(
                    Code::BadArguments,
                    format!("'{}' is in the plan twice", choice.map),
                ));
            }
            maps.push(self.stored_map(&choice.map)?);
        }
        let definitions: Vec<TableMap> = maps.iter().map(|(map, _)| map.clone()).collect();
        check_order(&definitions)?;
        let names: Vec<&str> = choices.iter().map(|choice| choice.map.as_str()).collect();
        self.guard_runnable(&names).await?;
        for ((map, state), choice) in maps.iter().zip(choices) {
            let master = Side::from(choice.master);
            if map.master != master && state.is_started() {
                return Err(ApiError::new(
                    Code::MapRunning,
                    format!(
                        "'{}' is {state}: stop it before changing its master",
                        map.name
                    ),
                ));
            }
        }
        // One plan at a time: a second would start maps out of the first one's order.
        if self
            .plan_running
            .swap(true, std::sync::atomic::Ordering::SeqCst)
        {
            return Err(ApiError::new(
                Code::PlanRunning,
                "a run plan is still starting its maps; wait until its last step is logged",
            ));
        }
        let mut flag = PlanFlag(Some(self.clone()));
        for ((map, _), choice) in maps.iter_mut().zip(choices) {
            let master = Side::from(choice.master);
            if map.master != master {
                map.master = master;
                self.save_definition(&json(&*map)?, Some(MASTER_NOTE))?;
            }
        }
        let names: HashSet<&str> = choices.iter().map(|choice| choice.map.as_str()).collect();
        let steps: Vec<PlanStep> = maps
            .iter()
            .zip(choices)
            .map(|((map, state), choice)| PlanStep {
                initial_sync: choice.initial_sync,
                ..self.plan_step(map, *state, &names)
            })
            .collect();
        let api = self.clone();
        let started = steps.clone();
        // The flag now belongs to the task: it is cleared when the plan ends, however it ends.
        let flag = PlanFlag(flag.0.take());
        tokio::spawn(async move {
            api.carry_out(started).await;
            drop(flag);
        });
        Ok(RunPlan { steps })
    }

    async fn carry_out(self: Arc<Self>, steps: Vec<PlanStep>) {
        let total = steps.len();
        for (index, step) in steps.iter().enumerate() {
            let rest: Vec<&str> = steps[index + 1..]
                .iter()
                .map(|step| step.map.as_str())
                .collect();
            let outcome = self.start_step(step).await;
            let why = match outcome {
                Ok(()) => {
                    self.record_line(
                        &step.map,
                        "succeeded",
                        &format!("Run plan: step {} of {total} reached Running", index + 1),
                    );
                    continue;
                }
                Err(why) => why,
            };
            let stopped = if rest.is_empty() {
                String::new()
            } else {
                format!("; the plan stopped before {}", rest.join(", "))
            };
            self.record_line(
                &step.map,
                "failed",
                &format!(
                    "Run plan: step {} of {total} did not reach Running: {why}{stopped}",
                    index + 1
                ),
            );
            return;
        }
    }

    /// Starts one step's map and waits until it runs; the error says why it did not. It
    /// follows the engine's events for the map rather than polling its state.
    async fn start_step(&self, step: &PlanStep) -> Result<(), String> {
        let engine = self.engine().await.map_err(|error| error.message)?;
        let before = self
            .store
            .map(&step.map)
            .map_err(|error| error.to_string())?
            .ok_or_else(|| format!("'{}' was deleted", step.map))?;
        // A reason left from an earlier failure would read as this start's failure.
        if before.reason.is_some() && before.state != MapState::Running {
            engine
                .clear_reason(&step.map)
                .map_err(|error| error.to_string())?;
        }
        engine
            .run_with(
                &step.map,
                RunOptions {
                    initial_sync: step.initial_sync,
                },
            )
            .await
            .map_err(|error| error.to_string())?;
        // Subscribed after the start, the watch reads the map as it is now first.
        let mut watch = engine.watch_map(&step.map);
        let mut moved = false;
        loop {
            let record = watch.next().await.map_err(|error| error.to_string())?;
            moved |= record.state != before.state;
            match (record.state, record.reason) {
                (MapState::Running, _) => return Ok(()),
                (_, Some(reason)) => return Err(reason),
                (MapState::Paused | MapState::Stopped | MapState::Error, None) if moved => {
                    return Err(format!("it was {} meanwhile", record.state));
                }
                _ => {}
            }
        }
    }

    /// One action over several maps; one map's failure does not stop the others.
    pub async fn bulk_maps(
        &self,
        action: BulkAction,
        names: &[String],
        mode: ResumeMode,
    ) -> Result<Vec<BulkResult>, ApiError> {
        if names.is_empty() {
            return Err(ApiError::new(Code::BadArguments, "name at least one map"));
        }
        let mut results = Vec::with_capacity(names.len());
        for name in names {
            let done = match action {
                BulkAction::Run => self.run_map(name).await,
                BulkAction::Pause => self.pause_map(name).await,
                BulkAction::Resume => self.resume_map(name, mode).await,
                BulkAction::Stop => self.stop_map(name).await,
            };
            results.push(BulkResult {
                map: name.clone(),
                ok: done.is_ok(),
                error: done.err(),
            });
        }
        Ok(results)
    }
}

/// Clears [`Api::plan_running`] when dropped, so an error or a finished plan frees the way.
struct PlanFlag(Option<Arc<Api>>);

impl Drop for PlanFlag {
    fn drop(&mut self) {
        if let Some(api) = self.0.take() {
            api.plan_running
                .store(false, std::sync::atomic::Ordering::SeqCst);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn looking_up(name: &str, target: &str) -> TableMap {
        let mut map = TableMap::customers();
        map.name = name.to_owned();
        let mut field = map.fields[0].clone();
        field.lookup = Some(duet_maps::Lookup {
            target_map: target.to_owned(),
            self_reference: false,
        });
        map.fields.push(field);
        map
    }

    #[test]
    fn an_order_with_a_map_before_its_lookup_is_refused_naming_both() {
        let mut base = TableMap::customers();
        base.name = "groups".to_owned();
        let dependent = looking_up("customers", "groups");
        assert!(check_order(&[base.clone(), dependent.clone()]).is_ok());
        let error = check_order(&[dependent, base]).unwrap_err();
        assert_eq!(error.code, "plan_order");
        assert!(
            error.message.contains("'customers'") && error.message.contains("'groups'"),
            "{}",
            error.message
        );
    }
}
