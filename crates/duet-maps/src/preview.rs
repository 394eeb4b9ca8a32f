//! Preview: what each side would receive from sample rows under a map, and which fields an
//! unsaved edit changes compared with the saved map. Pure; the caller reads the rows.

use serde::Serialize;

use crate::map::{Side, TableMap};
use crate::value::Row;

/// The row one sample produces on the other side, under the saved map and under the edit.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RowPreview {
    /// The side the sample row was read from.
    pub from: Side,
    pub source: Row,
    /// The write under the saved map (none for a new map), or why it failed: serialized as
    /// `{"row": …}` or `{"error": …}`.
    #[serde(serialize_with = "outcome_option")]
    pub saved: Option<Result<Row, String>>,
    /// The write under the edited map, or why it failed.
    #[serde(serialize_with = "outcome")]
    pub edited: Result<Row, String>,
    /// Target columns whose value differs between the saved and the edited write
    /// (every column of the edited write when there is no saved map).
    pub changed_fields: Vec<String>,
}

fn outcome<S: serde::Serializer>(
    value: &Result<Row, String>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = serializer.serialize_map(Some(1))?;
    match value {
        Ok(row) => map.serialize_entry("row", row)?,
        Err(error) => map.serialize_entry("error", error)?,
    }
    map.end()
}

fn outcome_option<S: serde::Serializer>(
    value: &Option<Result<Row, String>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => outcome(value, serializer),
        None => serializer.serialize_none(),
    }
}

fn write(map: &TableMap, from: Side, row: &Row) -> Result<Row, String> {
    map.transform(from, row).map_err(|error| error.to_string())
}

fn changed(saved: Option<&Result<Row, String>>, edited: &Result<Row, String>) -> Vec<String> {
    let empty = Row::new();
    let before = match saved {
        Some(Ok(row)) => row,
        _ => &empty,
    };
    let after = edited.as_ref().unwrap_or(&empty);
    let mut columns: Vec<String> = before
        .keys()
        .chain(after.keys())
        .filter(|column| before.get(*column) != after.get(*column))
        .cloned()
        .collect();
    columns.sort();
    columns.dedup();
    columns
}

/// Previews sample rows of both sides under `edited`, marking where it differs from `saved`.
pub fn preview(
    saved: Option<&TableMap>,
    edited: &TableMap,
    finance_operations_rows: &[Row],
    dataverse_rows: &[Row],
) -> Vec<RowPreview> {
    let samples = finance_operations_rows
        .iter()
        .map(|row| (Side::FinanceOperations, row))
        .chain(dataverse_rows.iter().map(|row| (Side::Dataverse, row)));
    samples
        .map(|(from, row)| {
            let before = saved.map(|map| write(map, from, row));
            let after = write(edited, from, row);
            RowPreview {
                from,
                source: row.clone(),
                changed_fields: changed(before.as_ref(), &after),
                saved: before,
                edited: after,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::map::FieldDirection;
    use serde_json::json;

    fn row(value: serde_json::Value) -> Row {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn marks_only_the_fields_an_edit_changes() {
        let saved = TableMap::customers();
        let mut edited = saved.clone();
        // Stop sending the name to Dataverse.
        let name = edited
            .fields
            .iter_mut()
            .find(|f| f.dataverse.as_deref() == Some("name"))
            .unwrap();
        name.direction = FieldDirection::ToFinanceOperations;
        let fo = row(json!({
            "CustomerAccount": "C1", "OrganizationName": "Contoso", "CreditLimit": 10,
            "dataAreaId": "usmf"
        }));
        let previews = preview(Some(&saved), &edited, &[fo], &[]);
        assert_eq!(previews.len(), 1);
        let first = &previews[0];
        assert_eq!(first.from, Side::FinanceOperations);
        let saved_row = first.saved.clone().unwrap().unwrap();
        assert_eq!(saved_row.get("name"), Some(&json!("Contoso")));
        assert!(first.edited.as_ref().unwrap().get("name").is_none());
        assert_eq!(first.changed_fields, vec!["name".to_owned()]);

        let unchanged = preview(
            Some(&saved),
            &saved,
            &[],
            &[row(json!({"accountnumber": "C1", "name": "X"}))],
        );
        assert!(unchanged[0].changed_fields.is_empty());
    }
}
