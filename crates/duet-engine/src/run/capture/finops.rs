//! Finance and operations capture: polls rows past the modified-time watermark and queues
//! them; every so often it also looks for deleted rows (`reconcile.rs`).

use std::collections::HashSet;
use std::sync::Arc;

use duet_maps::Side;
use duet_store::CursorMove;
use serde_json::Value;
use tokio::sync::watch;

use crate::run::capture::{MODIFIED_FIELD, WATERMARK_CURSOR};
use crate::run::error::RoundError;
use crate::run::session::Session;

impl Session {
    /// Polls finance and operations past the modified-time watermark and queues what changed.
    pub(in crate::run) async fn capture_finops(
        self: Arc<Self>,
        mut stopped: watch::Receiver<bool>,
    ) -> Result<(), RoundError> {
        // Rows stamped exactly at the watermark are read again by the next `ge` poll; their
        // etags are remembered so they are queued once.
        let mut at_watermark: HashSet<String> = HashSet::new();
        let mut last_reconcile = tokio::time::Instant::now();
        loop {
            if last_reconcile.elapsed() >= self.context.settings.reconcile_interval {
                last_reconcile = tokio::time::Instant::now();
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
            let watermark = self.store().cursor(self.name(), WATERMARK_CURSOR)?;
            // `ge` rather than `gt`: rows written in the same millisecond as the watermark
            // must not be skipped.
            let mut clauses: Vec<String> = watermark
                .iter()
                .map(|watermark| format!("{MODIFIED_FIELD} ge {watermark}"))
                .collect();
            match self.finops_read_filter() {
                Ok(filter) => clauses.extend(filter),
                Err(error) => return Err(error),
            }
            let filter = clauses.join(" and ");
            let mut params = vec![("cross-company", "true"), ("$orderby", MODIFIED_FIELD)];
            if !filter.is_empty() {
                params.push(("$filter", filter.as_str()));
            }
            let rows = match self
                .context
                .finops
                .query(&self.map.finance_operations_entity, &params)
                .await
            {
                Ok(rows) => rows,
                Err(error) => {
                    self.capture_failed("reading finance and operations changes", &error)?;
                    tokio::select! {
                        _ = tokio::time::sleep(self.context.settings.failure_pause) => continue,
                        _ = stopped.changed() => return Ok(()),
                    }
                }
            };
            self.capture_recovered("finance and operations");
            let mut newest = watermark.clone();
            let mut changes = Vec::new();
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
                if modified.is_some() && modified == watermark && !at_watermark.insert(etag.clone())
                {
                    continue;
                }
                if modified > newest {
                    newest = modified.clone();
                    at_watermark.clear();
                    at_watermark.insert(etag);
                } else if modified == newest {
                    at_watermark.insert(etag);
                }
                let key = self
                    .map
                    .key_of_finance_operations(&row)
                    .ok()
                    .map(|key| key.to_string());
                changes.push(self.change(
                    Side::FinanceOperations,
                    "upsert",
                    key,
                    None,
                    Value::Object(row),
                ));
            }
            if !changes.is_empty() || newest != watermark {
                let cursor = newest.as_deref().map(|value| CursorMove {
                    name: WATERMARK_CURSOR,
                    value,
                    forward_only: true,
                });
                self.store().enqueue(self.name(), &changes, cursor)?;
                if !changes.is_empty() {
                    self.captured_changes();
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
}
