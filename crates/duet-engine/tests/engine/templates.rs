//! Every standard template syncs (issue #13): the 35 templates run together over a sandbox
//! with template sample rows, started in dependency order. Each runs its initial sync, after
//! which every row a side's filter keeps is on the other side as the map says; then a row
//! changes live on each side whose fields flow across, and the change arrives on the other.
//! One table-driven test: a failure names the template, the step and what differed.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use duet_maps::filter::{dataverse, finance_operations};
use duet_maps::{Row, Side, TableMap, normalize, same_values, start_order, templates};
use serde_json::Value;

use crate::support::{Harness, harness_for};

#[path = "template_changes.rs"]
mod changes;

use changes::Change;

/// Sample rows per company for each entity and table: enough for both directions to change
/// different rows, few enough to keep 35 initial syncs fast.
const TEMPLATE_ROWS: usize = 2;

/// How long a step waits for the engine before it counts as failed.
const PATIENCE: Duration = Duration::from_secs(30);

/// What went wrong for one template: the step and what was seen.
struct Failure {
    template: String,
    step: &'static str,
    detail: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            formatter,
            "{} [{}]: {}",
            self.template, self.step, self.detail
        )
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_template_syncs_its_rows_and_live_changes_both_ways() {
    // GIVEN the standard templates, stored over a sandbox with template sample rows.
    let all = templates();
    assert_eq!(all.len(), 35, "issue #13 covers all 35 standard templates");
    let order = start_order(&all).expect("the templates look each other up without a cycle");
    let maps: Vec<TableMap> = order
        .iter()
        .map(|name| {
            all.iter()
                .find(|map| &map.name == name)
                .cloned()
                .expect("a template")
        })
        .collect();
    let harness = harness_for(&maps, |config| config.template_rows = TEMPLATE_ROWS).await;
    let origins = harness.origins(&maps).await;
    let mut failures: Vec<Failure> = Vec::new();

    // WHEN the maps run through their initial sync, a wave at a time: a map starts once the
    // maps it looks rows up in are running.
    for wave in waves(&maps) {
        failures.extend(harness.start_wave(&wave).await);
    }
    // THEN every row a side's filter keeps is on the other side, holding what the map says.
    failures.extend(harness.rows_agree_within(&maps, &origins, PATIENCE).await);

    // WHEN a synced row changes on each side that has a field flowing across.
    let mut pending: Vec<Change> = Vec::new();
    for map in &maps {
        for from in [Side::FinanceOperations, Side::Dataverse] {
            if !map
                .fields
                .iter()
                .any(|field| field.direction.flows_from(from))
            {
                continue;
            }
            match harness.change_row(map, from).await {
                Ok(change) => pending.push(change),
                Err(detail) => failures.push(Failure {
                    template: map.name.clone(),
                    step: changes::step(from),
                    detail,
                }),
            }
        }
    }
    // THEN each change arrives on the other side.
    failures.extend(harness.changes_arrive(&maps, pending, PATIENCE).await);

    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
    let failed: Vec<String> = failures.iter().map(ToString::to_string).collect();
    assert!(
        failed.is_empty(),
        "every standard template must sync on sandbox data; {} steps failed:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

/// The maps in waves: each map in the wave after the last of the maps it looks rows up in,
/// so a wave's maps can start together. `maps` is in start order.
fn waves(maps: &[TableMap]) -> Vec<Vec<&TableMap>> {
    let mut levels: HashMap<&str, usize> = HashMap::new();
    let mut waves: Vec<Vec<&TableMap>> = Vec::new();
    for map in maps {
        let level = map
            .lookup_targets()
            .into_iter()
            .filter(|target| *target != map.name)
            .filter_map(|target| levels.get(target))
            .map(|level| level + 1)
            .max()
            .unwrap_or(0);
        levels.insert(&map.name, level);
        if waves.len() <= level {
            waves.resize_with(level + 1, Vec::new);
        }
        waves[level].push(map);
    }
    waves
}

/// Whether `row` of `side` passes the map's filter on that side.
fn passes(map: &TableMap, side: Side, row: &Row) -> Result<bool, String> {
    let result = match side {
        Side::FinanceOperations => match &map.filter_finance_operations {
            Some(text) => finance_operations::parse(text)
                .and_then(|filter| finance_operations::evaluate(&filter, row)),
            None => Ok(true),
        },
        Side::Dataverse => match &map.filter_dataverse {
            Some(text) => {
                dataverse::parse(text).and_then(|filter| dataverse::evaluate(&filter, row))
            }
            None => Ok(true),
        },
    };
    result.map_err(|error| format!("the {} filter cannot be evaluated: {error}", side.as_str()))
}

/// The keys of a map's rows that each side held before any map ran: the rows the initial
/// sync carries from that side.
struct Origins {
    finops: BTreeSet<String>,
    /// Rows only Dataverse held; a row both held goes from F&O, the master, to Dataverse.
    dataverse: BTreeSet<String>,
}

impl Origins {
    fn of(&self, side: Side) -> &BTreeSet<String> {
        match side {
            Side::FinanceOperations => &self.finops,
            Side::Dataverse => &self.dataverse,
        }
    }
}

/// Each value of `wanted` that `arrived` does not hold, with the value it holds instead.
fn differences(wanted: &Row, arrived: &Row) -> Vec<String> {
    wanted
        .iter()
        .filter_map(|(name, value)| {
            let held = arrived.get(name).unwrap_or(&Value::Null);
            (normalize(value) != normalize(held))
                .then(|| format!("{name} = {held} (expected {value})"))
        })
        .collect()
}

/// Checks one direction: each `source` row that started there and that its filter keeps is
/// in `target` with the values the map's transform gives; one its filter drops is not.
fn direction_agrees(
    map: &TableMap,
    from: Side,
    source: &BTreeMap<String, Row>,
    target: &BTreeMap<String, Row>,
    origin: &BTreeSet<String>,
) -> Result<(), String> {
    let mut carried = 0;
    for (key, row) in source.iter().filter(|(key, _)| origin.contains(*key)) {
        let kept = passes(map, from, row)?;
        match (kept, target.get(key)) {
            (true, None) => return Err(format!("{} row {key} did not arrive", from.as_str())),
            (true, Some(arrived)) => {
                let wanted = map
                    .transform(from, row)
                    .map_err(|error| format!("{} row {key}: {error}", from.as_str()))?;
                if !same_values(&wanted, arrived) {
                    return Err(format!(
                        "{} row {key} arrived with {}",
                        from.as_str(),
                        differences(&wanted, arrived).join(", ")
                    ));
                }
                carried += 1;
            }
            (false, Some(_)) => {
                return Err(format!(
                    "{} row {key} fails the filter but arrived",
                    from.as_str()
                ));
            }
            (false, None) => {}
        }
    }
    match carried {
        0 => Err(format!(
            "no {} row passes the filter, so nothing was checked",
            from.as_str()
        )),
        _ => Ok(()),
    }
}

impl Harness {
    /// Starts every map of a wave and waits until each is running (its initial sync done).
    async fn start_wave(&self, wave: &[&TableMap]) -> Vec<Failure> {
        let mut failures = Vec::new();
        let mut started = Vec::new();
        for map in wave {
            match self.engine.run(&map.name).await {
                Ok(()) => started.push(map.name.as_str()),
                Err(error) => failures.push(Failure {
                    template: map.name.clone(),
                    step: "run",
                    detail: error.to_string(),
                }),
            }
        }
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while !started.is_empty() && tokio::time::Instant::now() < deadline {
            started.retain(|name| self.store.map(name).unwrap().unwrap().state != "running");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        for name in started {
            let record = self.store.map(name).unwrap().unwrap();
            failures.push(Failure {
                template: name.to_owned(),
                step: "initial sync",
                detail: format!(
                    "not running after {PATIENCE:?}: {} ({})",
                    record.state,
                    record.reason.unwrap_or_default()
                ),
            });
        }
        failures
    }

    /// The rows each map's sides hold before any map runs.
    async fn origins(&self, maps: &[TableMap]) -> HashMap<String, Origins> {
        let mut origins = HashMap::new();
        for map in maps {
            let finops: BTreeSet<String> = self
                .finops_rows_of(map)
                .await
                .unwrap_or_default()
                .into_keys()
                .collect();
            let dataverse = self
                .dataverse_rows_of(map)
                .await
                .unwrap_or_default()
                .into_keys();
            let dataverse = dataverse.filter(|key| !finops.contains(key)).collect();
            origins.insert(map.name.clone(), Origins { finops, dataverse });
        }
        origins
    }

    /// Waits until both directions of every map agree, up to `limit`; each map that still
    /// disagrees then is a failure with its last disagreement and its latest error line.
    async fn rows_agree_within(
        &self,
        maps: &[TableMap],
        origins: &HashMap<String, Origins>,
        limit: Duration,
    ) -> Vec<Failure> {
        let deadline = tokio::time::Instant::now() + limit;
        let mut pending: Vec<(&TableMap, String)> =
            maps.iter().map(|map| (map, String::new())).collect();
        while !pending.is_empty() && tokio::time::Instant::now() < deadline {
            let mut still = Vec::new();
            for (map, _) in pending {
                if let Err(detail) = self.rows_agree(map, &origins[&map.name]).await {
                    still.push((map, detail));
                }
            }
            pending = still;
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        pending
            .into_iter()
            .map(|(map, detail)| Failure {
                template: map.name.clone(),
                step: "initial sync",
                detail: format!("{detail}{}", self.last_error(&map.name)),
            })
            .collect()
    }

    /// The map's latest error line, for a failure's detail.
    pub(super) fn last_error(&self, map: &str) -> String {
        let lines = self.store.activity(5000).unwrap_or_default();
        lines
            .into_iter()
            .find(|line| line.entry.map == map && line.entry.kind == "error")
            .map(|line| {
                format!(
                    "; latest error: {} {}",
                    line.entry.key.unwrap_or_default(),
                    line.entry.message
                )
            })
            .unwrap_or_default()
    }

    /// Both directions the map allows agree; each direction's first disagreement otherwise.
    async fn rows_agree(&self, map: &TableMap, origins: &Origins) -> Result<(), String> {
        let finops = self.finops_rows_of(map).await?;
        let dataverse = self.dataverse_rows_of(map).await?;
        let mut disagreements = Vec::new();
        for from in [Side::FinanceOperations, Side::Dataverse] {
            if map
                .fields
                .iter()
                .any(|field| field.direction.flows_from(from))
            {
                let (source, target) = match from {
                    Side::FinanceOperations => (&finops, &dataverse),
                    Side::Dataverse => (&dataverse, &finops),
                };
                if let Err(detail) = direction_agrees(map, from, source, target, origins.of(from)) {
                    disagreements.push(detail);
                }
            }
        }
        match disagreements.is_empty() {
            true => Ok(()),
            false => Err(disagreements.join("; ")),
        }
    }
}
