//! Deletes in finance and operations. Watermark polling only sees rows that still exist, so
//! every so often the map's keys are read from finance and operations and compared with the
//! rows Duet knows there: a known key that is gone was deleted, and the delete is queued like
//! any other change and carried to Dataverse.

use std::collections::HashSet;

use duet_connect::RetryPolicy;
use duet_maps::Side;
use duet_store::NewActivity;
use serde_json::Value;

use super::{Cause, Outcome, Session, direction_name, parse_key, side_title};

impl Session {
    /// Queues a delete for every key Duet knows in finance and operations that is no longer
    /// there, skipping keys whose company is not linked and keys already waiting for a delete.
    /// Returns how many deletes were queued.
    pub(super) async fn reconcile_finops_deletes(&self) -> Result<usize, String> {
        let side = Side::FinanceOperations.as_str();
        // Known keys are read before the remote ones: a row synced while the keys are being
        // read is then either in both or in neither, never taken for a delete.
        let known = self
            .store()
            .shadow_keys(self.name(), side)
            .map_err(|error| error.to_string())?;
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
            .map_err(|error| format!("reading finance and operations keys: {error}"))?;
        let present: HashSet<String> = rows
            .iter()
            .filter_map(|row| self.map.key_of_finance_operations(row).ok())
            .map(|key| key.to_string())
            .collect();
        let striped = self.map.company.is_some();
        let mut deletes = Vec::new();
        for key in known.into_iter().filter(|key| !present.contains(key)) {
            let company = parse_key(&key, striped).company;
            let linked = company.as_deref().is_none_or(|code| {
                self.companies
                    .iter()
                    .any(|linked| linked.eq_ignore_ascii_case(code))
            });
            if !linked {
                continue;
            }
            let waiting = self
                .store()
                .queued_for_key(self.name(), side, &key)
                .map_err(|error| error.to_string())?;
            if waiting
                .iter()
                .any(|queued| queued.change.operation == "delete")
            {
                continue;
            }
            deletes.push(self.change(
                Side::FinanceOperations,
                "delete",
                Some(key),
                None,
                Value::Object(Default::default()),
            ));
        }
        if !deletes.is_empty() {
            self.store()
                .enqueue(self.name(), &deletes, None)
                .map_err(|error| error.to_string())?;
            self.captured_changes();
        }
        Ok(deletes.len())
    }

    /// Deletes in Dataverse the row whose finance and operations row was deleted. A row that
    /// is already gone counts as deleted.
    pub(super) async fn apply_finops_delete(&self, key_text: &str) -> Outcome {
        let key = parse_key(key_text, self.map.company.is_some());
        let parts: Vec<(&str, &str)> = self
            .map
            .key
            .dataverse
            .iter()
            .map(String::as_str)
            .zip(key.values.iter().map(String::as_str))
            .collect();
        // Forgotten first, so the delete's own tombstone in Dataverse finds no row to carry
        // back.
        if let Err(error) = self.store().forget_row(self.name(), key_text) {
            return Outcome::Unavailable {
                message: format!("the local store failed: {error}"),
                class: "other",
            };
        }
        match self
            .context
            .dataverse
            .delete(&self.map.dataverse_entity_set, &parts)
            .await
        {
            Ok(existed) => {
                self.context.record(NewActivity {
                    at: self.context.clock.stamp(),
                    map: self.name().to_owned(),
                    kind: "row".to_owned(),
                    direction: Some(direction_name(Side::Dataverse).to_owned()),
                    key: Some(key_text.to_owned()),
                    operation: Some("delete".to_owned()),
                    status: "succeeded".to_owned(),
                    message: if existed {
                        format!("delete in {}", side_title(Side::Dataverse))
                    } else {
                        format!(
                            "delete in {}: the row was already gone",
                            side_title(Side::Dataverse)
                        )
                    },
                    latency_ms: None,
                    payload: None,
                });
                Outcome::Written
            }
            Err(error) if error.class.retry_policy() == RetryPolicy::Timed => {
                Outcome::Unavailable {
                    message: format!("deleting in {}: {error}", side_title(Side::Dataverse)),
                    class: error.class.as_str(),
                }
            }
            Err(error) => self.refuse(
                Side::FinanceOperations,
                Some(key_text),
                "delete",
                Cause::Remote(&error),
                None,
            ),
        }
    }
}
