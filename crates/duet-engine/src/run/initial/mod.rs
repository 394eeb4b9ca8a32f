//! The initial sync's driver: the finance and operations → Dataverse phase in keyset
//! chunks (with a second pass for self-references), then the Dataverse → finance and operations
//! phase, checkpointed after every chunk so a crash or a pause resumes where it stopped.

pub(in crate::run) mod checkpoint;
pub(in crate::run) mod second_pass;
pub(in crate::run) mod skip;
pub(in crate::run) mod to_dataverse;
pub(in crate::run) mod to_finops;

use std::time::Instant;

use duet_maps::Row;
use duet_store::MapState;
use serde_json::Value;
use tokio::sync::watch;

use crate::run::capture::{DELTA_CURSOR, MODIFIED_FIELD, WATERMARK_CURSOR};
use crate::run::engine::EngineEvent;
use crate::run::error::RoundError;
use crate::run::initial::checkpoint::{Checkpoint, Pass};
use crate::run::session::Session;

/// Rows read per initial-sync page, and per checkpoint.
pub(in crate::run) const INITIAL_CHUNK: usize = 1000;

/// Rows per `UpsertMultiple` request.
pub(in crate::run) const INITIAL_BULK: usize = 200;

/// The most bulk requests of one map in flight at once; the client's adaptive limit (which
/// halves on 429) and the service's advised parallelism may hold it lower.
pub(in crate::run) const BULKS_IN_FLIGHT: usize = 4;

/// The signals a map's task listens to: applying turns false on pause, stopped true on stop.
pub(in crate::run) struct Signals<'a> {
    pub(in crate::run) applying: &'a mut watch::Receiver<bool>,
    pub(in crate::run) stopped: &'a mut watch::Receiver<bool>,
}

/// How fast this run of the first pass goes: rows done since it started, over its time.
struct Pace {
    started: Instant,
    done_before: u64,
}

impl Session {
    /// Copies existing finance and operations rows to Dataverse in key order, a chunk at a
    /// time, with bulk writes, then Dataverse rows finance and operations lacks. Checkpointed
    /// after every chunk, so a crash, a restart or a pause resumes where it stopped. Returns
    /// false when stopped before the end.
    pub(in crate::run) async fn initial_sync(
        &self,
        mut signals: Signals<'_>,
    ) -> Result<bool, RoundError> {
        // A map paused before this round (the round before ended for an edit) stays paused.
        let state = match *signals.applying.borrow() {
            true => MapState::Initializing,
            false => MapState::Paused,
        };
        self.context.set_state(self.name(), state, None)?;
        let mut checkpoint = Checkpoint::load(self.store(), self.name())?;
        self.context.lifecycle(
            self.name(),
            "started",
            if checkpoint.last_key.is_some() {
                "Initial sync resumed from its last checkpoint (finance and operations → Dataverse)"
            } else {
                "Initial sync started (finance and operations → Dataverse)"
            },
        );
        let tracking_link = self.start_tracking(&mut checkpoint).await?;
        self.start_watermark().await?;
        if checkpoint.progress.total.is_none() {
            checkpoint.progress.total = self.count_finops_rows().await?;
        }
        let last = match self.map.needs_two_pass_write() {
            true => Pass::SelfReferences,
            false => Pass::Rows,
        };
        while checkpoint.pass <= last {
            if !self.copy_pass(&mut checkpoint, &mut signals).await? {
                return Ok(false);
            }
            if checkpoint.pass == last {
                break;
            }
            checkpoint.pass = Pass::SelfReferences;
            checkpoint.save(self.store(), self.name())?;
        }
        self.copy_dataverse_rows(&mut checkpoint).await?;
        self.finish_initial_sync(&tracking_link, &checkpoint)?;
        Ok(true)
    }

    /// Starts Dataverse change tracking before the copy, so a Dataverse change made during it
    /// is not missed, and remembers the rows Dataverse holds. Returns the delta link live sync
    /// starts from (the checkpoint's, once taken).
    async fn start_tracking(&self, checkpoint: &mut Checkpoint) -> Result<String, RoundError> {
        if let Some(link) = &checkpoint.delta_link {
            return Ok(link.clone());
        }
        let select = self.dataverse_select();
        let select: Vec<&str> = select.iter().map(String::as_str).collect();
        let tracking = self
            .context
            .dataverse
            .track_changes(&self.map.dataverse_entity_set, &select)
            .await
            .map_err(|error| RoundError::remote("starting Dataverse change tracking", error))?;
        // Lookups between these rows resolve among themselves, without a request each.
        let by_id = self.rows_by_id(&tracking.changed);
        for row in &tracking.changed {
            self.remember_dataverse(row, &by_id).await;
        }
        checkpoint.delta_link = Some(tracking.delta_link.clone());
        checkpoint.save(self.store(), self.name())?;
        Ok(tracking.delta_link)
    }

    /// The watermark live sync starts from is the newest change before the copy began, so
    /// rows changed during the copy are read again (harmless: unchanged rows are not written).
    async fn start_watermark(&self) -> Result<(), RoundError> {
        if self
            .store()
            .cursor(self.name(), WATERMARK_CURSOR)?
            .is_some()
        {
            return Ok(());
        }
        if let Some(modified) = self.newest_finops_modified().await? {
            self.store()
                .advance_watermark(self.name(), WATERMARK_CURSOR, &modified)?;
        }
        Ok(())
    }

    /// How many finance and operations rows the copy will read, for its progress; unknown
    /// when the count cannot be read.
    async fn count_finops_rows(&self) -> Result<Option<u64>, RoundError> {
        let mut params = vec![("cross-company", "true".to_owned())];
        if let Some(filter) = self.finops_read_filter()? {
            params.push(("$filter", filter));
        }
        let params: Vec<(&str, &str)> = params
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect();
        Ok(self
            .context
            .finops
            .count(&self.map.finance_operations_entity, &params)
            .await
            .ok())
    }

    /// One keyset scan of the finance and operations rows from the checkpoint's last key:
    /// rows (first pass) or only their self-references (second pass). Reads run one chunk
    /// ahead: while a chunk is written, the next one is read. Returns false when stopped.
    async fn copy_pass(
        &self,
        checkpoint: &mut Checkpoint,
        signals: &mut Signals<'_>,
    ) -> Result<bool, RoundError> {
        let pass = checkpoint.pass;
        let order = self.keyset_fields();
        let pace = Pace {
            started: Instant::now(),
            done_before: checkpoint.progress.done,
        };
        let mut rows = self
            .read_initial_chunk(&order, checkpoint.last_key_of(pass))
            .await?;
        let mut second_pass_written = 0u64;
        loop {
            if !self.wait_while_paused(signals).await? {
                return Ok(false);
            }
            let Some(last) = rows.last() else { break };
            let key = keyset_key(&order, last);
            let more = rows.len() >= INITIAL_CHUNK;
            let read_next = async {
                match more {
                    true => Some(self.read_initial_chunk(&order, Some(&key)).await),
                    false => None,
                }
            };
            let next = match pass {
                Pass::Rows => {
                    let (written, next) = tokio::join!(self.copy_chunk(&rows), read_next);
                    record_chunk(checkpoint, &pace, rows.len() as u64, written?);
                    next
                }
                Pass::SelfReferences => {
                    let (written, next) = tokio::join!(self.link_chunk(&rows), read_next);
                    second_pass_written += written?;
                    next
                }
            };
            checkpoint.set_last_key(pass, key);
            checkpoint.save(self.store(), self.name())?;
            let _ = self
                .context
                .events
                .send(EngineEvent::MapChanged(self.name().to_owned()));
            match next {
                Some(next) => rows = next?,
                None => break,
            }
        }
        if pass == Pass::SelfReferences {
            self.context.lifecycle(
                self.name(),
                "succeeded",
                &format!(
                    "Initial sync second pass: {second_pass_written} rows got their self-references in Dataverse"
                ),
            );
        }
        Ok(true)
    }

    /// A pause during the initial sync shows the map Paused until it resumes. Returns false
    /// when the map was stopped.
    async fn wait_while_paused(&self, signals: &mut Signals<'_>) -> Result<bool, RoundError> {
        if !*signals.applying.borrow() {
            self.context
                .set_state(self.name(), MapState::Paused, None)?;
            while !*signals.applying.borrow() {
                tokio::select! {
                    _ = signals.applying.changed() => {}
                    _ = signals.stopped.changed() => return Ok(false),
                }
            }
            self.context
                .set_state(self.name(), MapState::Initializing, None)?;
        }
        Ok(!*signals.stopped.borrow())
    }

    /// The Dataverse → finance and operations phase, with its count in the progress.
    async fn copy_dataverse_rows(&self, checkpoint: &mut Checkpoint) -> Result<(), RoundError> {
        let (from_dataverse, not_eligible) = self.copy_from_dataverse().await?;
        checkpoint.progress.written += from_dataverse;
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
        Ok(())
    }

    /// Live sync starts from the delta link taken before the copy; the checkpoint goes.
    fn finish_initial_sync(
        &self,
        tracking_link: &str,
        checkpoint: &Checkpoint,
    ) -> Result<(), RoundError> {
        self.store()
            .set_cursor(self.name(), DELTA_CURSOR, tracking_link)?;
        Checkpoint::clear(self.store(), self.name())?;
        let progress = &checkpoint.progress;
        self.context.lifecycle(
            self.name(),
            "succeeded",
            &format!(
                "Initial sync finished: {} rows read, {} written ({:.0} rows/s)",
                progress.done, progress.written, progress.rows_per_second
            ),
        );
        Ok(())
    }

    /// The finance and operations fields that order rows for keyset paging: company, then key.
    fn keyset_fields(&self) -> Vec<String> {
        self.map
            .company
            .iter()
            .map(|striping| striping.finance_operations_field.clone())
            .chain(self.map.key.finance_operations.iter().cloned())
            .collect()
    }

    /// The newest `ModifiedDateTime` among the map's finance and operations rows of the
    /// link's companies: where live polling starts.
    pub(in crate::run) async fn newest_finops_modified(
        &self,
    ) -> Result<Option<String>, RoundError> {
        let mut params = vec![("cross-company", "true".to_owned())];
        if let Some(filter) = self.company_filter() {
            params.push(("$filter", filter));
        }
        params.push(("$orderby", format!("{MODIFIED_FIELD} desc")));
        let params: Vec<(&str, &str)> = params
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect();
        let entity = &self.map.finance_operations_entity;
        let newest = self
            .context
            .finops
            .query_page(entity, &params, 1)
            .await
            .map_err(|error| RoundError::remote(format!("reading {entity}"), error))?;
        Ok(newest
            .first()
            .and_then(|row| row.get(MODIFIED_FIELD))
            .and_then(Value::as_str)
            .map(str::to_owned))
    }
}

/// The keyset position of `row`: its values of the ordering fields.
fn keyset_key(order: &[String], row: &Row) -> Vec<String> {
    order
        .iter()
        .map(|field| {
            row.get(field)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

/// Counts a written chunk of the first pass in the progress.
fn record_chunk(checkpoint: &mut Checkpoint, pace: &Pace, read: u64, written: u64) {
    let progress = &mut checkpoint.progress;
    progress.written += written;
    progress.done += read;
    let elapsed = pace.started.elapsed().as_secs_f64().max(0.001);
    progress.rows_per_second = (progress.done - pace.done_before) as f64 / elapsed;
}
