//! Writes to each side: the Dataverse upsert by alternate key (with lookup and company
//! bindings) and the finance and operations upsert, both through the side's `Target`, and
//! `$batch` writes to finance and operations (on the client).

use duet_connect::{BatchItem, BatchRequest, ConnectError, RetryPolicy};
use duet_maps::{Row, RowKey, Side};
use reqwest::Method;
use serde_json::Value;

use crate::run::carry::Prepared;
use crate::run::keys::finops_key_of;
use crate::run::session::Session;

impl Session {
    /// Merges what was written into the target side's remembered values.
    pub(in crate::run) fn merge_shadow(
        &self,
        side: Side,
        key: &str,
        id: Option<&str>,
        payload: &Row,
    ) {
        let mut merged = match self.store().shadow(self.name(), side.as_str(), key) {
            Ok(Some(Value::Object(known))) => known,
            _ => Row::new(),
        };
        merged.extend(payload.clone());
        if let Err(error) =
            self.store()
                .save_shadow(self.name(), side.as_str(), key, id, &Value::Object(merged))
        {
            tracing::error!(map = %self.map.name, error = %error, "shadow write failed");
        }
    }

    /// A Dataverse write body: the payload with its lookups and names as bindings, plus the
    /// company binding of a striped map.
    pub(in crate::run) fn dataverse_body(&self, key: &RowKey, payload: &Row) -> Row {
        let mut body = payload.clone();
        // A lookup path is written as a binding to the looked-up row's key:
        // `msdyn_billingaccount@odata.bind: /accounts(accountnumber='C0002')`.
        for lookup in self.lookups.iter().filter(|lookup| lookup.single_key) {
            let Some(value) = body.remove(&lookup.field.path) else {
                continue;
            };
            let bind = match value.as_str().filter(|value| !value.is_empty()) {
                Some(value) => Value::from(format!(
                    "/{}({}={})",
                    lookup.target.dataverse_entity_set,
                    lookup.field.column,
                    duet_connect::quote(value)
                )),
                None => Value::Null,
            };
            body.insert(format!("{}@odata.bind", lookup.field.navigation), bind);
        }
        self.bind_names(key, &mut body);
        if let (Some(striping), Some(code)) = (&self.map.company, &key.company) {
            body.insert(
                format!("{}@odata.bind", striping.dataverse_lookup),
                Value::from(format!(
                    "/{}({}={})",
                    striping.company_entity_set,
                    striping.company_code_column,
                    duet_connect::quote(code)
                )),
            );
        }
        body
    }

    /// Writes the row `key` to `to` by its integration key: an upsert on either side.
    pub(in crate::run) async fn write_to(
        &self,
        to: Side,
        key: &RowKey,
        payload: &Row,
    ) -> Result<(&'static str, Option<String>), ConnectError> {
        match to {
            Side::Dataverse => self.write_dataverse(key, payload).await,
            Side::FinanceOperations => self.write_finops(key, payload).await,
        }
    }

    pub(in crate::run) async fn write_dataverse(
        &self,
        key: &RowKey,
        payload: &Row,
    ) -> Result<(&'static str, Option<String>), ConnectError> {
        let body = self.dataverse_body(key, payload);
        let parts = self.dataverse_key(&self.map, key).await?;
        let parts: Vec<(&str, &str)> = parts
            .iter()
            .map(|(c, v)| (c.as_str(), v.as_str()))
            .collect();
        let written = self
            .context
            .targets
            .for_side(Side::Dataverse)
            .upsert(&self.map.dataverse_entity_set, &parts, &body)
            .await?;
        Ok((written.operation.as_str(), written.id))
    }

    async fn write_finops(
        &self,
        key: &RowKey,
        payload: &Row,
    ) -> Result<(&'static str, Option<String>), ConnectError> {
        let parts = self.finops_key(key);
        let written = self
            .context
            .targets
            .for_side(Side::FinanceOperations)
            .upsert(&self.map.finance_operations_entity, &parts, payload)
            .await?;
        Ok((written.operation.as_str(), written.id))
    }

    /// Writes prepared rows to finance and operations in one `$batch` (finance and
    /// operations has no `UpsertMultiple`): an update of a row Duet has seen there, a create
    /// otherwise. A request the batch could not carry (the row was there after all, or the
    /// batch itself was refused) is sent again on its own as an upsert, so each row gets
    /// its own answer. Results come back in the order given.
    pub(in crate::run) async fn write_finops_batch(
        &self,
        prepared: &[Prepared<'_>],
    ) -> Vec<(
        Result<(&'static str, Option<String>), ConnectError>,
        &'static str,
    )> {
        let entity = &self.map.finance_operations_entity;
        let items: Vec<BatchItem> = prepared
            .iter()
            .map(|item| {
                let parts = self.finops_key(&item.key);
                let request = if item.known.is_some() {
                    BatchRequest::new(
                        Method::PATCH,
                        format!("{entity}{}", duet_connect::key_predicate(&parts)),
                        Some(Value::Object(item.payload.clone())),
                    )
                } else {
                    let mut body = item.payload.clone();
                    for (name, value) in &parts {
                        body.insert((*name).to_owned(), Value::from(*value));
                    }
                    BatchRequest::new(Method::POST, entity.clone(), Some(Value::Object(body)))
                };
                BatchItem::Single(request)
            })
            .collect();
        let mut results = Vec::with_capacity(prepared.len());
        let answers = match items.is_empty() {
            true => Vec::new(),
            false => match self.context.finops.batch(&items, true).await {
                Ok(answers) if answers.len() == items.len() => answers,
                // A batch with creates is not retried by the client (parts may have been
                // applied): the first row goes alone, with the client's retries. When that
                // fails too, the target is down or throttled and every row waits for the
                // phase's next attempt; otherwise the rows go one by one.
                Err(error) if error.class.retry_policy() == RetryPolicy::Timed => {
                    let first = self
                        .write_finops(&prepared[0].key, &prepared[0].payload)
                        .await;
                    if let Err(error) = &first
                        && error.class.retry_policy() == RetryPolicy::Timed
                    {
                        return prepared.iter().map(|_| (Err(error.clone()), "")).collect();
                    }
                    results.push((first, ""));
                    Vec::new()
                }
                Ok(_) | Err(_) => Vec::new(),
            },
        };
        for (index, item) in prepared.iter().enumerate().skip(results.len()) {
            let answered = answers.get(index).filter(|answer| answer.succeeded());
            match (answered, &items[index]) {
                (Some(_), BatchItem::Single(request)) => {
                    let operation = match request.method == Method::POST {
                        true => "create",
                        false => "update",
                    };
                    results.push((Ok((operation, None)), " (in a $batch)"));
                }
                _ => results.push((self.write_finops(&item.key, &item.payload).await, "")),
            }
        }
        results
    }

    pub(in crate::run) fn finops_key<'a>(&'a self, key: &'a RowKey) -> Vec<(&'a str, &'a str)> {
        finops_key_of(&self.map, key)
    }
}
