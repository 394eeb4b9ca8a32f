//! The initial sync's second pass for maps whose rows refer to rows of the same table:
//! only the self-references, once every row they can point at was written.

use duet_maps::{Row, Side, same_values};
use serde_json::Value;

use crate::run::error::RoundError;
use crate::run::session::Session;

impl Session {
    /// The second pass of the initial sync of a map with self-references: for each row of the
    /// chunk, only its self-reference columns, now that every row of the run was written.
    /// A reference to a row Dataverse does not hold is not written: the row is set aside as a
    /// failed change with the reason (kept for retry), never dropped. Returns how many rows
    /// were written.
    pub(in crate::run) async fn link_chunk(&self, rows: &[Row]) -> Result<u64, RoundError> {
        let mut pending = Vec::new();
        for row in rows {
            // Rows whose key or transform fails were reported by the first pass.
            let Ok(key) = self.map.key_of_finance_operations(row) else {
                continue;
            };
            if !self.links_company_of(&key) {
                continue;
            }
            let Ok(payload) = self.map.transform(Side::FinanceOperations, row) else {
                continue;
            };
            let key_text = key.to_string();
            let Some(Value::Object(known)) =
                self.store()
                    .shadow(self.name(), Side::Dataverse.as_str(), &key_text)?
            else {
                // The row itself is not in Dataverse: its first-pass failure is in the log.
                continue;
            };
            let mut links = Row::new();
            let mut missing = Vec::new();
            for lookup in self.lookups.iter().filter(|l| l.field.self_reference) {
                let Some(value) = payload.get(&lookup.field.path) else {
                    continue;
                };
                if let Some(target) = self.self_target(lookup, &key, value) {
                    let in_dataverse = self
                        .store()
                        .shadow(self.name(), Side::Dataverse.as_str(), &target.to_string())?
                        .is_some();
                    if !in_dataverse {
                        missing.push((lookup, target));
                        continue;
                    }
                }
                links.insert(lookup.field.path.clone(), value.clone());
            }
            for (lookup, target) in &missing {
                let in_finance_operations = self
                    .store()
                    .shadow(
                        self.name(),
                        Side::FinanceOperations.as_str(),
                        &target.to_string(),
                    )?
                    .is_some();
                let message = self.missing_target_message(
                    lookup,
                    target,
                    if in_finance_operations {
                        "is in finance and operations but could not be written to Dataverse (see its own error)"
                    } else {
                        "exists neither in finance and operations (in the link's companies) nor in Dataverse"
                    },
                );
                self.keep_failed(Side::FinanceOperations, &key_text, None, row, &message)?;
            }
            if !missing.is_empty() {
                let columns: Vec<String> = missing
                    .iter()
                    .filter_map(|(lookup, _)| lookup.field.finance_operations.clone())
                    .collect();
                self.forget_columns(Side::FinanceOperations, &key_text, None, row, &columns);
            }
            if links.is_empty() || same_values(&links, &known) {
                continue;
            }
            pending.push(self.pending_for_dataverse(key, links, row));
        }
        self.write_pending(
            pending,
            "initial sync, second pass: self-references in Dataverse",
        )
        .await
    }
}
