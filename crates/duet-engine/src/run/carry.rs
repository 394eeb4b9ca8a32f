//! Carrying one row to the other side: prepare (key, transform, shadow, waits), write, and
//! finish (remember what was written and log it).

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use duet_connect::{ConnectError, RetryPolicy};
use duet_maps::{MapError, Row, RowKey, Side, same_values};

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
                let written = self
                    .write_to(from.other(), &prepared.key, &prepared.payload)
                    .await;
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
        match self.try_prepare(from, row, live).await {
            Ok(prepare) => prepare,
            Err(outcome) => Prepare::Done(outcome),
        }
    }

    /// [`Self::prepare`], where `Err` is a change whose outcome is known before any write.
    async fn try_prepare<'r>(
        &self,
        from: Side,
        row: &'r Row,
        live: bool,
    ) -> Result<Prepare<'_, 'r>, Outcome> {
        let (row, key) = self.identify(from, row).await?;
        let key_text = key.to_string();
        let to = from.other();
        let transformed = self.transform_change(from, &row, &key_text, live)?;
        let known = self
            .store()
            .shadow(self.name(), to.as_str(), &key_text)
            .map_err(Outcome::local_failure)?;
        let unchanged = |payload: &Row| match &known {
            Some(Value::Object(known)) => same_values(payload, known),
            _ => false,
        };
        // A row whose parent (a row of another map) is not on the other side yet waits for
        // it, and one naming a row that cannot be found is refused, before Duet records
        // anything of it, so applying it again starts afresh.
        if let Ok(payload) = &transformed
            && !unchanged(payload)
            && let Some(outcome) = self.references_ready(from, &key, payload, &row).await
        {
            return Err(outcome);
        }
        let dataverse_id = match from {
            Side::Dataverse => row
                .get(&self.map.dataverse_id)
                .and_then(Value::as_str)
                .map(str::to_owned),
            Side::FinanceOperations => None,
        };
        let projection = self.map.projection(from, &row);
        self.store()
            .save_shadow(
                self.name(),
                from.as_str(),
                &key_text,
                dataverse_id.as_deref(),
                &Value::Object(projection),
            )
            .map_err(Outcome::local_failure)?;
        let payload = transformed.map_err(|error| {
            self.refuse(
                from,
                Some(&key_text),
                "transform",
                Cause::Map(&error.to_string()),
                Some(Value::Object(row.clone().into_owned())),
            )
        })?;
        if unchanged(&payload) {
            return Err(Outcome::Unchanged);
        }
        let missing = self
            .missing_self_targets(to, &key, &payload, known.is_some())
            .await
            .map_err(|error| Outcome::Unavailable {
                message: format!("checking a self-reference in {}: {error}", side_title(to)),
                class: error.class,
            })?;
        let prepared = Prepared {
            from,
            key,
            latency_ms: if live {
                self.latency_ms(from, &row)
            } else {
                None
            },
            row,
            dataverse_id,
            payload,
            known,
        };
        // A self-reference to a row the target side does not hold yet cannot be written: the
        // row goes without it now, and the reference follows once its target is there.
        Ok(match missing.is_empty() {
            true => Prepare::Ready(prepared),
            false => Prepare::WithoutSelfReferences(prepared, missing),
        })
    }

    /// Whether the rows a change refers to can be written: the rows its names name are found
    /// (`lookup_by_name.rs`) and its parents are there (`parents.rs`). None when they are.
    async fn references_ready(
        &self,
        from: Side,
        key: &RowKey,
        payload: &Row,
        row: &Row,
    ) -> Option<Outcome> {
        match self.find_named_rows(from, key, payload, row).await {
            Some(outcome) => Some(outcome),
            None => self.wait_for_parents(from, key, payload, row).await,
        }
    }

    /// The row with its Dataverse lookups resolved to key values, and its key; a row without
    /// a key is refused, and one of a company outside the link is out of scope.
    async fn identify<'r>(
        &self,
        from: Side,
        row: &'r Row,
    ) -> Result<(Cow<'r, Row>, RowKey), Outcome> {
        let resolves = !self.lookups.is_empty() || !self.names.is_empty();
        let row: Cow<'r, Row> = if from == Side::Dataverse && resolves {
            Cow::Owned(self.resolve_dataverse(row, &HashMap::new()).await)
        } else {
            Cow::Borrowed(row)
        };
        let company = match from {
            Side::Dataverse => self.company_of_dataverse(&row).await,
            Side::FinanceOperations => None,
        };
        let key = self
            .key_of(from, &row, company.as_deref())
            .map_err(|error| {
                self.refuse(
                    from,
                    None,
                    "read",
                    Cause::Map(&error.to_string()),
                    Some(Value::Object(row.clone().into_owned())),
                )
            })?;
        if !self.links_company_of(&key) {
            return Err(Outcome::Ignored);
        }
        Ok((row, key))
    }

    /// The other side's write for a changed row, without the lookups it does not carry.
    /// `Err` only when the local store fails; a transform failure is the inner error.
    fn transform_change(
        &self,
        from: Side,
        row: &Row,
        key_text: &str,
        live: bool,
    ) -> Result<Result<Row, MapError>, Outcome> {
        // What Duet knew of this side before the change, for self-references that did not
        // change here (see `keep_changed_lookups`).
        let previous = match live {
            true => match self
                .store()
                .shadow(self.name(), from.as_str(), key_text)
                .map_err(Outcome::local_failure)?
            {
                Some(Value::Object(previous)) => Some(previous),
                _ => None,
            },
            false => None,
        };
        Ok(self.map.transform(from, row).map(|mut payload| {
            self.keep_changed_lookups(from, row, previous.as_ref(), &mut payload);
            payload
        }))
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
