//! The `multipart/mixed` wire format of OData `$batch`: reading batch requests and responses
//! (`parse`, over the cuts `split` makes) and writing them (`write`). This file holds what
//! both share: the errors, header lines and the boundary parameter.

mod parse;
mod split;
mod write;

pub use parse::{InResponse, InnerRequest, Part, parse_batch, parse_responses};
pub use write::{OutItem, OutPart, OutRequest, RequestItem, write_batch, write_requests};

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

/// The value of the first header named `name`.
pub fn header<'a>(headers: &'a HeaderLines, name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
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
