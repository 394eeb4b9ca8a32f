//! What an injected fault does to an answer on its way out: a `$batch` answer cut off half
//! way ([`crate::Faults::cut_batch_answers`]), a query answer spoiled
//! ([`crate::Faults::spoil_reads`]).

use axum::body::{Body, Bytes};
use axum::http::header::CONTENT_LENGTH;
use axum::response::Response;

use crate::protection::{Guard, Spoil};

/// How deep [`Spoil::DeepNesting`] nests its value.
const NESTING: usize = 100_000;

/// An emulator's answer as the injected faults leave it: a `$batch` answer (`batch`) cut
/// off, a query's (`query`) spoiled; any other answer as it is.
pub(crate) async fn as_faults_leave(
    guard: &Guard,
    batch: bool,
    query: bool,
    response: Response,
) -> Response {
    let faults = guard.faults();
    match (faults.cut_batch_answers && batch, faults.spoil_reads) {
        (true, _) => cut_off(response).await,
        (false, Some(spoil)) if query && !batch => spoil_answer(response, spoil).await,
        _ => response,
    }
}

/// `response` as a connection reset mid-answer leaves it: half of its body, then the
/// connection drops.
async fn cut_off(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let half = body.slice(..body.len() / 2);
    parts.headers.remove(CONTENT_LENGTH);
    let reset = std::io::Error::new(
        std::io::ErrorKind::ConnectionReset,
        "the answer was cut off by an injected fault",
    );
    let chunks: Vec<Result<Bytes, std::io::Error>> = vec![Ok(half), Err(reset)];
    Response::from_parts(parts, Body::from_stream(futures::stream::iter(chunks)))
}

/// A successful answer to a query, spoiled.
async fn spoil_answer(response: Response, spoil: Spoil) -> Response {
    if !response.status().is_success() {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    parts.headers.remove(CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(spoiled(&body, spoil)))
}

/// `body` with the spoil put in; a body with no place for it (no string, no object) stays.
fn spoiled(body: &[u8], spoil: Spoil) -> Vec<u8> {
    let (marker, insert): (&[u8], Vec<u8>) = match spoil {
        Spoil::InvalidUtf8 => (b"\":\"", vec![0xff, 0xfe]),
        Spoil::DeepNesting => {
            let mut value = b"\"spoiled\":".to_vec();
            value.extend(std::iter::repeat_n(b'[', NESTING));
            value.extend(std::iter::repeat_n(b']', NESTING));
            value.push(b',');
            let marker: &[u8] = match find(body, b"\"value\":[{") {
                Some(_) => b"\"value\":[{",
                None => b"{",
            };
            (marker, value)
        }
    };
    let Some(at) = find(body, marker) else {
        return body.to_vec();
    };
    let at = at + marker.len();
    let mut out = Vec::with_capacity(body.len() + insert.len());
    out.extend_from_slice(&body[..at]);
    out.extend_from_slice(&insert);
    out.extend_from_slice(&body[at..]);
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_goes_inside_the_first_string_value() {
        let spoiled = spoiled(br#"{"value":[{"name":"Ann"}]}"#, Spoil::InvalidUtf8);
        assert!(std::str::from_utf8(&spoiled).is_err());
        assert!(spoiled.starts_with(br#"{"value":[{"name":""#));
        assert!(spoiled.ends_with(br#"Ann"}]}"#));
    }

    #[test]
    fn deep_nesting_goes_into_the_first_row() {
        let spoiled = spoiled(br#"{"value":[{"name":"Ann"}]}"#, Spoil::DeepNesting);
        assert_eq!(spoiled.len(), 26 + 11 + 2 * NESTING);
        assert!(spoiled.starts_with(br#"{"value":[{"spoiled":[[["#));
        let parsed: Result<serde_json::Value, _> = serde_json::from_slice(&spoiled);
        assert!(parsed.is_err(), "beyond serde_json's depth limit");
    }

    #[test]
    fn a_body_with_no_place_for_the_spoil_is_left_as_it_is() {
        assert_eq!(spoiled(b"42", Spoil::InvalidUtf8), b"42");
    }
}
