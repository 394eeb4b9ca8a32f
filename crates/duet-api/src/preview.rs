//! Preview: live sample rows of both sides under the saved map and under an unsaved edit,
//! as the engine would treat them: filters, the link's companies, keys and transforms.

use std::collections::HashMap;

use duet_connect::{DataverseClient, FinOpsClient};
use duet_maps::filter::finance_operations;
use duet_maps::preview::{Scope, preview_in};
use duet_maps::{Row, TableMap};

use serde::Serialize;
use ts_rs::TS;

use crate::companies::dataverse_companies;
use crate::{Api, ApiError};

/// What a map does with a sample row: the write on the other side, why it cannot be
/// written, or why it is not synced at all.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum PreviewOutcome {
    Row(#[ts(type = "Record<string, unknown>")] Row),
    Error(String),
    Dropped(String),
}

impl From<duet_maps::preview::Outcome> for PreviewOutcome {
    fn from(outcome: duet_maps::preview::Outcome) -> PreviewOutcome {
        match outcome {
            duet_maps::preview::Outcome::Row(row) => PreviewOutcome::Row(row),
            duet_maps::preview::Outcome::Error(error) => PreviewOutcome::Error(error),
            duet_maps::preview::Outcome::Dropped(reason) => PreviewOutcome::Dropped(reason),
        }
    }
}

/// One live sample row and what it would do under the saved map and under the edit.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RowPreviewView {
    /// The side the sample row was read from.
    pub from: duet_maps::Side,
    #[ts(type = "Record<string, unknown>")]
    pub source: Row,
    /// The row's key under the edit (`COMPANY|value`), when it has one.
    pub key: Option<String>,
    /// None for a map that is not saved yet.
    pub saved: Option<PreviewOutcome>,
    pub edited: PreviewOutcome,
    /// Target columns whose value differs between the saved and the edited outcome.
    pub changed_fields: Vec<String>,
}

impl From<duet_maps::preview::RowPreview> for RowPreviewView {
    fn from(preview: duet_maps::preview::RowPreview) -> RowPreviewView {
        RowPreviewView {
            from: preview.from,
            source: preview.source,
            key: preview.key,
            saved: preview.saved.map(Into::into),
            edited: preview.edited.into(),
            changed_fields: preview.changed_fields,
        }
    }
}

/// Appends the rows of `more` that `rows` does not hold yet (same values in every column).
fn merge(rows: &mut Vec<Row>, more: Vec<Row>, limit: usize) {
    for row in more {
        if rows.len() >= limit {
            break;
        }
        if !rows.contains(&row) {
            rows.push(row);
        }
    }
}

/// Sample rows of the entity: rows the edit's filter keeps, then any rows, so a preview
/// shows both what is written and what the filter drops.
async fn finops_rows(
    client: &FinOpsClient,
    map: &TableMap,
    limit: usize,
) -> Result<Vec<Row>, ApiError> {
    let entity = &map.finance_operations_entity;
    let odata = map
        .filter_finance_operations
        .as_deref()
        .filter(|text| !text.trim().is_empty())
        .and_then(|text| finance_operations::parse(text).ok())
        .and_then(|expr| finance_operations::to_odata_filter(&expr, &|_| None).ok());
    let mut rows = Vec::new();
    if let Some(odata) = odata {
        let params = [("cross-company", "true"), ("$filter", odata.as_str())];
        rows = client
            .query_page(entity, &params, limit)
            .await
            .map_err(ApiError::remote)?;
    }
    let any = client
        .query_page(entity, &[("cross-company", "true")], limit)
        .await
        .map_err(ApiError::remote)?;
    merge(&mut rows, any, limit * 2);
    Ok(rows)
}

async fn dataverse_rows(
    client: &DataverseClient,
    map: &TableMap,
    limit: usize,
) -> Result<Vec<Row>, ApiError> {
    let set = &map.dataverse_entity_set;
    let top = limit.to_string();
    let mut rows = Vec::new();
    if let Some(filter) = map
        .filter_dataverse
        .as_deref()
        .filter(|text| !text.trim().is_empty())
    {
        let params = [("$top", top.as_str()), ("$filter", filter)];
        if let Ok(kept) = client.query(set, &params).await {
            rows = kept;
            rows.truncate(limit);
        }
    }
    let mut any = client
        .query(set, &[("$top", top.as_str())])
        .await
        .map_err(ApiError::remote)?;
    any.truncate(limit);
    merge(&mut rows, any, limit * 2);
    Ok(rows)
}

/// The company code of each Dataverse row, through the map's company lookup.
async fn row_companies(
    client: &DataverseClient,
    map: &TableMap,
    rows: &[Row],
) -> Result<Vec<Option<String>>, ApiError> {
    let Some(striping) = &map.company else {
        return Ok(vec![None; rows.len()]);
    };
    let codes: HashMap<String, String> = dataverse_companies(client, striping)
        .await?
        .into_iter()
        .collect();
    let column = format!("_{}_value", striping.dataverse_lookup);
    Ok(rows
        .iter()
        .map(|row| {
            let id = row.get(&column)?.as_str()?.to_lowercase();
            codes.get(&id).cloned()
        })
        .collect())
}

impl Api {
    /// Reads live rows from each side (up to `limit` the edit's filter keeps and `limit` of
    /// any kind) and shows what each would do under the saved map of the same name and
    /// under `map` (an unsaved edit): written, dropped with the reason, or failed.
    pub async fn preview_map(
        &self,
        map: &TableMap,
        limit: usize,
    ) -> Result<Vec<RowPreviewView>, ApiError> {
        let saved: Option<TableMap> = match self.store.map(&map.name)? {
            Some(record) => serde_json::from_value(record.definition).ok(),
            None => None,
        };
        let link = self.store.link()?.ok_or_else(ApiError::not_linked)?;
        let (finops, dataverse) = self.clients().await?;
        let finops_rows = finops_rows(&finops, map, limit).await?;
        let dataverse_rows = dataverse_rows(&dataverse, map, limit).await?;
        let scope = Scope {
            companies: link
                .companies
                .iter()
                .map(|code| code.to_uppercase())
                .collect(),
            dataverse_companies: row_companies(&dataverse, map, &dataverse_rows).await?,
        };
        Ok(
            preview_in(saved.as_ref(), map, &finops_rows, &dataverse_rows, &scope)
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

    #[test]
    fn a_preview_view_serializes_exactly_as_the_preview_it_wraps() {
        // GIVEN the demo map, an edit with a filter, and rows kept, dropped and keyless.
        let saved = TableMap::customers();
        let mut edited = saved.clone();
        edited.filter_finance_operations = Some("(CreditLimit > 100)".to_owned());
        let rows: Vec<Row> = [
            json!({"CustomerAccount": "C1", "CreditLimit": 500, "dataAreaId": "usmf"}),
            json!({"CustomerAccount": "C2", "CreditLimit": 5, "dataAreaId": "usmf"}),
        ]
        .into_iter()
        .map(|value| value.as_object().unwrap().clone())
        .collect();
        let keyless = [json!({"name": "no key"}).as_object().unwrap().clone()];
        let previews = duet_maps::preview::preview(Some(&saved), &edited, &rows, &keyless);
        // WHEN each is turned into the view the UI's bindings describe.
        let views: Vec<RowPreviewView> = previews.iter().cloned().map(Into::into).collect();
        // THEN the JSON is the same on the wire, and each outcome keeps its kind.
        for (preview, view) in previews.iter().zip(&views) {
            assert_eq!(
                serde_json::to_value(view).unwrap(),
                serde_json::to_value(preview).unwrap(),
                "the view must not change the wire format"
            );
        }
        assert!(matches!(views[0].edited, PreviewOutcome::Row(_)));
        assert!(
            matches!(views[1].edited, PreviewOutcome::Dropped(_)),
            "the filter drops C2"
        );
        assert!(
            matches!(views[2].edited, PreviewOutcome::Error(_)),
            "a row needs its key"
        );
    }
}
