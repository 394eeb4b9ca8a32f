//! Deletes in finance and operations. Watermark polling only sees rows that still exist, so
//! every so often the map's keys are read from finance and operations and compared with the
//! rows Duet knows there: a known key that is gone was deleted, and the delete is queued like
//! any other change and carried to Dataverse.

use std::collections::HashSet;

use duet_maps::Side;
use duet_store::ChangeOperation;
use serde_json::Value;

use crate::run::error::RoundError;
use crate::run::keys::parse_key;
use crate::run::session::Session;

impl Session {
    /// Queues a delete for every key Duet knows in finance and operations that is no longer
    /// there, skipping keys whose company is not linked and keys already waiting for a delete.
    /// Returns how many deletes were queued.
    pub(in crate::run) async fn reconcile_finops_deletes(&self) -> Result<usize, RoundError> {
        let side = Side::FinanceOperations.as_str();
        // Known keys are read before the remote ones: a row synced while the keys are being
        // read is then either in both or in neither, never taken for a delete.
        let known = self.store().shadow_keys(self.name(), side)?;
        if known.is_empty() {
            return Ok(0);
        }
        let mut fields: Vec<&str> = Vec::new();
        if let Some(striping) = &self.map.company {
            fields.push(&striping.finance_operations_field);
        }
        fields.extend(self.map.key.finance_operations.iter().map(String::as_str));
        let select = fields.join(",");
        let filter = self.company_filter();
        let mut params = vec![("cross-company", "true"), ("$select", select.as_str())];
        if let Some(filter) = &filter {
            params.push(("$filter", filter.as_str()));
        }
        let rows = self
            .context
            .finops
            .query(&self.map.finance_operations_entity, &params)
            .await
            .map_err(|error| RoundError::remote("reading finance and operations keys", error))?;
        let present: HashSet<String> = rows
            .iter()
            .filter_map(|row| self.map.key_of_finance_operations(row).ok())
            .map(|key| key.to_string())
            .collect();
        let striped = self.map.company.is_some();
        let mut deletes = Vec::new();
        for key in known.into_iter().filter(|key| !present.contains(key)) {
            if !self.links_company_of(&parse_key(&key, striped)) {
                continue;
            }
            let waiting =
                self.store()
                    .queued_for_key(self.name(), Side::FinanceOperations, &key)?;
            if waiting
                .iter()
                .any(|queued| queued.change.operation == ChangeOperation::Delete)
            {
                continue;
            }
            deletes.push(self.change(
                Side::FinanceOperations,
                ChangeOperation::Delete,
                Some(key),
                None,
                Value::Object(Default::default()),
            ));
        }
        if !deletes.is_empty() {
            self.store().enqueue(self.name(), &deletes, None)?;
            self.captured_changes();
        }
        Ok(deletes.len())
    }
}
