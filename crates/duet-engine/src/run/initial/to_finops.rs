//! The initial sync's Dataverse → finance and operations phase: Dataverse rows finance and
//! operations lacks (or all that differ when Dataverse is the master), written in `$batch`
//! requests.

use std::collections::HashMap;

use duet_maps::{Row, Side};
use duet_store::ChangeOperation;
use serde_json::Value;

use crate::run::carry::{Prepare, Prepared};
use crate::run::error::RoundError;
use futures::StreamExt;

use crate::run::initial::{BULKS_IN_FLIGHT, INITIAL_BULK};
use crate::run::outcome::Outcome;
use crate::run::session::Session;

impl Session {
    /// The second phase of an initial sync: Dataverse rows of the link's companies that
    /// finance and operations lacks (or, when Dataverse is the master, that differ) are
    /// written there. Rows without a company of the link are counted, not synced. Safe to run
    /// again after a crash: rows already equal are not written. Returns (written, not eligible).
    pub(in crate::run) async fn copy_from_dataverse(&self) -> Result<(u64, u64), RoundError> {
        let flows = self
            .map
            .fields
            .iter()
            .any(|field| field.direction.flows_from(Side::Dataverse));
        if !flows {
            return Ok((0, 0));
        }
        let select = self.dataverse_select().join(",");
        let entity_set = &self.map.dataverse_entity_set;
        // Dataverse applies the map's filter, so only matching rows are read.
        let filter = self.dataverse_query_filter()?;
        let mut params = vec![("$select", select.as_str())];
        if let Some(filter) = &filter {
            params.push(("$filter", filter.as_str()));
        }
        // A page at a time, so memory holds one page of the table, not all of it.
        let mut pages = self
            .context
            .dataverse
            .pages(entity_set, &params)
            .map_err(|error| RoundError::remote(format!("reading {entity_set}"), error))?;
        let (mut written, mut not_eligible) = (0u64, 0u64);
        // Rows written without a self-reference whose target was not in finance and
        // operations yet get a second pass once every row of the phase was written.
        let mut waiting: Vec<Row> = Vec::new();
        while let Some(rows) = self
            .context
            .dataverse
            .next_page(&mut pages)
            .await
            .map_err(|error| RoundError::remote(format!("reading {entity_set}"), error))?
        {
            let (eligible, skipped) = self.eligible_dataverse_rows(&rows).await?;
            not_eligible += skipped;
            // Several `$batch` requests in flight; every one is answered and settled before an
            // error ends the phase, so no written row goes unremembered.
            let chunks: Vec<_> = eligible
                .chunks(INITIAL_BULK)
                .map(|chunk| self.write_dataverse_chunk(chunk))
                .collect();
            let answers: Vec<_> = futures::stream::iter(chunks)
                .buffered(BULKS_IN_FLIGHT)
                .collect()
                .await;
            for answer in answers {
                let (chunk_written, chunk_waiting) = answer?;
                written += chunk_written;
                waiting.extend(chunk_waiting.into_iter().cloned());
            }
        }
        for row in &waiting {
            written += self.write_waiting_dataverse_row(row).await?;
        }
        Ok((written, not_eligible))
    }

    /// The rows the phase writes (Dataverse applied the map's filter already): those of a
    /// linked company and (when finance and operations is the master) not already there.
    /// Also returns how many rows have no company of the link, so cannot be synced.
    async fn eligible_dataverse_rows<'r>(
        &self,
        rows: &'r [Row],
    ) -> Result<(Vec<&'r Row>, u64), RoundError> {
        let mut keyed = Vec::with_capacity(rows.len());
        let mut not_eligible = 0u64;
        for row in rows {
            match self.key_of_dataverse_row(row).await {
                Some(key) if self.links_company_of(&key) => keyed.push((row, key.to_string())),
                Some(_) => {}
                None => not_eligible += 1,
            }
        }
        if self.map.master != Side::FinanceOperations {
            return Ok((
                keyed.into_iter().map(|(row, _)| row).collect(),
                not_eligible,
            ));
        }
        // Rows finance and operations already holds stay as they are there; their shadows
        // are read for the whole page in one statement.
        let keys: Vec<String> = keyed.iter().map(|(_, key)| key.clone()).collect();
        let known = self
            .store()
            .shadows(self.name(), Side::FinanceOperations.as_str(), &keys)?;
        let eligible = keyed
            .into_iter()
            .filter(|(_, key)| !known.contains_key(key))
            .map(|(row, _)| row)
            .collect();
        Ok((eligible, not_eligible))
    }

    /// A Dataverse row's key, `None` when it has none (no company of the link, no key value).
    async fn key_of_dataverse_row(&self, row: &Row) -> Option<duet_maps::RowKey> {
        let company = self.company_of_dataverse(row).await;
        // A key column that is a lookup path (an order line's order number) holds a value
        // only once the lookup is resolved, as `prepare` resolves it.
        let has_path = self
            .map
            .key
            .dataverse
            .iter()
            .any(|column| column.contains('.'));
        let resolved;
        let keyed = match has_path {
            true => {
                resolved = self.resolve_dataverse(row, &HashMap::new()).await;
                &resolved
            }
            false => row,
        };
        self.map.key_of_dataverse(keyed, company.as_deref()).ok()
    }

    /// Prepares a chunk of Dataverse rows and writes the ready ones in one `$batch`. Returns
    /// how many rows were written and the rows waiting for a self-reference target.
    async fn write_dataverse_chunk<'r>(
        &self,
        chunk: &[&'r Row],
    ) -> Result<(u64, Vec<&'r Row>), RoundError> {
        let mut waiting = Vec::new();
        let mut outcomes: Vec<(&'r Row, Outcome)> = Vec::with_capacity(chunk.len());
        let mut ready: Vec<(&'r Row, Prepared<'_>)> = Vec::new();
        for &row in chunk {
            match self.prepare(Side::Dataverse, row, false).await {
                Prepare::Ready(prepared) => ready.push((row, prepared)),
                Prepare::WithoutSelfReferences(prepared, missing) => outcomes.push((
                    row,
                    self.apply_without_self_references(prepared, missing).await,
                )),
                Prepare::Done(outcome) => outcomes.push((row, outcome)),
            }
        }
        let (rows_ready, prepared): (Vec<&'r Row>, Vec<Prepared<'_>>) = ready.into_iter().unzip();
        let results = self.write_finops_batch(&prepared).await;
        for ((row, prepared), (result, note)) in rows_ready.into_iter().zip(prepared).zip(results) {
            outcomes.push((row, self.finish(prepared, result, note)));
        }
        let mut written = 0u64;
        for (row, outcome) in outcomes {
            match outcome {
                Outcome::Written => written += 1,
                Outcome::Waiting { .. } => waiting.push(row),
                outcome => self.settle_initial_outcome(row, outcome).await?,
            }
        }
        Ok((written, waiting))
    }

    /// Writes a row that waited for its self-reference target once every row of the phase
    /// was written. Returns 1 when written.
    async fn write_waiting_dataverse_row(&self, row: &Row) -> Result<u64, RoundError> {
        let (message, patient) = match self.apply(Side::Dataverse, row, false).await {
            Outcome::Written => return Ok(1),
            Outcome::Waiting {
                message, patient, ..
            } => (message, patient),
            outcome => {
                self.settle_initial_outcome(row, outcome).await?;
                return Ok(0);
            }
        };
        let company = self.company_of_dataverse(row).await;
        // The first round read this key, so it reads again.
        let Ok(key) = self.map.key_of_dataverse(row, company.as_deref()) else {
            return Ok(0);
        };
        let key = key.to_string();
        let id = row.get(&self.map.dataverse_id).and_then(Value::as_str);
        if patient {
            // Its parent waits in its own map's queue: live sync applies the row once the
            // parent is there.
            let change = self.change(
                Side::Dataverse,
                ChangeOperation::Upsert,
                Some(key),
                id.map(str::to_owned),
                Value::Object(row.clone()),
            );
            self.store().enqueue(self.name(), &[change], None)?;
        } else {
            self.keep_failed(Side::Dataverse, &key, id, row, &message)?;
        }
        Ok(0)
    }

    /// A row of the phase that was not written: a target that cannot take writes now ends
    /// the phase (it runs again in the next round); a refused row is kept as failed.
    async fn settle_initial_outcome(&self, row: &Row, outcome: Outcome) -> Result<(), RoundError> {
        match outcome {
            Outcome::Unavailable { message, class } => {
                self.context.observe_error(self.name(), class);
                Err(RoundError::Unavailable { message, class })
            }
            Outcome::Refused { message, .. } => self.keep_refused_dataverse(row, &message).await,
            _ => Ok(()),
        }
    }

    /// Keeps a Dataverse row the initial sync could not write in the queue as failed, so
    /// "rerun failed rows" retries it (the refusal itself is already in the error log).
    async fn keep_refused_dataverse(&self, row: &Row, message: &str) -> Result<(), RoundError> {
        let company = self.company_of_dataverse(row).await;
        let Ok(key) = self.map.key_of_dataverse(row, company.as_deref()) else {
            // Without a key there is nothing to retry by; the error log has the row.
            return Ok(());
        };
        let id = row.get(&self.map.dataverse_id).and_then(Value::as_str);
        self.keep_in_queue(Side::Dataverse, &key.to_string(), id, row, message)
            .map(|_| ())
    }
}
