//! What became of one change (written, unchanged, refused, waiting…), how a refusal is
//! logged with its payload, and how a refused row is kept in the queue for retry.

use duet_connect::{ConnectError, ErrorClass};
use duet_maps::{Row, Side, same_values};
use duet_store::{ChangeOperation, ChangeStatus, NewActivity, StoreError, Wait};
use serde_json::Value;

use crate::run::error::RoundError;
use crate::run::session::Session;
use crate::run::sides::direction_name;

/// What became of one change.
pub(in crate::run) enum Outcome {
    Written,
    /// The other side already holds these values (an echo, or nothing mapped changed).
    Unchanged,
    /// Out of scope: a company that is not in the link.
    Ignored,
    /// Refused for a reason retrying alone cannot fix; logged with its payload.
    Refused {
        message: String,
        class: ErrorClass,
    },
    /// The target could not take it now (throttled, down, timed out); retried in place.
    Unavailable {
        message: String,
        class: ErrorClass,
    },
    /// Not (wholly) written yet: a row it looks up is not on the other side but on its way.
    /// Either the row went without a self-reference whose target is missing, or it waits for
    /// a parent row of another map. The change is applied again once the target may be there.
    Waiting {
        message: String,
        /// The target waits in its own map's queue, so the wait has no attempt limit.
        patient: bool,
        wait: Wait,
    },
}

impl Outcome {
    /// The local store failed while a change was applied: nothing of it is settled, so it is
    /// retried in place like a change the target could not take now.
    pub(in crate::run) fn local_failure(error: StoreError) -> Outcome {
        Outcome::Unavailable {
            message: format!("the local store failed: {error}"),
            class: ErrorClass::Other,
        }
    }
}

/// Why a row was refused: a problem in the row or the map, or the remote's answer.
pub(in crate::run) enum Cause<'a> {
    Map(&'a str),
    Remote(&'a ConnectError),
}

/// A reason with the written fix of its error class, for the map's reason line.
pub(in crate::run) fn reason_with_fix(message: &str, class: ErrorClass) -> String {
    format!("{message} — {}", class.solution())
}

impl Session {
    /// Sets a row aside as a failed change with its reason: in the error log with its payload,
    /// and in the queue, where a retry applies it again like a live change.
    pub(in crate::run) fn keep_failed(
        &self,
        from: Side,
        key: &str,
        source_id: Option<&str>,
        row: &Row,
        message: &str,
    ) -> Result<(), RoundError> {
        if self.keep_in_queue(from, key, source_id, row, message)?
            && let Outcome::Refused { class, .. } = self.refuse(
                from,
                Some(key),
                "lookup",
                Cause::Map(message),
                Some(Value::Object(row.clone())),
            )
        {
            self.context.observe_error(self.name(), class);
        }
        Ok(())
    }

    /// Keeps a row in the queue as a failed change (the error log already has it), once:
    /// false when the same row already waits there as failed for the same reason.
    pub(in crate::run) fn keep_in_queue(
        &self,
        from: Side,
        key: &str,
        source_id: Option<&str>,
        row: &Row,
        message: &str,
    ) -> Result<bool, RoundError> {
        // A pass resumed after a crash, or live capture reading a row again, may meet the
        // row again: keep it once.
        if self.failed_already(from, key, row, message)? {
            return Ok(false);
        }
        let change = self.change(
            from,
            ChangeOperation::Upsert,
            Some(key.to_owned()),
            source_id.map(str::to_owned),
            Value::Object(row.clone()),
        );
        self.store().enqueue_failed(self.name(), &change, message)?;
        Ok(true)
    }

    /// Whether the same row (by its mapped values) already waits in the queue as failed for
    /// the same reason.
    pub(in crate::run) fn failed_already(
        &self,
        from: Side,
        key: &str,
        row: &Row,
        message: &str,
    ) -> Result<bool, StoreError> {
        let projection = self.map.projection(from, row);
        Ok(self
            .store()
            .queued_changes(self.name(), Some(key), 1000)?
            .into_iter()
            .any(|change| {
                change.status == ChangeStatus::Failed
                    && change.change.side == from
                    && change.change.key.as_deref() == Some(key)
                    && change.error.as_deref() == Some(message)
                    && change.change.row.as_object().is_some_and(|kept| {
                        same_values(&self.map.projection(from, kept), &projection)
                    })
            }))
    }

    /// A log line for a row written to `to` (a skipped one sets its own status).
    pub(in crate::run) fn row_line(
        &self,
        to: Side,
        key: &str,
        operation: &str,
        message: String,
        latency_ms: Option<i64>,
        payload: Option<Value>,
    ) -> NewActivity {
        NewActivity {
            at: self.context.clock.stamp(),
            map: self.name().to_owned(),
            kind: "row".to_owned(),
            direction: Some(direction_name(to).to_owned()),
            key: Some(key.to_owned()),
            operation: Some(operation.to_owned()),
            status: "succeeded".to_owned(),
            message,
            latency_ms,
            payload,
            error_class: None,
        }
    }

    /// Logs a refused row in the error log with what was sent and what the remote said.
    pub(in crate::run) fn refuse(
        &self,
        from: Side,
        key: Option<&str>,
        operation: &str,
        cause: Cause<'_>,
        payload: Option<Value>,
    ) -> Outcome {
        let (message, class, remote) = match cause {
            Cause::Map(message) => (message.to_owned(), ErrorClass::Application, None),
            Cause::Remote(error) => (
                format!("{error} — {}", error.class.solution()),
                error.class,
                error.body.clone(),
            ),
        };
        let payload = match (payload, remote) {
            (payload, Some(remote)) => Some(serde_json::json!({"sent": payload, "remote": remote})),
            (payload, None) => payload,
        };
        self.context.record(NewActivity {
            at: self.context.clock.stamp(),
            map: self.name().to_owned(),
            kind: "error".to_owned(),
            direction: Some(direction_name(from.other()).to_owned()),
            key: key.map(str::to_owned),
            operation: Some(operation.to_owned()),
            status: "failed".to_owned(),
            message: message.clone(),
            latency_ms: None,
            payload,
            error_class: Some(class.as_str().to_owned()),
        });
        Outcome::Refused { message, class }
    }
}
