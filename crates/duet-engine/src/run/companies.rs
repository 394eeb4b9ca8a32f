//! Company striping: the link's legal entities, the company filter for finance and
//! operations reads, and Dataverse company ids read as company codes and back.

use std::collections::HashMap;

use duet_connect::{ConnectError, DataverseClient};
use duet_maps::{Row, RowKey, TableMap};

use crate::run::session::Session;

#[derive(Default)]
pub(in crate::run) struct CompanyCodes {
    pub(in crate::run) by_id: HashMap<String, String>,
}

impl CompanyCodes {
    pub(in crate::run) async fn refresh(
        &mut self,
        dataverse: &DataverseClient,
        map: &TableMap,
    ) -> Result<(), ConnectError> {
        let Some(striping) = &map.company else {
            return Ok(());
        };
        let id_column = "cdm_companyid";
        let rows = dataverse
            .query(
                &striping.company_entity_set,
                &[(
                    "$select",
                    &format!("{id_column},{}", striping.company_code_column),
                )],
            )
            .await?;
        self.by_id = rows
            .iter()
            .filter_map(|row| {
                let id = row.get(id_column)?.as_str()?;
                let code = row.get(&striping.company_code_column)?.as_str()?;
                Some((id.to_lowercase(), code.to_uppercase()))
            })
            .collect();
        Ok(())
    }
}

impl Session {
    /// Whether a row of `key` is in scope: a cross-company row, or one of a linked company.
    pub(in crate::run) fn links_company_of(&self, key: &RowKey) -> bool {
        key.company.as_deref().is_none_or(|code| {
            self.companies
                .iter()
                .any(|linked| linked.eq_ignore_ascii_case(code))
        })
    }

    /// The `$filter` clause for finance and operations rows of the link's companies.
    pub(in crate::run) fn company_filter(&self) -> Option<String> {
        let striping = self.map.company.as_ref()?;
        let clauses: Vec<String> = self
            .companies
            .iter()
            .map(|code| {
                format!(
                    "{} eq {}",
                    striping.finance_operations_field,
                    duet_connect::quote(code)
                )
            })
            .collect();
        Some(format!("({})", clauses.join(" or ")))
    }

    /// The company code of a Dataverse row, read from its company lookup id.
    pub(in crate::run) async fn company_of_dataverse(&self, row: &Row) -> Option<String> {
        let striping = self.map.company.as_ref()?;
        let id = row
            .get(&format!("_{}_value", striping.dataverse_lookup))?
            .as_str()?
            .to_lowercase();
        let mut codes = self.codes.lock().await;
        if !codes.by_id.contains_key(&id)
            && let Err(error) = codes.refresh(&self.context.dataverse, &self.map).await
        {
            tracing::warn!(map = %self.map.name, error = %error, "company lookup refresh failed");
        }
        codes.by_id.get(&id).cloned()
    }

    /// The Dataverse id of the company `code` in `map`'s company table, read again once when
    /// it is not known yet; `None` when Dataverse has no such company.
    pub(in crate::run) async fn company_id_of(&self, map: &TableMap, code: &str) -> Option<String> {
        let find = |codes: &CompanyCodes| {
            codes
                .by_id
                .iter()
                .find(|(_, known)| known.eq_ignore_ascii_case(code))
                .map(|(id, _)| id.clone())
        };
        let mut codes = self.codes.lock().await;
        if let Some(id) = find(&codes) {
            return Some(id);
        }
        if let Err(error) = codes.refresh(&self.context.dataverse, map).await {
            tracing::warn!(map = %self.map.name, error = %error, "company lookup refresh failed");
        }
        find(&codes)
    }
}
