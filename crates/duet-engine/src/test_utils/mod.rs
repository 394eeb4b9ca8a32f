//! Test doubles for the engine's write seam ([`Target`](crate::Target)), built with the
//! `test-utils` feature (and in the crate's own tests): [`MemoryTarget`] keeps rows in memory
//! and records every call; [`FaultyTarget`] wraps any target and answers calls with the
//! failures a real side gives (refused, throttled, timed out) as its script says.
//!
//! Give them to an engine with [`Engine::with_targets`](crate::Engine::with_targets).

mod faulty;
mod memory;

pub use faulty::{Attempt, Fault, FaultyTarget};
pub use memory::{Call, CallKind, MemoryTarget};
