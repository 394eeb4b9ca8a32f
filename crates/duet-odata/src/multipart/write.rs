//! Writes batch bodies: a batch request from a client's requests, and a batch response from
//! the sandbox's responses, each with GUID-based boundaries.

use bytes::Bytes;
use http::StatusCode;

use super::HeaderLines;

/// One HTTP response to write into a batch response.
#[derive(Debug, Clone)]
pub struct OutPart {
    pub content_id: Option<String>,
    pub status: StatusCode,
    pub headers: HeaderLines,
    pub body: Bytes,
}

/// A top-level item of a batch response: one response, or the responses of a kept change set.
#[derive(Debug, Clone)]
pub enum OutItem {
    Single(OutPart),
    ChangeSet(Vec<OutPart>),
}

/// Opens an `application/http` part: delimiter, MIME headers and the blank line before the
/// embedded request or response.
fn open_part(out: &mut Vec<u8>, boundary: &str, content_id: Option<&str>) {
    out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
    out.extend_from_slice(
        b"Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n",
    );
    if let Some(id) = content_id {
        out.extend_from_slice(format!("Content-ID: {id}\r\n").as_bytes());
    }
    out.extend_from_slice(b"\r\n");
}

/// A top-level item to write: one part, or a change set of parts.
enum Nested<'a, T> {
    One(&'a T),
    Set(&'a [T]),
}

/// Writes a whole batch body with boundaries named `{outer}_<guid>` and `{inner}_<guid>`;
/// returns its Content-Type and body.
fn write_nested<'a, T: 'a>(
    outer: &str,
    inner: &str,
    items: impl IntoIterator<Item = Nested<'a, T>>,
    write_one: fn(&mut Vec<u8>, &str, &T),
) -> (String, Vec<u8>) {
    let boundary = format!("{outer}_{}", uuid::Uuid::new_v4());
    let mut out = Vec::new();
    for item in items {
        match item {
            Nested::One(part) => write_one(&mut out, &boundary, part),
            Nested::Set(parts) => {
                let inner = format!("{inner}_{}", uuid::Uuid::new_v4());
                out.extend_from_slice(
                    format!(
                        "--{boundary}\r\nContent-Type: multipart/mixed; boundary={inner}\r\n\r\n"
                    )
                    .as_bytes(),
                );
                for part in parts {
                    write_one(&mut out, &inner, part);
                }
                out.extend_from_slice(format!("--{inner}--\r\n").as_bytes());
            }
        }
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/mixed; boundary={boundary}"), out)
}

fn write_part(out: &mut Vec<u8>, boundary: &str, part: &OutPart) {
    open_part(out, boundary, part.content_id.as_deref());
    out.extend_from_slice(
        format!(
            "HTTP/1.1 {} {}\r\n",
            part.status.as_u16(),
            part.status.canonical_reason().unwrap_or("Unknown")
        )
        .as_bytes(),
    );
    for (name, value) in &part.headers {
        out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(&part.body);
    out.extend_from_slice(b"\r\n");
}

/// Writes a batch response; returns its Content-Type and body. Boundaries are server-chosen
/// GUID-based names, as the services send them.
pub fn write_batch(items: &[OutItem]) -> (String, Vec<u8>) {
    let items = items.iter().map(|item| match item {
        OutItem::Single(part) => Nested::One(part),
        OutItem::ChangeSet(parts) => Nested::Set(parts),
    });
    write_nested("batchresponse", "changesetresponse", items, write_part)
}

/// A request a client puts into a batch. `url` is relative to the service root (or
/// absolute); `body` is JSON text.
#[derive(Debug, Clone, PartialEq)]
pub struct OutRequest {
    pub content_id: Option<String>,
    pub method: String,
    pub url: String,
    pub body: Option<String>,
}

/// A top-level item of a batch request: one request, or an atomic change set.
#[derive(Debug, Clone, PartialEq)]
pub enum RequestItem {
    Single(OutRequest),
    ChangeSet(Vec<OutRequest>),
}

fn write_request(out: &mut Vec<u8>, boundary: &str, request: &OutRequest) {
    open_part(out, boundary, request.content_id.as_deref());
    out.extend_from_slice(format!("{} {} HTTP/1.1\r\n", request.method, request.url).as_bytes());
    match &request.body {
        Some(body) => {
            out.extend_from_slice(b"Content-Type: application/json\r\n\r\n");
            out.extend_from_slice(body.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        None => out.extend_from_slice(b"\r\n"),
    }
}

/// Writes a batch request; returns its Content-Type and body.
pub fn write_requests(items: &[RequestItem]) -> (String, Vec<u8>) {
    let items = items.iter().map(|item| match item {
        RequestItem::Single(request) => Nested::One(request),
        RequestItem::ChangeSet(requests) => Nested::Set(requests),
    });
    write_nested("batch", "changeset", items, write_request)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::multipart::split::split;
    use crate::multipart::{MultipartError, Part, boundary, parse_batch, parse_responses};

    #[test]
    fn written_response_round_trips_through_the_splitter() {
        // GIVEN a response with a change set and a single part.
        let part = |id: Option<&str>, status| OutPart {
            content_id: id.map(str::to_string),
            status,
            headers: vec![("OData-Version".into(), "4.0".into())],
            body: Bytes::new(),
        };
        let items = vec![
            OutItem::ChangeSet(vec![part(Some("1"), StatusCode::NO_CONTENT)]),
            OutItem::Single(part(None, StatusCode::OK)),
        ];
        // WHEN it is written.
        let (content_type, body) = write_batch(&items);
        // THEN it splits back into two top-level parts with the status lines in order.
        let b = boundary(&content_type).expect("response names its boundary");
        let parts = split(&body, &b).expect("own output splits");
        assert_eq!(parts.len(), 2, "two top-level parts");
        let text = String::from_utf8_lossy(&body);
        let first = text.find("HTTP/1.1 204 No Content").expect("204 part");
        let second = text.find("HTTP/1.1 200 OK").expect("200 part");
        assert!(first < second, "parts stay in request order");
        assert!(text.contains("Content-ID: 1\r\n"), "Content-ID echoed");
    }

    #[test]
    fn a_client_request_reads_back_as_the_server_sees_it_and_responses_parse() {
        let items = vec![
            RequestItem::Single(OutRequest {
                content_id: None,
                method: "GET".into(),
                url: "accounts?$top=1".into(),
                body: None,
            }),
            RequestItem::ChangeSet(vec![
                OutRequest {
                    content_id: Some("1".into()),
                    method: "POST".into(),
                    url: "accounts".into(),
                    body: Some(r#"{"name":"A"}"#.into()),
                },
                OutRequest {
                    content_id: Some("2".into()),
                    method: "PATCH".into(),
                    url: "$1".into(),
                    body: Some(r#"{"name":"B"}"#.into()),
                },
            ]),
        ];
        let (content_type, body) = write_requests(&items);
        let parts = parse_batch(&content_type, &body).unwrap();
        assert_eq!(parts.len(), 2);
        match &parts[1] {
            Part::ChangeSet(requests) => {
                assert_eq!(requests[1].method, "PATCH");
                assert_eq!(requests[1].url, "$1");
                assert_eq!(requests[1].content_id.as_deref(), Some("2"));
                assert_eq!(requests[0].body, br#"{"name":"A"}"#);
            }
            other => panic!("expected a change set, got {other:?}"),
        }
        let (content_type, body) = write_batch(&[
            OutItem::Single(OutPart {
                content_id: None,
                status: StatusCode::OK,
                headers: vec![("Content-Type".into(), "application/json".into())],
                body: Bytes::from_static(br#"{"value":[]}"#),
            }),
            OutItem::ChangeSet(vec![OutPart {
                content_id: Some("1".into()),
                status: StatusCode::NO_CONTENT,
                headers: vec![],
                body: Bytes::new(),
            }]),
        ]);
        let responses = parse_responses(&content_type, &body).unwrap();
        assert_eq!(responses.len(), 2);
        assert_eq!(responses[0].status, 200);
        assert_eq!(responses[0].body, br#"{"value":[]}"#);
        assert_eq!(responses[1].status, 204);
        assert_eq!(responses[1].content_id.as_deref(), Some("1"));
        assert!(matches!(
            parse_responses(&content_type, b"--x\r\n"),
            Err(MultipartError::NoDelimiter(_))
        ));
    }
}
