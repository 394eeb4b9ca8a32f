//! The Dataverse Web API emulator, serving `/api/data/v9.2`.

mod annotations;
mod bulk;
mod errors;
mod keys;
mod metadata;
mod projection;
mod query;
mod routing;
mod rows;
mod scan;
mod seed;
mod state;
mod tables;
mod tracking;
mod write;

pub(crate) use routing::handle;
pub(crate) use seed::{open, seed_existing_accounts, seed_template_rows};
pub(crate) use state::{DvState, Who};
