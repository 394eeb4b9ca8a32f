//! The engine against the sandbox over real HTTP, one module per subject, built as one test
//! binary so the crate and its dependencies are linked once.

#[path = "engine/already_gone.rs"]
mod already_gone;
#[path = "engine/benchmarks.rs"]
mod benchmarks;
#[path = "engine/conflicts.rs"]
mod conflicts;
#[path = "engine/convergence.rs"]
mod convergence;
#[path = "engine/dataverse_phase.rs"]
mod dataverse_phase;
#[path = "engine/dataverse_reads.rs"]
mod dataverse_reads;
#[path = "engine/definitions.rs"]
mod definitions;
#[path = "engine/deletes.rs"]
mod deletes;
#[path = "engine/disk_full.rs"]
mod disk_full;
#[path = "engine/errors.rs"]
mod errors;
#[path = "engine/hostile.rs"]
mod hostile;
#[path = "engine/initial_sync.rs"]
mod initial_sync;
#[path = "engine/live_sync.rs"]
mod live_sync;
#[path = "engine/lookup_by_name.rs"]
mod lookup_by_name;
#[path = "engine/lookup_keys.rs"]
mod lookup_keys;
#[path = "engine/outages.rs"]
mod outages;
#[path = "engine/parents.rs"]
mod parents;
#[path = "engine/pause_resume.rs"]
mod pause_resume;
#[path = "engine/run_options.rs"]
mod run_options;
#[path = "engine/self_references.rs"]
mod self_references;
#[path = "engine/stale_read.rs"]
mod stale_read;
mod support;
#[path = "engine/targets.rs"]
mod targets;
#[path = "engine/templates.rs"]
mod templates;
#[path = "engine/test_targets.rs"]
mod test_targets;
#[path = "engine/watch.rs"]
mod watch;
