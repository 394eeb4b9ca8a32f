//! OData wire details shared by both emulators: error replies, JSON responses, the `Prefer`
//! header, query strings, key predicates and URL encoding.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

pub(crate) const JSON_MINIMAL: &str = "application/json; odata.metadata=minimal";

/// An HTTP error reply with an OData-style JSON body.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub body: Value,
    /// Adds `WWW-Authenticate: Bearer`, as both services do on a 401.
    pub authenticate: bool,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            body: json!({"error": {"code": code, "message": message.into()}}),
            authenticate: false,
        }
    }

    pub(crate) fn internal(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "", message)
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        tracing::error!(error = %e, "sandbox database error");
        ApiError::internal(format!("Database error: {e}"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = (self.status, self.body.to_string()).into_response();
        let h = resp.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_MINIMAL));
        h.insert("OData-Version", HeaderValue::from_static("4.0"));
        if self.authenticate {
            h.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        resp
    }
}

/// Builds a response carrying the OData headers; `body` of `None` gives an empty body.
pub(crate) fn reply(
    status: StatusCode,
    body: Option<String>,
    extra: &[(&str, String)],
) -> Response {
    let has_body = body.is_some();
    let mut resp = Response::new(Body::from(body.unwrap_or_default()));
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    h.insert("OData-Version", HeaderValue::from_static("4.0"));
    if has_body {
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_MINIMAL));
    }
    for (name, value) in extra {
        if let (Ok(v), Ok(n)) = (
            HeaderValue::from_str(value),
            header::HeaderName::from_bytes(name.as_bytes()),
        ) {
            h.append(n, v);
        }
    }
    resp
}

/// Serialises a collection envelope by hand so `@odata.nextLink` and `@odata.deltaLink` follow
/// `value`, as the services send them; a `serde_json::Map` would sort the keys.
pub(crate) fn collection_body(
    context: &str,
    count: Option<usize>,
    rows: &[Value],
    next_link: Option<&str>,
    delta_link: Option<&str>,
) -> String {
    let mut out = String::with_capacity(64 + rows.len() * 256);
    out.push_str("{\"@odata.context\":");
    out.push_str(&Value::from(context).to_string());
    if let Some(c) = count {
        out.push_str(&format!(",\"@odata.count\":{c}"));
    }
    out.push_str(",\"value\":[");
    for (i, r) in rows.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&r.to_string());
    }
    out.push(']');
    if let Some(n) = next_link {
        out.push_str(",\"@odata.nextLink\":");
        out.push_str(&Value::from(n).to_string());
    }
    if let Some(d) = delta_link {
        out.push_str(",\"@odata.deltaLink\":");
        out.push_str(&Value::from(d).to_string());
    }
    out.push('}');
    out
}

/// The `Prefer` preferences the emulators honour.
#[derive(Debug, Default, Clone)]
pub(crate) struct Prefer {
    pub return_representation: bool,
    pub max_page_size: Option<usize>,
    pub track_changes: bool,
    pub wait: Option<u64>,
    /// The raw `odata.include-annotations` value, e.g. `*` or a comma list with wildcards.
    pub include_annotations: Option<String>,
}

/// Splits on commas outside double quotes, since `odata.include-annotations="a,b"` has commas.
fn split_preferences(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in value.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out.into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

pub(crate) fn parse_prefer(headers: &HeaderMap) -> Prefer {
    let mut p = Prefer::default();
    for value in headers.get_all("prefer") {
        let Ok(text) = value.to_str() else { continue };
        for pref in split_preferences(text) {
            let (name, val) = match pref.split_once('=') {
                Some((n, v)) => (n.trim().to_ascii_lowercase(), v.trim().trim_matches('"')),
                None => (pref.to_ascii_lowercase(), ""),
            };
            match name.as_str() {
                "return" => p.return_representation = val.eq_ignore_ascii_case("representation"),
                "odata.maxpagesize" => p.max_page_size = val.parse().ok(),
                "odata.track-changes" => p.track_changes = true,
                "wait" => p.wait = val.parse().ok(),
                "odata.include-annotations" => p.include_annotations = Some(val.to_string()),
                _ => {}
            }
        }
    }
    p
}

/// Decoded query-string pairs, in request order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Query {
    pub pairs: Vec<(String, String)>,
}

impl Query {
    pub(crate) fn parse(raw: Option<&str>) -> Self {
        let pairs = raw
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        Query { pairs }
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Rebuilds a query string, dropping `without` and appending `extra`.
    pub(crate) fn rebuild(&self, without: &[&str], extra: &[(&str, String)]) -> String {
        let mut parts: Vec<String> = self
            .pairs
            .iter()
            .filter(|(k, _)| !without.contains(&k.as_str()))
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        for (k, v) in extra {
            parts.push(format!("{}={}", encode(k), encode(v)));
        }
        parts.join("&")
    }
}

/// Percent-encodes everything but unreserved characters and the OData punctuation that real
/// services leave readable; hex digits are lowercase like Dataverse's delta tokens.
pub(crate) fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        let keep = b.is_ascii_alphanumeric() || b"-._~$,'()*".contains(&b);
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02x}"));
        }
    }
    out
}

/// Percent-decodes a path; invalid escapes are kept literally.
pub(crate) fn decode_path(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One value in a key predicate.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum KeyValue {
    Quoted(String),
    Bare(String),
}

impl KeyValue {
    pub(crate) fn text(&self) -> &str {
        match self {
            KeyValue::Quoted(s) | KeyValue::Bare(s) => s,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct KeyPart {
    pub name: Option<String>,
    pub value: KeyValue,
}

/// Parses the inside of `Set(...)`: `'v'`, `guid`, or `name='v',name2=3`.
pub(crate) fn parse_key_predicate(s: &str) -> Result<Vec<KeyPart>, String> {
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut parts = Vec::new();
    let skip_ws = |i: &mut usize| {
        while *i < chars.len() && chars[*i].is_whitespace() {
            *i += 1;
        }
    };
    loop {
        skip_ws(&mut i);
        // A part is either `value` or `name=value`; look ahead for '=' outside quotes.
        let mut name = None;
        if chars.get(i) != Some(&'\'') {
            let start = i;
            let mut j = i;
            while j < chars.len() && chars[j] != '=' && chars[j] != ',' && chars[j] != '\'' {
                j += 1;
            }
            if chars.get(j) == Some(&'=') {
                let n: String = chars[start..j].iter().collect();
                let n = n.trim().to_string();
                if n.is_empty() {
                    return Err(format!("empty key name at position {start}"));
                }
                name = Some(n);
                i = j + 1;
                skip_ws(&mut i);
            }
        }
        let value = if chars.get(i) == Some(&'\'') {
            let mut out = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err("unterminated string in key".to_string()),
                    Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                        out.push('\'');
                        i += 2;
                    }
                    Some('\'') => {
                        i += 1;
                        break;
                    }
                    Some(c) => {
                        out.push(*c);
                        i += 1;
                    }
                }
            }
            KeyValue::Quoted(out)
        } else {
            let start = i;
            while i < chars.len() && chars[i] != ',' {
                i += 1;
            }
            let v: String = chars[start..i].iter().collect();
            let v = v.trim().to_string();
            if v.is_empty() {
                return Err(format!("missing key value at position {start}"));
            }
            KeyValue::Bare(v)
        };
        parts.push(KeyPart { name, value });
        skip_ws(&mut i);
        match chars.get(i) {
            None => break,
            Some(',') => i += 1,
            Some(c) => return Err(format!("unexpected '{c}' at position {i} in key")),
        }
    }
    Ok(parts)
}

/// Quotes a key value for a URL: `'` doubled, then percent-encoded.
pub(crate) fn quote_key(s: &str) -> String {
    format!("'{}'", encode(&s.replace('\'', "''")))
}

/// A resource path split into entity set, optional key predicate and trailing segment.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ResourcePath {
    pub set: String,
    pub key: Option<String>,
    pub tail: Option<String>,
}

/// Splits a decoded path such as `CustomersV3(dataAreaId='DAT',CustomerAccount='A(1)')/$count`.
pub(crate) fn split_resource(path: &str) -> Result<ResourcePath, String> {
    let path = path.trim_start_matches('/');
    let end = path.find(['(', '/']).unwrap_or(path.len());
    let set = path[..end].to_string();
    let rest = &path[end..];
    let (key, rest) = if rest.starts_with('(') {
        let mut quoted = false;
        let mut close = None;
        for (i, c) in rest.char_indices().skip(1) {
            match c {
                '\'' => quoted = !quoted,
                ')' if !quoted => {
                    close = Some(i);
                    break;
                }
                _ => {}
            }
        }
        let close = close.ok_or_else(|| "unbalanced parentheses in key".to_string())?;
        (Some(rest[1..close].to_string()), &rest[close + 1..])
    } else {
        (None, rest)
    };
    let tail = rest.trim_start_matches('/');
    Ok(ResourcePath {
        set,
        key,
        tail: (!tail.is_empty()).then(|| tail.to_string()),
    })
}

/// Reads an `If-Match`/`If-None-Match` header value.
pub(crate) fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_predicates() {
        let k = parse_key_predicate("dataAreaId='DAT',CustomerAccount='O''Neil, Inc'")
            .expect("valid key");
        assert_eq!(k.len(), 2, "two named parts");
        assert_eq!(
            k[1].value,
            KeyValue::Quoted("O'Neil, Inc".into()),
            "quote undoubled"
        );
        let k = parse_key_predicate("00000000-0000-0000-0000-000000000001").expect("guid key");
        assert_eq!(k[0].name, None, "bare guid has no name");
    }

    #[test]
    fn resource_paths() {
        let r = split_resource("/CustomersV3(dataAreaId='D)',CustomerAccount='x')/$count")
            .expect("valid path");
        assert_eq!(r.set, "CustomersV3");
        assert_eq!(
            r.key.as_deref(),
            Some("dataAreaId='D)',CustomerAccount='x'")
        );
        assert_eq!(r.tail.as_deref(), Some("$count"));
    }

    #[test]
    fn prefer_in_one_or_many_headers() {
        let mut h = HeaderMap::new();
        h.append(
            "Prefer",
            HeaderValue::from_static("odata.track-changes, wait=5"),
        );
        h.append("Prefer", HeaderValue::from_static("odata.maxpagesize=10"));
        let p = parse_prefer(&h);
        assert!(p.track_changes && p.wait == Some(5) && p.max_page_size == Some(10));
    }

    #[test]
    fn encoding_matches_delta_token_shape() {
        assert_eq!(
            encode("919042!08/22/2017 08:10:44"),
            "919042%2108%2f22%2f2017%2008%3a10%3a44"
        );
        assert_eq!(decode_path("a%27b%2"), "a'b%2");
    }
}
