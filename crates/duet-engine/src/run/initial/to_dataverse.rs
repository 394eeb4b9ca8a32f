//! The initial sync's finance and operations → Dataverse phase: keyset pages of rows,
//! transformed and written with `UpsertMultiple`.

use std::collections::HashSet;

use duet_connect::RetryPolicy;
use duet_maps::{Row, RowKey, Side, same_values};
use duet_store::NewActivity;
use serde_json::Value;

use crate::run::error::RoundError;
use futures::StreamExt;

use crate::run::initial::{BULKS_IN_FLIGHT, INITIAL_BULK, INITIAL_CHUNK};
use crate::run::lookup_by_name::NameError;
use crate::run::outcome::{Cause, Outcome};
use crate::run::session::Session;

/// A row of the initial sync on its way to Dataverse: its key, the mapped values written
/// (what the shadow remembers) and the `UpsertMultiple` target built from them.
pub(in crate::run) struct Pending {
    pub(in crate::run) key: RowKey,
    pub(in crate::run) payload: Row,
    pub(in crate::run) target: Row,
    /// The finance and operations row it came from, kept in the queue if Dataverse refuses
    /// it, so a retry applies it again.
    pub(in crate::run) source: Row,
}

/// `$filter` for the rows after `last` in the order of `fields` (keyset paging):
/// `(a gt x) or (a eq x and b gt y) …`.
fn keyset_after(fields: &[String], last: &[String]) -> String {
    let clauses: Vec<String> = (0..fields.len())
        .map(|position| {
            let mut parts: Vec<String> = (0..position)
                .map(|earlier| {
                    format!(
                        "{} eq {}",
                        fields[earlier],
                        duet_connect::quote(&last[earlier])
                    )
                })
                .collect();
            parts.push(format!(
                "{} gt {}",
                fields[position],
                duet_connect::quote(&last[position])
            ));
            format!("({})", parts.join(" and "))
        })
        .collect();
    format!("({})", clauses.join(" or "))
}

impl Session {
    /// Dataverse columns of fields that flow both ways.
    fn two_way_dataverse_columns(&self) -> HashSet<String> {
        self.map
            .fields
            .iter()
            .filter(|field| {
                field.direction.flows_from(Side::Dataverse)
                    && field.direction.flows_from(Side::FinanceOperations)
            })
            .filter_map(|field| field.dataverse.clone())
            .collect()
    }

    /// The next chunk of the initial sync in key order: rows of the link's companies after
    /// `last` (from the start when `None`).
    pub(in crate::run) async fn read_initial_chunk(
        &self,
        order: &[String],
        last: Option<&[String]>,
    ) -> Result<Vec<Row>, RoundError> {
        let mut clauses: Vec<String> = self.finops_read_filter()?.into_iter().collect();
        if let Some(last) = last {
            clauses.push(keyset_after(order, last));
        }
        let filter = clauses.join(" and ");
        let orderby = order.join(",");
        let mut params = vec![("cross-company", "true"), ("$orderby", orderby.as_str())];
        if !filter.is_empty() {
            params.push(("$filter", filter.as_str()));
        }
        self.context
            .finops
            .query_page(&self.map.finance_operations_entity, &params, INITIAL_CHUNK)
            .await
            .map_err(|error| {
                RoundError::remote(
                    format!("reading {}", self.map.finance_operations_entity),
                    error,
                )
            })
    }

    /// Writes one chunk of the initial sync to Dataverse with `UpsertMultiple`, skipping rows
    /// Dataverse already holds; a refused batch is retried row by row so each failure is
    /// logged on its own row. Self-references are left to the second pass ([`Self::link_chunk`]).
    /// Returns how many rows were written.
    pub(in crate::run) async fn copy_chunk(&self, rows: &[Row]) -> Result<u64, RoundError> {
        let keyed = self.keyed_rows(rows);
        // What Duet knows of the chunk's rows in Dataverse, read in one statement.
        let keys: Vec<String> = keyed.iter().map(|(key, _)| key.to_string()).collect();
        let known = self
            .store()
            .shadows(self.name(), Side::Dataverse.as_str(), &keys)?;
        // A row with a Dataverse change still waiting in the queue (an initial sync run again
        // over a live map: Rerun, or legal entities added) is left to that change, which is
        // newer than the finance and operations values this copy would write over it.
        let waiting =
            self.store()
                .keys_with_waiting_changes(self.name(), Side::Dataverse, &keys)?;
        // What Duet saw in finance and operations, remembered for the whole chunk at once.
        let seen: Vec<_> = keyed
            .iter()
            .map(|(key, row)| {
                (
                    key.to_string(),
                    None,
                    self.map.projection(Side::FinanceOperations, row),
                )
            })
            .collect();
        let mut pending = Vec::new();
        for (key, row) in keyed {
            if waiting.contains(&key.to_string()) {
                continue;
            }
            let known = known.get(&key.to_string());
            if let Some(item) = self.pending_row(key, row, known).await? {
                pending.push(item);
            }
        }
        self.store()
            .merge_shadows(self.name(), Side::FinanceOperations.as_str(), &seen)?;
        self.write_pending(pending, "initial sync: upsert in Dataverse")
            .await
    }

    /// The chunk's rows with their keys; a row without a key is refused (logged with the row).
    fn keyed_rows<'r>(&self, rows: &'r [Row]) -> Vec<(RowKey, &'r Row)> {
        rows.iter()
            .filter_map(|row| match self.map.key_of_finance_operations(row) {
                Ok(key) => Some((key, row)),
                Err(error) => {
                    self.refuse(
                        Side::FinanceOperations,
                        None,
                        "read",
                        Cause::Map(&error.to_string()),
                        Some(Value::Object(row.clone())),
                    );
                    None
                }
            })
            .collect()
    }

    /// The write of one row to Dataverse, or `None` when Dataverse already holds its values
    /// (`known`) or the row was refused.
    async fn pending_row(
        &self,
        key: RowKey,
        row: &Row,
        known: Option<&Value>,
    ) -> Result<Option<Pending>, RoundError> {
        let key_text = key.to_string();
        let mut payload = match self.map.transform(Side::FinanceOperations, row) {
            Ok(payload) => payload,
            Err(error) => {
                let cause = Cause::Map(&error.to_string());
                self.keep_refused_row(&key_text, row, "transform", cause)?;
                return Ok(None);
            }
        };
        let self_references = self.self_reference_paths();
        payload.retain(|column, _| !self_references.contains(column));
        // A row on both sides of a Dataverse-mastered map keeps its Dataverse values in the
        // two-way fields (the Dataverse phase writes them to finance and operations); fields
        // that only flow to Dataverse are still written.
        if known.is_some() && self.map.master == Side::Dataverse {
            let two_way = self.two_way_dataverse_columns();
            payload.retain(|column, _| !two_way.contains(column));
        }
        if let Some(Value::Object(known)) = known
            && same_values(&payload, known)
        {
            return Ok(None);
        }
        if !self.names_found(&key, &payload, row).await? {
            return Ok(None);
        }
        Ok(Some(self.pending_for_dataverse(key, payload, row)))
    }

    /// Refuses a finance and operations row of the initial sync (logged with the row) and
    /// keeps it in the queue as failed, so "rerun failed rows" retries it.
    fn keep_refused_row(
        &self,
        key_text: &str,
        row: &Row,
        operation: &str,
        cause: Cause<'_>,
    ) -> Result<(), RoundError> {
        let refused = self.refuse(
            Side::FinanceOperations,
            Some(key_text),
            operation,
            cause,
            Some(Value::Object(row.clone())),
        );
        if let Outcome::Refused { message, .. } = refused {
            self.keep_in_queue(Side::FinanceOperations, key_text, None, row, &message)?;
        }
        Ok(())
    }

    /// Whether every name the row writes to Dataverse names one row of its map
    /// (`lookup_by_name.rs`); a row whose name does not is refused and kept as failed. A
    /// Dataverse that cannot answer now ends the round, which starts again from the
    /// checkpoint.
    async fn names_found(
        &self,
        key: &RowKey,
        payload: &Row,
        row: &Row,
    ) -> Result<bool, RoundError> {
        let key_text = key.to_string();
        match self.ids_of_names(key, payload).await {
            Ok(()) => return Ok(true),
            Err(NameError::Remote { error, .. })
                if error.class.retry_policy() == RetryPolicy::Timed =>
            {
                self.context.observe_error(self.name(), error.class);
                return Err(RoundError::remote("reading names in Dataverse", error));
            }
            Err(NameError::Remote { error, .. }) => {
                self.keep_refused_row(&key_text, row, "lookup", Cause::Remote(&error))?
            }
            Err(error) => {
                self.keep_refused_row(&key_text, row, "lookup", Cause::Map(&error.to_string()))?
            }
        }
        Ok(false)
    }

    pub(in crate::run) fn pending_for_dataverse(
        &self,
        key: RowKey,
        payload: Row,
        source: &Row,
    ) -> Pending {
        // A key column that is a lookup path (an order line's order number) goes in as the
        // lookup's binding, which the body builds from the path; Dataverse has no column by
        // the path's name.
        let (paths, columns): (Vec<_>, Vec<_>) = self
            .map
            .key
            .dataverse
            .iter()
            .zip(&key.values)
            .partition(|(column, _)| column.contains('.'));
        let mut keyed = payload.clone();
        for (path, value) in paths {
            keyed.insert(path.clone(), Value::from(value.clone()));
        }
        let mut target = self.dataverse_body(&key, &keyed);
        for (column, value) in columns {
            target.insert(column.clone(), Value::from(value.clone()));
        }
        Pending {
            key,
            payload,
            target,
            source: source.clone(),
        }
    }

    /// Writes rows to Dataverse with `UpsertMultiple`, several requests in flight (the
    /// client's adaptive limit and the service's advice bound them further); a refused batch
    /// is retried row by row so each failure is logged on its own row. Answers are settled in
    /// the order of the batches, and a row's key is in one batch only, so nothing of one row
    /// overtakes another write of it. Returns how many rows were written.
    pub(in crate::run) async fn write_pending(
        &self,
        pending: Vec<Pending>,
        message: &str,
    ) -> Result<u64, RoundError> {
        let concurrency = self.context.dataverse.concurrency();
        let in_flight = concurrency
            .limit
            .min(concurrency.advised.unwrap_or(BULKS_IN_FLIGHT))
            .clamp(1, BULKS_IN_FLIGHT);
        let requests: Vec<_> = pending
            .chunks(INITIAL_BULK)
            .map(|batch| self.upsert_batch(batch))
            .collect();
        let mut answers = futures::stream::iter(requests).buffered(in_flight);
        let keep_payloads = self.store().retention()?.keep_bulk_payloads;
        let mut written = 0u64;
        while let Some((batch, bulk)) = answers.next().await {
            written += match bulk {
                Ok(()) => self.remember_bulk(batch, message, keep_payloads)?,
                Err(error) if error.class.retry_policy() == RetryPolicy::Timed => {
                    self.context.observe_error(self.name(), error.class);
                    return Err(RoundError::remote("writing to Dataverse", error));
                }
                Err(_) => self.write_one_by_one(batch, message).await?,
            };
        }
        Ok(written)
    }

    /// One `UpsertMultiple` request of a batch, answered with the batch.
    async fn upsert_batch<'b>(
        &self,
        batch: &'b [Pending],
    ) -> (&'b [Pending], Result<(), duet_connect::ConnectError>) {
        let targets: Vec<Row> = batch.iter().map(|item| item.target.clone()).collect();
        let bulk = self
            .context
            .dataverse
            .upsert_multiple(
                &self.map.dataverse_entity_set,
                &self.map.dataverse_table,
                &targets,
            )
            .await;
        (batch, bulk)
    }

    /// Remembers a batch Dataverse took whole: its shadows and one compact log line per row
    /// (key, operation, status; the row written only when the retention settings keep it).
    fn remember_bulk(
        &self,
        batch: &[Pending],
        message: &str,
        keep_payloads: bool,
    ) -> Result<u64, RoundError> {
        let written_rows: Vec<_> = batch
            .iter()
            .map(|item| (item.key.to_string(), None, item.payload.clone()))
            .collect();
        self.store()
            .merge_shadows(self.name(), Side::Dataverse.as_str(), &written_rows)?;
        let at = self.context.clock.stamp();
        let line_message = format!("{message} (bulk)");
        let lines: Vec<NewActivity> = batch
            .iter()
            .map(|item| NewActivity {
                at: at.clone(),
                ..self.row_line(
                    Side::Dataverse,
                    &item.key.to_string(),
                    "upsert",
                    line_message.clone(),
                    None,
                    keep_payloads.then(|| Value::Object(item.payload.clone())),
                )
            })
            .collect();
        self.store().add_activities(&lines)?;
        Ok(batch.len() as u64)
    }

    /// Writes a batch Dataverse refused one row at a time, so each refusal is logged on its
    /// own row and kept in the queue as failed ("rerun failed rows" retries it).
    async fn write_one_by_one(&self, batch: &[Pending], message: &str) -> Result<u64, RoundError> {
        let mut written = 0u64;
        for item in batch {
            let key_text = item.key.to_string();
            match self.write_dataverse(&item.key, &item.payload).await {
                Ok((operation, id)) => {
                    self.merge_shadow(Side::Dataverse, &key_text, id.as_deref(), &item.payload);
                    self.store().add_activities(&[self.row_line(
                        Side::Dataverse,
                        &key_text,
                        operation,
                        message.to_owned(),
                        None,
                        Some(Value::Object(item.payload.clone())),
                    )])?;
                    written += 1;
                }
                Err(error) if error.class.retry_policy() == RetryPolicy::Timed => {
                    return Err(RoundError::remote("writing to Dataverse", error));
                }
                Err(error) => {
                    let refused = self.refuse(
                        Side::FinanceOperations,
                        Some(&key_text),
                        "upsert",
                        Cause::Remote(&error),
                        Some(Value::Object(item.payload.clone())),
                    );
                    if let Outcome::Refused { class, message } = refused {
                        self.context.observe_error(self.name(), class);
                        self.keep_in_queue(
                            Side::FinanceOperations,
                            &key_text,
                            None,
                            &item.source,
                            &message,
                        )?;
                    }
                }
            }
        }
        Ok(written)
    }
}

#[cfg(test)]
mod tests {
    use super::keyset_after;

    #[test]
    fn keyset_paging_resumes_after_the_last_key_in_order() {
        let fields = ["dataAreaId".to_owned(), "CustomerAccount".to_owned()];
        assert_eq!(
            keyset_after(&fields, &["DAT".to_owned(), "O'Neil".to_owned()]),
            "((dataAreaId gt 'DAT') or (dataAreaId eq 'DAT' and CustomerAccount gt 'O''Neil'))"
        );
    }
}
