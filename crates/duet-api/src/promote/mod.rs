//! Promotion between environment pairs: this Duet's maps compared with a package or with
//! another running Duet (`compare_maps`), and a package applied here (`promote_maps`), each
//! change a new version that `rollback_map` can undo.

mod apply;
mod remote;

use duet_maps::{CompareStatus, ImportPlan, Severity, TableMap};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

pub use apply::{MapPromotion, PromotionOutcome, PromotionReport};
pub use remote::RemoteDuet;

use crate::maps_alm::{MapDiffView, view_of_diff};
use crate::validation::MapProblemView;
use crate::{Api, ApiError};

/// What `compare_maps` compares this Duet with.
#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
#[serde(untagged)]
pub enum CompareSource {
    /// Another running Duet, whose maps are read over HTTP.
    Remote { remote: RemoteDuet },
    /// A package as `export_maps` writes it (or a single map), and what to call it in
    /// reports (its file name).
    Package {
        #[ts(type = "unknown")]
        package: Value,
        #[serde(default)]
        #[ts(optional)]
        source: Option<String>,
    },
}

/// Where a map stands between the source and this Duet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum MapCompareStatus {
    /// In the source only: promoting adds it, stopped.
    Added,
    /// Here only: promoting keeps it (a promotion never deletes a map).
    Removed,
    /// In both, with different definitions: promoting saves the source's as a new version.
    Changed,
    Unchanged,
}

impl From<CompareStatus> for MapCompareStatus {
    fn from(status: CompareStatus) -> MapCompareStatus {
        match status {
            CompareStatus::Added => MapCompareStatus::Added,
            CompareStatus::Removed => MapCompareStatus::Removed,
            CompareStatus::Changed => MapCompareStatus::Changed,
            CompareStatus::Unchanged => MapCompareStatus::Unchanged,
        }
    }
}

/// One map side by side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MapComparisonView {
    pub name: String,
    pub title: String,
    pub status: MapCompareStatus,
    /// The map's newest version here, when it is here.
    #[ts(type = "number | null")]
    pub here_version: Option<i64>,
    /// The map is started here, so a promotion reaches the running map at its next safe point
    /// and must be free of validation errors.
    pub running: bool,
    /// What promoting changes, from the version here to the version promoting would save.
    pub diff: Option<MapDiffView>,
}

/// This Duet's maps against a source, every map of both once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MapsComparison {
    /// The source as reports name it: a file name, or the other Duet's address.
    pub source: String,
    /// The package compared, so that a promotion applies exactly what was shown.
    #[ts(type = "unknown")]
    pub package: Value,
    pub maps: Vec<MapComparisonView>,
    /// What is wrong with the package, by code and JSON path; errors block promotion.
    pub problems: Vec<MapProblemView>,
}

/// The package's maps parsed and checked against the maps here.
pub(crate) struct Checked {
    pub plan: ImportPlan,
    pub here: Vec<TableMap>,
}

impl Checked {
    pub fn errors(&self) -> Vec<MapProblemView> {
        self.plan
            .problems
            .iter()
            .cloned()
            .map(MapProblemView::from)
            .filter(|problem| problem.severity == Severity::Error)
            .collect()
    }
}

impl Api {
    /// Reads the package and the maps here; problems name the JSON path in the package.
    pub(crate) fn check_package(&self, package: &Value) -> Result<Checked, ApiError> {
        Ok(Checked {
            // Replacing is what promotion does, so a changed map is no conflict.
            plan: duet_maps::check_import(package, &self.stored_definitions()?, true),
            here: self.stored_maps()?,
        })
    }

    /// The newest version of a map here, if it is here.
    pub(crate) fn newest_version(&self, name: &str) -> Result<Option<i64>, ApiError> {
        Ok(self
            .store
            .map_versions(name)?
            .last()
            .map(|version| version.version))
    }

    /// Compares this Duet's maps with a package or with another running Duet's maps.
    pub async fn compare_maps(&self, source: CompareSource) -> Result<MapsComparison, ApiError> {
        let (label, package) = match source {
            CompareSource::Remote { remote } => (remote.label(), remote.package().await?),
            CompareSource::Package { package, source } => {
                (source.unwrap_or_else(|| "a package".to_owned()), package)
            }
        };
        let checked = self.check_package(&package)?;
        let mut maps = Vec::new();
        for compared in duet_maps::compare(&checked.plan.maps, &checked.here) {
            let here_version = self.newest_version(&compared.name)?;
            let diff = (compared.status == CompareStatus::Changed).then(|| {
                let from = here_version.unwrap_or_default();
                view_of_diff(&compared.name, from, from + 1, compared.diff.clone())
            });
            let title = compared
                .source
                .as_ref()
                .or(compared.here.as_ref())
                .map(|map| map.title.clone())
                .unwrap_or_default();
            maps.push(MapComparisonView {
                running: self.is_started(&compared.name).await,
                name: compared.name,
                title,
                status: compared.status.into(),
                here_version,
                diff,
            });
        }
        Ok(MapsComparison {
            source: label,
            package,
            maps,
            problems: checked.plan.problems.into_iter().map(Into::into).collect(),
        })
    }
}

/// The arguments of `promote_maps`: the package (as `compare_maps` answered it), what to
/// call its source in version notes, and the maps to promote (every added or changed one
/// when absent).
#[derive(Debug, Deserialize)]
pub(crate) struct PromoteArgs {
    pub package: Value,
    pub source: Option<String>,
    pub names: Option<Vec<String>>,
}
