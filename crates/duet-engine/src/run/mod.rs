//! Running maps. A map runs as one task (the supervisor) that starts rounds: an initial sync
//! when the map has none behind it, then two capture loops feeding the map's durable queue and
//! one apply loop carrying each queued change to the other side.
//!
//! A change walks: capture (`capture/`) → queue (the store) → the apply loop
//! (`apply_loop.rs`) → carry (`carry.rs`: prepare, write, finish) → the target side
//! (`write.rs`, `delete.rs`, each row through the side's `Target`: `target.rs`). Echo and
//! conflict rules (`echo.rs`, `conflict.rs`) and waits for parents and self-references
//! (`parents.rs`, `self_references.rs`) decide on the way.

mod apply_loop;
mod capture;
mod carry;
mod columns;
mod companies;
mod conflict;
mod context;
mod dataverse_key;
mod definition;
mod delete;
mod echo;
mod engine;
mod error;
mod existence;
mod filters;
mod initial;
mod keys;
mod lookup_by_name;
mod lookups;
mod outcome;
mod parents;
mod self_references;
mod session;
mod sides;
mod stale_read;
mod state;
mod supervisor;
mod target;
mod watch;
mod write;

pub use engine::{Engine, EngineError, EngineEvent, EngineSettings, ResumeMode, RunOptions};
pub use initial::checkpoint::{Progress, initial_progress};
pub use initial::skip::has_synced_state;
pub use target::{DataverseTarget, FinOpsTarget, Target, Targets, WriteOperation, Written};
pub use watch::MapWatch;
