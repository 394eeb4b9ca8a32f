//! Who may talk to `duet serve`: requests addressed to one of its own names (`serve_access.rs`:
//! on loopback `127.0.0.1` or `localhost` and its port, so a web page whose DNS name was
//! rebound to 127.0.0.1 is refused), from its own origin when a browser says where a request
//! comes from (so another site cannot drive the API), and, for the API, carrying the access
//! token, compared in constant time.

use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use duet_api::{ApiError, Code};
use serde::Deserialize;
use subtle::ConstantTimeEq;

use crate::serve::{AppState, error_response};

/// Refuses a request whose `Host` is not one of this server's names and port.
pub(crate) async fn require_own_host(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    if !state.access.is_own_authority(host) {
        return refused(format!(
            "Requests to duet serve must be addressed to {}; '{host}' is not this server.",
            state.access.expected()
        ));
    }
    next.run(request).await
}

#[derive(Deserialize)]
pub(crate) struct TokenQuery {
    token: Option<String>,
}

/// Refuses an API request from another origin, or without the access token (in the
/// `Authorization` header, or in the URL where a download link cannot send a header).
pub(crate) async fn require_token(
    State(state): State<AppState>,
    Query(query): Query<TokenQuery>,
    headers: HeaderMap,
    request: Request,
    next: Next,
) -> Response {
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or_default();
        if !state.access.is_own_origin(origin) {
            return refused(format!(
                "The API of duet serve answers its own page only; a request from '{origin}' is refused."
            ));
        }
    }
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    let presented = bearer.or(query.token.as_deref()).unwrap_or_default();
    if !bool::from(presented.as_bytes().ct_eq(state.token.as_bytes())) {
        return error_response(
            StatusCode::UNAUTHORIZED,
            ApiError::new(
                Code::Unauthorized,
                "The access token is missing or wrong: open the DUET_UI_URL that `duet serve` printed.",
            ),
        );
    }
    next.run(request).await
}

fn refused(message: String) -> Response {
    error_response(
        StatusCode::FORBIDDEN,
        ApiError::new(Code::Unauthorized, message),
    )
}
