//! The maps a setup scenario runs: any stored map or standard template, with the maps they
//! look up added, in the order they start, each with its initial-sync choice and master.

use std::collections::HashMap;

use duet_maps::{TableMap, template_catalog};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::{EnvironmentKind, ScenarioOptions};
use crate::plan::PlanStepChoice;
use crate::{Api, ApiError, Code};

/// Where a scenario's map comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum MapSource {
    /// A map stored in this Duet: the scenario runs its newest version.
    Stored,
    /// A standard template the scenario adds as a new map.
    Template,
}

/// One map of a scenario, in the order the maps start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ScenarioMap {
    pub name: String,
    pub title: String,
    pub source: MapSource,
    /// The chosen maps that look this one up, when it was added for them; empty when it
    /// was chosen itself.
    pub required_by: Vec<String>,
    pub company_specific: bool,
    /// Copy existing rows first (on), or skip the copy and go live (off).
    pub initial_sync: bool,
    /// Which side wins for rows both sides hold.
    pub master: EnvironmentKind,
}

impl ScenarioMap {
    pub(super) fn choice(&self) -> PlanStepChoice {
        PlanStepChoice {
            map: self.name.clone(),
            initial_sync: self.initial_sync,
            master: self.master,
        }
    }
}

/// A map found for a scenario, with where it came from.
pub(super) struct Found {
    pub(super) map: TableMap,
    pub(super) source: MapSource,
    pub(super) required_by: Vec<String>,
}

impl Api {
    /// Each map the run starts with its choice: `options.choices` as checked when the run
    /// was planned, or (for a run checkpointed before choices existed) resolved again.
    pub(super) fn scenario_choices(
        &self,
        options: &ScenarioOptions,
    ) -> Result<Vec<PlanStepChoice>, ApiError> {
        if !options.choices.is_empty() {
            return Ok(options.choices.clone());
        }
        Ok(self
            .scenario_maps(options)?
            .iter()
            .map(ScenarioMap::choice)
            .collect())
    }

    /// The maps a scenario choosing `options.maps` runs, in start order, with the maps they
    /// look up; each takes its choice from `options.choices`, or initial sync on and the
    /// run's master.
    pub fn scenario_maps(&self, options: &ScenarioOptions) -> Result<Vec<ScenarioMap>, ApiError> {
        let found = self.resolve_scenario_maps(&options.maps)?;
        Ok(found
            .into_iter()
            .map(|found| {
                let choice = options
                    .choices
                    .iter()
                    .find(|choice| choice.map == found.map.name);
                ScenarioMap {
                    initial_sync: choice.is_none_or(|choice| choice.initial_sync),
                    master: choice.map_or(options.master, |choice| choice.master),
                    name: found.map.name.clone(),
                    title: found.map.title.clone(),
                    source: found.source,
                    required_by: found.required_by,
                    company_specific: found.map.company.is_some(),
                }
            })
            .collect())
    }

    /// The named maps (stored ones first, templates otherwise) and every map they look up,
    /// transitively, in start order.
    pub(super) fn resolve_scenario_maps(&self, names: &[String]) -> Result<Vec<Found>, ApiError> {
        let stored: HashMap<String, TableMap> = self
            .stored_maps()?
            .into_iter()
            .map(|map| (map.name.clone(), map))
            .collect();
        // The demo map (Customers V3 ↔ accounts) is offered beside the standard templates.
        let templates: HashMap<String, TableMap> = template_catalog()
            .into_iter()
            .map(|template| template.map)
            .chain(std::iter::once(TableMap::customers()))
            .map(|map| (map.name.clone(), map))
            .collect();
        let mut found: Vec<Found> = Vec::new();
        let mut pending: Vec<(String, Option<String>)> =
            names.iter().map(|name| (name.clone(), None)).collect();
        let mut next = 0;
        while next < pending.len() {
            let (name, wanted_by) = pending[next].clone();
            next += 1;
            if let Some(existing) = found.iter_mut().find(|found| found.map.name == name) {
                if let Some(by) = wanted_by
                    && !names.contains(&name)
                    && !existing.required_by.contains(&by)
                {
                    existing.required_by.push(by);
                }
                continue;
            }
            let (map, source) = match (stored.get(&name), templates.get(&name)) {
                (Some(map), _) => (map.clone(), MapSource::Stored),
                (None, Some(map)) => (map.clone(), MapSource::Template),
                (None, None) => {
                    return Err(ApiError::new(
                        Code::InvalidScenario,
                        format!("there is no stored map or template named '{name}'"),
                    ));
                }
            };
            for target in map.lookup_targets() {
                if target != map.name {
                    pending.push((target.to_owned(), Some(map.name.clone())));
                }
            }
            let chosen = names.contains(&name);
            found.push(Found {
                map,
                source,
                required_by: if chosen {
                    Vec::new()
                } else {
                    wanted_by.into_iter().collect()
                },
            });
        }
        let maps: Vec<TableMap> = found.iter().map(|found| found.map.clone()).collect();
        let order = duet_maps::start_order(&maps)
            .map_err(|cycle| ApiError::new(Code::PlanCycle, cycle.to_string()))?;
        let mut ordered = Vec::with_capacity(found.len());
        for name in order {
            if let Some(index) = found.iter().position(|found| found.map.name == name) {
                ordered.push(found.swap_remove(index));
            }
        }
        Ok(ordered)
    }
}
