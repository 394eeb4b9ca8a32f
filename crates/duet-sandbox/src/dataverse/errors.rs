//! The errors the Dataverse emulator answers with, carrying Dataverse's error codes and
//! messages so clients can be tested against the real wording.

use axum::http::StatusCode;

use crate::filter::FilterError;
use crate::odata::ApiError;

use super::keys::{RowKey, key_description};
use super::tables::Table;

pub(super) const CODE_NOT_FOUND: &str = "0x80040217";
const CODE_DUPLICATE: &str = "0x80040237";
const CODE_VERSION_MISMATCH: &str = "0x80060882";
pub(super) const CODE_INVALID_PROPERTY: &str = "0x80048d19";
pub(super) const CODE_BAD_QUERY: &str = "0x80060888";
const CODE_UNAUTHENTICATED: &str = "0x80072560";
/// InvalidArgument.
const CODE_INVALID_ARGUMENT: &str = "0x80040203";
/// A text value longer than its column's `MaxLength`.
const CODE_TOO_LONG: &str = "0x80044331";

pub(super) fn err(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
    ApiError::new(status, code, message)
}

pub(super) fn bad_request(message: impl Into<String>) -> ApiError {
    err(StatusCode::BAD_REQUEST, CODE_BAD_QUERY, message)
}

pub(super) fn duplicate() -> ApiError {
    err(
        StatusCode::PRECONDITION_FAILED,
        CODE_DUPLICATE,
        "A record with matching key values already exists.",
    )
}

pub(super) fn query_error(table: &Table, e: FilterError) -> ApiError {
    match e {
        FilterError::UnknownProperty(p) => bad_request(format!(
            "Could not find a property named '{p}' on type '{}'.",
            table.entity_type()
        )),
        other => bad_request(other.to_string()),
    }
}

pub(super) fn not_found(table: &Table, key: &RowKey) -> ApiError {
    err(
        StatusCode::NOT_FOUND,
        CODE_NOT_FOUND,
        format!(
            "{} With Id = {} Does Not Exist",
            table.logical,
            key_description(table, key)
        ),
    )
}

pub(super) fn invalid_property(table: &Table, name: &str) -> ApiError {
    err(
        StatusCode::BAD_REQUEST,
        CODE_INVALID_PROPERTY,
        format!(
            "Invalid property '{name}' was found in entity '{}'.",
            table.entity_type()
        ),
    )
}

/// A write body whose primary id is not the id in the URL: Dataverse refuses it rather than
/// pick one of the two.
pub(super) fn id_mismatch(table: &Table, url_id: &str, body_id: &str) -> ApiError {
    err(
        StatusCode::BAD_REQUEST,
        CODE_INVALID_ARGUMENT,
        format!(
            "Entity Id must be the same as the value set in property bag: the URL addresses {} {url_id} but the body sets {} to {body_id}.",
            table.logical, table.id
        ),
    )
}

/// A text value longer than the column holds, in Dataverse's words (two spaces included).
pub(super) fn too_long(table: &Table, column: &str, limit: usize) -> ApiError {
    err(
        StatusCode::BAD_REQUEST,
        CODE_TOO_LONG,
        format!(
            "A validation error occurred.  The length of the '{column}' attribute of the '{}' entity exceeded the maximum allowed length of '{limit}'.",
            table.logical
        ),
    )
}

pub(super) fn version_mismatch() -> ApiError {
    err(
        StatusCode::PRECONDITION_FAILED,
        CODE_VERSION_MISMATCH,
        "The version of the existing record doesn't match the RowVersion property provided.",
    )
}

pub(super) fn unauthenticated() -> ApiError {
    let mut e = err(
        StatusCode::UNAUTHORIZED,
        CODE_UNAUTHENTICATED,
        "The bearer token is missing, expired or was not issued for this environment.",
    );
    e.authenticate = true;
    e
}
