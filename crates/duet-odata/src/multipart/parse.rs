//! Reads batch bodies: a batch request into single requests and change sets (the sandbox's
//! side), and a batch response into its responses in order (the clients' side).

use super::split::{first_line, split, split_head};
use super::{HeaderLines, MultipartError, boundary, header};

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
}
