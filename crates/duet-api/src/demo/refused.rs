//! The refused change: a value finance and operations takes and Dataverse refuses lands in
//! the error log with its payload; it is fixed and the failed change retried.

use duet_maps::{Row, RowKey, Side, TableMap};
use duet_store::ChangeStatus;
use serde_json::{Map, Value};

use super::scripts::{Runner, StepResult};
use super::steps::{seconds, text, until};
use crate::Api;

/// A phone number finance and operations takes (255 characters) and Dataverse refuses (50).
const LONG_PHONE: &str = "+1 425 555 0100 ext. 4471, reception, ask for accounts payable";

impl Runner {
    pub(super) async fn refused_retry(&mut self, map: &TableMap, key: &RowKey) -> StepResult {
        let api = self.api.clone();
        let phone = map
            .fields
            .iter()
            .find_map(|field| {
                (field.dataverse.as_deref() == Some("telephone1"))
                    .then_some(field.finance_operations.as_deref())
                    .flatten()
            })
            .ok_or("the map maps no finance and operations field to telephone1")?;
        let text_key = key.to_string();
        let mark = api.newest_activity_id()?;
        self.step(async {
            let body: Row = Map::from_iter([(phone.to_owned(), Value::from(LONG_PHONE))]);
            api.write_row(map, Side::FinanceOperations, key, &body)
                .await
                .map_err(text)?;
            Ok(format!(
                "{phone} of {key} is now '{LONG_PHONE}' ({} characters)",
                LONG_PHONE.chars().count()
            ))
        })
        .await?;
        self.step(api.refusal(&map.name, &text_key, mark)).await?;
        let seq = api
            .changes_of(&map.name, &text_key)?
            .into_iter()
            .find(|change| change.status == ChangeStatus::Failed)
            .map(|change| change.seq)
            .ok_or("the failed change left the queue before it was retried")?;
        let fixed = Value::from(format!("+1 425 555 {}", api.clock.now().format("%M%S")));
        self.step(async {
            let body: Row = Map::from_iter([("telephone1".to_owned(), fixed.clone())]);
            api.write_row(map, Side::Dataverse, key, &body)
                .await
                .map_err(text)?;
            let elapsed = api
                .arrives(map, Side::FinanceOperations, key, phone, &fixed)
                .await?;
            Ok(format!(
                "{fixed} written in Dataverse reached finance and operations after {}",
                seconds(elapsed)
            ))
        })
        .await?;
        self.step(api.retried(&map.name, &text_key, seq)).await?;
        self.step(async {
            api.arrives(map, Side::Dataverse, key, "telephone1", &fixed)
                .await?;
            api.arrives(map, Side::FinanceOperations, key, phone, &fixed)
                .await?;
            Ok(format!("Both sides hold {fixed}"))
        })
        .await
    }
}

impl Api {
    /// Waits for the refusal of a change of row `key` logged after line `mark`, and for the
    /// failed change in the queue; answers what was refused and the payload sent.
    async fn refusal(&self, map: &str, key: &str, mark: i64) -> StepResult {
        let (line, _) = until("the refusal in the error log", || async {
            let lines = self
                .store
                .row_activity(map, key, 20)
                .map_err(|error| error.to_string())?;
            Ok(lines
                .into_iter()
                .find(|line| line.id > mark && line.entry.kind == "error"))
        })
        .await?;
        let (failed, _) = until("the failed change in the queue", || async {
            Ok(self
                .changes_of(map, key)?
                .into_iter()
                .find(|change| change.status == ChangeStatus::Failed))
        })
        .await?;
        let sent = line
            .entry
            .payload
            .as_ref()
            .and_then(|payload| payload.get("sent"))
            .map(Value::to_string)
            .unwrap_or_default();
        Ok(format!(
            "Change {} failed: {} Payload sent: {sent}",
            failed.seq, line.entry.message
        ))
    }

    /// Retries failed change `seq` of row `key` and waits until nothing of the row is left
    /// in the queue; answers how the engine settled it (as logged), and fails with the
    /// refusal when the retry is refused again.
    async fn retried(&self, map: &str, key: &str, seq: i64) -> StepResult {
        let mark = self.newest_activity_id()?;
        self.retry_changes(map, Some(seq)).await.map_err(text)?;
        until("the retried change to settle", || async {
            let left = self.changes_of(map, key)?;
            if let Some(failed) = left
                .iter()
                .find(|change| change.status == ChangeStatus::Failed)
            {
                return Err(format!(
                    "the retried change was refused again: {}",
                    failed.error.clone().unwrap_or_default()
                ));
            }
            Ok(left.is_empty().then_some(()))
        })
        .await?;
        let settled = self
            .store
            .row_activity(map, key, 10)
            .map_err(|error| error.to_string())?
            .into_iter()
            .find(|line| line.id > mark)
            .map_or_else(
                || "nothing was written".to_owned(),
                |line| line.entry.message,
            );
        Ok(format!(
            "Retried; no failed change is left. The engine read the row again and found the fix: {settled}"
        ))
    }
}
