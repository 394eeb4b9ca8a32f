//! Row keys: how a row of either side is identified, company included, so both sides'
//! rows can be paired.

use serde_json::Value;

use super::{MapError, TableMap};
use crate::value::Row;

impl TableMap {
    /// The key of a finance and operations row: its company (when striped) and key values.
    pub fn key_of_finance_operations(&self, row: &Row) -> Result<RowKey, MapError> {
        let company = match &self.company {
            Some(striping) => Some(
                key_text(row, &striping.finance_operations_field)
                    .ok_or_else(|| MapError::MissingKey {
                        side: "finance and operations",
                        field: striping.finance_operations_field.clone(),
                    })?
                    .to_uppercase(),
            ),
            None => None,
        };
        let values = key_values(row, &self.key.finance_operations, "finance and operations")?;
        Ok(RowKey { company, values })
    }

    /// The key of a Dataverse row; the company code comes from the resolved company lookup.
    pub fn key_of_dataverse(&self, row: &Row, company: Option<&str>) -> Result<RowKey, MapError> {
        if let (Some(striping), None) = (&self.company, company) {
            return Err(MapError::MissingKey {
                side: "Dataverse",
                field: striping.dataverse_lookup.clone(),
            });
        }
        let values = key_values(row, &self.key.dataverse, "Dataverse")?;
        Ok(RowKey {
            company: company.map(str::to_uppercase),
            values,
        })
    }
}

/// A row's identity on both sides: company code (for striped maps) and key values in order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RowKey {
    pub company: Option<String>,
    pub values: Vec<String>,
}

impl std::fmt::Display for RowKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(company) = &self.company {
            write!(formatter, "{company}|")?;
        }
        write!(formatter, "{}", self.values.join("|"))
    }
}

fn key_text<'a>(row: &'a Row, field: &str) -> Option<&'a str> {
    row.get(field)
        .and_then(Value::as_str)
        .filter(|text| !text.is_empty())
}

fn key_values(row: &Row, fields: &[String], side: &'static str) -> Result<Vec<String>, MapError> {
    fields
        .iter()
        .map(|field| {
            key_text(row, field)
                .map(str::to_owned)
                .ok_or_else(|| MapError::MissingKey {
                    side,
                    field: field.clone(),
                })
        })
        .collect()
}
