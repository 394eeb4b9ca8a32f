//! Integration tests for duet-maps, one module per area.

mod filter;
mod maps;
