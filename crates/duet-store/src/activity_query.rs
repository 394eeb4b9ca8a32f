//! Reading the activity log at any size: filters, keyset pages newest or oldest first, and
//! counts, each a seek on an index, on the store's read connection so a read never waits
//! behind the engine's writes.

use rusqlite::types::Value as SqlValue;
use serde::{Deserialize, Serialize};

use crate::activity::{ActivityRecord, COLUMNS, read_records};
use crate::{Result, Store};

/// Which end of the log a page starts from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum LogOrder {
    #[default]
    NewestFirst,
    OldestFirst,
}

/// What to read of the activity log; every filter is optional and they combine.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ActivityQuery {
    pub map: Option<String>,
    /// `toDataverse` or `toFinanceOperations`.
    pub direction: Option<String>,
    /// `row`, `error` or `lifecycle`.
    pub kind: Option<String>,
    /// `succeeded`, `failed`, `conflict`…
    pub status: Option<String>,
    /// A failure's error class label (`400`, `429`, `application`…).
    pub error_class: Option<String>,
    /// Lines at or after this time (the stored `at`, RFC 3339).
    pub from: Option<String>,
    /// Lines before this time.
    pub to: Option<String>,
    /// Text in the row key or the message (case-insensitive for ASCII).
    pub text: Option<String>,
    /// Failures whose message has this pattern ([`crate::message_pattern`]): one error
    /// group's lines. Only `error` lines can match, so successes are never read for it.
    pub pattern: Option<String>,
    pub order: LogOrder,
    /// The id of the last line of the previous page; the page continues after it.
    pub after: Option<i64>,
    /// Lines of the view to pass over before the page starts (after `after` when both are
    /// given): a jump into the middle of the view. Reading on from the page's `next` is
    /// cheaper than a larger offset, which SQLite walks through.
    pub offset: Option<u64>,
}

/// One page of lines and where the next one starts (`None` at the end).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityPage {
    pub entries: Vec<ActivityRecord>,
    pub next: Option<i64>,
}

impl ActivityQuery {
    /// The `WHERE` clause (without the keyset bound) and its parameters.
    fn conditions(&self) -> (Vec<String>, Vec<SqlValue>) {
        let mut clauses = Vec::new();
        let mut values = Vec::new();
        let exact = [
            ("map", &self.map),
            ("direction", &self.direction),
            ("kind", &self.kind),
            ("status", &self.status),
            ("error_class", &self.error_class),
        ];
        for (column, value) in exact {
            if let Some(value) = value {
                clauses.push(format!("{column} = ?"));
                values.push(SqlValue::Text(value.clone()));
            }
        }
        if let Some(from) = &self.from {
            clauses.push("at >= ?".to_owned());
            values.push(SqlValue::Text(from.clone()));
        }
        if let Some(to) = &self.to {
            clauses.push("at < ?".to_owned());
            values.push(SqlValue::Text(to.clone()));
        }
        if let Some(text) = self.text.as_deref().filter(|text| !text.is_empty()) {
            let pattern = format!("%{}%", escape_like(text));
            clauses.push("(row_key LIKE ? ESCAPE '\\' OR message LIKE ? ESCAPE '\\')".to_owned());
            values.push(SqlValue::Text(pattern.clone()));
            values.push(SqlValue::Text(pattern));
        }
        if let Some(pattern) = &self.pattern {
            clauses.push("kind = 'error' AND message_pattern(message) = ?".to_owned());
            values.push(SqlValue::Text(pattern.clone()));
        }
        (clauses, values)
    }
}

/// `%`, `_` and the escape itself taken literally in a `LIKE` pattern.
fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

fn where_clause(clauses: &[String]) -> String {
    if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    }
}

impl Store {
    /// One page of at most `limit` lines matching `query`, in its order, after its cursor.
    pub fn activity_page(&self, query: &ActivityQuery, limit: u32) -> Result<ActivityPage> {
        let (mut clauses, mut values) = query.conditions();
        let (bound, direction) = match query.order {
            LogOrder::NewestFirst => ("id < ?", "DESC"),
            LogOrder::OldestFirst => ("id > ?", "ASC"),
        };
        if let Some(after) = query.after {
            clauses.push(bound.to_owned());
            values.push(SqlValue::Integer(after));
        }
        // One line more than asked says whether another page follows.
        values.push(SqlValue::Integer(i64::from(limit) + 1));
        let offset = query.offset.unwrap_or(0);
        values.push(SqlValue::Integer(i64::try_from(offset).unwrap_or(i64::MAX)));
        let sql = format!(
            "SELECT {COLUMNS} FROM activity {} ORDER BY id {direction} LIMIT ? OFFSET ?",
            where_clause(&clauses)
        );
        let reader = self.reader();
        let mut entries = read_records(&reader, &sql, rusqlite::params_from_iter(values))?;
        let more = entries.len() > limit as usize;
        entries.truncate(limit as usize);
        let next = more.then(|| entries.last().map(|entry| entry.id)).flatten();
        Ok(ActivityPage { entries, next })
    }

    /// How many lines match `query` (its cursor and order aside).
    pub fn activity_count(&self, query: &ActivityQuery) -> Result<u64> {
        let (clauses, values) = query.conditions();
        let sql = format!("SELECT COUNT(*) FROM activity {}", where_clause(&clauses));
        let reader = self.reader();
        let count: i64 =
            reader.query_row(&sql, rusqlite::params_from_iter(values), |row| row.get(0))?;
        Ok(u64::try_from(count).unwrap_or(0))
    }
}
