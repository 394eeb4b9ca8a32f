//! The built UI (`ui/dist`), embedded in the `duet` binary when it was built, so `duet serve`
//! needs no source tree. A binary built before the UI was has none, and says so.

use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

#[derive(rust_embed::Embed)]
#[folder = "../../ui/dist/"]
#[allow_missing = true]
struct Files;

/// Whether this binary carries a built UI.
pub(crate) fn present() -> bool {
    Files::get("index.html").is_some()
}

/// A file of the UI by its path; any other path is the page itself (the UI routes in the
/// browser).
pub(crate) async fn file(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    let found = Files::get(path)
        .filter(|_| !path.is_empty())
        .or_else(|| Files::get("index.html"));
    match found {
        Some(file) => (
            [(header::CONTENT_TYPE, file.metadata.mimetype().to_owned())],
            file.data,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "this duet was built without its UI").into_response(),
    }
}
