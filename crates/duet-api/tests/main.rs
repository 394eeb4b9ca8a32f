//! The API's integration tests, one module per area, built as one test binary: the crate and
//! its dependencies are linked once instead of once per area. The tests that start a sandbox
//! need a Secret Service (scripts/test provides one).

#[path = "api/alerts.rs"]
mod alerts;
#[path = "api/authoring.rs"]
mod authoring;
#[path = "api/bindings.rs"]
mod bindings;
#[path = "api/data_dir.rs"]
mod data_dir;
#[path = "api/demo.rs"]
mod demo;
#[path = "api/environments.rs"]
mod environments;
#[path = "api/link.rs"]
mod link;
#[path = "api/link_companies.rs"]
mod link_companies;
#[path = "api/logs.rs"]
mod logs;
#[path = "api/maps_alm.rs"]
mod maps_alm;
#[path = "api/metrics.rs"]
mod metrics;
#[path = "api/plan.rs"]
mod plan;
#[path = "api/preview.rs"]
mod preview;
#[path = "api/promote.rs"]
mod promote;
#[path = "api/restart.rs"]
mod restart;
#[path = "api/scenarios.rs"]
mod scenarios;
#[path = "api/setup_maps.rs"]
mod setup_maps;
mod support;
