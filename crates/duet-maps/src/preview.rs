//! Preview: what each side would receive from sample rows under a map, and which fields an
//! unsaved edit changes compared with the saved map. Pure; the caller reads the rows.

use serde::Serialize;

use crate::filter::{dataverse, finance_operations};
use crate::map::{Side, TableMap};
use crate::value::Row;

/// What one map does with one sample row.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Outcome {
    /// The row it writes on the other side.
    Row(Row),
    /// Why the row cannot be written (a missing key, a value the map cannot carry).
    Error(String),
    /// Why the row is not synced at all (the source filter, a company outside the link).
    Dropped(String),
}

impl Outcome {
    fn row(&self) -> Option<&Row> {
        match self {
            Outcome::Row(row) => Some(row),
            _ => None,
        }
    }
}

/// The row one sample produces on the other side, under the saved map and under the edit.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RowPreview {
    /// The side the sample row was read from.
    pub from: Side,
    pub source: Row,
    /// The row's key under the edit (company first for striped maps), when it has one.
    pub key: Option<String>,
    /// What the saved map does with the row; none for a map not saved yet.
    pub saved: Option<Outcome>,
    /// What the edited map does with it.
    pub edited: Outcome,
    /// Target columns whose value differs between the saved and the edited write
    /// (every column of the edited write when there is no saved map).
    pub changed_fields: Vec<String>,
}

/// Where the sample rows come from: the link's companies, and the company code of each
/// Dataverse row (read through its company lookup by the caller).
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Company codes in the link, in upper case; empty means no company is excluded.
    pub companies: Vec<String>,
    /// For each Dataverse sample row, by position, its company code if it has one.
    pub dataverse_companies: Vec<Option<String>>,
}

/// Why `map` does not sync `row` at all, if it does not.
fn dropped(
    map: &TableMap,
    from: Side,
    row: &Row,
    company: Option<&str>,
    scope: &Scope,
) -> Option<String> {
    if map.company.is_some() && !scope.companies.is_empty() {
        match company {
            Some(code)
                if scope
                    .companies
                    .iter()
                    .any(|linked| linked.eq_ignore_ascii_case(code)) => {}
            Some(code) => return Some(format!("company '{code}' is not in the link")),
            None => return Some("the row has no company".to_owned()),
        }
    }
    let passes = match from {
        Side::FinanceOperations => match map.filter_finance_operations.as_deref() {
            Some(text) if !text.trim().is_empty() => finance_operations::parse(text)
                .and_then(|expr| finance_operations::evaluate(&expr, row)),
            _ => Ok(true),
        },
        Side::Dataverse => match map.filter_dataverse.as_deref() {
            Some(text) if !text.trim().is_empty() => {
                dataverse::parse(text).and_then(|filter| dataverse::evaluate(&filter, row))
            }
            _ => Ok(true),
        },
    };
    match passes {
        Ok(true) => None,
        Ok(false) => Some("the source filter drops it".to_owned()),
        // The engine syncs a row its filter cannot be evaluated on rather than lose it.
        Err(_) => None,
    }
}

fn outcome(map: &TableMap, from: Side, row: &Row, company: Option<&str>, scope: &Scope) -> Outcome {
    if let Some(reason) = dropped(map, from, row, company, scope) {
        return Outcome::Dropped(reason);
    }
    if let Err(error) = key(map, from, row, company) {
        return Outcome::Error(error);
    }
    match map.transform(from, row) {
        Ok(written) => Outcome::Row(written),
        Err(error) => Outcome::Error(error.to_string()),
    }
}

fn key(map: &TableMap, from: Side, row: &Row, company: Option<&str>) -> Result<String, String> {
    let key = match from {
        Side::FinanceOperations => map.key_of_finance_operations(row),
        Side::Dataverse => map.key_of_dataverse(row, company),
    };
    key.map(|key| key.to_string())
        .map_err(|error| error.to_string())
}

fn changed(saved: Option<&Outcome>, edited: &Outcome) -> Vec<String> {
    let empty = Row::new();
    let before = saved.and_then(Outcome::row).unwrap_or(&empty);
    let after = edited.row().unwrap_or(&empty);
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

/// Previews sample rows of both sides under `edited`, marking where it differs from `saved`,
/// with no company scope.
pub fn preview(
    saved: Option<&TableMap>,
    edited: &TableMap,
    finance_operations_rows: &[Row],
    dataverse_rows: &[Row],
) -> Vec<RowPreview> {
    preview_in(
        saved,
        edited,
        finance_operations_rows,
        dataverse_rows,
        &Scope::default(),
    )
}

/// Previews sample rows as the engine would treat them in `scope`: rows outside the link's
/// companies or dropped by a source filter are shown as dropped, rows without a key as
/// errors, and the rest as the write each map makes.
pub fn preview_in(
    saved: Option<&TableMap>,
    edited: &TableMap,
    finance_operations_rows: &[Row],
    dataverse_rows: &[Row],
    scope: &Scope,
) -> Vec<RowPreview> {
    let finance_operations = finance_operations_rows.iter().map(|row| {
        let company = edited.company.as_ref().and_then(|striping| {
            row.get(&striping.finance_operations_field)
                .and_then(serde_json::Value::as_str)
                .map(str::to_uppercase)
        });
        (Side::FinanceOperations, row, company)
    });
    let dataverse = dataverse_rows.iter().enumerate().map(|(index, row)| {
        let company = scope.dataverse_companies.get(index).cloned().flatten();
        (Side::Dataverse, row, company)
    });
    finance_operations
        .chain(dataverse)
        .map(|(from, row, company)| {
            let company = company.as_deref();
            let before = saved.map(|map| outcome(map, from, row, company, scope));
            let after = outcome(edited, from, row, company, scope);
            RowPreview {
                from,
                source: row.clone(),
                key: key(edited, from, row, company).ok(),
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
        let Some(Outcome::Row(saved_row)) = first.saved.clone() else {
            panic!("the saved map writes the row: {first:?}");
        };
        assert_eq!(saved_row.get("name"), Some(&json!("Contoso")));
        assert!(first.edited.row().unwrap().get("name").is_none());
        assert_eq!(first.changed_fields, vec!["name".to_owned()]);

        let unchanged = preview(
            Some(&saved),
            &saved,
            &[],
            &[row(json!({"accountnumber": "C1", "name": "X"}))],
        );
        assert!(unchanged[0].changed_fields.is_empty());
    }

    #[test]
    fn rows_outside_the_filter_or_the_link_are_dropped_and_say_why() {
        // GIVEN the demo map with a filter, and a link of one company.
        let saved = TableMap::customers();
        let mut edited = saved.clone();
        edited.filter_finance_operations = Some("(CreditLimit > 100)".to_owned());
        let scope = Scope {
            companies: vec!["USMF".to_owned()],
            dataverse_companies: Vec::new(),
        };
        let rows = [
            row(json!({"CustomerAccount": "C1", "CreditLimit": 500, "dataAreaId": "usmf"})),
            row(json!({"CustomerAccount": "C2", "CreditLimit": 50, "dataAreaId": "usmf"})),
            row(json!({"CustomerAccount": "C3", "CreditLimit": 500, "dataAreaId": "demf"})),
        ];
        // WHEN they are previewed.
        let previews = preview_in(Some(&saved), &edited, &rows, &[], &scope);
        // THEN the first is written, the second dropped by the edit's filter only, and the
        // third dropped by both maps for its company.
        assert!(
            matches!(previews[0].edited, Outcome::Row(_)),
            "{:?}",
            previews[0]
        );
        assert_eq!(previews[0].key.as_deref(), Some("USMF|C1"));
        assert_eq!(
            previews[1].edited,
            Outcome::Dropped("the source filter drops it".to_owned())
        );
        assert!(
            matches!(previews[1].saved, Some(Outcome::Row(_))),
            "the saved map has no filter"
        );
        assert!(
            !previews[1].changed_fields.is_empty(),
            "the edit stops writing the row"
        );
        assert!(
            matches!(&previews[2].edited, Outcome::Dropped(reason) if reason.contains("DEMF")),
            "{:?}",
            previews[2].edited
        );
    }
}
