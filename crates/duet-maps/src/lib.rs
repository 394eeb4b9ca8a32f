//! Table maps: which finance and operations entity pairs with which Dataverse table, how
//! each field flows, and how one side's row becomes the other side's write.
//!
//! Pure: no I/O, no clock. The engine passes rows in and gets writes out.

mod map;
mod value;

pub use map::{
    CompanyStriping, FieldDirection, FieldMapping, IntegrationKey, MapError, RowKey, Side,
    TableMap, Transform,
};
pub use value::{Row, normalize, same_values};
