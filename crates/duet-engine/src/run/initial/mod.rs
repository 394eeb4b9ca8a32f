//! The initial sync's driver: the finance and operations → Dataverse phase in keyset
//! chunks (with a second pass for self-references), then the Dataverse → finance and operations
//! phase, checkpointed after every chunk so a crash or a pause resumes where it stopped.

pub(in crate::run) mod checkpoint;
pub(in crate::run) mod second_pass;
pub(in crate::run) mod skip;
pub(in crate::run) mod to_dataverse;
pub(in crate::run) mod to_finops;

use duet_store::StoreError;
use serde_json::Value;
use tokio::sync::watch;

use crate::run::capture::{DELTA_CURSOR, MODIFIED_FIELD, WATERMARK_CURSOR};
use crate::run::engine::EngineEvent;
use crate::run::initial::checkpoint::{
    INITIAL_DELTA, INITIAL_LAST_KEY, INITIAL_PASS, INITIAL_PROGRESS, INITIAL_SECOND_LAST_KEY,
    Progress,
};
use crate::run::outcome::with_fix;
use crate::run::session::Session;

/// Rows read per initial-sync page, and per checkpoint.
pub(in crate::run) const INITIAL_CHUNK: usize = 1000;

/// Rows per `UpsertMultiple` request.
pub(in crate::run) const INITIAL_BULK: usize = 200;

impl Session {
    /// Copies existing finance and operations rows to Dataverse in key order, a chunk at a
    /// time, with bulk writes. Checkpointed after every chunk, so a crash, a restart or a pause
    /// resumes where it stopped. Returns false when stopped before the end.
    pub(in crate::run) async fn initial_sync(
        &self,
        applying: &mut watch::Receiver<bool>,
        stopped: &mut watch::Receiver<bool>,
    ) -> Result<bool, String> {
        let store = self.store();
        let text = |error: StoreError| error.to_string();
        self.context
            .set_state(self.name(), "initializing", None)
            .map_err(text)?;
        let resumed = store.cursor(self.name(), INITIAL_LAST_KEY).map_err(text)?;
        self.context.lifecycle(
            self.name(),
            "started",
            if resumed.is_some() {
                "Initial sync resumed from its last checkpoint (finance and operations → Dataverse)"
            } else {
                "Initial sync started (finance and operations → Dataverse)"
            },
        );
        // Tracking starts before the copy, so a Dataverse change made during it is not missed.
        let tracking_link = match store.cursor(self.name(), INITIAL_DELTA).map_err(text)? {
            Some(link) => link,
            None => {
                let select = self.dataverse_select();
                let select: Vec<&str> = select.iter().map(String::as_str).collect();
                let tracking = self
                    .context
                    .dataverse
                    .track_changes(&self.map.dataverse_entity_set, &select)
                    .await
                    .map_err(|error| format!("starting Dataverse change tracking: {error}"))?;
                // Lookups between these rows resolve among themselves, without a request each.
                let by_id = self.rows_by_id(&tracking.changed);
                for row in &tracking.changed {
                    self.remember_dataverse(row, &by_id).await;
                }
                store
                    .set_cursor(self.name(), INITIAL_DELTA, &tracking.delta_link)
                    .map_err(text)?;
                tracking.delta_link
            }
        };
        // The watermark live sync starts from is the newest change before the copy began, so
        // rows changed during the copy are read again (harmless: unchanged rows are not written).
        if store
            .cursor(self.name(), WATERMARK_CURSOR)
            .map_err(text)?
            .is_none()
            && let Some(modified) = self.newest_finops_modified().await?
        {
            store
                .advance_watermark(self.name(), WATERMARK_CURSOR, &modified)
                .map_err(text)?;
        }
        let mut progress: Progress = store
            .cursor(self.name(), INITIAL_PROGRESS)
            .map_err(text)?
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default();
        if progress.total.is_none() {
            let mut params = vec![("cross-company", "true".to_owned())];
            if let Some(filter) = self.finops_read_filter()? {
                params.push(("$filter", filter));
            }
            let params: Vec<(&str, &str)> = params
                .iter()
                .map(|(name, value)| (*name, value.as_str()))
                .collect();
            progress.total = self
                .context
                .finops
                .count(&self.map.finance_operations_entity, &params)
                .await
                .ok();
        }
        let order: Vec<String> = self.keyset_fields();
        let started = std::time::Instant::now();
        let done_before = progress.done;
        // A map whose rows refer to rows of the same table writes them in two passes: every
        // row without its self-references first, then only the self-references, once every
        // row they can point at exists.
        let passes: u8 = if self.map.needs_two_pass_write() {
            2
        } else {
            1
        };
        let mut pass: u8 = store
            .cursor(self.name(), INITIAL_PASS)
            .map_err(text)?
            .and_then(|value| value.parse().ok())
            .unwrap_or(1);
        let mut second_pass_written = 0u64;
        while pass <= passes {
            let key_cursor = if pass == 1 {
                INITIAL_LAST_KEY
            } else {
                INITIAL_SECOND_LAST_KEY
            };
            let last_key: Option<Vec<String>> = store
                .cursor(self.name(), key_cursor)
                .map_err(text)?
                .and_then(|json| serde_json::from_str(&json).ok());
            // Reads run one chunk ahead: while a chunk is written, the next one is read.
            let mut rows = self.read_initial_chunk(&order, last_key.as_deref()).await?;
            loop {
                if !*applying.borrow() {
                    self.context
                        .set_state(self.name(), "paused", None)
                        .map_err(text)?;
                    while !*applying.borrow() {
                        tokio::select! {
                            _ = applying.changed() => {}
                            _ = stopped.changed() => return Ok(false),
                        }
                    }
                    self.context
                        .set_state(self.name(), "initializing", None)
                        .map_err(text)?;
                }
                if *stopped.borrow() {
                    return Ok(false);
                }
                let Some(last) = rows.last() else { break };
                let key: Vec<String> = order
                    .iter()
                    .map(|field| {
                        last.get(field)
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned()
                    })
                    .collect();
                let more = rows.len() >= INITIAL_CHUNK;
                let read_next = async {
                    if more {
                        Some(self.read_initial_chunk(&order, Some(&key)).await)
                    } else {
                        None
                    }
                };
                let next = if pass == 1 {
                    let (written, next) = tokio::join!(self.copy_chunk(&rows), read_next);
                    progress.written += written?;
                    progress.done += rows.len() as u64;
                    let elapsed = started.elapsed().as_secs_f64().max(0.001);
                    progress.rows_per_second = (progress.done - done_before) as f64 / elapsed;
                    next
                } else {
                    let (written, next) = tokio::join!(self.link_chunk(&rows), read_next);
                    second_pass_written += written?;
                    next
                };
                store
                    .set_cursor(
                        self.name(),
                        key_cursor,
                        &serde_json::to_string(&key).map_err(|error| error.to_string())?,
                    )
                    .map_err(text)?;
                store
                    .set_cursor(
                        self.name(),
                        INITIAL_PROGRESS,
                        &serde_json::to_string(&progress).map_err(|error| error.to_string())?,
                    )
                    .map_err(text)?;
                let _ = self
                    .context
                    .events
                    .send(EngineEvent::MapChanged(self.name().to_owned()));
                match next {
                    Some(next) => rows = next?,
                    None => break,
                }
            }
            pass += 1;
            if pass <= passes {
                store
                    .set_cursor(self.name(), INITIAL_PASS, &pass.to_string())
                    .map_err(text)?;
            }
        }
        if passes == 2 {
            self.context.lifecycle(
                self.name(),
                "succeeded",
                &format!(
                    "Initial sync second pass: {second_pass_written} rows got their self-references in Dataverse"
                ),
            );
        }
        let (from_dataverse, not_eligible) = self.copy_from_dataverse().await?;
        progress.written += from_dataverse;
        if not_eligible > 0 {
            self.context.lifecycle(
                self.name(),
                "warning",
                &format!(
                    "{not_eligible} Dataverse rows were not synced: they have no company of the link \
                     (bootstrap them with a company code to include them)"
                ),
            );
        }
        store
            .set_cursor(self.name(), DELTA_CURSOR, &tracking_link)
            .map_err(text)?;
        for name in [
            INITIAL_DELTA,
            INITIAL_LAST_KEY,
            INITIAL_PROGRESS,
            INITIAL_PASS,
            INITIAL_SECOND_LAST_KEY,
        ] {
            store.delete_cursor(self.name(), name).map_err(text)?;
        }
        self.context.lifecycle(
            self.name(),
            "succeeded",
            &format!(
                "Initial sync finished: {} rows read, {} written ({:.0} rows/s)",
                progress.done, progress.written, progress.rows_per_second
            ),
        );
        Ok(true)
    }

    /// The finance and operations fields that order rows for keyset paging: company, then key.
    pub(in crate::run) fn keyset_fields(&self) -> Vec<String> {
        self.map
            .company
            .iter()
            .map(|striping| striping.finance_operations_field.clone())
            .chain(self.map.key.finance_operations.iter().cloned())
            .collect()
    }

    /// The newest `ModifiedDateTime` among the map's finance and operations rows of the
    /// link's companies: where live polling starts.
    pub(in crate::run) async fn newest_finops_modified(&self) -> Result<Option<String>, String> {
        let mut params = vec![("cross-company", "true".to_owned())];
        if let Some(filter) = self.company_filter() {
            params.push(("$filter", filter));
        }
        params.push(("$orderby", format!("{MODIFIED_FIELD} desc")));
        let params: Vec<(&str, &str)> = params
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect();
        let newest = self
            .context
            .finops
            .query_page(&self.map.finance_operations_entity, &params, 1)
            .await
            .map_err(|error| {
                with_fix(
                    &format!("reading {}", self.map.finance_operations_entity),
                    &error,
                )
            })?;
        Ok(newest
            .first()
            .and_then(|row| row.get(MODIFIED_FIELD))
            .and_then(Value::as_str)
            .map(str::to_owned))
    }
}
