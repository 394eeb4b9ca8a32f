//! The seam between the engine and a side for single-row writes: the `Target` trait, its
//! real implementations over the two clients, and the pair of targets a `Context` holds.

use std::sync::Arc;

use async_trait::async_trait;
use duet_connect::{ConnectError, DataverseClient, FinOpsClient};
use duet_maps::{Row, Side};

use crate::run::keys::id_from_entity_url;

/// One side as the engine writes single rows to it: upsert a row by its key, delete a row
/// by its key. The engine holds one per side (see [`Targets`]); the real ones
/// ([`FinOpsTarget`], [`DataverseTarget`]) go through the `duet_connect` clients, and tests
/// put others in their place (`duet_engine::test_utils`).
///
/// The contract an implementation keeps:
///
/// - **At least once.** The engine may send the same write again (a round restarted, a
///   change retried after a crash or an error), so writes must be idempotent by key: an
///   upsert of the same values leaves the same row, a delete of a row already gone is
///   `Ok(false)`, not an error.
/// - **Upsert merges.** `row` holds the columns to write; the row is created with `key`'s
///   columns and these when absent, and only these columns change when present.
/// - **Concurrent calls.** Maps run side by side, each in its own task, and share their
///   side's target, so calls may run at the same time: implementations are `Send + Sync`
///   and must be safe to call from several tasks at once.
/// - **Errors are [`ConnectError`]s,** and their `class` decides what the engine does:
///   a class whose `retry_policy()` is `Timed` (throttled, unavailable, bad gateway, timed
///   out) is retried by the engine after a wait, nothing lost (a live change stays at the
///   head of its queue; an initial sync's round starts again); any other class refuses the
///   row: it is logged as an error with the payload sent and the remote body, and kept in
///   the queue as failed for a person to retry. A target does not retry by itself beyond
///   what its client does.
///
/// Only single-row writes go through a target. Bulk writes (Dataverse `UpsertMultiple` in
/// the initial sync, finance and operations `$batch`) and every read stay on the clients;
/// when a bulk write cannot be taken whole, the rows it falls back to writing one by one
/// do go through the target.
#[async_trait]
pub trait Target: Send + Sync {
    /// Creates or updates the row of `table` (an entity set or entity name) whose key columns
    /// hold `key`'s values (`(column, value)` pairs, in the side's key order), writing the
    /// columns of `row`.
    async fn upsert(
        &self,
        table: &str,
        key: &[(&str, &str)],
        row: &Row,
    ) -> Result<Written, ConnectError>;

    /// Deletes the row of `table` with `key`. `Ok(false)` when there was no such row.
    async fn delete(&self, table: &str, key: &[(&str, &str)]) -> Result<bool, ConnectError>;
}

/// What an upsert did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub operation: WriteOperation,
    /// The row's id on the side, when the side said it (Dataverse's primary id).
    pub id: Option<String>,
}

/// Whether an upsert created the row, updated it, or cannot tell (a Dataverse upsert by
/// alternate key answers the same either way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOperation {
    Created,
    Updated,
    Upserted,
}

impl WriteOperation {
    /// The operation's name in the activity log.
    pub fn as_str(self) -> &'static str {
        match self {
            WriteOperation::Created => "create",
            WriteOperation::Updated => "update",
            WriteOperation::Upserted => "upsert",
        }
    }
}

/// The engine's target for each side.
#[derive(Clone)]
pub struct Targets {
    pub finops: Arc<dyn Target>,
    pub dataverse: Arc<dyn Target>,
}

impl Targets {
    /// The real targets: writes go to the environments through the clients.
    pub fn real(finops: Arc<FinOpsClient>, dataverse: Arc<DataverseClient>) -> Targets {
        Targets {
            finops: Arc::new(FinOpsTarget::new(finops)),
            dataverse: Arc::new(DataverseTarget::new(dataverse)),
        }
    }

    /// The target that writes to `side`.
    pub fn for_side(&self, side: Side) -> &dyn Target {
        match side {
            Side::FinanceOperations => self.finops.as_ref(),
            Side::Dataverse => self.dataverse.as_ref(),
        }
    }
}

/// Finance and operations through its OData client: an upsert is a `PATCH` by key, and a
/// `POST` with the key's fields when the row is not there.
pub struct FinOpsTarget {
    client: Arc<FinOpsClient>,
}

impl FinOpsTarget {
    pub fn new(client: Arc<FinOpsClient>) -> FinOpsTarget {
        FinOpsTarget { client }
    }
}

#[async_trait]
impl Target for FinOpsTarget {
    async fn upsert(
        &self,
        table: &str,
        key: &[(&str, &str)],
        row: &Row,
    ) -> Result<Written, ConnectError> {
        let created = self.client.upsert(table, key, row).await?;
        Ok(Written {
            operation: match created {
                true => WriteOperation::Created,
                false => WriteOperation::Updated,
            },
            id: None,
        })
    }

    async fn delete(&self, table: &str, key: &[(&str, &str)]) -> Result<bool, ConnectError> {
        self.client.delete(table, key).await
    }
}

/// Dataverse through its Web API client: an upsert is a `PATCH` by alternate key, and the
/// row's id comes from the entity URL it answers with.
pub struct DataverseTarget {
    client: Arc<DataverseClient>,
}

impl DataverseTarget {
    pub fn new(client: Arc<DataverseClient>) -> DataverseTarget {
        DataverseTarget { client }
    }
}

#[async_trait]
impl Target for DataverseTarget {
    async fn upsert(
        &self,
        table: &str,
        key: &[(&str, &str)],
        row: &Row,
    ) -> Result<Written, ConnectError> {
        let entity_id = self.client.upsert(table, key, row).await?;
        Ok(Written {
            operation: WriteOperation::Upserted,
            id: id_from_entity_url(&entity_id),
        })
    }

    async fn delete(&self, table: &str, key: &[(&str, &str)]) -> Result<bool, ConnectError> {
        self.client.delete(table, key).await
    }
}
