//! Source filters as a consultant writes them: a parse error at its position, and how many
//! rows of the linked environment the filter keeps (within the link's companies).

use duet_maps::filter::{dataverse, finance_operations};
use duet_maps::{FilterError, Side, TableMap};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::companies::dataverse_companies;
use crate::{Api, ApiError};

/// A filter that does not parse: the message, and where in the text it points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FilterErrorView {
    pub message: String,
    /// 1-based character position in the filter text.
    #[ts(type = "number | null")]
    pub position: Option<usize>,
}

impl From<FilterError> for FilterErrorView {
    fn from(error: FilterError) -> FilterErrorView {
        FilterErrorView {
            position: error.position(),
            message: error.to_string(),
        }
    }
}

/// What one side's source filter does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FilterCheckView {
    pub side: Side,
    /// Why the filter does not parse; none when it does (or is empty).
    pub error: Option<FilterErrorView>,
    /// The OData `$filter` the rows are read with (finance and operations filters are
    /// translated from query-range syntax).
    pub odata: Option<String>,
    /// Rows of the linked environment in the link's companies that the filter keeps.
    #[ts(type = "number | null")]
    pub count: Option<u64>,
    /// Why the rows could not be counted.
    pub count_error: Option<String>,
}

fn or_clauses(column: &str, values: &[String], quote: bool) -> Option<String> {
    if values.is_empty() {
        return None;
    }
    let clauses: Vec<String> = values
        .iter()
        .map(|value| match quote {
            true => format!("{column} eq {}", duet_connect::quote(value)),
            false => format!("{column} eq {value}"),
        })
        .collect();
    Some(format!("({})", clauses.join(" or ")))
}

fn and(clauses: Vec<Option<String>>) -> Option<String> {
    let clauses: Vec<String> = clauses.into_iter().flatten().collect();
    (!clauses.is_empty()).then(|| clauses.join(" and "))
}

impl Api {
    /// Checks one side's source filter of `map` (an unsaved edit) and counts the rows it
    /// keeps. A filter that does not parse is answered, not refused: the error is the point.
    pub async fn check_filter(
        &self,
        map: &TableMap,
        side: Side,
    ) -> Result<FilterCheckView, ApiError> {
        let text = match side {
            Side::FinanceOperations => map.filter_finance_operations.as_deref(),
            Side::Dataverse => map.filter_dataverse.as_deref(),
        }
        // Positions count from the text as typed, so it is parsed untrimmed.
        .filter(|text| !text.trim().is_empty());
        let odata = match (side, text) {
            (_, None) => Ok(None),
            (Side::FinanceOperations, Some(text)) => finance_operations::parse(text)
                .and_then(|expr| finance_operations::to_odata_filter(&expr, &|_| None))
                .map(Some),
            (Side::Dataverse, Some(text)) => dataverse::parse(text).map(|_| Some(text.to_owned())),
        };
        let mut view = FilterCheckView {
            side,
            error: None,
            odata: None,
            count: None,
            count_error: None,
        };
        let unknown = match (&odata, text) {
            (Ok(_), Some(text)) => match self.schema_of(map).await {
                Ok(schema) => duet_maps::unknown_filter_column(side, text, &schema),
                Err(_) => None,
            },
            _ => None,
        };
        match (odata, unknown) {
            (Err(error), _) => view.error = Some(error.into()),
            // A column the table lacks would match nothing, so it is the filter's error.
            (Ok(_), Some(unknown)) => {
                let table = match side {
                    Side::FinanceOperations => &map.finance_operations_entity,
                    Side::Dataverse => &map.dataverse_entity_set,
                };
                view.error = Some(FilterErrorView {
                    message: format!("{} — {}", unknown.message(table), unknown.fix()),
                    position: Some(unknown.position),
                });
            }
            (Ok(odata), None) => {
                match self.count_rows(map, side, odata.clone()).await {
                    Ok(count) => view.count = Some(count),
                    Err(error) => view.count_error = Some(error.message),
                }
                view.odata = odata;
            }
        }
        Ok(view)
    }

    async fn count_rows(
        &self,
        map: &TableMap,
        side: Side,
        odata: Option<String>,
    ) -> Result<u64, ApiError> {
        let link = self.store.link()?.ok_or_else(ApiError::not_linked)?;
        let (finops, dataverse) = self.clients().await?;
        match side {
            Side::FinanceOperations => {
                let companies = map.company.as_ref().and_then(|striping| {
                    or_clauses(&striping.finance_operations_field, &link.companies, true)
                });
                let filter = and(vec![companies, odata.map(|text| format!("({text})"))]);
                let mut params = vec![("cross-company", "true")];
                if let Some(filter) = filter.as_deref() {
                    params.push(("$filter", filter));
                }
                finops
                    .count(&map.finance_operations_entity, &params)
                    .await
                    .map_err(ApiError::remote)
            }
            Side::Dataverse => {
                let companies = match &map.company {
                    Some(striping) => {
                        let ids: Vec<String> = dataverse_companies(&dataverse, striping)
                            .await?
                            .into_iter()
                            .filter(|(_, code)| {
                                link.companies
                                    .iter()
                                    .any(|linked| linked.eq_ignore_ascii_case(code))
                            })
                            .map(|(id, _)| id)
                            .collect();
                        let column = format!("_{}_value", striping.dataverse_lookup);
                        // No linked company exists in Dataverse yet, so no row is in scope.
                        if ids.is_empty() {
                            return Ok(0);
                        }
                        or_clauses(&column, &ids, false)
                    }
                    None => None,
                };
                let filter = and(vec![companies, odata.map(|text| format!("({text})"))]);
                let mut params = Vec::new();
                if let Some(filter) = filter.as_deref() {
                    params.push(("$filter", filter));
                }
                dataverse
                    .count(&map.dataverse_entity_set, &params)
                    .await
                    .map_err(ApiError::remote)
            }
        }
    }
}
