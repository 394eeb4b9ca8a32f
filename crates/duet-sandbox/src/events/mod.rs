//! F&O data events: webhook endpoints registered per entity and operation, and an outbox
//! that delivers a business-event envelope to them after each committed write.
//!
//! Endpoints are kept in `fo_event_endpoints`, so they survive a restart. A write adds its
//! event to `fo_events`, and one delivery per matching endpoint to `fo_event_deliveries`,
//! inside the same savepoint as the row change: a rolled-back change set reports nothing and
//! an event is never lost between the write and its delivery. A background task posts each
//! endpoint's deliveries in commit order. A failed delivery (error status, timeout, no
//! connection) is retried with doubling delays; the endpoint's later events wait behind it so
//! order is kept. After the last attempt the delivery is parked as failed, listed under
//! `/_sandbox/dataevents/{id}/errors` and sent again on `…/errors/resend`.

mod admin;
mod delivery;
mod envelope;
mod parked;
mod registry;
mod retry;

pub(crate) use admin::{EventsAdmin, endpoint, endpoint_one};
pub(crate) use delivery::spawn_dispatcher;
pub(crate) use parked::{errors, resend};
pub(crate) use registry::{DataEvents, Operation};
pub use retry::EventRetry;

/// The tables of the registered endpoints, the queued events and their deliveries; part of
/// the F&O store's schema.
pub(crate) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS fo_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS fo_event_endpoints (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    entity TEXT NOT NULL,
    operations TEXT NOT NULL,
    created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS fo_event_deliveries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    endpoint TEXT NOT NULL,
    event INTEGER NOT NULL,
    failed INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt INTEGER NOT NULL DEFAULT 0,
    last_attempt INTEGER,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS fo_event_deliveries_by_endpoint
    ON fo_event_deliveries (endpoint, failed, seq);";
