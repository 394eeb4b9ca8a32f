//! Both sides of a map as a test reads them: every row of its F&O entity and of its Dataverse
//! table, by the map's row key, with Dataverse lookups read through `$expand` and flattened to
//! the paths the map names (`transactioncurrencyid.isocurrencycode`), so a row can be compared
//! with what the map's transform says it should hold.

use std::collections::BTreeMap;

use duet_maps::{Row, TableMap};
use serde_json::Value;

use super::Harness;

/// A lookup path of a map: the navigation property and the column of the looked-up row.
fn lookup_path(path: &str) -> Option<(&str, &str)> {
    let (navigation, rest) = path.split_once('.')?;
    // A polymorphic path names its column in parentheses: `customerid.Account(accountnumber)`.
    let column = match rest.split_once('(') {
        Some((_, inner)) => inner.trim_end_matches(')'),
        None => rest,
    };
    Some((navigation, column))
}

/// Every Dataverse path of the map that goes through a lookup, the company lookup included.
fn lookup_paths(map: &TableMap) -> Vec<String> {
    let mut paths: Vec<String> = map
        .fields
        .iter()
        .filter_map(|field| field.dataverse.clone())
        .chain(map.key.dataverse.iter().cloned())
        .filter(|path| path.contains('.'))
        .collect();
    if let Some(striping) = &map.company {
        paths.push(format!(
            "{}.{}",
            striping.dataverse_lookup, striping.company_code_column
        ));
    }
    paths.sort();
    paths.dedup();
    paths
}

/// The `$expand` that reads each lookup path's column.
fn expand(paths: &[String]) -> String {
    let mut columns: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (navigation, column) in paths.iter().filter_map(|path| lookup_path(path)) {
        let list = columns.entry(navigation).or_default();
        if !list.contains(&column) {
            list.push(column);
        }
    }
    columns
        .iter()
        .map(|(navigation, list)| format!("{navigation}($select={})", list.join(",")))
        .collect::<Vec<_>>()
        .join(",")
}

impl Harness {
    /// The map's F&O rows in every company, by row key.
    pub(crate) async fn finops_rows_of(
        &self,
        map: &TableMap,
    ) -> Result<BTreeMap<String, Row>, String> {
        let rows = self
            .finops
            .query(&map.finance_operations_entity, &[("cross-company", "true")])
            .await
            .map_err(|error| format!("reading {}: {error}", map.finance_operations_entity))?;
        let mut keyed = BTreeMap::new();
        for row in rows {
            let key = map
                .key_of_finance_operations(&row)
                .map_err(|error| format!("an F&O row without its key: {error}"))?;
            keyed.insert(key.to_string(), row);
        }
        Ok(keyed)
    }

    /// The map's Dataverse rows by row key, each with its lookup paths flattened in; rows
    /// without a company (in a striped map) or without their key are left out, as the map
    /// cannot sync them.
    pub(crate) async fn dataverse_rows_of(
        &self,
        map: &TableMap,
    ) -> Result<BTreeMap<String, Row>, String> {
        let paths = lookup_paths(map);
        let expand = expand(&paths);
        let mut params: Vec<(&str, &str)> = Vec::new();
        if !expand.is_empty() {
            params.push(("$expand", &expand));
        }
        let rows = self
            .dataverse
            .query(&map.dataverse_entity_set, &params)
            .await
            .map_err(|error| format!("reading {}: {error}", map.dataverse_entity_set))?;
        let mut keyed = BTreeMap::new();
        for mut row in rows {
            for path in &paths {
                let (navigation, column) = lookup_path(path).expect("paths go through a lookup");
                let value = row
                    .get(navigation)
                    .and_then(|target| target.get(column))
                    .cloned()
                    .unwrap_or(Value::Null);
                row.insert(path.clone(), value);
            }
            let company = map.company.as_ref().and_then(|striping| {
                let path = format!(
                    "{}.{}",
                    striping.dataverse_lookup, striping.company_code_column
                );
                row.get(&path).and_then(Value::as_str).map(str::to_owned)
            });
            if map.company.is_some() && company.is_none() {
                continue;
            }
            if let Ok(key) = map.key_of_dataverse(&row, company.as_deref()) {
                keyed.insert(key.to_string(), row);
            }
        }
        Ok(keyed)
    }
}
