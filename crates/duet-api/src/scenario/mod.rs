//! The six documented setup scenarios as plans of steps: shown before they run, executed
//! with progress, checkpointed in the store after every step so a crash resumes where it
//! stopped, and finished only when both sides agree.

mod maps;
mod plan;
mod prepare;
mod run;
mod steps;
mod wait;

pub use maps::{MapSource, ScenarioMap};
pub(crate) use plan::MAX_COMPANIES;
