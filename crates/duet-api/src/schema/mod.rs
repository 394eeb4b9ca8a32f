//! The columns of a map's two tables, read from the linked environments' metadata (the
//! finance and operations `$metadata` document, Dataverse `EntityDefinitions`), cached in
//! the store per environment and table, and refreshed on request. Validation's
//! schema-dependent checks and the editor's column pickers both read them from here.

mod csdl;
mod definitions;

use duet_maps::{Column, Schema, Side, TableMap};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::{Api, ApiError, Code};

/// One table's columns as read from its environment, or why they could not be read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TableSchemaView {
    /// The finance and operations entity set, or the Dataverse table's logical name.
    pub table: String,
    pub columns: Vec<Column>,
    /// When the columns were read from the environment; none when they could not be.
    pub read_at: Option<String>,
    pub error: Option<String>,
}

/// The columns of both tables of a map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MapSchemaView {
    pub finance_operations: TableSchemaView,
    pub dataverse: TableSchemaView,
}

impl MapSchemaView {
    /// The schema validation runs on, when both tables were read.
    pub fn schema(&self) -> Option<Schema> {
        (self.finance_operations.error.is_none() && self.dataverse.error.is_none()).then(|| {
            Schema {
                finance_operations: self.finance_operations.columns.clone(),
                dataverse: self.dataverse.columns.clone(),
            }
        })
    }

    /// Why the schema is not known, naming the side.
    pub fn error(&self) -> Option<String> {
        let sides = [
            ("finance and operations", &self.finance_operations),
            ("Dataverse", &self.dataverse),
        ];
        let errors: Vec<String> = sides
            .iter()
            .filter_map(|(side, table)| {
                table
                    .error
                    .as_ref()
                    .map(|error| format!("{side} '{}': {error}", table.table))
            })
            .collect();
        (!errors.is_empty()).then(|| errors.join("; "))
    }
}

/// What the cache holds for one table.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Cached {
    columns: Vec<Column>,
    read_at: String,
}

fn cache_name(environment: i64, side: Side, table: &str) -> String {
    format!("schema.{environment}.{}.{table}", side.as_str())
}

impl Api {
    /// The columns of a map's two tables: from the cache, or read from the linked
    /// environments when not cached or when `refresh` asks.
    pub async fn map_schema(
        &self,
        finance_operations_entity: &str,
        dataverse_table: &str,
        refresh: bool,
    ) -> Result<MapSchemaView, ApiError> {
        let link = self.store.link()?.ok_or_else(ApiError::not_linked)?;
        let finance_operations = self
            .table_schema(
                link.finance_operations_id,
                Side::FinanceOperations,
                finance_operations_entity,
                refresh,
            )
            .await?;
        let dataverse = self
            .table_schema(link.dataverse_id, Side::Dataverse, dataverse_table, refresh)
            .await?;
        Ok(MapSchemaView {
            finance_operations,
            dataverse,
        })
    }

    /// The schema `map` validates against, or why there is none (no link, or an
    /// environment that cannot be read).
    pub(crate) async fn schema_of(&self, map: &TableMap) -> Result<Schema, String> {
        let view = self
            .map_schema(&map.finance_operations_entity, &map.dataverse_table, false)
            .await
            .map_err(|error| error.message)?;
        view.schema().ok_or_else(|| {
            view.error()
                .unwrap_or_else(|| "the schema is not known".to_owned())
        })
    }

    async fn table_schema(
        &self,
        environment: i64,
        side: Side,
        table: &str,
        refresh: bool,
    ) -> Result<TableSchemaView, ApiError> {
        let name = cache_name(environment, side, table);
        if !refresh
            && let Some(cached) = self.store.state(&name)?
            && let Ok(cached) = serde_json::from_value::<Cached>(cached)
        {
            return Ok(TableSchemaView {
                table: table.to_owned(),
                columns: cached.columns,
                read_at: Some(cached.read_at),
                error: None,
            });
        }
        let read = match side {
            Side::FinanceOperations => self.read_finops_columns(environment, table).await,
            Side::Dataverse => self.read_dataverse_columns(environment, table).await,
        };
        let columns = match read {
            Ok(columns) => columns,
            Err(error) => {
                return Ok(TableSchemaView {
                    table: table.to_owned(),
                    columns: Vec::new(),
                    read_at: None,
                    error: Some(error),
                });
            }
        };
        let read_at = self.clock.stamp();
        let cached = Cached {
            columns,
            read_at: read_at.clone(),
        };
        let value = serde_json::to_value(&cached)
            .map_err(|error| ApiError::new(Code::Internal, error.to_string()))?;
        self.store.set_state(&name, &value, &read_at)?;
        Ok(TableSchemaView {
            table: table.to_owned(),
            columns: cached.columns,
            read_at: Some(read_at),
            error: None,
        })
    }

    async fn read_finops_columns(
        &self,
        environment: i64,
        entity: &str,
    ) -> Result<Vec<Column>, String> {
        let client = self
            .finops_client(environment)
            .await
            .map_err(|error| error.message)?;
        let document = client
            .metadata_document()
            .await
            .map_err(|error| error.to_string())?;
        csdl::entity_columns(&document, entity)?
            .ok_or_else(|| format!("the environment has no entity set '{entity}'"))
    }

    async fn read_dataverse_columns(
        &self,
        environment: i64,
        table: &str,
    ) -> Result<Vec<Column>, String> {
        let client = self
            .dataverse_client(environment)
            .await
            .map_err(|error| error.message)?;
        let path = format!(
            "EntityDefinitions(LogicalName='{}')",
            table.replace('\'', "''")
        );
        let expand = format!("Attributes($select={})", definitions::ATTRIBUTES_SELECT);
        let definition: Value = client
            .metadata(&path, &[("$select", "LogicalName"), ("$expand", &expand)])
            .await
            .map_err(|error| error.to_string())?;
        let picklists = client
            .metadata(
                &definitions::picklist_path(table),
                &[
                    ("$select", "LogicalName"),
                    ("$expand", "OptionSet($select=Options)"),
                ],
            )
            .await
            .map_err(|error| error.to_string())?;
        Ok(definitions::table_columns(&definition, &picklists))
    }
}
