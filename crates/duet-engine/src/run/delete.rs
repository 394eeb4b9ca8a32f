//! Carrying deletes: a row deleted on one side is deleted on the other, unless it exists
//! again on the deleted side (written back since the delete was seen), and a key Duet deleted
//! is marked so a change captured before the delete cannot bring the row back. The delete
//! goes through the side's `Target`; the checks before it read through the clients.

use duet_connect::{ConnectError, RetryPolicy};
use duet_maps::{RowKey, Side};
use duet_store::NewActivity;

use crate::run::keys::{dataverse_key_of, parse_key};
use crate::run::outcome::{Cause, Outcome};
use crate::run::session::Session;
use crate::run::sides::side_title;

/// The shadow side that marks keys Duet deleted on both sides.
const DELETED: &str = "deleted";

impl Session {
    pub(in crate::run) async fn apply_dataverse_delete(&self, key_text: &str) -> Outcome {
        let key = parse_key(key_text, self.map.company.is_some());
        // The row may be back in Dataverse: a finance and operations change applied after the
        // delete was captured can have written it again. Then there is nothing to delete.
        if let Some(outcome) = self.dataverse_row_is_back(&key, key_text).await {
            return outcome;
        }
        let parts = self.finops_key(&key);
        match self
            .context
            .targets
            .for_side(Side::FinanceOperations)
            .delete(&self.map.finance_operations_entity, &parts)
            .await
        {
            Ok(existed) => {
                // Forgotten after the delete: a store failure leaves the change at the head,
                // and deleting again is harmless (the row is already gone).
                if let Err(error) = self.store().forget_row(self.name(), key_text) {
                    return Outcome::local_failure(error);
                }
                self.remember_delete(key_text);
                self.record_delete(Side::FinanceOperations, key_text, existed);
                Outcome::Written
            }
            Err(error) if error.class.retry_policy() == RetryPolicy::Timed => {
                Outcome::Unavailable {
                    message: format!(
                        "deleting in {}: {error}",
                        side_title(Side::FinanceOperations)
                    ),
                    class: error.class,
                }
            }
            Err(error) => self.refuse(
                Side::Dataverse,
                Some(key_text),
                "delete",
                Cause::Remote(&error),
                None,
            ),
        }
    }

    /// Logs a delete carried to `on`; a row already gone there counts as deleted.
    fn record_delete(&self, on: Side, key_text: &str, existed: bool) {
        let message = match existed {
            true => format!("delete in {}", side_title(on)),
            false => format!("delete in {}: the row was already gone", side_title(on)),
        };
        self.context
            .record(self.row_line(on, key_text, "delete", message, None, None));
    }

    /// Logs a delete that was not carried because the deleted side holds the row again.
    fn record_skipped_delete(&self, key_text: &str, deleted_on: Side) {
        self.context.record(NewActivity {
            status: "skipped".to_owned(),
            ..self.row_line(
                deleted_on.other(),
                key_text,
                "delete",
                format!(
                    "delete not carried to {}: the row exists again in {} (written after the delete was seen)",
                    side_title(deleted_on.other()),
                    side_title(deleted_on)
                ),
                None,
                None,
            )
        });
    }

    /// Deletes in Dataverse the row whose finance and operations row was deleted, unless it
    /// exists again there. A row already gone in Dataverse counts as deleted.
    pub(in crate::run) async fn apply_finops_delete(&self, key_text: &str) -> Outcome {
        let key = parse_key(key_text, self.map.company.is_some());
        let parts = dataverse_key_of(&self.map, &key);
        // The row may be back: a Dataverse change applied after the delete was seen can have
        // written it again. Then both sides hold it and there is nothing to delete.
        let finops_key = self.finops_key(&key);
        match self
            .context
            .finops
            .get(&self.map.finance_operations_entity, &finops_key)
            .await
        {
            Ok(Some(_)) => {
                self.record_skipped_delete(key_text, Side::FinanceOperations);
                return Outcome::Unchanged;
            }
            Ok(None) => {}
            Err(error) => return self.read_failed(Side::FinanceOperations, key_text, &error),
        }
        // Forgotten first, so the delete's own tombstone in Dataverse finds no row to carry
        // back.
        if let Err(error) = self.store().forget_row(self.name(), key_text) {
            return Outcome::local_failure(error);
        }
        self.remember_delete(key_text);
        match self
            .context
            .targets
            .for_side(Side::Dataverse)
            .delete(&self.map.dataverse_entity_set, &parts)
            .await
        {
            Ok(existed) => {
                self.record_delete(Side::Dataverse, key_text, existed);
                Outcome::Written
            }
            Err(error) if error.class.retry_policy() == RetryPolicy::Timed => {
                Outcome::Unavailable {
                    message: format!("deleting in {}: {error}", side_title(Side::Dataverse)),
                    class: error.class,
                }
            }
            Err(error) => self.refuse(
                Side::FinanceOperations,
                Some(key_text),
                "delete",
                Cause::Remote(&error),
                None,
            ),
        }
    }

    /// Before a delete is carried: `Some(outcome)` stops it (the Dataverse row is back, or
    /// could not be read), `None` lets it go on.
    async fn dataverse_row_is_back(&self, key: &RowKey, key_text: &str) -> Option<Outcome> {
        match self.exists_now(&self.map, Side::Dataverse, key).await {
            Ok(false) => None,
            Ok(true) => {
                self.record_skipped_delete(key_text, Side::Dataverse);
                Some(Outcome::Unchanged)
            }
            Err(error) => Some(self.read_failed(Side::Dataverse, key_text, &error)),
        }
    }

    fn read_failed(&self, side: Side, key_text: &str, error: &ConnectError) -> Outcome {
        if error.class.retry_policy() == RetryPolicy::Timed {
            Outcome::Unavailable {
                message: format!("reading {}: {error}", side_title(side)),
                class: error.class,
            }
        } else {
            self.refuse(side, Some(key_text), "delete", Cause::Remote(error), None)
        }
    }

    /// Marks a key whose row Duet deleted on both sides, so a change captured before the
    /// delete cannot bring the row back (see [`Session::stale_after_delete`]).
    fn remember_delete(&self, key_text: &str) {
        let marker = serde_json::json!({ "deletedAt": self.context.clock.stamp() });
        if let Err(error) = self
            .store()
            .save_shadow(self.name(), DELETED, key_text, None, &marker)
        {
            tracing::error!(map = %self.map.name, %error, "could not remember a delete");
        }
    }

    /// A change captured before its row was deleted holds the row as it was: writing it
    /// would bring a deleted row back on the other side. For a key Duet carried a delete for,
    /// and for a change held back for its parent (`held_back`: its row may have been deleted
    /// while it waited, and that delete could not be carried, since Duet had not written the
    /// row yet), the change's own row must still exist; if it does not, it is skipped.
    pub(in crate::run) async fn stale_after_delete(
        &self,
        from: Side,
        key_text: &str,
        held_back: bool,
    ) -> Option<Outcome> {
        let marked = matches!(
            self.store().shadow(self.name(), DELETED, key_text),
            Ok(Some(_))
        );
        if !marked && !held_back {
            return None;
        }
        let key = parse_key(key_text, self.map.company.is_some());
        match self.exists_now(&self.map, from, &key).await {
            Ok(true) => {
                // Created again at its source: a real change, and the mark has done its job.
                if marked
                    && let Err(error) = self.store().forget_side(self.name(), DELETED, key_text)
                {
                    tracing::error!(map = %self.map.name, %error, "could not clear a delete mark");
                }
                None
            }
            Ok(false) => {
                self.context.record(NewActivity {
                    status: "skipped".to_owned(),
                    ..self.row_line(
                        from.other(),
                        key_text,
                        "upsert",
                        format!(
                            "change not carried to {}: the row was deleted in {} after this change was captured",
                            side_title(from.other()),
                            side_title(from)
                        ),
                        None,
                        None,
                    )
                });
                Some(Outcome::Unchanged)
            }
            Err(error) if error.class.retry_policy() == RetryPolicy::Timed => {
                Some(Outcome::Unavailable {
                    message: format!("reading {}: {error}", side_title(from)),
                    class: error.class,
                })
            }
            // Not readable for a reason time will not fix: let the write try and report it.
            Err(_) => None,
        }
    }
}
