//! A target that keeps its rows in memory and records every call.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use duet_connect::ConnectError;
use duet_maps::Row;
use serde_json::Value;

use crate::{Target, WriteOperation, Written};

/// Which of a target's operations a call was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallKind {
    Upsert,
    Delete,
}

/// One call a target received, as it was made.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub kind: CallKind,
    pub table: String,
    /// The key's `(column, value)` pairs, in the order given.
    pub key: Vec<(String, String)>,
    /// The columns written; empty for a delete.
    pub row: Row,
}

impl Call {
    pub(crate) fn new(kind: CallKind, table: &str, key: &[(&str, &str)], row: Row) -> Call {
        Call {
            kind,
            table: table.to_owned(),
            key: owned_key(key),
            row,
        }
    }

    /// The value the call's key gives the column `column`.
    pub fn key_value(&self, column: &str) -> Option<&str> {
        self.key
            .iter()
            .find(|(name, _)| name == column)
            .map(|(_, value)| value.as_str())
    }
}

fn owned_key(key: &[(&str, &str)]) -> Vec<(String, String)> {
    key.iter()
        .map(|(column, value)| ((*column).to_owned(), (*value).to_owned()))
        .collect()
}

/// A row's address: its table and its key.
type Address = (String, Vec<(String, String)>);

/// A side held in memory: rows by table and key, upserted and deleted as the [`Target`]
/// contract says (an upsert merges its columns into the row, creating it with its key's
/// columns when absent; deleting a missing row is `Ok(false)`). It never fails; wrap it in a
/// [`FaultyTarget`](super::FaultyTarget) for that. Every call is recorded, in order.
#[derive(Debug, Default)]
pub struct MemoryTarget {
    rows: Mutex<HashMap<Address, Row>>,
    calls: Mutex<Vec<Call>>,
}

impl MemoryTarget {
    pub fn new() -> MemoryTarget {
        MemoryTarget::default()
    }

    /// Puts a row in place (its key's columns added) without recording a call: a row the
    /// side held before the test.
    pub fn insert(&self, table: &str, key: &[(&str, &str)], row: Row) {
        let mut full = with_key(key);
        full.extend(row);
        self.rows
            .lock()
            .expect("memory rows")
            .insert((table.to_owned(), owned_key(key)), full);
    }

    /// The row of `table` with `key`: its key's columns and every column written to it.
    pub fn row(&self, table: &str, key: &[(&str, &str)]) -> Option<Row> {
        self.rows
            .lock()
            .expect("memory rows")
            .get(&(table.to_owned(), owned_key(key)))
            .cloned()
    }

    /// Every row of `table`, ordered by key.
    pub fn rows(&self, table: &str) -> Vec<Row> {
        let rows = self.rows.lock().expect("memory rows");
        let mut found: Vec<(&Address, &Row)> =
            rows.iter().filter(|((name, _), _)| name == table).collect();
        found.sort_by_key(|(address, _)| *address);
        found.into_iter().map(|(_, row)| row.clone()).collect()
    }

    /// Every call received, oldest first.
    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().expect("memory calls").clone()
    }

    fn record(&self, call: Call) {
        self.calls.lock().expect("memory calls").push(call);
    }
}

fn with_key(key: &[(&str, &str)]) -> Row {
    key.iter()
        .map(|(column, value)| ((*column).to_owned(), Value::from(*value)))
        .collect()
}

#[async_trait]
impl Target for MemoryTarget {
    async fn upsert(
        &self,
        table: &str,
        key: &[(&str, &str)],
        row: &Row,
    ) -> Result<Written, ConnectError> {
        self.record(Call::new(CallKind::Upsert, table, key, row.clone()));
        let mut rows = self.rows.lock().expect("memory rows");
        let operation = match rows.get_mut(&(table.to_owned(), owned_key(key))) {
            Some(known) => {
                known.extend(row.clone());
                WriteOperation::Updated
            }
            None => {
                let mut full = with_key(key);
                full.extend(row.clone());
                rows.insert((table.to_owned(), owned_key(key)), full);
                WriteOperation::Created
            }
        };
        Ok(Written {
            operation,
            id: None,
        })
    }

    async fn delete(&self, table: &str, key: &[(&str, &str)]) -> Result<bool, ConnectError> {
        self.record(Call::new(CallKind::Delete, table, key, Row::new()));
        Ok(self
            .rows
            .lock()
            .expect("memory rows")
            .remove(&(table.to_owned(), owned_key(key)))
            .is_some())
    }
}
