//! One row of a map on both sides: found by key or name within the link's companies, read
//! as each side holds it (the map's mapped columns, aligned per field mapping), and one field
//! written on one side through that side's client, as a person editing the row there would.

use std::collections::HashMap;

use duet_connect::{DataverseClient, FinOpsClient, quote};
use duet_maps::{FieldDirection, Row, RowKey, Side, TableMap};
use serde::Serialize;
use serde_json::{Map, Value};
use ts_rs::TS;

use super::row_key;
use crate::companies::dataverse_companies;
use crate::{Api, ApiError, Code};

/// A row found by a search: its key, its name where the map maps one, and the sides it is on.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DemoRowSummary {
    pub key: String,
    pub name: Option<String>,
    pub on_finance_operations: bool,
    pub on_dataverse: bool,
}

/// One field mapping of the row: each side's column and the value that side holds now.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DemoField {
    pub finance_operations: Option<String>,
    /// The mapping's direction symbol (`=`, `>`, `<`, …).
    pub direction: String,
    pub dataverse: Option<String>,
    #[ts(type = "unknown")]
    pub finance_operations_value: Value,
    #[ts(type = "unknown")]
    pub dataverse_value: Value,
    /// A key column or a lookup path: shown, not edited here.
    pub read_only: bool,
}

/// A row as both sides hold it now.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DemoRowView {
    pub map: String,
    pub key: String,
    pub fields: Vec<DemoField>,
    pub on_finance_operations: bool,
    pub on_dataverse: bool,
    /// When both sides were read, in milliseconds since the Unix epoch.
    #[ts(type = "number")]
    pub read_at_ms: i64,
}

/// A field written on one side: when the write was acknowledged, so the time until the other
/// side holds it can be measured from here.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DemoWritten {
    pub side: Side,
    pub column: String,
    #[ts(type = "number")]
    pub written_at_ms: i64,
}

/// The mapping that names the row: the first non-key text mapping whose columns are called
/// a name on either side (`OrganizationName` ↔ `name`).
pub(crate) fn name_columns(map: &TableMap) -> Option<(&str, &str)> {
    map.fields.iter().find_map(|field| {
        let (fo, dv) = (
            field.finance_operations.as_deref()?,
            field.dataverse.as_deref()?,
        );
        let is_key = map.key.finance_operations.iter().any(|key| key == fo);
        let named = fo.to_lowercase().contains("name") || dv.to_lowercase().ends_with("name");
        (!is_key && named && !dv.contains('.')).then_some((fo, dv))
    })
}

/// A Dataverse column's value in a row: a lookup path is read as the lookup's id.
fn dataverse_value(row: &Row, column: &str) -> Value {
    let property = match column.split_once('.') {
        Some((navigation, _)) => format!("_{navigation}_value"),
        None => column.to_owned(),
    };
    row.get(&property).cloned().unwrap_or(Value::Null)
}

/// The companies of the link as Dataverse company ids (lower case) → codes (upper case).
async fn company_ids(
    client: &DataverseClient,
    map: &TableMap,
) -> Result<HashMap<String, String>, ApiError> {
    match &map.company {
        Some(striping) => Ok(dataverse_companies(client, striping)
            .await?
            .into_iter()
            .collect()),
        None => Ok(HashMap::new()),
    }
}

/// The company code of a Dataverse row, through the map's company lookup.
fn dataverse_company(map: &TableMap, row: &Row, ids: &HashMap<String, String>) -> Option<String> {
    let striping = map.company.as_ref()?;
    let id = row
        .get(&format!("_{}_value", striping.dataverse_lookup))?
        .as_str()?;
    ids.get(&id.to_lowercase()).cloned()
}

/// Reads a row of the map on finance and operations by key.
pub(crate) async fn read_finops(
    client: &FinOpsClient,
    map: &TableMap,
    key: &RowKey,
) -> Result<Option<Row>, ApiError> {
    let parts = map.finance_operations_key(key);
    client
        .get(&map.finance_operations_entity, &parts)
        .await
        .map_err(ApiError::remote)
}

/// Reads a row of the map on Dataverse by its key columns, in the key's company.
pub(crate) async fn read_dataverse(
    client: &DataverseClient,
    map: &TableMap,
    key: &RowKey,
) -> Result<Option<Row>, ApiError> {
    let filter = map
        .dataverse_key(key)
        .iter()
        .map(|(column, value)| format!("{column} eq {}", quote(value)))
        .collect::<Vec<_>>()
        .join(" and ");
    let rows = client
        .query(&map.dataverse_entity_set, &[("$filter", filter.as_str())])
        .await
        .map_err(ApiError::remote)?;
    let ids = company_ids(client, map).await?;
    Ok(rows.into_iter().find(|row| {
        key.company.is_none() || dataverse_company(map, row, &ids).as_ref() == key.company.as_ref()
    }))
}

/// The row's mapped fields, one per field mapping, with each side's value.
fn fields(map: &TableMap, finops: Option<&Row>, dataverse: Option<&Row>) -> Vec<DemoField> {
    map.fields
        .iter()
        .filter(|field| field.finance_operations.is_some() || field.dataverse.is_some())
        .map(|field| {
            let fo = field.finance_operations.as_deref();
            let dv = field.dataverse.as_deref();
            let is_key = fo.is_some_and(|fo| map.key.finance_operations.iter().any(|k| k == fo));
            let lookup =
                dv.is_some_and(|dv| dv.contains('.')) || fo.is_some_and(|fo| fo.contains('.'));
            DemoField {
                finance_operations: fo.map(str::to_owned),
                direction: field.direction.symbol().to_owned(),
                dataverse: dv.map(str::to_owned),
                finance_operations_value: match (fo, finops) {
                    (Some(column), Some(row)) => row.get(column).cloned().unwrap_or(Value::Null),
                    _ => Value::Null,
                },
                dataverse_value: match (dv, dataverse) {
                    (Some(column), Some(row)) => dataverse_value(row, column),
                    _ => Value::Null,
                },
                read_only: is_key
                    || lookup
                    || field.direction == FieldDirection::DefaultToDataverse
                    || field.direction == FieldDirection::DefaultToFinanceOperations,
            }
        })
        .collect()
}

impl Api {
    /// Rows of map `name` whose key or name contains `search` (every row for an empty
    /// search), on either side, within the link's companies; at most `limit` per side.
    pub async fn demo_rows(
        &self,
        name: &str,
        search: &str,
        limit: usize,
    ) -> Result<Vec<DemoRowSummary>, ApiError> {
        let map = self.demo_map(name)?;
        let link = self.store.link()?.ok_or_else(ApiError::not_linked)?;
        let companies: Vec<String> = link.companies.iter().map(|c| c.to_uppercase()).collect();
        let (finops, dataverse) = self.clients().await?;
        let mut found: Vec<DemoRowSummary> = Vec::new();
        for row in search_finops(&finops, &map, search, &companies, limit).await? {
            let Ok(key) = map.key_of_finance_operations(&row) else {
                continue;
            };
            let name =
                name_columns(&map).and_then(|(fo, _)| row.get(fo)?.as_str().map(str::to_owned));
            found.push(DemoRowSummary {
                key: key.to_string(),
                name,
                on_finance_operations: true,
                on_dataverse: false,
            });
        }
        let ids = company_ids(&dataverse, &map).await?;
        for row in search_dataverse(&dataverse, &map, search, limit).await? {
            let company = dataverse_company(&map, &row, &ids);
            if map.company.is_some()
                && !company
                    .as_ref()
                    .is_some_and(|code| companies.contains(code))
            {
                continue;
            }
            let Ok(key) = map.key_of_dataverse(&row, company.as_deref()) else {
                continue;
            };
            let key = key.to_string();
            match found.iter_mut().find(|summary| summary.key == key) {
                Some(summary) => summary.on_dataverse = true,
                None => found.push(DemoRowSummary {
                    key,
                    name: name_columns(&map)
                        .and_then(|(_, dv)| row.get(dv)?.as_str().map(str::to_owned)),
                    on_finance_operations: false,
                    on_dataverse: true,
                }),
            }
        }
        complete_sides(&finops, &dataverse, &map, &ids, &mut found).await?;
        Ok(found)
    }

    /// The row `key` of map `name` as both sides hold it now.
    pub async fn demo_row(&self, name: &str, key: &str) -> Result<DemoRowView, ApiError> {
        let map = self.demo_map(name)?;
        let row_key = row_key(&map, key)?;
        let (finops, dataverse) = self.clients().await?;
        let (fo_row, dv_row) = tokio::try_join!(
            read_finops(&finops, &map, &row_key),
            read_dataverse(&dataverse, &map, &row_key)
        )?;
        Ok(DemoRowView {
            map: map.name.clone(),
            key: row_key.to_string(),
            fields: fields(&map, fo_row.as_ref(), dv_row.as_ref()),
            on_finance_operations: fo_row.is_some(),
            on_dataverse: dv_row.is_some(),
            read_at_ms: self.clock.now().timestamp_millis(),
        })
    }

    /// Writes `value` into `column` of row `key` on `side`, through that side's client: a
    /// `PATCH` by key, which refuses a row that is not there.
    pub async fn demo_write(
        &self,
        name: &str,
        side: Side,
        key: &str,
        column: &str,
        value: Value,
    ) -> Result<DemoWritten, ApiError> {
        let map = self.demo_map(name)?;
        let row_key = row_key(&map, key)?;
        let editable = fields(&map, None, None).into_iter().any(|field| {
            let own = match side {
                Side::FinanceOperations => field.finance_operations.as_deref(),
                Side::Dataverse => field.dataverse.as_deref(),
            };
            own == Some(column) && !field.read_only
        });
        if !editable {
            return Err(ApiError::new(
                Code::BadArguments,
                format!("'{column}' is not a column of map '{name}' the demo can edit"),
            ));
        }
        let body: Row = Map::from_iter([(column.to_owned(), value)]);
        self.write_row(&map, side, &row_key, &body).await?;
        Ok(DemoWritten {
            side,
            column: column.to_owned(),
            written_at_ms: self.clock.now().timestamp_millis(),
        })
    }

    /// Updates an existing row on `side` with `body` (`If-Match: *` on Dataverse, so a
    /// missing row is refused rather than created).
    pub(crate) async fn write_row(
        &self,
        map: &TableMap,
        side: Side,
        key: &RowKey,
        body: &Row,
    ) -> Result<(), ApiError> {
        let (finops, dataverse) = self.clients().await?;
        match side {
            Side::FinanceOperations => finops
                .update(
                    &map.finance_operations_entity,
                    &map.finance_operations_key(key),
                    body,
                )
                .await
                .map_err(ApiError::remote),
            Side::Dataverse => dataverse
                .update_if_match(
                    &map.dataverse_entity_set,
                    &map.dataverse_key(key),
                    body,
                    "*",
                )
                .await
                .map_err(ApiError::remote),
        }
    }
}

/// Asks each side for the found rows the other side's search found and its own did not: a
/// search reads at most a page of each side, and the two pages need not hold the same rows.
async fn complete_sides(
    finops: &FinOpsClient,
    dataverse: &DataverseClient,
    map: &TableMap,
    ids: &HashMap<String, String>,
    found: &mut [DemoRowSummary],
) -> Result<(), ApiError> {
    let striped = map.company.is_some();
    let missing = |on_side: fn(&DemoRowSummary) -> bool| -> Vec<RowKey> {
        found
            .iter()
            .filter(|summary| !on_side(summary))
            .map(|summary| RowKey::parse(&summary.key, striped))
            .collect()
    };
    let mut present: Vec<String> = Vec::new();
    let not_in_dataverse = missing(|summary| summary.on_dataverse);
    if !not_in_dataverse.is_empty() {
        let filter = any_of(not_in_dataverse.iter().map(|key| map.dataverse_key(key)));
        let rows = dataverse
            .query(&map.dataverse_entity_set, &[("$filter", filter.as_str())])
            .await
            .map_err(ApiError::remote)?;
        present.extend(rows.iter().filter_map(|row| {
            let company = dataverse_company(map, row, ids);
            Some(
                map.key_of_dataverse(row, company.as_deref())
                    .ok()?
                    .to_string(),
            )
        }));
    }
    let not_in_finops = missing(|summary| summary.on_finance_operations);
    if !not_in_finops.is_empty() {
        let filter = any_of(
            not_in_finops
                .iter()
                .map(|key| map.finance_operations_key(key)),
        );
        let params = [("cross-company", "true"), ("$filter", filter.as_str())];
        let rows = finops
            .query(&map.finance_operations_entity, &params)
            .await
            .map_err(ApiError::remote)?;
        present.extend(
            rows.iter()
                .filter_map(|row| Some(map.key_of_finance_operations(row).ok()?.to_string())),
        );
    }
    for summary in found
        .iter_mut()
        .filter(|summary| present.contains(&summary.key))
    {
        summary.on_dataverse = true;
        summary.on_finance_operations = true;
    }
    Ok(())
}

/// An OData filter matching any of `keys`, each key all of its columns.
fn any_of<'a>(keys: impl Iterator<Item = Vec<(&'a str, &'a str)>>) -> String {
    keys.map(|parts| {
        let all = parts
            .iter()
            .map(|(column, value)| format!("{column} eq {}", quote(value)))
            .collect::<Vec<_>>()
            .join(" and ");
        format!("({all})")
    })
    .collect::<Vec<_>>()
    .join(" or ")
}

/// Finance and operations rows in the link's companies whose key or name holds `search`
/// (the service's `*text*` pattern).
async fn search_finops(
    client: &FinOpsClient,
    map: &TableMap,
    search: &str,
    companies: &[String],
    limit: usize,
) -> Result<Vec<Row>, ApiError> {
    let mut clauses = Vec::new();
    if let Some(striping) = &map.company {
        let any = companies
            .iter()
            .map(|code| format!("{} eq {}", striping.finance_operations_field, quote(code)))
            .collect::<Vec<_>>()
            .join(" or ");
        clauses.push(format!("({any})"));
    }
    let search = search.trim();
    if !search.is_empty() {
        let pattern = quote(&format!("*{search}*"));
        let mut text = vec![format!("{} eq {pattern}", map.key.finance_operations[0])];
        if let Some((fo, _)) = name_columns(map) {
            text.push(format!("{fo} eq {pattern}"));
        }
        clauses.push(format!("({})", text.join(" or ")));
    }
    let filter = clauses.join(" and ");
    let mut params = vec![("cross-company", "true")];
    if !filter.is_empty() {
        params.push(("$filter", filter.as_str()));
    }
    client
        .query_page(&map.finance_operations_entity, &params, limit)
        .await
        .map_err(ApiError::remote)
}

/// Dataverse rows whose key or name contains `search`.
async fn search_dataverse(
    client: &DataverseClient,
    map: &TableMap,
    search: &str,
    limit: usize,
) -> Result<Vec<Row>, ApiError> {
    let top = limit.to_string();
    let search = search.trim();
    let mut params = vec![("$top", top.as_str())];
    let filter;
    if !search.is_empty() {
        let needle = quote(search);
        let mut text = vec![format!("contains({},{needle})", map.key.dataverse[0])];
        if let Some((_, dv)) = name_columns(map) {
            text.push(format!("contains({dv},{needle})"));
        }
        filter = text.join(" or ");
        params.push(("$filter", filter.as_str()));
    }
    let mut rows = client
        .query(&map.dataverse_entity_set, &params)
        .await
        .map_err(ApiError::remote)?;
    rows.truncate(limit);
    Ok(rows)
}
