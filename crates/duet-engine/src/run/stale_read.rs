//! The stale-read rule: a change read before one of Duet's writes to its row, but queued
//! after it, holds the row as it was before that write. Carrying it would put the older value
//! on the other side while its own side keeps Duet's newer one, and the two would never agree.
//! Such a change is checked against the row as its side holds it now: when that is what Duet
//! wrote, the change lost to the write (logged as a conflict); when a person changed the row
//! again since, the row as it is now is carried instead.

use duet_connect::{ConnectError, RetryPolicy};
use duet_maps::{Row, RowKey, Side, same_values};
use duet_store::QueuedChange;
use serde_json::Value;

use crate::run::keys::parse_key;
use crate::run::outcome::Outcome;
use crate::run::session::Session;
use crate::run::sides::side_title;

impl Session {
    /// `Some(outcome)` when the change was read before a later write of Duet's to its row and
    /// is settled here; `None` lets it go on as it is. `latest_write` is the number of Duet's
    /// latest remembered write of the row to `from` (the latest is never forgotten while the
    /// row is synced).
    pub(in crate::run) async fn read_before_later_write(
        &self,
        from: Side,
        queued: &QueuedChange,
        row: &Row,
        latest_write: Option<i64>,
    ) -> Option<Outcome> {
        let (mark, key) = (queued.change.read_mark?, queued.change.key.as_deref()?);
        if latest_write.is_none_or(|latest| latest <= mark) {
            return None;
        }
        let remembered = match self.remembered(from, key) {
            Ok(remembered) => remembered,
            Err(error) => return Some(Outcome::local_failure(error)),
        };
        // The values Duet remembers of this side: the change is the echo of its own write.
        if same_values(&self.map.projection(from, row), &remembered) {
            return None;
        }
        let current = match self.read_now(from, key, queued).await {
            Ok(current) => current,
            Err(error) if error.class.retry_policy() == RetryPolicy::Timed => {
                return Some(Outcome::Unavailable {
                    message: format!("reading {} again: {error}", side_title(from)),
                    class: error.class,
                });
            }
            Err(error) => {
                tracing::warn!(map = %self.map.name, %error, "a row read before a write could not be read again");
                return None;
            }
        };
        match current {
            // Gone since: its delete is captured on its own.
            None => Some(Outcome::Unchanged),
            Some(current) if same_values(&self.map.projection(from, &current), &remembered) => {
                let message = format!(
                    "Changed on both sides before either was applied; this {} change was read \
                     before Duet wrote the {} change to the row, which is kept",
                    side_title(from),
                    side_title(from.other())
                );
                self.record_conflict_loser(from.other(), key, Value::Object(row.clone()), message);
                Some(Outcome::Ignored)
            }
            Some(current) => Some(self.apply(from, &current, true).await),
        }
    }

    /// The row as `side` holds it now: a finance and operations row by its key, a Dataverse
    /// row by its id (a key value alone may name rows of several companies).
    async fn read_now(
        &self,
        side: Side,
        key: &str,
        queued: &QueuedChange,
    ) -> Result<Option<Row>, ConnectError> {
        match side {
            Side::FinanceOperations => {
                let key: RowKey = parse_key(key, self.map.company.is_some());
                self.context
                    .finops
                    .get(&self.map.finance_operations_entity, &self.finops_key(&key))
                    .await
            }
            Side::Dataverse => {
                let Some(id) = queued.change.source_id.as_deref() else {
                    return Ok(None);
                };
                let filter = format!("{} eq {id}", self.map.dataverse_id);
                let select = self.dataverse_select().join(",");
                let rows = self
                    .context
                    .dataverse
                    .query(
                        &self.map.dataverse_entity_set,
                        &[("$filter", filter.as_str()), ("$select", select.as_str())],
                    )
                    .await?;
                Ok(rows.into_iter().next())
            }
        }
    }
}
