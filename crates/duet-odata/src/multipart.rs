//! The `multipart/mixed` wire format of OData `$batch`: parsing a batch request into single
//! requests and change sets, and writing the batch response.

use bytes::Bytes;
use http::StatusCode;

/// Why a batch body could not be read.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum MultipartError {
    #[error("The Content-Type must be multipart/mixed with a boundary parameter.")]
    NoBoundary,
    #[error("The batch body does not start with the delimiter '--{0}'.")]
    NoDelimiter(String),
    #[error("The batch body is not terminated by the delimiter '--{0}--'.")]
    Unterminated(String),
    #[error("A batch part has no blank line after its headers.")]
    NoHeaderEnd,
    #[error("The header line '{0}' in a batch part has no colon.")]
    HeaderLine(String),
    #[error("The request line '{0}' is not of the form 'METHOD URL HTTP/1.1'.")]
    RequestLine(String),
    #[error("A batch part has Content-Type '{0}'; expected application/http or multipart/mixed.")]
    PartType(String),
    #[error("Change sets cannot be nested.")]
    NestedChangeSet,
    #[error("A change set cannot contain a GET request.")]
    GetInChangeSet,
    #[error("The status line '{0}' is not of the form 'HTTP/1.1 STATUS REASON'.")]
    StatusLine(String),
}

/// Header lines in the order received; names compare case-insensitively.
pub type HeaderLines = Vec<(String, String)>;

pub fn header<'a>(headers: &'a HeaderLines, name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// One HTTP request carried in an `application/http` part.
#[derive(Debug, Clone, PartialEq)]
pub struct InnerRequest {
    pub content_id: Option<String>,
    pub method: String,
    pub url: String,
    pub headers: HeaderLines,
    pub body: Vec<u8>,
}

/// A top-level part of a batch.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    Single(InnerRequest),
    ChangeSet(Vec<InnerRequest>),
}

impl Part {
    pub fn request_count(&self) -> usize {
        match self {
            Part::Single(_) => 1,
            Part::ChangeSet(r) => r.len(),
        }
    }
}

/// The `boundary` parameter of a `multipart/mixed` Content-Type, unquoted.
pub fn boundary(content_type: &str) -> Option<String> {
    let mut params = content_type.split(';');
    let media = params.next()?.trim();
    if !media.eq_ignore_ascii_case("multipart/mixed") {
        return None;
    }
    params.find_map(|p| {
        let (name, value) = p.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_string())
            .filter(|b| !b.is_empty())
    })
}

/// Parses a batch request body sent with `content_type`.
pub fn parse_batch(content_type: &str, body: &[u8]) -> Result<Vec<Part>, MultipartError> {
    let outer = boundary(content_type).ok_or(MultipartError::NoBoundary)?;
    let mut parts = Vec::new();
    for raw in split(body, &outer)? {
        let (mime, content) = split_head(raw, true)?;
        let kind = header(&mime, "content-type").unwrap_or("").to_string();
        if kind
            .split(';')
            .next()
            .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/http"))
        {
            parts.push(Part::Single(parse_request(&mime, content)?));
        } else if let Some(inner) = boundary(&kind) {
            let mut requests = Vec::new();
            for raw in split(content, &inner)? {
                let (mime, content) = split_head(raw, true)?;
                let kind = header(&mime, "content-type").unwrap_or("");
                if boundary(kind).is_some() {
                    return Err(MultipartError::NestedChangeSet);
                }
                let request = parse_request(&mime, content)?;
                if request.method.eq_ignore_ascii_case("GET") {
                    return Err(MultipartError::GetInChangeSet);
                }
                requests.push(request);
            }
            parts.push(Part::ChangeSet(requests));
        } else {
            return Err(MultipartError::PartType(kind));
        }
    }
    Ok(parts)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Splits a multipart body into part contents (headers and body, without the delimiters and
/// the line break that belongs to each following delimiter). Tolerates bare `\n` line breaks.
fn split<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<&'a [u8]>, MultipartError> {
    let delimiter = format!("--{boundary}").into_bytes();
    let mut starts = Vec::new();
    let mut from = 0;
    while let Some(offset) = find(&body[from..], &delimiter) {
        let at = from + offset;
        // A delimiter only counts at the start of a line; elsewhere it is body text.
        if at == 0 || body[at - 1] == b'\n' {
            starts.push(at);
        }
        from = at + delimiter.len();
    }
    if starts.is_empty() {
        return Err(MultipartError::NoDelimiter(boundary.to_string()));
    }
    let mut parts = Vec::new();
    for (n, &start) in starts.iter().enumerate() {
        let after = start + delimiter.len();
        if body[after..].starts_with(b"--") {
            return Ok(parts);
        }
        let Some(line_end) = body[after..].iter().position(|&b| b == b'\n') else {
            break;
        };
        let content_start = after + line_end + 1;
        let Some(&next) = starts.get(n + 1) else {
            break;
        };
        let mut end = next;
        if end > content_start && body[end - 1] == b'\n' {
            end -= 1;
            if end > content_start && body[end - 1] == b'\r' {
                end -= 1;
            }
        }
        parts.push(&body[content_start..end.max(content_start)]);
    }
    Err(MultipartError::Unterminated(boundary.to_string()))
}

/// Splits header lines from the body. MIME part headers must end with a blank line; the head
/// of an embedded HTTP request may also end with the part itself (a bodiless request).
fn split_head(content: &[u8], require_blank: bool) -> Result<(HeaderLines, &[u8]), MultipartError> {
    let mut headers = Vec::new();
    let mut pos = 0;
    while pos < content.len() {
        let rest = &content[pos..];
        let (line, next) = match rest.iter().position(|&b| b == b'\n') {
            Some(p) => (&rest[..p], pos + p + 1),
            None => (rest, content.len()),
        };
        let line = String::from_utf8_lossy(line.strip_suffix(b"\r").unwrap_or(line));
        if line.trim().is_empty() {
            return Ok((headers, &content[next..]));
        }
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| MultipartError::HeaderLine(line.to_string()))?;
        headers.push((name.trim().to_string(), value.trim().to_string()));
        pos = next;
    }
    if require_blank && !content.is_empty() {
        return Err(MultipartError::NoHeaderEnd);
    }
    Ok((headers, &[]))
}

/// The request or status line of an embedded message (trimmed) and what follows it. Blank
/// lines before it are padding some clients emit.
fn first_line(content: &[u8]) -> (String, &[u8]) {
    let start = content
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(content.len());
    let content = &content[start..];
    let line_len = content
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(content.len());
    let line = String::from_utf8_lossy(&content[..line_len])
        .trim()
        .to_string();
    (line, content.get(line_len + 1..).unwrap_or(&[]))
}

fn parse_request(mime: &HeaderLines, content: &[u8]) -> Result<InnerRequest, MultipartError> {
    let (line, rest) = first_line(content);
    let line = line.as_str();
    let words: Vec<&str> = line.split_whitespace().collect();
    let (method, url) = match words.as_slice() {
        [method, url @ .., version] if version.starts_with("HTTP/") && !url.is_empty() => {
            (method.to_string(), url.join("%20"))
        }
        [method, url] => (method.to_string(), url.to_string()),
        _ => return Err(MultipartError::RequestLine(line.to_string())),
    };
    let (headers, body) = split_head(rest, false)?;
    Ok(InnerRequest {
        content_id: header(mime, "content-id")
            .or_else(|| header(&headers, "content-id"))
            .map(str::to_string),
        method: method.to_ascii_uppercase(),
        url,
        headers,
        body: body.to_vec(),
    })
}

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

/// One response read from a batch response.
#[derive(Debug, Clone, PartialEq)]
pub struct InResponse {
    pub content_id: Option<String>,
    pub status: u16,
    pub headers: HeaderLines,
    pub body: Vec<u8>,
}

/// Reads a batch response: every response in order, change sets flattened (a failed change
/// set answers with its one failing response).
pub fn parse_responses(content_type: &str, body: &[u8]) -> Result<Vec<InResponse>, MultipartError> {
    let outer = boundary(content_type).ok_or(MultipartError::NoBoundary)?;
    let mut responses = Vec::new();
    for raw in split(body, &outer)? {
        let (mime, content) = split_head(raw, true)?;
        let kind = header(&mime, "content-type").unwrap_or("").to_string();
        match boundary(&kind) {
            Some(inner) => {
                for raw in split(content, &inner)? {
                    let (mime, content) = split_head(raw, true)?;
                    responses.push(parse_response(&mime, content)?);
                }
            }
            None => responses.push(parse_response(&mime, content)?),
        }
    }
    Ok(responses)
}

fn parse_response(mime: &HeaderLines, content: &[u8]) -> Result<InResponse, MultipartError> {
    let (line, rest) = first_line(content);
    let status = line
        .split_whitespace()
        .nth(1)
        .filter(|_| line.starts_with("HTTP/"))
        .and_then(|code| code.parse::<u16>().ok())
        .ok_or_else(|| MultipartError::StatusLine(line.clone()))?;
    let (headers, body) = split_head(rest, false)?;
    Ok(InResponse {
        content_id: header(mime, "content-id")
            .or_else(|| header(&headers, "content-id"))
            .map(str::to_string),
        status,
        headers,
        body: body.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BATCH: &str = "--batch_AAA\r\n\
Content-Type: multipart/mixed; boundary=\"changeset_BBB\"\r\n\
\r\n\
--changeset_BBB\r\n\
Content-Type: application/http\r\n\
Content-Transfer-Encoding: binary\r\n\
Content-ID: 1\r\n\
\r\n\
POST /api/data/v9.2/tasks HTTP/1.1\r\n\
Content-Type: application/json; type=entry\r\n\
\r\n\
{\"subject\":\"--changeset_BBB is just text here\"}\r\n\
--changeset_BBB--\r\n\
--batch_AAA\r\n\
Content-Type: application/http\r\n\
Content-Transfer-Encoding: binary\r\n\
\r\n\
GET tasks?$select=subject HTTP/1.1\r\n\
Accept: application/json\r\n\
\r\n\
--batch_AAA--\r\n";

    #[test]
    fn parses_change_sets_and_single_requests() {
        // GIVEN the documented batch shape with a change set and a relative GET.
        // WHEN it is parsed.
        let parts = parse_batch("multipart/mixed; boundary=\"batch_AAA\"", BATCH.as_bytes())
            .expect("the documented shape parses");
        // THEN the change set keeps its Content-ID and body, and the GET has no body.
        assert_eq!(parts.len(), 2, "one change set and one single request");
        let Part::ChangeSet(set) = &parts[0] else {
            panic!("first part should be a change set");
        };
        assert_eq!(set[0].content_id.as_deref(), Some("1"), "Content-ID kept");
        assert_eq!(set[0].method, "POST");
        assert_eq!(
            set[0].body,
            b"{\"subject\":\"--changeset_BBB is just text here\"}".to_vec(),
            "a delimiter inside a line is body text"
        );
        let Part::Single(get) = &parts[1] else {
            panic!("second part should be a single request");
        };
        assert_eq!(
            get.url, "tasks?$select=subject",
            "relative URL kept as sent"
        );
        assert!(get.body.is_empty(), "a GET carries no body");
    }

    #[test]
    fn bare_newlines_are_accepted() {
        // GIVEN a batch written with `\n` line breaks only.
        let body = BATCH.replace("\r\n", "\n");
        // WHEN it is parsed.
        let parts = parse_batch("multipart/mixed;boundary=batch_AAA", body.as_bytes());
        // THEN it reads the same as the CRLF version.
        assert_eq!(
            parts.expect("LF-only batch parses").len(),
            2,
            "clients that write LF-only bodies still work"
        );
    }

    #[test]
    fn rejects_get_in_change_set_and_missing_terminator() {
        // GIVEN a change set holding a GET, and a batch without its closing delimiter.
        let with_get = BATCH.replace("POST /api", "GET /api");
        let open_ended = BATCH.replace("--batch_AAA--\r\n", "");
        // WHEN they are parsed.
        // THEN both are refused with the specific reason.
        assert_eq!(
            parse_batch("multipart/mixed; boundary=batch_AAA", with_get.as_bytes()),
            Err(MultipartError::GetInChangeSet),
            "GET is not allowed inside a change set"
        );
        assert_eq!(
            parse_batch("multipart/mixed; boundary=batch_AAA", open_ended.as_bytes()),
            Err(MultipartError::Unterminated("batch_AAA".into())),
            "a batch must end with its close delimiter"
        );
    }

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
