//! Field-by-field comparison of two map definitions, as stored (JSON), so that any two
//! versions can be compared even when one of them no longer parses as a map.

use serde::Serialize;
use serde_json::{Map, Value};

/// One value that differs: absent before (added), absent after (removed), or changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// JSON path of the value, in the newer definition when it has it, else in the older.
    pub path: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum FieldChangeKind {
    Added,
    Removed,
    Changed,
}

/// A field mapping that was added, removed or changed, identified by its finance and
/// operations field (or, for a mapping without one, its Dataverse column).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldDiff {
    pub field: String,
    pub kind: FieldChangeKind,
    /// Where the mapping is: in the newer definition, or in the older one when removed.
    pub path: String,
    /// The mapping's properties that differ (empty for added and removed mappings).
    pub changes: Vec<Change>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// What differs between two definitions of a map.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MapDiff {
    /// Changed properties of the map itself (everything but its fields), down to leaves.
    pub properties: Vec<Change>,
    pub fields: Vec<FieldDiff>,
}

impl MapDiff {
    pub fn is_empty(&self) -> bool {
        self.properties.is_empty() && self.fields.is_empty()
    }
}

/// Compares two stored map definitions.
pub fn diff(from: &Value, to: &Value) -> MapDiff {
    let empty = Map::new();
    let from_object = from.as_object().unwrap_or(&empty);
    let to_object = to.as_object().unwrap_or(&empty);
    let mut properties = Vec::new();
    diff_objects("$", from_object, to_object, &["fields"], &mut properties);
    let no_fields = Vec::new();
    let fields = diff_fields(
        from_object
            .get("fields")
            .and_then(Value::as_array)
            .unwrap_or(&no_fields),
        to_object
            .get("fields")
            .and_then(Value::as_array)
            .unwrap_or(&no_fields),
    );
    MapDiff { properties, fields }
}

fn diff_objects(
    path: &str,
    from: &Map<String, Value>,
    to: &Map<String, Value>,
    skip: &[&str],
    changes: &mut Vec<Change>,
) {
    let mut keys: Vec<&String> = to.keys().collect();
    keys.extend(from.keys().filter(|key| !to.contains_key(*key)));
    for key in keys {
        if skip.contains(&key.as_str()) {
            continue;
        }
        let child = format!("{path}.{key}");
        // Absent and null mean the same in a stored map.
        let before = from.get(key).filter(|value| !value.is_null());
        let after = to.get(key).filter(|value| !value.is_null());
        match (before, after) {
            (Some(Value::Object(a)), Some(Value::Object(b))) => {
                diff_objects(&child, a, b, &[], changes)
            }
            (a, b) if a != b => changes.push(Change {
                path: child,
                before: a.cloned(),
                after: b.cloned(),
            }),
            _ => {}
        }
    }
}

/// The name a mapping is matched by, with how many earlier mappings had the same name.
fn field_name(field: &Value) -> String {
    let text = |key: &str| field.get(key).and_then(Value::as_str);
    match (text("financeOperations"), text("dataverse")) {
        (Some(name), _) => name.to_owned(),
        (None, Some(column)) => format!("(dataverse) {column}"),
        (None, None) => "(unnamed)".to_owned(),
    }
}

fn keyed(fields: &[Value]) -> Vec<(String, usize)> {
    let mut seen: Vec<String> = Vec::new();
    fields
        .iter()
        .map(|field| {
            let name = field_name(field);
            let nth = seen.iter().filter(|other| **other == name).count();
            seen.push(name.clone());
            (name, nth)
        })
        .collect()
}

fn diff_fields(from: &[Value], to: &[Value]) -> Vec<FieldDiff> {
    let from_keys = keyed(from);
    let to_keys = keyed(to);
    let mut diffs = Vec::new();
    for (index, key) in to_keys.iter().enumerate() {
        let path = format!("$.fields[{index}]");
        let after = &to[index];
        match from_keys.iter().position(|other| other == key) {
            None => diffs.push(FieldDiff {
                field: key.0.clone(),
                kind: FieldChangeKind::Added,
                path,
                changes: Vec::new(),
                before: None,
                after: Some(after.clone()),
            }),
            Some(old) => {
                let before = &from[old];
                if before == after {
                    continue;
                }
                let mut changes = Vec::new();
                let empty = Map::new();
                diff_objects(
                    &path,
                    before.as_object().unwrap_or(&empty),
                    after.as_object().unwrap_or(&empty),
                    &[],
                    &mut changes,
                );
                if changes.is_empty() && before.is_object() && after.is_object() {
                    continue;
                }
                diffs.push(FieldDiff {
                    field: key.0.clone(),
                    kind: FieldChangeKind::Changed,
                    path,
                    changes,
                    before: Some(before.clone()),
                    after: Some(after.clone()),
                });
            }
        }
    }
    for (index, key) in from_keys.iter().enumerate() {
        if !to_keys.contains(key) {
            diffs.push(FieldDiff {
                field: key.0.clone(),
                kind: FieldChangeKind::Removed,
                path: format!("$.fields[{index}]"),
                changes: Vec::new(),
                before: Some(from[index].clone()),
                after: None,
            });
        }
    }
    diffs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TableMap;
    use serde_json::json;

    fn customers() -> Value {
        serde_json::to_value(TableMap::customers()).expect("serialize")
    }

    #[test]
    fn identical_definitions_have_no_diff() {
        assert!(diff(&customers(), &customers()).is_empty());
    }

    #[test]
    fn fields_are_matched_by_finance_operations_name_not_position() {
        let before = customers();
        let mut after = before.clone();
        let fields = after["fields"].as_array_mut().expect("fields");
        // Moving a mapping is not a change; editing, adding and removing are.
        let moved = fields.remove(1);
        fields.push(moved);
        fields[1]["direction"] = json!(">");
        fields.retain(|field| field["financeOperations"] != "SalesMemo");
        fields.push(
            json!({"financeOperations": "Currency", "direction": "=", "dataverse": "currency"}),
        );
        after["title"] = json!("Customers");
        after["key"]["dataverse"] = json!(["accountnumber", "name"]);

        let result = diff(&before, &after);
        let paths: Vec<&str> = result.properties.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, ["$.key.dataverse", "$.title"]);
        assert_eq!(
            result.properties[1].before,
            Some(json!("Customers V3 ↔ accounts"))
        );

        let summary: Vec<(&str, FieldChangeKind, &str)> = result
            .fields
            .iter()
            .map(|field| (field.field.as_str(), field.kind, field.path.as_str()))
            .collect();
        assert_eq!(
            summary,
            [
                ("CreditLimit", FieldChangeKind::Changed, "$.fields[1]"),
                ("Currency", FieldChangeKind::Added, "$.fields[7]"),
                ("SalesMemo", FieldChangeKind::Removed, "$.fields[5]"),
            ]
        );
        let changed = &result.fields[0];
        assert_eq!(changed.changes.len(), 1);
        assert_eq!(changed.changes[0].path, "$.fields[1].direction");
        assert_eq!(changed.changes[0].before, Some(json!("twoWay")));
        assert_eq!(changed.changes[0].after, Some(json!(">")));
    }

    #[test]
    fn a_mapping_without_a_finance_operations_field_is_named_by_its_dataverse_column() {
        let before = customers();
        let mut after = before.clone();
        after["fields"][6]["transform"] = json!({"kind": "default", "value": 1});
        let result = diff(&before, &after);
        assert_eq!(result.fields.len(), 1);
        assert_eq!(result.fields[0].field, "(dataverse) customertypecode");
        assert!(
            result.fields[0].changes[0]
                .path
                .starts_with("$.fields[6].transform")
        );
    }
}
