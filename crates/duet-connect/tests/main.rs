//! Integration tests for duet-connect: the real clients against the sandbox over HTTP, one
//! module per area.

#[path = "connect/batch.rs"]
mod batch;
#[path = "connect/resilience.rs"]
mod resilience;
