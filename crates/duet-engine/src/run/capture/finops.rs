//! Finance and operations capture: polls rows past the modified-time watermark and queues
//! them; every so often it also looks for deleted rows (`reconcile.rs`).

use std::collections::HashSet;
use std::sync::Arc;

use duet_maps::{Row, Side};
use duet_store::{ChangeOperation, CursorMove, NewChange};
use serde_json::Value;
use tokio::sync::watch;

use crate::run::capture::{MODIFIED_FIELD, WATERMARK_CURSOR};
use crate::run::error::RoundError;
use crate::run::session::Session;

/// Rows stamped exactly at the watermark are read again by the next `ge` poll: their etags
/// are remembered so each is queued once.
#[derive(Default)]
struct AtWatermark {
    etags: HashSet<String>,
}

impl AtWatermark {
    /// Of the rows read from `watermark` on (oldest first), those not queued before, and the
    /// newest modified time among all of them: where the watermark moves.
    fn take_new(&mut self, rows: Vec<Row>, watermark: Option<&str>) -> (Vec<Row>, Option<String>) {
        let mut newest = watermark.map(str::to_owned);
        let mut fresh = Vec::with_capacity(rows.len());
        for row in rows {
            let modified = row
                .get(MODIFIED_FIELD)
                .and_then(Value::as_str)
                .map(str::to_owned);
            let etag = row
                .get("@odata.etag")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            if modified.is_some()
                && modified.as_deref() == watermark
                && !self.etags.insert(etag.clone())
            {
                continue;
            }
            if modified > newest {
                newest = modified;
                self.etags.clear();
                self.etags.insert(etag);
            } else if modified == newest {
                self.etags.insert(etag);
            }
            fresh.push(row);
        }
        (fresh, newest)
    }
}

impl Session {
    /// Polls finance and operations past the modified-time watermark and queues what changed.
    pub(in crate::run) async fn capture_finops(
        self: Arc<Self>,
        mut stopped: watch::Receiver<bool>,
    ) -> Result<(), RoundError> {
        let mut at_watermark = AtWatermark::default();
        let mut last_reconcile = tokio::time::Instant::now();
        let mut backoff = self.capture_backoff();
        loop {
            if last_reconcile.elapsed() >= self.context.settings.reconcile_interval {
                last_reconcile = tokio::time::Instant::now();
                self.find_finops_deletes().await;
            }
            let watermark = self.store().cursor(self.name(), WATERMARK_CURSOR)?;
            let params = self.finops_change_params(watermark.as_deref())?;
            let params: Vec<(&str, &str)> = params
                .iter()
                .map(|(name, value)| (*name, value.as_str()))
                .collect();
            // Taken before the read: a write of Duet's after it is newer than what is read.
            let mark = self.store().write_mark()?;
            let read = self
                .context
                .finops
                .query(&self.map.finance_operations_entity, &params)
                .await;
            match read {
                Ok(rows) => {
                    backoff.reset();
                    self.capture_recovered("finance and operations");
                    let (rows, newest) = at_watermark.take_new(rows, watermark.as_deref());
                    self.queue_finops_rows(rows, watermark.as_deref(), newest.as_deref(), mark)?;
                }
                Err(error) => {
                    self.capture_failed("reading finance and operations changes", &error)?;
                    tokio::select! {
                        _ = tokio::time::sleep(backoff.next_wait()) => continue,
                        _ = stopped.changed() => return Ok(()),
                    }
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(self.context.settings.poll_interval) => {}
                _ = stopped.changed() => return Ok(()),
            }
            if *stopped.borrow() {
                return Ok(());
            }
        }
    }

    /// Looks for rows deleted in finance and operations; a failure is logged and the next
    /// look tries again.
    async fn find_finops_deletes(&self) {
        match self.reconcile_finops_deletes().await {
            Ok(0) => {}
            Ok(found) => {
                tracing::info!(map = %self.map.name, found, "rows deleted in finance and operations")
            }
            Err(error) => {
                tracing::warn!(map = %self.map.name, %error, "finance and operations deletes could not be checked")
            }
        }
    }

    /// The query options of a poll: the map's rows modified at or after the watermark, oldest
    /// first. `ge` rather than `gt`: rows written in the same millisecond as the watermark
    /// must not be skipped.
    fn finops_change_params(
        &self,
        watermark: Option<&str>,
    ) -> Result<Vec<(&'static str, String)>, RoundError> {
        let mut clauses: Vec<String> = watermark
            .iter()
            .map(|watermark| format!("{MODIFIED_FIELD} ge {watermark}"))
            .collect();
        clauses.extend(self.finops_read_filter()?);
        let mut params = vec![
            ("cross-company", "true".to_owned()),
            ("$orderby", MODIFIED_FIELD.to_owned()),
        ];
        if !clauses.is_empty() {
            params.push(("$filter", clauses.join(" and ")));
        }
        Ok(params)
    }

    /// Queues the polled rows, read after Duet's write `mark`, and moves the watermark to
    /// `newest`, in one transaction.
    fn queue_finops_rows(
        &self,
        rows: Vec<Row>,
        watermark: Option<&str>,
        newest: Option<&str>,
        mark: i64,
    ) -> Result<(), RoundError> {
        if rows.is_empty() && newest == watermark {
            return Ok(());
        }
        let changes: Vec<_> = rows
            .into_iter()
            .map(|row| {
                let key = self
                    .map
                    .key_of_finance_operations(&row)
                    .ok()
                    .map(|key| key.to_string());
                NewChange {
                    read_mark: Some(mark),
                    ..self.change(
                        Side::FinanceOperations,
                        ChangeOperation::Upsert,
                        key,
                        None,
                        Value::Object(row),
                    )
                }
            })
            .collect();
        let cursor = newest.map(|value| CursorMove {
            name: WATERMARK_CURSOR,
            value,
            forward_only: true,
        });
        self.store().enqueue(self.name(), &changes, cursor)?;
        if !changes.is_empty() {
            self.captured_changes();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn row(modified: &str, etag: &str) -> Row {
        json!({ MODIFIED_FIELD: modified, "@odata.etag": etag })
            .as_object()
            .cloned()
            .unwrap()
    }

    #[test]
    fn rows_at_the_watermark_are_queued_once_and_newer_ones_move_it() {
        let mut at_watermark = AtWatermark::default();
        // GIVEN a first poll reading two rows, the newer one at 10:00:02.
        let (fresh, newest) =
            at_watermark.take_new(vec![row("10:00:01", "a"), row("10:00:02", "b")], None);
        assert_eq!(fresh.len(), 2);
        assert_eq!(newest.as_deref(), Some("10:00:02"));
        // WHEN the next poll (`ge` the watermark) reads row b again, a new row c in the same
        // millisecond, and a later row d.
        let (fresh, newest) = at_watermark.take_new(
            vec![
                row("10:00:02", "b"),
                row("10:00:02", "c"),
                row("10:00:03", "d"),
            ],
            Some("10:00:02"),
        );
        // THEN b is not queued twice, c and d are, and the watermark moves to d.
        let etags: Vec<&str> = fresh
            .iter()
            .map(|row| row["@odata.etag"].as_str().unwrap())
            .collect();
        assert_eq!(
            etags,
            ["c", "d"],
            "a row read again at the watermark is not new"
        );
        assert_eq!(newest.as_deref(), Some("10:00:03"));
    }

    #[test]
    fn a_changed_row_at_the_watermark_is_new() {
        let mut at_watermark = AtWatermark::default();
        at_watermark.take_new(vec![row("10:00:02", "b1")], None);
        // A row changed again within the same millisecond has a new etag.
        let (fresh, _) = at_watermark.take_new(vec![row("10:00:02", "b2")], Some("10:00:02"));
        assert_eq!(fresh.len(), 1, "its new version must be queued");
    }
}
