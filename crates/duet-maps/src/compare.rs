//! Comparing the maps of a package with the maps a Duet stores, as a promotion sees them:
//! which maps it would add or change, which it leaves as they are, and which exist only
//! here (a promotion never deletes a map, it only reports it).

use serde::Serialize;

use crate::diff::{MapDiff, diff};
use crate::map::TableMap;

/// Where a map stands between a package (the source) and this Duet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum CompareStatus {
    /// In the package only: a promotion adds it, stopped.
    Added,
    /// Here only: a promotion keeps it.
    Removed,
    /// In both with different definitions: a promotion saves the package's as a new version.
    Changed,
    /// In both with the same definition.
    Unchanged,
}

/// One map of either side and what differs, from the map here to the package's.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MapComparison {
    pub name: String,
    pub status: CompareStatus,
    /// The package's definition (absent when the map is here only).
    pub source: Option<TableMap>,
    /// This Duet's definition (absent when the map is in the package only).
    pub here: Option<TableMap>,
    /// What promoting changes: empty unless `Changed`.
    pub diff: MapDiff,
}

/// Compares the package's maps with the maps here: the package's in package order (a
/// package is written in start order), then the maps only here, in their stored order.
/// Both sides are compared as parsed maps, so spelling that parses the same is no change.
pub fn compare(source: &[TableMap], here: &[TableMap]) -> Vec<MapComparison> {
    let mut compared: Vec<MapComparison> = source
        .iter()
        .map(|map| {
            let current = here.iter().find(|other| other.name == map.name);
            let (status, diff) = match current {
                None => (CompareStatus::Added, MapDiff::default()),
                Some(current) if current == map => (CompareStatus::Unchanged, MapDiff::default()),
                Some(current) => (CompareStatus::Changed, diff_maps(current, map)),
            };
            MapComparison {
                name: map.name.clone(),
                status,
                source: Some(map.clone()),
                here: current.cloned(),
                diff,
            }
        })
        .collect();
    compared.extend(
        here.iter()
            .filter(|map| !source.iter().any(|other| other.name == map.name))
            .map(|map| MapComparison {
                name: map.name.clone(),
                status: CompareStatus::Removed,
                source: None,
                here: Some(map.clone()),
                diff: MapDiff::default(),
            }),
    );
    compared
}

fn diff_maps(from: &TableMap, to: &TableMap) -> MapDiff {
    // A map always serializes; a failure would only hide the difference, never invent one.
    let as_json = |map: &TableMap| serde_json::to_value(map).unwrap_or_default();
    diff(&as_json(from), &as_json(to))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::FieldChangeKind;
    use crate::map::FieldDirection;
    use crate::templates::templates;

    fn template(name: &str) -> TableMap {
        templates()
            .into_iter()
            .find(|map| map.name == name)
            .unwrap_or_else(|| panic!("no template {name}"))
    }

    #[test]
    fn each_map_is_added_removed_changed_or_unchanged() {
        // GIVEN maps here and a package that changes one, keeps one and brings a new one.
        let here = vec![
            template("currencies"),
            template("units"),
            template("customer-groups"),
        ];
        let mut changed = template("currencies");
        changed.fields[0].direction = FieldDirection::ToDataverse;
        changed.filter_dataverse = Some("statecode eq 0".to_owned());
        let source = vec![changed, template("units"), template("payment-terms")];
        // WHEN they are compared.
        let compared = compare(&source, &here);
        // THEN every map of both sides is there once, package first.
        let statuses: Vec<(&str, CompareStatus)> = compared
            .iter()
            .map(|map| (map.name.as_str(), map.status))
            .collect();
        assert_eq!(
            statuses,
            [
                ("currencies", CompareStatus::Changed),
                ("units", CompareStatus::Unchanged),
                ("payment-terms", CompareStatus::Added),
                ("customer-groups", CompareStatus::Removed),
            ]
        );
        // AND the changed map lists the changed property and field, from here to the package.
        let diff = &compared[0].diff;
        assert_eq!(diff.properties.len(), 1, "{diff:?}");
        assert_eq!(diff.properties[0].path, "$.filterDataverse");
        assert_eq!(diff.properties[0].before, None);
        assert_eq!(diff.fields.len(), 1, "{diff:?}");
        assert_eq!(diff.fields[0].kind, FieldChangeKind::Changed);
        assert_eq!(diff.fields[0].changes[0].path, "$.fields[0].direction");
        // AND only maps that differ carry a diff.
        assert!(compared[1..].iter().all(|map| map.diff.is_empty()));
        assert!(compared[3].source.is_none() && compared[2].here.is_none());
    }
}
