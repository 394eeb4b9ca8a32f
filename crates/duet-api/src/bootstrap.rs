//! Bootstrapping existing Dataverse rows with a company: every row of a company-specific
//! map that has no company gets the company of its finance and operations match by the
//! map's natural key, or a default company when nothing matches. A dry run reports the
//! same rows without writing.

use std::collections::HashMap;

use duet_maps::TableMap;
use serde_json::{Map, Value};

use crate::model::{BootstrapReport, BootstrapRow};
use crate::{Api, ApiError, Code};

/// The parts of a map bootstrap needs: its company striping and plain key columns.
struct Striped<'a> {
    map: &'a TableMap,
    company: &'a duet_maps::CompanyStriping,
}

impl<'a> Striped<'a> {
    /// The map, if it is company-specific with a key of plain columns on both sides.
    fn of(map: &'a TableMap) -> Result<Striped<'a>, ApiError> {
        let refuse = |why: String| {
            ApiError::new(
                Code::BadArguments,
                format!("'{}' cannot be bootstrapped: {why}", map.name),
            )
        };
        let company = map.company.as_ref().ok_or_else(|| {
            refuse("it is not company-specific, so its rows carry no company".to_owned())
        })?;
        if map.key.dataverse.is_empty() || map.key.finance_operations.is_empty() {
            return Err(refuse("it has no integration key".to_owned()));
        }
        if let Some(path) = map
            .key
            .dataverse
            .iter()
            .chain(&map.key.finance_operations)
            .find(|column| column.contains('.'))
        {
            return Err(refuse(format!(
                "its key part '{path}' is a lookup, and bootstrap matches rows by plain key columns"
            )));
        }
        Ok(Striped { map, company })
    }

    fn finops_select(&self) -> String {
        std::iter::once(self.company.finance_operations_field.as_str())
            .chain(self.map.key.finance_operations.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(",")
    }

    fn dataverse_select(&self) -> String {
        std::iter::once(self.map.dataverse_id.as_str())
            .chain(self.map.key.dataverse.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(",")
    }

    fn without_company(&self) -> String {
        format!("_{}_value eq null", self.company.dataverse_lookup)
    }

    /// The `@odata.bind` that sets a row's company.
    fn company_binding(&self, code: &str) -> Map<String, Value> {
        let mut body = Map::new();
        body.insert(
            format!("{}@odata.bind", self.company.dataverse_lookup),
            Value::from(format!(
                "/{}({}={})",
                self.company.company_entity_set,
                self.company.company_code_column,
                duet_connect::quote(code)
            )),
        );
        body
    }
}

/// A key value as text, whatever its JSON type; `None` when the row lacks it.
fn key_text(row: &Map<String, Value>, columns: &[String]) -> Option<String> {
    let mut parts = Vec::with_capacity(columns.len());
    for column in columns {
        match row.get(column) {
            Some(Value::String(text)) if !text.is_empty() => parts.push(text.clone()),
            Some(Value::Null | Value::String(_)) | None => return None,
            Some(other) => parts.push(other.to_string()),
        }
    }
    Some(parts.join("|"))
}

impl Api {
    /// Bootstraps the stored map `name`: rows without a company get their finance and
    /// operations match's company (within the link's legal entities), or `company`. With
    /// `dry_run` nothing is written. The report lists every row.
    pub async fn bootstrap_map(
        &self,
        name: &str,
        company: &str,
        dry_run: bool,
    ) -> Result<BootstrapReport, ApiError> {
        let (map, _) = self.stored_map(name)?;
        let link = self.store.link()?.ok_or_else(ApiError::not_linked)?;
        let company = company.trim().to_uppercase();
        if !link.companies.contains(&company) {
            return Err(ApiError::new(
                Code::InvalidLink,
                format!(
                    "{company} is not one of the link's legal entities ({}); add it to the link first",
                    link.companies.join(", ")
                ),
            ));
        }
        self.bootstrap_striped(&map, &link.companies, &company, dry_run)
            .await
    }

    /// Bootstraps one map for a link's companies; `default_company` takes the rows with no
    /// match.
    pub(crate) async fn bootstrap_striped(
        &self,
        map: &TableMap,
        companies: &[String],
        default_company: &str,
        dry_run: bool,
    ) -> Result<BootstrapReport, ApiError> {
        let striped = Striped::of(map)?;
        let (finops, dataverse) = self.clients().await?;
        let select = striped.finops_select();
        let mut owner: HashMap<String, String> = HashMap::new();
        for row in finops
            .query(
                &map.finance_operations_entity,
                &[("cross-company", "true"), ("$select", &select)],
            )
            .await
            .map_err(ApiError::remote)?
        {
            let row_company = row
                .get(&striped.company.finance_operations_field)
                .and_then(Value::as_str)
                .map(str::to_uppercase);
            if let (Some(row_company), Some(key)) =
                (row_company, key_text(&row, &map.key.finance_operations))
                && companies.contains(&row_company)
            {
                owner.entry(key).or_insert(row_company);
            }
        }
        let orphans = dataverse
            .query(
                &map.dataverse_entity_set,
                &[
                    ("$select", &striped.dataverse_select()),
                    ("$filter", &striped.without_company()),
                ],
            )
            .await
            .map_err(ApiError::remote)?;
        let mut report = BootstrapReport {
            map: map.name.clone(),
            dry_run,
            default_company: default_company.to_owned(),
            ..BootstrapReport::default()
        };
        for row in orphans {
            let Some(id) = row.get(&map.dataverse_id).and_then(Value::as_str) else {
                continue;
            };
            let key = key_text(&row, &map.key.dataverse);
            let matched = key.as_ref().and_then(|key| owner.get(key));
            let company = matched
                .cloned()
                .unwrap_or_else(|| default_company.to_owned());
            if matched.is_some() {
                report.matched += 1;
            } else {
                report.unmatched += 1;
            }
            if !dry_run {
                dataverse
                    .update_by_id(
                        &map.dataverse_entity_set,
                        id,
                        &striped.company_binding(&company),
                    )
                    .await
                    .map_err(ApiError::remote)?;
                report.stamped += 1;
            }
            report.rows.push(BootstrapRow {
                key: key.unwrap_or_default(),
                dataverse_id: id.to_owned(),
                company,
                matched: matched.is_some(),
            });
        }
        Ok(report)
    }
}

/// Whether bootstrap can run on a map (company-specific, with a plain natural key).
pub(crate) fn can_bootstrap(map: &TableMap) -> bool {
    Striped::of(map).is_ok()
}
