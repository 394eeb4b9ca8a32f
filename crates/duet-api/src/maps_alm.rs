//! Map lifecycle: saving a map as a new version, its history and differences between
//! versions, rolling back, and moving maps between data directories as packages.

use duet_maps::{FieldChangeKind, TableMap};
use duet_store::{MapVersion, default_author};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::error::json;
use crate::validation::MapProblemView;
use crate::{Api, ApiError, Code, DuetEvent};

/// One saved definition of a map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MapVersionView {
    pub map: String,
    #[ts(type = "number")]
    pub version: i64,
    pub author: String,
    pub at: String,
    pub note: Option<String>,
    /// The map as saved (a `TableMap` in JSON).
    #[ts(type = "unknown")]
    pub definition: Value,
}

impl From<MapVersion> for MapVersionView {
    fn from(version: MapVersion) -> MapVersionView {
        MapVersionView {
            map: version.map,
            version: version.version,
            author: version.author,
            at: version.at,
            note: version.note,
            definition: version.definition,
        }
    }
}

/// What saving (or rolling back) a map produced: the new version and what is wrong with
/// the map as saved (saving does not wait for a map to be perfect).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SavedMap {
    pub version: MapVersionView,
    pub problems: Vec<MapProblemView>,
}

/// A value that differs between two versions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ValueChange {
    pub path: String,
    #[ts(type = "unknown")]
    pub before: Option<Value>,
    #[ts(type = "unknown")]
    pub after: Option<Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum FieldChange {
    Added,
    Removed,
    Changed,
}

/// A field mapping added, removed or changed, named by its finance and operations field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FieldDiffView {
    pub field: String,
    pub change: FieldChange,
    pub path: String,
    pub changes: Vec<ValueChange>,
    #[ts(type = "unknown")]
    pub before: Option<Value>,
    #[ts(type = "unknown")]
    pub after: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MapDiffView {
    pub name: String,
    #[ts(type = "number")]
    pub from: i64,
    #[ts(type = "number")]
    pub to: i64,
    /// Changed properties of the map itself, down to leaves (`$.key.dataverse`).
    pub properties: Vec<ValueChange>,
    pub fields: Vec<FieldDiffView>,
}

/// What an import did, or, when `imported` is false, why it did nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    pub imported: bool,
    pub added: Vec<String>,
    pub replaced: Vec<String>,
    pub unchanged: Vec<String>,
    pub problems: Vec<MapProblemView>,
}

fn value_change(change: duet_maps::Change) -> ValueChange {
    ValueChange {
        path: change.path,
        before: change.before,
        after: change.after,
    }
}

/// The view of a structured diff between versions `from` and `to` of `name`.
pub fn diff_view(name: &str, from: i64, to: i64, before: &Value, after: &Value) -> MapDiffView {
    view_of_diff(name, from, to, duet_maps::diff(before, after))
}

/// The view of a structured diff already made, as version `from` to version `to` of `name`.
pub(crate) fn view_of_diff(
    name: &str,
    from: i64,
    to: i64,
    diff: duet_maps::MapDiff,
) -> MapDiffView {
    MapDiffView {
        name: name.to_owned(),
        from,
        to,
        properties: diff.properties.into_iter().map(value_change).collect(),
        fields: diff
            .fields
            .into_iter()
            .map(|field| FieldDiffView {
                field: field.field,
                change: match field.kind {
                    FieldChangeKind::Added => FieldChange::Added,
                    FieldChangeKind::Removed => FieldChange::Removed,
                    FieldChangeKind::Changed => FieldChange::Changed,
                },
                path: field.path,
                changes: field.changes.into_iter().map(value_change).collect(),
                before: field.before,
                after: field.after,
            })
            .collect(),
    }
}

pub(crate) fn invalid_map(problems: Vec<duet_maps::Problem>) -> ApiError {
    let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
    ApiError::new(
        Code::InvalidMap,
        format!("the map cannot be read: {}", lines.join("; ")),
    )
}

impl Api {
    pub(crate) fn stored_maps(&self) -> Result<Vec<TableMap>, ApiError> {
        Ok(self
            .store
            .maps()?
            .into_iter()
            .filter_map(|record| serde_json::from_value(record.definition).ok())
            .collect())
    }

    /// Whether a map's task is started. The stored state trails a task that has just been
    /// started, so the engine is asked.
    pub(crate) async fn is_started(&self, name: &str) -> bool {
        match self.engine.read().await.clone() {
            Some(engine) => engine.is_started(name).await,
            None => false,
        }
    }

    /// Every stored map's name and definition as stored, for the package checks.
    pub(crate) fn stored_definitions(&self) -> Result<Vec<(String, Value)>, ApiError> {
        Ok(self
            .store
            .maps()?
            .into_iter()
            .map(|record| (record.name, record.definition))
            .collect())
    }

    /// Tells open windows that a map's definition changed.
    fn announce(&self, name: &str) {
        if let Ok(map) = self.map_view(name) {
            let _ = self.events.send(DuetEvent::MapChanged { map });
        }
    }

    /// Stores a map's definition as its next version (adding the map if it is new) and tells
    /// open windows; no validation, for callers that change what was valid (a master).
    pub(crate) fn save_definition(
        &self,
        map: &Value,
        note: Option<&str>,
    ) -> Result<(TableMap, MapVersion), ApiError> {
        let parsed = duet_maps::parse_map(map, "$").map_err(invalid_map)?;
        if parsed.name.trim().is_empty() {
            return Err(ApiError::new(Code::InvalidMap, "the map has no name"));
        }
        let definition = json(&parsed)?;
        let version = self.store.save_map(
            &parsed.name,
            &definition,
            note,
            &default_author(),
            &self.clock.stamp(),
        )?;
        self.announce(&parsed.name);
        Ok((parsed, version))
    }

    /// Saves a map's definition as its next version. A started map takes the new version at
    /// its next safe point, so it must be free of validation errors; a stopped map saves
    /// work in progress and shows what is still wrong.
    pub async fn save_map(&self, map: &Value, note: Option<&str>) -> Result<SavedMap, ApiError> {
        let parsed = duet_maps::parse_map(map, "$").map_err(invalid_map)?;
        let started = self.is_started(&parsed.name).await;
        let validation = self.validation_of(&parsed).await?;
        if started {
            let codes = validation.error_codes();
            if !codes.is_empty() {
                return Err(ApiError::new(
                    Code::ValidationFailed,
                    format!(
                        "'{}' is running, and a running map only takes a definition without errors ({}); fix them, or stop the map to save work in progress",
                        parsed.name,
                        codes.join(", ")
                    ),
                ));
            }
        }
        let (parsed, version) = self.save_definition(map, note)?;
        if started {
            // The running task takes the new version between changes; it logs the version.
            self.engine().await?.apply_definition(&parsed.name).await?;
        }
        Ok(SavedMap {
            version: version.into(),
            problems: validation.problems,
        })
    }

    /// Every version of a map, oldest first.
    pub fn map_versions(&self, name: &str) -> Result<Vec<MapVersionView>, ApiError> {
        let versions = self.store.map_versions(name)?;
        if versions.is_empty() {
            return Err(ApiError::new(
                Code::NotFound,
                format!("there is no map named '{name}'"),
            ));
        }
        Ok(versions.into_iter().map(Into::into).collect())
    }

    pub fn map_diff(&self, name: &str, from: i64, to: i64) -> Result<MapDiffView, ApiError> {
        let before = self.store.map_version(name, from)?;
        let after = self.store.map_version(name, to)?;
        Ok(diff_view(
            name,
            from,
            to,
            &before.definition,
            &after.definition,
        ))
    }

    /// Saves version `version` of a map again, as its newest version.
    pub async fn rollback_map(&self, name: &str, version: i64) -> Result<SavedMap, ApiError> {
        let old = self.store.map_version(name, version)?;
        self.save_map(
            &old.definition,
            Some(&format!("rolled back to version {version}")),
        )
        .await
    }

    /// A package of the named maps (every map when none is named) and their lookup targets.
    pub fn export_maps(&self, names: &[String]) -> Result<Value, ApiError> {
        let package = duet_maps::export(&self.stored_maps()?, names)
            .map_err(|error| ApiError::new(Code::NotFound, error.to_string()))?;
        json(package)
    }

    /// Imports a package (or one map): every map or none. A map that exists with another
    /// definition is a conflict unless `replace`; replacing keeps its history.
    pub fn import_maps(&self, package: &Value, replace: bool) -> Result<ImportReport, ApiError> {
        let plan = duet_maps::check_import(package, &self.stored_definitions()?, replace);
        let imported = plan.can_import();
        if imported {
            let definitions: Vec<(String, Value)> = plan
                .to_write()
                .map(|map| Ok((map.name.clone(), json(map)?)))
                .collect::<Result<_, ApiError>>()?;
            let borrowed: Vec<(&str, &Value)> = definitions
                .iter()
                .map(|(name, definition)| (name.as_str(), definition))
                .collect();
            self.store.save_maps(
                &borrowed,
                Some("imported from a package"),
                &default_author(),
                &self.clock.stamp(),
            )?;
            for (name, _) in &definitions {
                self.announce(name);
            }
        }
        Ok(ImportReport {
            imported,
            added: plan.added,
            replaced: plan.replaced,
            unchanged: plan.unchanged,
            problems: plan.problems.into_iter().map(Into::into).collect(),
        })
    }
}
