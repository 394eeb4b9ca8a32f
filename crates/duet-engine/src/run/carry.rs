//! Carrying one row to the other side: prepare (key, transform, shadow, waits), write, and
//! finish (remember what was written and log it).

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use duet_connect::{ConnectError, RetryPolicy};
use duet_maps::{Row, RowKey, Side, same_values};
use duet_store::StoreError;
use serde_json::Value;

use crate::run::capture::MODIFIED_FIELD;
use crate::run::lookups::ResolvedLookup;
use crate::run::outcome::{Cause, Outcome};
use crate::run::session::Session;
use crate::run::sides::side_title;

/// A row made ready to write to the other side by [`Session::prepare`].
pub(in crate::run) struct Prepared<'r> {
    pub(in crate::run) from: Side,
    pub(in crate::run) key: RowKey,
    /// The source row, with its Dataverse lookups resolved to key values.
    pub(in crate::run) row: Cow<'r, Row>,
    pub(in crate::run) dataverse_id: Option<String>,
    pub(in crate::run) payload: Row,
    /// What Duet remembers of the row on the other side.
    pub(in crate::run) known: Option<Value>,
    pub(in crate::run) latency_ms: Option<i64>,
}

/// What [`Session::prepare`] made of a row.
pub(in crate::run) enum Prepare<'s, 'r> {
    /// Ready to write as it is.
    Ready(Prepared<'r>),
    /// Its self-references to these rows cannot be written yet: written without them.
    WithoutSelfReferences(Prepared<'r>, Vec<(&'s ResolvedLookup, String, RowKey)>),
    /// Nothing to write: the outcome is known already.
    Done(Outcome),
}

impl Session {
    /// Carries one changed row from `from` to the other side.
    pub(in crate::run) async fn apply(&self, from: Side, row: &Row, live: bool) -> Outcome {
        match self.prepare(from, row, live).await {
            Prepare::Done(outcome) => outcome,
            Prepare::WithoutSelfReferences(prepared, missing) => {
                self.apply_without_self_references(prepared, missing).await
            }
            Prepare::Ready(prepared) => {
                let written = match from.other() {
                    Side::Dataverse => self.write_dataverse(&prepared.key, &prepared.payload).await,
                    Side::FinanceOperations => {
                        self.write_finops(&prepared.key, &prepared.payload).await
                    }
                };
                self.finish(prepared, written, "")
            }
        }
    }

    /// Everything `apply` decides before the write: the key, the payload, whether the other
    /// side already has it, its parents and self-references.
    pub(in crate::run) async fn prepare<'r>(
        &self,
        from: Side,
        row: &'r Row,
        live: bool,
    ) -> Prepare<'_, 'r> {
        let row: Cow<'r, Row> = if from == Side::Dataverse && !self.lookups.is_empty() {
            Cow::Owned(self.resolve_dataverse(row, &HashMap::new()).await)
        } else {
            Cow::Borrowed(row)
        };
        let company = match from {
            Side::Dataverse => self.company_of_dataverse(&row).await,
            Side::FinanceOperations => None,
        };
        let key = match self.key_of(from, &row, company.as_deref()) {
            Ok(key) => key,
            Err(error) => {
                return Prepare::Done(self.refuse(
                    from,
                    None,
                    "read",
                    Cause::Map(&error.to_string()),
                    Some(Value::Object(row.into_owned())),
                ));
            }
        };
        if !self.links_company_of(&key) {
            return Prepare::Done(Outcome::Ignored);
        }
        let key_text = key.to_string();
        let dataverse_id = match from {
            Side::Dataverse => row
                .get(&self.map.dataverse_id)
                .and_then(Value::as_str)
                .map(str::to_owned),
            Side::FinanceOperations => None,
        };
        let local_failure = |error: StoreError| Prepare::Done(Outcome::local_failure(error));
        // What Duet knew of this side before the change, for self-references that did not
        // change here (see `keep_changed_lookups`).
        let previous = if live {
            match self.store().shadow(self.name(), from.as_str(), &key_text) {
                Ok(Some(Value::Object(previous))) => Some(previous),
                _ => None,
            }
        } else {
            None
        };
        let to = from.other();
        let transformed = self.map.transform(from, &row).map(|mut payload| {
            self.keep_changed_lookups(from, &row, previous.as_ref(), &mut payload);
            payload
        });
        let known = match self.store().shadow(self.name(), to.as_str(), &key_text) {
            Ok(known) => known,
            Err(error) => return local_failure(error),
        };
        let unchanged = |payload: &Row| match &known {
            Some(Value::Object(known)) => same_values(payload, known),
            _ => false,
        };
        // A row whose parent (a row of another map) is not on the other side yet waits for
        // it, before Duet records anything of it, so applying it again starts afresh.
        if let Ok(payload) = &transformed
            && !unchanged(payload)
            && let Some(outcome) = self.wait_for_parents(from, &key, payload, &row).await
        {
            return Prepare::Done(outcome);
        }
        let projection = self.map.projection(from, &row);
        if let Err(error) = self.store().save_shadow(
            self.name(),
            from.as_str(),
            &key_text,
            dataverse_id.as_deref(),
            &Value::Object(projection),
        ) {
            return local_failure(error);
        }
        let payload = match transformed {
            Ok(payload) => payload,
            Err(error) => {
                return Prepare::Done(self.refuse(
                    from,
                    Some(&key_text),
                    "transform",
                    Cause::Map(&error.to_string()),
                    Some(Value::Object(row.into_owned())),
                ));
            }
        };
        if unchanged(&payload) {
            return Prepare::Done(Outcome::Unchanged);
        }
        let latency_ms = if live {
            self.latency_ms(from, &row)
        } else {
            None
        };
        // A self-reference to a row the target side does not hold yet cannot be written: the
        // row goes without it now, and the reference follows once its target is there.
        let missing = match self
            .missing_self_targets(to, &key, &payload, known.is_some())
            .await
        {
            Ok(missing) => missing,
            Err(error) => {
                return Prepare::Done(Outcome::Unavailable {
                    message: format!("checking a self-reference in {}: {error}", side_title(to)),
                    class: error.class,
                });
            }
        };
        let prepared = Prepared {
            from,
            key,
            row,
            dataverse_id,
            payload,
            known,
            latency_ms,
        };
        if missing.is_empty() {
            Prepare::Ready(prepared)
        } else {
            Prepare::WithoutSelfReferences(prepared, missing)
        }
    }

    /// What became of a prepared row once its write answered: remembered and logged when
    /// written (`note` added to the log line), retried in place when the target could not
    /// take it now, refused with the remote error otherwise.
    pub(in crate::run) fn finish(
        &self,
        prepared: Prepared<'_>,
        written: Result<(&'static str, Option<String>), ConnectError>,
        note: &str,
    ) -> Outcome {
        let to = prepared.from.other();
        let key_text = prepared.key.to_string();
        match written {
            Ok((operation, id)) => {
                let mut merged = match prepared.known {
                    Some(Value::Object(known)) => known,
                    _ => Row::new(),
                };
                merged.extend(prepared.payload.clone());
                let merged = Value::Object(merged);
                let remembered = self
                    .store()
                    .save_shadow(self.name(), to.as_str(), &key_text, id.as_deref(), &merged)
                    .and_then(|()| {
                        self.store()
                            .remember_written(self.name(), to.as_str(), &key_text, &merged)
                    });
                if let Err(error) = remembered {
                    tracing::error!(map = %self.map.name, error = %error, "shadow write failed");
                }
                self.context.record(self.row_line(
                    to,
                    &key_text,
                    operation,
                    format!("{operation} in {}{note}", side_title(to)),
                    prepared.latency_ms,
                    Some(Value::Object(prepared.payload)),
                ));
                Outcome::Written
            }
            Err(error) if error.class.retry_policy() == RetryPolicy::Timed => {
                Outcome::Unavailable {
                    message: format!("writing to {}: {error}", side_title(to)),
                    class: error.class,
                }
            }
            Err(error) => self.refuse(
                prepared.from,
                Some(&key_text),
                "upsert",
                Cause::Remote(&error),
                Some(Value::Object(prepared.payload)),
            ),
        }
    }

    /// Forgets, in what Duet remembers of `side`, the values of columns whose reference was
    /// not carried across, so that applying the change again carries them.
    pub(in crate::run) fn forget_columns(
        &self,
        side: Side,
        key: &str,
        id: Option<&str>,
        row: &Row,
        columns: &[String],
    ) {
        let mut projection = self.map.projection(side, row);
        for column in columns {
            projection.remove(column);
        }
        if let Err(error) = self.store().save_shadow(
            self.name(),
            side.as_str(),
            key,
            id,
            &Value::Object(projection),
        ) {
            tracing::error!(map = %self.map.name, error = %error, "shadow write failed");
        }
    }

    pub(in crate::run) fn latency_ms(&self, from: Side, row: &Row) -> Option<i64> {
        let field = match from {
            Side::FinanceOperations => MODIFIED_FIELD,
            Side::Dataverse => "modifiedon",
        };
        let changed: DateTime<Utc> = row.get(field)?.as_str()?.parse().ok()?;
        Some(
            (self.context.clock.now() - changed)
                .num_milliseconds()
                .max(0),
        )
    }
}
