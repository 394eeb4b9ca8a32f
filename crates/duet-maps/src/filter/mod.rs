//! Source filters for both sides of a map: the Dataverse OData `$filter` a consultant writes
//! on the Dataverse side, and the query-range expression dual-write uses on the finance and
//! operations side.
//!
//! Each language has a parser with positioned errors, a canonical printer that parses back
//! to the same tree, an evaluator over rows, and a translation to the side's own OData
//! `$filter` so that initial sync reads only the rows the filter keeps.

pub mod dataverse;
pub mod finance_operations;
mod number;
mod scalar;
mod temporal;

use std::cmp::Ordering;

pub use number::Number;
pub use temporal::{Date, DateTime};

/// How deep a filter may nest, counted two ways: parentheses open at once, and the levels of
/// its tree (a condition, each negation and each and/or joining conditions adds one, so a
/// chain of 128 conditions is 128 levels deep). Parsing recurses over parentheses, and
/// printing, evaluating, translating and freeing recurse over the tree, so the bound keeps
/// a hostile filter from overflowing the stack: a debug build spends up to 8 KiB of stack a
/// level, and a filter at the limit stays well within the 2 MiB of a tokio worker thread.
/// The canonical text of any tree within the limit stays within it.
pub const MAX_DEPTH: usize = 128;

/// The error for a part that would nest deeper than [`MAX_DEPTH`], at `position`.
pub(crate) fn too_deep(position: usize) -> FilterError {
    FilterError::TooDeep {
        position,
        limit: MAX_DEPTH,
    }
}

/// The height of a node joining parts of `height` and `other` at `level` with the operator at
/// `position`, or the error when it would reach deeper than [`MAX_DEPTH`]; both parsers use it.
pub(crate) fn joined(
    level: usize,
    height: usize,
    other: usize,
    position: usize,
) -> Result<usize, FilterError> {
    let joined = height.max(other) + 1;
    if level + joined > MAX_DEPTH {
        return Err(too_deep(position));
    }
    Ok(joined)
}

/// The six comparisons both languages share, spelled differently by each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Comparison {
    Equal,
    NotEqual,
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
}

impl Comparison {
    pub const ALL: [Comparison; 6] = [
        Comparison::Equal,
        Comparison::NotEqual,
        Comparison::Greater,
        Comparison::GreaterOrEqual,
        Comparison::Less,
        Comparison::LessOrEqual,
    ];

    /// The OData keyword: `eq`, `ne`, `gt`, `ge`, `lt`, `le`.
    pub fn odata(self) -> &'static str {
        match self {
            Comparison::Equal => "eq",
            Comparison::NotEqual => "ne",
            Comparison::Greater => "gt",
            Comparison::GreaterOrEqual => "ge",
            Comparison::Less => "lt",
            Comparison::LessOrEqual => "le",
        }
    }

    /// The X++ operator used in query-range expressions: `==`, `!=`, `>`, `>=`, `<`, `<=`.
    pub fn x_plus_plus(self) -> &'static str {
        match self {
            Comparison::Equal => "==",
            Comparison::NotEqual => "!=",
            Comparison::Greater => ">",
            Comparison::GreaterOrEqual => ">=",
            Comparison::Less => "<",
            Comparison::LessOrEqual => "<=",
        }
    }

    /// Whether the comparison orders values rather than testing equality.
    pub fn is_ordering(self) -> bool {
        !matches!(self, Comparison::Equal | Comparison::NotEqual)
    }

    pub(crate) fn holds(self, ordering: Ordering) -> bool {
        match self {
            Comparison::Equal => ordering == Ordering::Equal,
            Comparison::NotEqual => ordering != Ordering::Equal,
            Comparison::Greater => ordering == Ordering::Greater,
            Comparison::GreaterOrEqual => ordering != Ordering::Less,
            Comparison::Less => ordering == Ordering::Less,
            Comparison::LessOrEqual => ordering != Ordering::Greater,
        }
    }
}

/// Why a filter could not be parsed, evaluated or translated.
///
/// Positions are 1-based and count characters, not bytes, so they match what a consultant
/// sees in the filter box.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FilterError {
    #[error("expected {expected} at position {position}, found {found}")]
    Unexpected {
        expected: String,
        position: usize,
        found: String,
    },
    #[error("{construct} at position {position} is not supported: {reason}")]
    Unsupported {
        construct: String,
        position: usize,
        reason: String,
    },
    #[error("invalid {kind} '{text}' at position {position}: {reason}")]
    InvalidLiteral {
        kind: &'static str,
        text: String,
        position: usize,
        reason: String,
    },
    #[error("the string starting at position {position} is not closed")]
    UnterminatedString { position: usize },
    #[error("cannot compare {left} with {right} using '{operator}'")]
    Incomparable {
        operator: String,
        left: String,
        right: String,
    },
    #[error("'{property}' holds {found}, which a filter cannot compare")]
    NotAScalar {
        property: String,
        found: &'static str,
    },
    #[error(
        "the filter nests more than {limit} levels deep at position {position} (parentheses \
         open at once, or conditions, negations and and/or joins on one path)"
    )]
    TooDeep { position: usize, limit: usize },
    #[error("the filter tree is malformed: {reason}")]
    Malformed { reason: String },
    #[error("cannot translate {construct} to an OData $filter: {reason}")]
    Untranslatable { construct: String, reason: String },
}

impl FilterError {
    /// The 1-based character position the error points at, when it has one.
    pub fn position(&self) -> Option<usize> {
        match self {
            FilterError::Unexpected { position, .. }
            | FilterError::Unsupported { position, .. }
            | FilterError::InvalidLiteral { position, .. }
            | FilterError::UnterminatedString { position }
            | FilterError::TooDeep { position, .. } => Some(*position),
            _ => None,
        }
    }
}
