//! The activity log read at any size: a typed query (map, direction, kind, status, error
//! class, time range, text, error group pattern; newest or oldest first) answered a page at a time with a keyset cursor and
//! the number of matching lines.

use duet_store::{ActivityQuery, LogOrder};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::{ActivityEntry, ActivityKind, Direction};
use crate::{Api, ApiError, Code, views};

/// The most lines one page carries.
const PAGE_LIMIT: u32 = 5_000;

/// Which end of the log a page starts from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum LogOrderView {
    #[default]
    NewestFirst,
    OldestFirst,
}

/// What to read of the activity log; every filter is optional and they combine.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct LogQuery {
    #[ts(optional = nullable)]
    pub map: Option<String>,
    #[ts(optional = nullable)]
    pub direction: Option<Direction>,
    #[ts(optional = nullable)]
    pub kind: Option<ActivityKind>,
    /// `succeeded`, `failed`, `conflict`…
    #[ts(optional = nullable)]
    pub status: Option<String>,
    /// A failure's error class label: application, 400, 401/403, 404, 412, 429, 502, 503,
    /// timeout, other.
    #[ts(optional = nullable)]
    pub error_class: Option<String>,
    /// Lines at or after this time (RFC 3339).
    #[ts(optional = nullable)]
    pub from: Option<String>,
    /// Lines before this time (RFC 3339).
    #[ts(optional = nullable)]
    pub to: Option<String>,
    /// Text in the row key or the message.
    #[ts(optional = nullable)]
    pub text: Option<String>,
    /// Failures whose message has this pattern (an error group's `pattern`).
    #[ts(optional = nullable)]
    pub pattern: Option<String>,
    /// Newest first when absent.
    #[ts(optional = nullable)]
    pub order: Option<LogOrderView>,
    /// The `next` of the previous page.
    #[ts(optional = nullable, type = "number | null")]
    pub after: Option<i64>,
    /// Lines to pass over before the page (after `after`): a jump into the view.
    #[ts(optional = nullable, type = "number | null")]
    pub offset: Option<u64>,
}

/// One page of the log, where the next one starts (`null` at the end) and, on the first
/// page, how many lines match.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LogPage {
    pub entries: Vec<ActivityEntry>,
    #[ts(type = "number | null")]
    pub next: Option<i64>,
    #[ts(type = "number | null")]
    pub total: Option<u64>,
}

/// A serde name as the store keeps it (`toDataverse`, `error`).
fn name_of<T: Serialize>(value: &T) -> Option<String> {
    serde_json::to_value(value)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
}

impl LogQuery {
    pub(crate) fn to_store(&self) -> ActivityQuery {
        ActivityQuery {
            map: self.map.clone(),
            direction: self.direction.as_ref().and_then(name_of),
            kind: self.kind.as_ref().and_then(name_of),
            status: self.status.clone(),
            error_class: self.error_class.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            text: self.text.clone(),
            pattern: self.pattern.clone(),
            order: match self.order.unwrap_or_default() {
                LogOrderView::NewestFirst => LogOrder::NewestFirst,
                LogOrderView::OldestFirst => LogOrder::OldestFirst,
            },
            after: self.after,
            offset: self.offset,
        }
    }
}

impl Api {
    /// One page of at most `limit` lines (at most 5,000) matching `query`; the first page
    /// (no cursor) also counts the matching lines.
    pub fn log_page(&self, query: &LogQuery, limit: u32) -> Result<LogPage, ApiError> {
        let store_query = query.to_store();
        let page = self
            .store
            .activity_page(&store_query, limit.clamp(1, PAGE_LIMIT))?;
        let total = match query.after {
            None => Some(self.store.activity_count(&store_query)?),
            Some(_) => None,
        };
        Ok(LogPage {
            entries: page
                .entries
                .into_iter()
                .map(views::activity_entry)
                .collect(),
            next: page.next,
            total,
        })
    }
}

/// One cause of failures in the log: the map, the status (`failed`, `conflict`), the message
/// with what differs per row left out, how often and when, and the newest line as a sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ErrorGroupView {
    pub map: String,
    pub status: String,
    /// The error class label of its failures; `null` for conflict losers.
    pub error_class: Option<String>,
    pub pattern: String,
    #[ts(type = "number")]
    pub count: u64,
    pub first_at: String,
    pub last_at: String,
    pub sample_key: Option<String>,
    pub sample_message: String,
    #[ts(type = "unknown")]
    pub sample_payload: Option<serde_json::Value>,
}

impl From<duet_store::ErrorGroup> for ErrorGroupView {
    fn from(group: duet_store::ErrorGroup) -> ErrorGroupView {
        ErrorGroupView {
            map: group.map,
            status: group.status,
            error_class: group.error_class,
            pattern: group.pattern,
            count: group.count,
            first_at: group.first_at,
            last_at: group.last_at,
            sample_key: group.sample_key,
            sample_message: group.sample_message,
            sample_payload: group.sample_payload,
        }
    }
}

impl Api {
    /// Every failure in the log (of one map, or all), grouped by cause, most frequent first.
    pub fn error_groups(&self, map: Option<&str>) -> Result<Vec<ErrorGroupView>, ApiError> {
        Ok(self
            .store
            .error_groups(map)?
            .into_iter()
            .map(Into::into)
            .collect())
    }
}

/// What retrying an error group did (or, as a dry run, would do): how many failed changes
/// of the map have the group's pattern and were (or would be) queued again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RetriedGroup {
    #[ts(type = "number")]
    pub changes: u64,
    pub dry_run: bool,
}

impl Api {
    /// Retries one error group: every failed change of `map` whose error has `pattern` goes
    /// back at the end of the queue through the store's one retry path, like Retry all does
    /// for the whole map. The queue keeps no error class, so `error_class` does not narrow
    /// the changes (a pattern names its cause, and the class follows from it); conflict
    /// losers are not queued, so a group of another status than `failed` retries nothing.
    /// With `dry_run`, only counts them.
    pub async fn retry_error_group(
        &self,
        map: &str,
        status: &str,
        pattern: &str,
        dry_run: bool,
    ) -> Result<RetriedGroup, ApiError> {
        self.engine().await?;
        if self.store.map(map)?.is_none() {
            return Err(ApiError::new(
                Code::NotFound,
                format!("no map is named '{map}'"),
            ));
        }
        if status != "failed" {
            return Ok(RetriedGroup {
                changes: 0,
                dry_run,
            });
        }
        if dry_run {
            return Ok(RetriedGroup {
                changes: self.store.failed_with_pattern(map, pattern)?,
                dry_run,
            });
        }
        let changes = self.store.retry_failed_with_pattern(map, pattern)? as u64;
        self.record_line(
            map,
            "succeeded",
            &format!(
                "{changes} failed changes of the error group \"{pattern}\" queued again for retry"
            ),
        );
        if let Ok(view) = self.map_view(map) {
            let _ = self.events.send(crate::DuetEvent::MapChanged { map: view });
        }
        Ok(RetriedGroup { changes, dry_run })
    }
}
