//! The stable problem codes. They never change meaning, so the UI and documentation can
//! refer to them.

/// The integration key is empty on a side, or the sides have different lengths.
pub const MISSING_KEY: &str = "DW-V001";
/// A key field has no field mapping on its side.
pub const KEY_NOT_MAPPED: &str = "DW-V002";
/// A map with two-way fields maps a key field one way only.
pub const KEY_NOT_TWO_WAY: &str = "DW-V003";
/// A mandatory destination column receives no value and no default.
pub const MANDATORY_UNMAPPED: &str = "DW-V004";
/// A field writes into a column the destination refuses to write.
pub const READ_ONLY_MAPPED: &str = "DW-V005";
/// The two columns of a field hold different types and no transform converts them.
pub const TYPE_MISMATCH: &str = "DW-V006";
/// Two fields write the same destination column.
pub const DUPLICATE_TARGET: &str = "DW-V007";
/// One side is company-specific and the other is not, or the key and striping disagree.
pub const COMPANY_MISMATCH: &str = "DW-V008";
/// A value map leaves enum members or option values without a pair.
pub const VALUE_MAP_INCOMPLETE: &str = "DW-V009";
/// A transform that loses information sits on a field that flows both ways.
pub const ONE_WAY_TRANSFORM: &str = "DW-V010";
/// Both sides create rows and nothing keeps their new keys apart.
pub const NUMBER_SEQUENCE_OVERLAP: &str = "DW-V011";
/// A lookup names no map, a missing map, or a column that is not the target's key.
pub const UNRESOLVED_LOOKUP: &str = "DW-V012";
/// A source filter does not parse.
pub const FILTER_SYNTAX: &str = "DW-V013";
/// A transform's own settings make no sense (no fields, ambiguous value map, ...).
pub const MALFORMED_TRANSFORM: &str = "DW-V014";
/// A field's direction reads or writes a side the field does not name.
pub const FIELD_SIDE_MISSING: &str = "DW-V015";
/// A field names a finance and operations field or Dataverse column its table does not have.
pub const UNKNOWN_COLUMN: &str = "DW-V016";

/// How much a problem matters: an error stops a map from running, a warning is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum Severity {
    Error,
    Warning,
}

/// The severity of a code. Only two problems leave a map that can run: an incomplete value
/// map fails the rows holding an unpaired value one by one (each kept in the error log),
/// and number sequences that may meet are a risk to watch rather than a certain failure.
pub fn severity(code: &str) -> Severity {
    match code {
        VALUE_MAP_INCOMPLETE | NUMBER_SEQUENCE_OVERLAP => Severity::Warning,
        _ => Severity::Error,
    }
}
