//! Every failure in the activity log grouped by map, status, error class and message pattern: the
//! pattern is the message with what differs per row (quoted values, ids, long numbers) left
//! out, so one cause is one group however many rows it hit.

use std::collections::HashMap;

use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use crate::{Result, Store};

/// One cause of failures: how often, first and last seen, and the newest line as a sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorGroup {
    pub map: String,
    pub status: String,
    /// The error class label of the group's failures (`None` for conflict losers).
    pub error_class: Option<String>,
    pub pattern: String,
    pub count: u64,
    pub first_at: String,
    pub last_at: String,
    pub last_id: i64,
    pub sample_key: Option<String>,
    pub sample_message: String,
    pub sample_payload: Option<serde_json::Value>,
}

/// The message with quoted values, ids and words holding four or more digits in a row
/// (row keys, ports, generated numbers) replaced, so failures that differ only in the row
/// they hit read the same. Status codes and versions (`(400)`, `v9.2`) stay.
pub fn message_pattern(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut word = String::new();
    let mut chars = message.chars().peekable();
    while let Some(c) = chars.next() {
        if is_word(c) {
            word.push(c);
            continue;
        }
        out.push_str(&shape(&std::mem::take(&mut word)));
        if c == '\'' {
            // A quoted value, up to its closing quote; an unclosed quote is kept as text.
            let rest: String = chars.clone().collect();
            if let Some(end) = rest.find('\'') {
                out.push_str("'…'");
                for _ in 0..rest[..end].chars().count() + 1 {
                    chars.next();
                }
                continue;
            }
        }
        out.push(c);
    }
    out.push_str(&shape(&word));
    out
}

/// Makes [`message_pattern`] callable in SQL as `message_pattern(text)` on `connection`, so a
/// query can pick the failures of one group (`message_pattern(message) = ?`) while it pages
/// or counts, instead of reading every failure into Rust first. It is deterministic, which
/// lets SQLite evaluate it once per row.
pub(crate) fn register_functions(connection: &Connection) -> rusqlite::Result<()> {
    connection.create_scalar_function(
        "message_pattern",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |context| {
            let message: Option<String> = context.get(0)?;
            Ok(message.map(|message: String| message_pattern(&message)))
        },
    )
}

/// What a row key, id or number is made of.
fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '|' | '.')
}

/// A word as the pattern keeps it: an id becomes `{id}`, a word with four or more digits in
/// a row `#`; other words stay.
fn shape(word: &str) -> String {
    let is_guid = word.len() == 36
        && word.matches('-').count() == 4
        && word.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    let mut run = 0;
    let long_number = word.chars().any(|c| {
        run = if c.is_ascii_digit() { run + 1 } else { 0 };
        run >= 4
    });
    if is_guid {
        "{id}".to_owned()
    } else if long_number {
        "#".to_owned()
    } else {
        word.to_owned()
    }
}

impl Store {
    /// The failures of the activity log (every map, or `map`) in groups, most frequent first.
    pub fn error_groups(&self, map: Option<&str>) -> Result<Vec<ErrorGroup>> {
        let reader = self.reader();
        let mut statement = reader.prepare(
            "SELECT id, at, map, status, message, row_key, payload, error_class FROM activity
             WHERE kind = 'error' AND (?1 IS NULL OR map = ?1) ORDER BY id",
        )?;
        let mut rows = statement.query(params![map])?;
        type GroupKey = (String, String, Option<String>, String);
        let mut groups: HashMap<GroupKey, ErrorGroup> = HashMap::new();
        while let Some(row) = rows.next()? {
            let (id, at, map, status, message): (i64, String, String, String, String) = (
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
            );
            let pattern = message_pattern(&message);
            let error_class: Option<String> = row.get(7)?;
            let group = groups
                .entry((
                    map.clone(),
                    status.clone(),
                    error_class.clone(),
                    pattern.clone(),
                ))
                .or_insert_with(|| ErrorGroup {
                    map,
                    status,
                    error_class,
                    pattern,
                    count: 0,
                    first_at: at.clone(),
                    last_at: at.clone(),
                    last_id: id,
                    sample_key: None,
                    sample_message: String::new(),
                    sample_payload: None,
                });
            group.count += 1;
            group.last_at = at;
            group.last_id = id;
            group.sample_key = row.get(5)?;
            group.sample_message = message;
            let payload: Option<String> = row.get(6)?;
            group.sample_payload = payload
                .map(|text| serde_json::from_str(&text))
                .transpose()?;
        }
        let mut groups: Vec<ErrorGroup> = groups.into_values().collect();
        groups.sort_by(|a, b| b.count.cmp(&a.count).then(b.last_id.cmp(&a.last_id)));
        Ok(groups)
    }
}
