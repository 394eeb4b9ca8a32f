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

    /// The finance and operations key of `key` as the service addresses a row: the company
    /// field first when striped, then each key field with its value.
    pub fn finance_operations_key<'a>(&'a self, key: &'a RowKey) -> Vec<(&'a str, &'a str)> {
        let mut parts: Vec<(&str, &str)> = Vec::new();
        if let (Some(striping), Some(code)) = (&self.company, &key.company) {
            parts.push((striping.finance_operations_field.as_str(), code.as_str()));
        }
        parts.extend(
            self.key
                .finance_operations
                .iter()
                .map(String::as_str)
                .zip(key.values.iter().map(String::as_str)),
        );
        parts
    }

    /// The Dataverse alternate key of `key`: each key column with its value.
    pub fn dataverse_key<'a>(&'a self, key: &'a RowKey) -> Vec<(&'a str, &'a str)> {
        self.key
            .dataverse
            .iter()
            .map(String::as_str)
            .zip(key.values.iter().map(String::as_str))
            .collect()
    }
}

/// A row's identity on both sides: company code (for striped maps) and key values in order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RowKey {
    pub company: Option<String>,
    pub values: Vec<String>,
}

impl RowKey {
    /// Reads a key written by `Display`: the company first when striped, then one value (a
    /// bar inside the value stays part of it).
    pub fn parse(text: &str, striped: bool) -> RowKey {
        match (striped, text.split_once('|')) {
            (true, Some((company, rest))) => RowKey {
                company: Some(company.to_owned()),
                values: vec![rest.to_owned()],
            },
            _ => RowKey {
                company: None,
                values: vec![text.to_owned()],
            },
        }
    }
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
