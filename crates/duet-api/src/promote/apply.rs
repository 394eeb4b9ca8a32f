//! Applying a package here: every added or changed map (or only the named ones) saved
//! through `save_map` in start order, so each change is a version `rollback_map` can undo.
//!
//! A promotion is checked whole before anything is saved: a package with errors, or a
//! running map that would refuse its new definition (it must be free of validation errors),
//! stops the promotion with nothing applied, and the report says which maps refused and why.
//! An admin promoting a release then never has half of it running.

use duet_maps::{CompareStatus, MapComparison, TableMap};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use super::Checked;
use crate::error::json;
use crate::{Api, ApiError, Code};

/// What a promotion did with one map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum PromotionOutcome {
    /// New here, added stopped as its first version.
    Added {
        #[ts(type = "number")]
        version: i64,
    },
    /// Saved as a new version; a running map takes it at its next safe point.
    Updated {
        #[ts(type = "number")]
        from: i64,
        #[ts(type = "number")]
        to: i64,
        running: bool,
    },
    /// The same here already: nothing saved.
    Unchanged,
    /// Not applied: the running map refuses a definition with these validation errors, or
    /// saving failed with this code.
    Refused { codes: Vec<String>, message: String },
    /// Not applied because another map of the promotion refused.
    NotApplied,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MapPromotion {
    pub name: String,
    pub outcome: PromotionOutcome,
}

/// What a promotion did, map by map in the order it applied them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PromotionReport {
    pub source: String,
    /// Every chosen map was applied (or was unchanged already).
    pub promoted: bool,
    pub maps: Vec<MapPromotion>,
}

impl Api {
    /// Applies the package's added and changed maps (only `names`, when given) here.
    pub async fn promote_maps(
        &self,
        package: &Value,
        source: &str,
        names: Option<&[String]>,
    ) -> Result<PromotionReport, ApiError> {
        let checked = self.check_package(package)?;
        let errors = checked.errors();
        if !errors.is_empty() {
            let lines: Vec<String> = errors
                .iter()
                .map(|problem| format!("{} at {}: {}", problem.code, problem.path, problem.message))
                .collect();
            return Err(ApiError::new(
                Code::InvalidMap,
                format!("the package cannot be promoted: {}", lines.join("; ")),
            ));
        }
        let chosen = chosen(&checked, names)?;
        let refusals = self.refusals(&checked, &chosen).await;
        let maps = if refusals.is_empty() {
            self.apply(&chosen, source).await?
        } else {
            chosen
                .iter()
                .map(|compared| MapPromotion {
                    name: compared.name.clone(),
                    outcome: refusals
                        .iter()
                        .find(|(name, _)| *name == compared.name)
                        .map(|(_, outcome)| outcome.clone())
                        .unwrap_or(if compared.status == CompareStatus::Unchanged {
                            PromotionOutcome::Unchanged
                        } else {
                            PromotionOutcome::NotApplied
                        }),
                })
                .collect()
        };
        Ok(PromotionReport {
            source: source.to_owned(),
            promoted: maps.iter().all(|map| {
                !matches!(
                    map.outcome,
                    PromotionOutcome::Refused { .. } | PromotionOutcome::NotApplied
                )
            }),
            maps,
        })
    }

    /// The chosen maps that are started here and would refuse their new definition, checked
    /// with the maps as they will be after the promotion (so a lookup into a map the
    /// package adds resolves).
    async fn refusals(
        &self,
        checked: &Checked,
        chosen: &[MapComparison],
    ) -> Vec<(String, PromotionOutcome)> {
        let mut after: Vec<TableMap> = checked
            .here
            .iter()
            .filter(|map| !chosen.iter().any(|compared| compared.name == map.name))
            .cloned()
            .collect();
        after.extend(chosen.iter().filter_map(|compared| compared.source.clone()));
        let mut refusals = Vec::new();
        for compared in chosen {
            let Some(map) = &compared.source else {
                continue;
            };
            if compared.status != CompareStatus::Changed || !self.is_started(&map.name).await {
                continue;
            }
            let validation = self.validation_among(map, &after).await;
            let codes: Vec<String> = validation
                .error_codes()
                .into_iter()
                .map(str::to_owned)
                .collect();
            if !codes.is_empty() {
                let message = format!(
                    "'{}' is running and would refuse this definition: it has {}",
                    map.name,
                    codes.join(", ")
                );
                refusals.push((
                    map.name.clone(),
                    PromotionOutcome::Refused { codes, message },
                ));
            }
        }
        refusals
    }

    /// Saves each chosen map that differs as a new version, in the order given.
    async fn apply(
        &self,
        chosen: &[MapComparison],
        source: &str,
    ) -> Result<Vec<MapPromotion>, ApiError> {
        let note = format!("promoted from {source}");
        let mut promoted = Vec::new();
        for compared in chosen {
            let outcome = match &compared.source {
                Some(map) if compared.status != CompareStatus::Unchanged => {
                    let before = self.newest_version(&map.name)?;
                    let running = self.is_started(&map.name).await;
                    match self.save_map(&json(map)?, Some(&note)).await {
                        Ok(saved) => match before {
                            None => PromotionOutcome::Added {
                                version: saved.version.version,
                            },
                            Some(from) => PromotionOutcome::Updated {
                                from,
                                to: saved.version.version,
                                running,
                            },
                        },
                        // Checked before, so only a change made meanwhile lands here.
                        Err(error) => PromotionOutcome::Refused {
                            codes: vec![error.code.to_string()],
                            message: error.message,
                        },
                    }
                }
                _ => PromotionOutcome::Unchanged,
            };
            promoted.push(MapPromotion {
                name: compared.name.clone(),
                outcome,
            });
        }
        Ok(promoted)
    }
}

/// The package's maps to promote, lookups first: the named ones, or every map of the
/// package. A name the package lacks is refused.
fn chosen(checked: &Checked, names: Option<&[String]>) -> Result<Vec<MapComparison>, ApiError> {
    let compared: Vec<MapComparison> = duet_maps::compare(&checked.plan.maps, &checked.here)
        .into_iter()
        .filter(|compared| compared.status != CompareStatus::Removed)
        .collect();
    if let Some(missing) = names
        .unwrap_or_default()
        .iter()
        .find(|name| !compared.iter().any(|map| &map.name == *name))
    {
        return Err(ApiError::new(
            Code::NotFound,
            format!("the package has no map named '{missing}'"),
        ));
    }
    let mut chosen: Vec<MapComparison> = compared
        .into_iter()
        .filter(|map| names.is_none_or(|names| names.contains(&map.name)))
        .collect();
    let everything: Vec<TableMap> = chosen
        .iter()
        .filter_map(|compared| compared.source.clone())
        .chain(checked.here.iter().cloned())
        .collect();
    if let Ok(order) = duet_maps::start_order(&dedup(everything)) {
        chosen.sort_by_key(|compared| order.iter().position(|name| *name == compared.name));
    }
    Ok(chosen)
}

/// The first map of each name: the package's comes before the one here.
fn dedup(maps: Vec<TableMap>) -> Vec<TableMap> {
    let mut seen = std::collections::HashSet::new();
    maps.into_iter()
        .filter(|map| seen.insert(map.name.clone()))
        .collect()
}
