//! Dataverse capture: follows the change-tracking delta link and queues every changed or
//! deleted row with the next link, atomically.

use std::sync::Arc;

use duet_maps::{Row, Side};
use duet_store::{ChangeOperation, CursorMove, NewChange};
use serde_json::Value;
use tokio::sync::watch;

use crate::run::capture::DELTA_CURSOR;
use crate::run::error::RoundError;
use crate::run::session::Session;

impl Session {
    /// Follows the Dataverse delta link and queues every change with the new link, atomically.
    pub(in crate::run) async fn capture_dataverse(
        self: Arc<Self>,
        mut stopped: watch::Receiver<bool>,
    ) -> Result<(), RoundError> {
        let mut backoff = self.capture_backoff();
        loop {
            let link = self
                .store()
                .cursor(self.name(), DELTA_CURSOR)?
                .ok_or_else(|| {
                    RoundError::Invalid("the Dataverse delta link is missing".to_owned())
                })?;
            // Taken before the read: a write of Duet's after it is newer than what is read.
            let mark = self.store().write_mark()?;
            let link = self.delta_link_reading_now(&link);
            let page = tokio::select! {
                page = self.context.dataverse.delta(&link, Some(self.context.settings.delta_wait)) => page,
                _ = stopped.changed() => return Ok(()),
            };
            let page = match page {
                Ok(page) => page,
                Err(error) => {
                    self.capture_failed("reading Dataverse changes", &error)?;
                    tokio::select! {
                        _ = tokio::time::sleep(backoff.next_wait()) => continue,
                        _ = stopped.changed() => return Ok(()),
                    }
                }
            };
            backoff.reset();
            self.capture_recovered("Dataverse");
            let changes = self.page_changes(page.changed, page.deleted, mark).await?;
            self.store().enqueue(
                self.name(),
                &changes,
                Some(CursorMove {
                    name: DELTA_CURSOR,
                    value: &page.delta_link,
                    forward_only: false,
                }),
            )?;
            if !changes.is_empty() {
                self.captured_changes();
            }
            if *stopped.borrow() {
                return Ok(());
            }
        }
    }

    /// The queue entries for one delta page: changed rows the map's filter keeps, and
    /// tombstones, each with the write mark taken before the read.
    async fn page_changes(
        &self,
        changed: Vec<Row>,
        deleted: Vec<String>,
        mark: i64,
    ) -> Result<Vec<NewChange>, RoundError> {
        let mut changes: Vec<NewChange> = Vec::with_capacity(changed.len() + deleted.len());
        // A delta read cannot take `$filter`: the filter is evaluated on each row here.
        let source_filter = self.dataverse_filter()?;
        for row in changed {
            if !self.passes_dataverse_filter(source_filter.as_ref(), &row) {
                continue;
            }
            let company = self.company_of_dataverse(&row).await;
            let key = self
                .map
                .key_of_dataverse(&row, company.as_deref())
                .ok()
                .map(|key| key.to_string());
            let source_id = row
                .get(&self.map.dataverse_id)
                .and_then(Value::as_str)
                .map(str::to_owned);
            changes.push(self.change(
                Side::Dataverse,
                ChangeOperation::Upsert,
                key,
                source_id,
                Value::Object(row),
            ));
        }
        for id in deleted {
            let key = self.store().key_for_dataverse_id(self.name(), &id)?;
            changes.push(self.change(
                Side::Dataverse,
                ChangeOperation::Delete,
                key,
                Some(id),
                Value::Null,
            ));
        }
        for change in &mut changes {
            change.read_mark = Some(mark);
        }
        Ok(changes)
    }
}
