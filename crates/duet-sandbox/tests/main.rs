//! End-to-end tests of the sandbox over real HTTP, one module per area, built as one test
//! binary so the crate and its dependencies are linked once.

#[path = "conformance/auth.rs"]
mod auth;
#[path = "conformance/batch.rs"]
mod batch;
#[path = "conformance/benchmarks.rs"]
mod benchmarks;
#[path = "conformance/catalog.rs"]
mod catalog;
#[path = "conformance/change_tracking.rs"]
mod change_tracking;
#[path = "conformance/data_events.rs"]
mod data_events;
#[path = "conformance/dv_attributes.rs"]
mod dv_attributes;
#[path = "conformance/dv_data_api.rs"]
mod dv_data_api;
#[path = "conformance/dv_keys.rs"]
mod dv_keys;
#[path = "conformance/dv_metadata.rs"]
mod dv_metadata;
#[path = "conformance/dv_queries.rs"]
mod dv_queries;
#[path = "conformance/dv_relationships.rs"]
mod dv_relationships;
#[path = "conformance/dv_system_columns.rs"]
mod dv_system_columns;
#[path = "conformance/dv_writes.rs"]
mod dv_writes;
#[path = "conformance/event_retries.rs"]
mod event_retries;
#[path = "conformance/fo_client_calls.rs"]
mod fo_client_calls;
#[path = "conformance/fo_expand.rs"]
mod fo_expand;
#[path = "conformance/fo_metadata.rs"]
mod fo_metadata;
#[path = "conformance/fo_queries.rs"]
mod fo_queries;
#[path = "conformance/fo_writes.rs"]
mod fo_writes;
#[path = "conformance/generation.rs"]
mod generation;
#[path = "conformance/profiles.rs"]
mod profiles;
#[path = "conformance/protection.rs"]
mod protection;
#[path = "conformance/queries.rs"]
mod queries;
#[path = "conformance/restart.rs"]
mod restart;
mod support;
#[path = "conformance/template_rows.rs"]
mod template_rows;
#[path = "conformance/templates.rs"]
mod templates;
