//! Map lifecycle: saving a map as a new version, its history and differences between
//! versions, rolling back, and moving maps between data directories as packages.

use duet_maps::{FieldChangeKind, TableMap};
use duet_store::{MapVersion, default_author};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::error::json;
use crate::{Api, ApiError, Code, DuetEvent};

/// One thing wrong with a map or a package, at a JSON path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MapProblemView {
    /// `DW-V…` for map checks, `DW-P…` for package checks.
    pub code: String,
    /// Such as `$.maps[1].fields[3].direction`.
    pub path: String,
    pub message: String,
    pub fix: String,
}

impl From<duet_maps::Problem> for MapProblemView {
    fn from(problem: duet_maps::Problem) -> MapProblemView {
        MapProblemView {
            code: problem.code.to_owned(),
            path: problem.path,
            message: problem.message,
            fix: problem.fix,
        }
    }
}

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

/// What a sample row writes on the other side, or why it cannot be written.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum PreviewOutcome {
    Row(#[ts(type = "Record<string, unknown>")] duet_maps::Row),
    Error(String),
}

impl From<Result<duet_maps::Row, String>> for PreviewOutcome {
    fn from(outcome: Result<duet_maps::Row, String>) -> PreviewOutcome {
        match outcome {
            Ok(row) => PreviewOutcome::Row(row),
            Err(error) => PreviewOutcome::Error(error),
        }
    }
}

/// One live sample row and what it would write on the other side under the saved map and
/// under the edit.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RowPreviewView {
    /// The side the sample row was read from.
    #[ts(type = "\"financeOperations\" | \"dataverse\"")]
    pub from: duet_maps::Side,
    #[ts(type = "Record<string, unknown>")]
    pub source: duet_maps::Row,
    /// None for a map that is not saved yet.
    pub saved: Option<PreviewOutcome>,
    pub edited: PreviewOutcome,
    /// Target columns whose value differs between the saved and the edited write.
    pub changed_fields: Vec<String>,
}

impl From<duet_maps::preview::RowPreview> for RowPreviewView {
    fn from(preview: duet_maps::preview::RowPreview) -> RowPreviewView {
        RowPreviewView {
            from: preview.from,
            source: preview.source,
            saved: preview.saved.map(Into::into),
            edited: preview.edited.into(),
            changed_fields: preview.changed_fields,
        }
    }
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
    let diff = duet_maps::diff(before, after);
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

fn invalid_map(problems: Vec<duet_maps::Problem>) -> ApiError {
    let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
    ApiError::new(
        Code::InvalidMap,
        format!("the map cannot be read: {}", lines.join("; ")),
    )
}

impl Api {
    fn stored_maps(&self) -> Result<Vec<TableMap>, ApiError> {
        Ok(self
            .store
            .maps()?
            .into_iter()
            .filter_map(|record| serde_json::from_value(record.definition).ok())
            .collect())
    }

    /// What is wrong with `map`, checked with the other stored maps so lookups resolve.
    fn problems_of(&self, map: &TableMap) -> Result<Vec<MapProblemView>, ApiError> {
        let mut maps: Vec<TableMap> = self
            .stored_maps()?
            .into_iter()
            .filter(|other| other.name != map.name)
            .collect();
        maps.push(map.clone());
        Ok(duet_maps::validate_all(&maps)
            .into_iter()
            .filter(|(name, _)| *name == map.name)
            .map(|(_, problem)| problem.into())
            .collect())
    }

    /// Tells open windows that a map's definition changed.
    fn announce(&self, name: &str) {
        if let Ok(map) = self.map_view(name) {
            let _ = self.events.send(DuetEvent::MapChanged { map });
        }
    }

    /// Saves a map's definition as its next version (adding the map if it is new).
    pub fn save_map(&self, map: &Value, note: Option<&str>) -> Result<SavedMap, ApiError> {
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
        Ok(SavedMap {
            version: version.into(),
            problems: self.problems_of(&parsed)?,
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
    pub fn rollback_map(&self, name: &str, version: i64) -> Result<SavedMap, ApiError> {
        let old = self.store.map_version(name, version)?;
        self.save_map(
            &old.definition,
            Some(&format!("rolled back to version {version}")),
        )
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
        let existing: Vec<(String, Value)> = self
            .store
            .maps()?
            .into_iter()
            .map(|record| (record.name, record.definition))
            .collect();
        let plan = duet_maps::check_import(package, &existing, replace);
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

    /// Reads up to `limit` live rows from each side and shows what each would write under
    /// the saved map of the same name and under `map` (an unsaved edit), marking the target
    /// fields the edit changes.
    pub async fn preview_map(
        &self,
        map: &duet_maps::TableMap,
        limit: usize,
    ) -> Result<Vec<RowPreviewView>, ApiError> {
        let saved: Option<duet_maps::TableMap> = match self.store.map(&map.name)? {
            Some(record) => serde_json::from_value(record.definition).ok(),
            None => None,
        };
        let (finops, dataverse) = self.clients().await?;
        let remote =
            |error: duet_connect::ConnectError| ApiError::new(Code::Remote, error.to_string());
        let finops_rows = finops
            .query_page(
                &map.finance_operations_entity,
                &[("cross-company", "true")],
                limit,
            )
            .await
            .map_err(remote)?;
        let top = limit.to_string();
        let mut dataverse_rows = dataverse
            .query(&map.dataverse_entity_set, &[("$top", top.as_str())])
            .await
            .map_err(remote)?;
        dataverse_rows.truncate(limit);
        Ok(
            duet_maps::preview::preview(saved.as_ref(), map, &finops_rows, &dataverse_rows)
                .into_iter()
                .map(Into::into)
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(value: Value) -> duet_maps::Row {
        value.as_object().expect("a JSON object").clone()
    }

    #[test]
    fn a_preview_view_serializes_exactly_as_the_preview_it_wraps() {
        // GIVEN the demo map and an edit that drops one field
        let saved = TableMap::customers();
        let mut edited = saved.clone();
        edited.fields.remove(1);
        // WHEN one row previews cleanly and one lacks its key (so it fails)
        let previews = duet_maps::preview::preview(
            Some(&saved),
            &edited,
            &[row(json!({
                "CustomerAccount": "C1", "OrganizationName": "Contoso", "dataAreaId": "usmf"
            }))],
            &[row(json!({"name": "no key"}))],
        );
        assert_eq!(previews.len(), 2);
        // THEN the typed view the UI's bindings describe is the same JSON on the wire
        for preview in previews {
            let expected = serde_json::to_value(&preview).unwrap();
            let view = serde_json::to_value(RowPreviewView::from(preview)).unwrap();
            assert_eq!(view, expected, "the view must not change the wire format");
        }
        // A value map without the row's member cannot write it.
        let mut strict = json!(edited);
        strict["fields"].as_array_mut().unwrap().push(json!({
            "financeOperations": "OnHoldStatus", "direction": "twoWayTransform",
            "dataverse": "msdyn_onholdstatus", "transform": {"kind": "valueMap", "pairs": [["No", 1]]},
            "note": null
        }));
        let strict: TableMap = serde_json::from_value(strict).unwrap();
        let unmapped = row(json!({
            "CustomerAccount": "C1", "dataAreaId": "usmf", "OnHoldStatus": "All"
        }));
        let failed = duet_maps::preview::preview(None, &strict, &[unmapped], &[]).remove(0);
        let expected = serde_json::to_value(&failed).unwrap();
        let failed = RowPreviewView::from(failed);
        assert_eq!(serde_json::to_value(&failed).unwrap(), expected);
        assert!(
            matches!(failed.edited, PreviewOutcome::Error(_)),
            "a member the value map lacks cannot be written"
        );
        assert_eq!(failed.saved, None, "there is no saved map to compare with");
    }
}
