//! The sync engine: runs table maps between a finance and operations environment and a
//! Dataverse environment — initial sync, then live sync in both directions.
//!
//! Delivery is at least once into idempotent writes by integration key. Each side's last
//! known values of a row are kept in the store (the shadow); a change whose transformed
//! values the other side already holds is not written, which is also what suppresses the
//! echo of Duet's own writes.

#![deny(clippy::too_many_lines)]

mod alerts;
mod clock;
mod compare;
mod run;
#[cfg(any(test, feature = "test-utils"))]
pub mod test_utils;

pub use clock::{Clock, SystemClock};
pub use compare::{Agreement, compare};
pub use duet_store::{AlertRule, ChangeStatus, MapState, QueuedChange};
pub use run::{
    DataverseTarget, Engine, EngineError, EngineEvent, EngineSettings, FinOpsTarget, MapWatch,
    Progress, ResumeMode, RunOptions, Target, Targets, WriteOperation, Written, has_synced_state,
    initial_progress,
};
