//! Cuts a multipart body into its parts, and a part into its header lines, its request or
//! status line, and its body.

use super::{HeaderLines, MultipartError};

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Splits a multipart body into part contents (headers and body, without the delimiters and
/// the line break that belongs to each following delimiter). Tolerates bare `\n` line breaks.
pub(super) fn split<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<&'a [u8]>, MultipartError> {
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
pub(super) fn split_head(
    content: &[u8],
    require_blank: bool,
) -> Result<(HeaderLines, &[u8]), MultipartError> {
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
pub(super) fn first_line(content: &[u8]) -> (String, &[u8]) {
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
