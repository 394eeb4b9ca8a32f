//! Table maps: which finance and operations entity pairs with which Dataverse table, how
//! each field flows, and how one side's row becomes the other side's write.
//!
//! Pure: no I/O, no clock. The engine passes rows in and gets writes out.

pub mod filter;
mod map;
mod value;

pub use map::{
    CompanyStriping, FieldDirection, FieldMapping, IntegrationKey, MapError, RowKey, Side,
    TableMap, Transform,
};
pub use value::{Row, normalize, same_values};

pub use filter::dataverse::Filter as DataverseFilter;
pub use filter::finance_operations::Expr as QueryRange;
pub use filter::{Comparison, FilterError};
