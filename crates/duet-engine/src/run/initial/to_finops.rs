//! The initial sync's Dataverse → finance and operations phase: Dataverse rows finance and
//! operations lacks (or all that differ when Dataverse is the master), written in `$batch`
//! requests.

use duet_maps::{Row, Side};
use serde_json::Value;

use crate::run::carry::{Prepare, Prepared};
use crate::run::initial::INITIAL_BULK;
use crate::run::outcome::{Outcome, with_fix};
use crate::run::session::Session;

impl Session {
    /// The second phase of an initial sync: Dataverse rows of the link's companies that
    /// finance and operations lacks (or, when Dataverse is the master, that differ) are
    /// written there. Rows without a company of the link are counted, not synced. Safe to run
    /// again after a crash: rows already equal are not written. Returns (written, not eligible).
    pub(in crate::run) async fn copy_from_dataverse(&self) -> Result<(u64, u64), String> {
        let flows = self
            .map
            .fields
            .iter()
            .any(|field| field.direction.flows_from(Side::Dataverse));
        if !flows {
            return Ok((0, 0));
        }
        let select = self.dataverse_select().join(",");
        let rows = self
            .context
            .dataverse
            .query(&self.map.dataverse_entity_set, &[("$select", &select)])
            .await
            .map_err(|error| {
                with_fix(
                    &format!("reading {}", self.map.dataverse_entity_set),
                    &error,
                )
            })?;
        let (mut written, mut not_eligible) = (0u64, 0u64);
        // Rows written without a self-reference whose target was not in finance and
        // operations yet get a second pass once every row of the phase was written.
        let mut waiting: Vec<&Row> = Vec::new();
        let source_filter = self.dataverse_filter()?;
        let mut eligible: Vec<&Row> = Vec::new();
        for row in &rows {
            if !self.passes_dataverse_filter(source_filter.as_ref(), row) {
                continue;
            }
            let company = self.company_of_dataverse(row).await;
            let Ok(key) = self.map.key_of_dataverse(row, company.as_deref()) else {
                not_eligible += 1;
                continue;
            };
            if let Some(code) = &key.company
                && !self
                    .companies
                    .iter()
                    .any(|linked| linked.eq_ignore_ascii_case(code))
            {
                continue;
            }
            if self.map.master == Side::FinanceOperations
                && self
                    .store()
                    .shadow(
                        self.name(),
                        Side::FinanceOperations.as_str(),
                        &key.to_string(),
                    )
                    .map_err(|error| error.to_string())?
                    .is_some()
            {
                continue;
            }
            eligible.push(row);
        }
        for chunk in eligible.chunks(INITIAL_BULK) {
            let mut outcomes: Vec<(&Row, Outcome)> = Vec::with_capacity(chunk.len());
            let mut ready: Vec<(&Row, Prepared<'_>)> = Vec::new();
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
            let (rows_ready, prepared): (Vec<&Row>, Vec<Prepared<'_>>) = ready.into_iter().unzip();
            let results = self.write_finops_batch(&prepared).await;
            for ((row, prepared), (result, note)) in
                rows_ready.into_iter().zip(prepared).zip(results)
            {
                outcomes.push((row, self.finish(prepared, result, note)));
            }
            for (row, outcome) in outcomes {
                match outcome {
                    Outcome::Written => written += 1,
                    Outcome::Waiting { .. } => waiting.push(row),
                    Outcome::Unavailable { message, class } => {
                        self.context.observe_error(self.name(), class);
                        return Err(message);
                    }
                    Outcome::Refused { message, .. } => {
                        self.keep_refused_dataverse(row, &message).await?
                    }
                    _ => {}
                }
            }
        }
        for row in waiting {
            match self.apply(Side::Dataverse, row, false).await {
                Outcome::Written => written += 1,
                Outcome::Waiting { message, patient } => {
                    let company = self.company_of_dataverse(row).await;
                    // The first round read this key, so it reads again.
                    let Ok(key) = self.map.key_of_dataverse(row, company.as_deref()) else {
                        continue;
                    };
                    let key = key.to_string();
                    let id = row.get(&self.map.dataverse_id).and_then(Value::as_str);
                    if patient {
                        // Its parent waits in its own map's queue: live sync applies the row
                        // once the parent is there.
                        let change = self.change(
                            Side::Dataverse,
                            "upsert",
                            Some(key),
                            id.map(str::to_owned),
                            Value::Object(row.clone()),
                        );
                        self.store()
                            .enqueue(self.name(), &[change], None)
                            .map_err(|error| error.to_string())?;
                    } else {
                        self.keep_failed(Side::Dataverse, &key, id, row, &message)?;
                    }
                }
                Outcome::Unavailable { message, class } => {
                    self.context.observe_error(self.name(), class);
                    return Err(message);
                }
                Outcome::Refused { message, .. } => {
                    self.keep_refused_dataverse(row, &message).await?
                }
                _ => {}
            }
        }
        Ok((written, not_eligible))
    }

    /// Keeps a Dataverse row the initial sync could not write in the queue as failed, so
    /// "rerun failed rows" retries it (the refusal itself is already in the error log).
    pub(in crate::run) async fn keep_refused_dataverse(
        &self,
        row: &Row,
        message: &str,
    ) -> Result<(), String> {
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
