//! What a queued change is: the captured change itself (its side, operation, key and row)
//! and where it stands in the queue (status, attempts, error, wait, read mark).

use duet_maps::Side;
use serde::{Deserialize, Serialize};

use crate::{Result, eq_by_name, parse_name};

/// What a captured change does to its row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ChangeOperation {
    Upsert,
    Delete,
}

impl ChangeOperation {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeOperation::Upsert => "upsert",
            ChangeOperation::Delete => "delete",
        }
    }

    pub(crate) fn parse(text: &str) -> Result<ChangeOperation> {
        parse_name(text, "a queued change has an unknown operation")
    }
}

eq_by_name!(ChangeOperation);

pub(crate) fn parse_side(text: &str) -> Result<Side> {
    parse_name(text, "a queued change has an unknown side")
}

/// A captured change, as the capture loops write it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewChange {
    /// The side the change happened on.
    pub side: Side,
    pub operation: ChangeOperation,
    pub key: Option<String>,
    /// The Dataverse row id, when the change came from Dataverse.
    pub source_id: Option<String>,
    pub row: serde_json::Value,
    pub captured_at: String,
    /// Duet's [`Store::write_mark`] when the capture read the row: a write of the row after
    /// it means the row was read before that write.
    #[serde(default)]
    pub read_mark: Option<i64>,
}

/// Where a queued change stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ChangeStatus {
    /// Waiting to be applied, in order.
    Queued,
    /// Set aside by a "skip to live, keep the queue" resume; applied again only on retry.
    Parked,
    /// Refused by the target in a way retrying by itself cannot fix; kept for retry.
    Failed,
}

impl ChangeStatus {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ChangeStatus::Queued => "queued",
            ChangeStatus::Parked => "parked",
            ChangeStatus::Failed => "failed",
        }
    }

    pub(crate) fn parse(text: &str) -> Result<ChangeStatus> {
        parse_name(text, "a queued change has an unknown status")
    }
}

/// Why a change went behind the queue: a row it looks up is not on the other side yet. It
/// stays marked until it leaves the queue, since until then it has not been applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Wait {
    /// Its parent, a row of another map, is missing: nothing of the change was applied.
    Parent,
    /// A row of its own table it refers to is missing: everything but that reference was
    /// written.
    SelfReference,
}

impl Wait {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Wait::Parent => "parent",
            Wait::SelfReference => "selfReference",
        }
    }

    pub(crate) fn parse(text: &str) -> Result<Wait> {
        parse_name(text, "a queued change has an unknown wait")
    }
}

/// A change in the durable queue, with its place in the order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueuedChange {
    pub seq: i64,
    pub map: String,
    pub status: ChangeStatus,
    pub attempts: i64,
    pub error: Option<String>,
    /// Set while the change waits behind the queue for a row it looks up.
    pub wait: Option<Wait>,
    #[serde(flatten)]
    pub change: NewChange,
}
