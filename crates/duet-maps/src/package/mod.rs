//! Map packages: a set of maps in one JSON document, to move maps between data
//! directories. Import checks everything before anything is written and reports each
//! problem with the JSON path of the value at fault.
//!
//! ```json
//! {"format": "duet.maps", "version": 1, "maps": [ ... ]}
//! ```

mod export;
mod import;
mod parse;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use crate::map::TableMap;
use crate::validate::Problem;

pub use export::export;
pub use import::{ImportPlan, check_import};
pub use parse::parse_map;

/// The `format` of a package.
pub const FORMAT: &str = "duet.maps";
/// The package version this build writes and reads.
pub const VERSION: u64 = 1;

/// Codes of the problems only packages have; the map checks keep their `DW-V` codes.
pub mod package_code {
    /// The document is not a package: wrong `format`, `version`, or no `maps` list.
    pub const NOT_A_PACKAGE: &str = "DW-P001";
    /// A value has the wrong type or shape for its place in a map.
    pub const WRONG_SHAPE: &str = "DW-P002";
    /// A field's direction is not one of the six direction symbols.
    pub const UNKNOWN_DIRECTION: &str = "DW-P003";
    /// A map of the same name exists with a different definition.
    pub const CONFLICT: &str = "DW-P004";
    /// Two maps in the package have the same name.
    pub const DUPLICATE_NAME: &str = "DW-P005";
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Package {
    pub format: String,
    pub version: u64,
    pub maps: Vec<TableMap>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PackageError {
    #[error("there is no map named '{0}'")]
    UnknownMap(String),
}

fn problem(code: &'static str, path: String, message: String, fix: &str) -> Problem {
    Problem {
        code,
        path,
        message,
        fix: fix.to_owned(),
    }
}
