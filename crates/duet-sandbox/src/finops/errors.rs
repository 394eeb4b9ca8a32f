//! The errors the F&O emulator answers with, in the shapes and wording of the real service:
//! plain OData errors, and write failures that carry an Infolog message.

use axum::http::StatusCode;
use serde_json::json;

use crate::filter::FilterError;
use crate::odata::ApiError;

use super::entities::EntitySet;
use super::keys::key_text;

pub(super) fn plain_error(status: StatusCode, message: impl Into<String>) -> ApiError {
    ApiError::new(status, "", message)
}

pub(super) fn write_error(set: &EntitySet, reason: &str) -> ApiError {
    let reason = reason.trim_end_matches('.');
    ApiError {
        status: StatusCode::BAD_REQUEST,
        body: json!({"error": {
            "code": "",
            "message": "An error has occurred.",
            "innererror": {
                "message": format!(
                    "Write failed for table row of type '{}'. Infolog: Error: {reason}.",
                    set.table_type
                ),
                "type": "Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException",
                "stacktrace": "",
            }
        }}),
        authenticate: false,
    }
}

pub(super) fn query_error(set: &EntitySet, e: FilterError) -> ApiError {
    let message = match e {
        FilterError::UnknownProperty(p) => format!(
            "Could not find a property named '{p}' on type 'Microsoft.Dynamics.DataEntities.{}'.",
            set.type_name
        ),
        other => other.to_string(),
    };
    plain_error(StatusCode::BAD_REQUEST, message)
}

pub(super) fn not_found(set: &EntitySet, values: &[String]) -> ApiError {
    plain_error(
        StatusCode::NOT_FOUND,
        format!("No resource was found for key {}.", key_text(set, values)),
    )
}

pub(super) fn unauthenticated() -> ApiError {
    let mut e = plain_error(StatusCode::UNAUTHORIZED, "Authentication failed.");
    e.authenticate = true;
    e
}

pub(super) fn precondition_failed() -> ApiError {
    plain_error(
        StatusCode::PRECONDITION_FAILED,
        "The etag value in the request header does not match with the current etag value of the object.",
    )
}
