//! The finance and operations OData emulator, serving `/data`.

mod actions;
mod entities;
mod errors;
mod expand;
mod keys;
mod metadata;
mod query;
mod routing;
mod rows;
mod scan;
mod seed;
mod services;
mod stamps;
mod state;
mod write;

pub(crate) use routing::handle;
pub(crate) use seed::{open, seed_customers, seed_template_rows};
pub(crate) use state::FoState;
