//! OData `$batch` for both emulators. Every request inside a batch runs through the emulator's
//! own single-request routing; a change set runs inside one SQLite savepoint that is released
//! or rolled back as a whole.

use std::collections::HashMap;
use std::future::Future;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;
use serde_json::Value;

use crate::multipart::{self, InnerRequest, OutItem, OutPart, Part};
use crate::odata::ApiError;
use crate::store::Db;

/// Dataverse's documented maximum number of requests in one batch.
pub(crate) const DATAVERSE_MAX_REQUESTS: usize = 1000;

/// The rules that differ between the two services.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Flavor {
    /// Stops at the first failure unless `Prefer: odata.continue-on-error`, answering with the
    /// failing status; at most 1,000 requests.
    Dataverse,
    /// Runs every part and always answers 200.
    FinOps,
}

/// One emulator as seen by the batch engine.
pub(crate) trait Service: Clone + Send + Sync + 'static {
    const FLAVOR: Flavor;

    /// Path of the service root, such as `/data`.
    fn root_path(&self) -> &'static str;

    fn db(&self) -> &Db;

    /// The same service with every storage access going through `db`.
    fn with_db(&self, db: Db) -> Self;

    /// Routes one request exactly as if it had arrived on its own.
    fn execute(
        &self,
        method: Method,
        uri: Uri,
        headers: HeaderMap,
        body: Bytes,
    ) -> impl Future<Output = Response> + Send;

    /// The URL of the entity a successful write answered with, for `$n` references.
    fn entity_url(&self, headers: &HeaderMap, body: &[u8]) -> Option<String>;

    /// A 400 in the service's own error shape.
    fn bad_request(&self, message: String) -> ApiError;
}

/// Runs a batch. The work is spawned so that a client hanging up half-way through a change set
/// cannot cancel it between its savepoint and the release or rollback.
pub(crate) async fn run<S: Service>(
    svc: S,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    tokio::spawn(async move { run_here(svc, headers, body).await })
        .await
        .map_err(|e| ApiError::internal(format!("Batch task failed: {e}")))?
}

fn continue_on_error(headers: &HeaderMap) -> bool {
    headers.get_all("prefer").iter().any(|v| {
        v.to_str().is_ok_and(|t| {
            t.split(',').any(|p| {
                let (name, value) = p.split_once('=').unwrap_or((p, "true"));
                let name = name.trim().to_ascii_lowercase();
                (name == "odata.continue-on-error" || name == "continue-on-error")
                    && !value.trim().eq_ignore_ascii_case("false")
            })
        })
    })
}

async fn run_here<S: Service>(
    svc: S,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let parts =
        multipart::parse_batch(content_type, &body).map_err(|e| svc.bad_request(e.to_string()))?;
    let total: usize = parts.iter().map(Part::request_count).sum();
    if S::FLAVOR == Flavor::Dataverse && total > DATAVERSE_MAX_REQUESTS {
        return Err(svc.bad_request(format!(
            "The number of requests in the batch ({total}) exceeds the limit of {DATAVERSE_MAX_REQUESTS}."
        )));
    }
    let keep_going = S::FLAVOR == Flavor::FinOps || continue_on_error(&headers);
    let authorization = headers.get(header::AUTHORIZATION).cloned();
    let mut items = Vec::new();
    for part in parts {
        let (item, failure) = match part {
            Part::Single(request) => {
                let ran = run_one(&svc, request, authorization.as_ref(), &HashMap::new()).await;
                let failed = ran.part.status.as_u16() >= 400;
                (
                    OutItem::Single(ran.part.clone()),
                    failed.then_some(ran.part),
                )
            }
            Part::ChangeSet(requests) => {
                run_change_set(&svc, requests, authorization.as_ref()).await?
            }
        };
        if let Some(failed) = failure
            && !keep_going
        {
            // Dataverse answers a stopped batch with the failing status and only that part.
            return Ok(batch_response(failed.status, &[OutItem::Single(failed)]));
        }
        items.push(item);
    }
    Ok(batch_response(StatusCode::OK, &items))
}

/// Runs a change set; a failure yields that single response in place of the change set.
async fn run_change_set<S: Service>(
    svc: &S,
    requests: Vec<InnerRequest>,
    authorization: Option<&HeaderValue>,
) -> Result<(OutItem, Option<OutPart>), ApiError> {
    let exclusive = svc.db().exclusive().await?;
    let scoped = svc.with_db(exclusive.db.clone());
    let mut created: HashMap<String, String> = HashMap::new();
    let mut outs = Vec::new();
    let mut failure = None;
    for request in requests {
        let content_id = request.content_id.clone();
        let ran = run_one(&scoped, request, authorization, &created).await;
        if ran.part.status.as_u16() >= 400 {
            failure = Some(ran.part);
            break;
        }
        if let (Some(id), Some(url)) = (content_id, ran.entity_url) {
            created.insert(id, url);
        }
        outs.push(ran.part);
    }
    exclusive.finish(failure.is_none()).await?;
    Ok(match failure {
        Some(failed) => (OutItem::Single(failed.clone()), Some(failed)),
        None => (OutItem::ChangeSet(outs), None),
    })
}

/// A response from inside a batch and the entity URL it names.
struct Ran {
    part: OutPart,
    entity_url: Option<String>,
}

fn content_id_missing<S: Service>(svc: &S, reference: &str) -> ApiError {
    svc.bad_request(format!(
        "Content-ID Reference: '{reference}' does not exist in the batch context."
    ))
}

/// Replaces a leading `$n` with the URL of the entity created by the request with Content-ID
/// `n`; `None` when `n` is unknown.
fn substitute(reference: &str, created: &HashMap<String, String>) -> Option<String> {
    let rest = reference.strip_prefix('$')?;
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let base = created.get(&rest[..end])?;
    Some(format!("{base}{}", &rest[end..]))
}

/// Rewrites `$n` values of `@odata.bind` and `@odata.id` members, at any depth.
fn substitute_body(value: &mut Value, created: &HashMap<String, String>) -> Result<(), String> {
    match value {
        Value::Object(map) => {
            for (name, v) in map.iter_mut() {
                let is_ref = name.ends_with("@odata.bind") || name == "@odata.id";
                match v {
                    Value::String(s) if is_ref && s.starts_with('$') => {
                        *s = substitute(s, created).ok_or_else(|| s.clone())?;
                    }
                    _ => substitute_body(v, created)?,
                }
            }
        }
        Value::Array(items) => {
            for v in items {
                substitute_body(v, created)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Percent-encodes bytes that may not appear in a request target, keeping existing escapes.
fn encode_target(target: &str) -> String {
    let mut out = String::with_capacity(target.len());
    for b in target.bytes() {
        let keep = b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?%".contains(&b);
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Turns the URL of a batch request (absolute, root-relative or service-relative) into a
/// request target on this server.
fn target<S: Service>(svc: &S, url: &str) -> Result<Uri, ApiError> {
    let invalid = || svc.bad_request(format!("The URL '{url}' in the batch is not valid."));
    let path_and_query = if url.starts_with("http://") || url.starts_with("https://") {
        let parsed = url::Url::parse(url).map_err(|_| invalid())?;
        match parsed.query() {
            Some(q) => format!("{}?{q}", parsed.path()),
            None => parsed.path().to_string(),
        }
    } else if url.starts_with('/') {
        url.to_string()
    } else {
        format!("{}/{url}", svc.root_path())
    };
    encode_target(&path_and_query)
        .parse::<Uri>()
        .map_err(|_| invalid())
}

async fn run_one<S: Service>(
    svc: &S,
    request: InnerRequest,
    authorization: Option<&HeaderValue>,
    created: &HashMap<String, String>,
) -> Ran {
    let content_id = request.content_id.clone();
    let response = match prepare(svc, request, authorization, created) {
        Ok((method, uri, headers, body)) => svc.execute(method, uri, headers, body).await,
        Err(e) => axum::response::IntoResponse::into_response(e),
    };
    let (head, body) = response.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let entity_url = (head.status.is_success())
        .then(|| svc.entity_url(&head.headers, &body))
        .flatten();
    let headers = head
        .headers
        .iter()
        .filter(|(n, _)| *n != header::CONTENT_LENGTH)
        .map(|(n, v)| {
            (
                canonical_name(n),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    Ran {
        part: OutPart {
            content_id,
            status: head.status,
            headers,
            body,
        },
        entity_url,
    }
}

type Prepared = (Method, Uri, HeaderMap, Bytes);

fn prepare<S: Service>(
    svc: &S,
    request: InnerRequest,
    authorization: Option<&HeaderValue>,
    created: &HashMap<String, String>,
) -> Result<Prepared, ApiError> {
    let method = Method::from_bytes(request.method.as_bytes()).map_err(|_| {
        svc.bad_request(format!(
            "The method '{}' in the batch is not valid.",
            request.method
        ))
    })?;
    let url = if request.url.starts_with('$') {
        substitute(&request.url, created).ok_or_else(|| {
            let id = request.url.split(['/', '?']).next().unwrap_or("");
            content_id_missing(svc, id)
        })?
    } else {
        request.url.clone()
    };
    let uri = target(svc, &url)?;
    let mut headers = HeaderMap::new();
    for (name, value) in &request.headers {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            headers.append(n, v);
        }
    }
    // Parts rarely repeat the token; the batch request's own credentials cover them.
    if !headers.contains_key(header::AUTHORIZATION)
        && let Some(a) = authorization
    {
        headers.insert(header::AUTHORIZATION, a.clone());
    }
    let mut body = Bytes::from(request.body);
    if !created.is_empty()
        && let Ok(mut json) = serde_json::from_slice::<Value>(&body)
    {
        substitute_body(&mut json, created).map_err(|r| content_id_missing(svc, &r))?;
        body = Bytes::from(json.to_string());
    }
    Ok((method, uri, headers, body))
}

/// Header names as the services print them, since `http` stores them lowercased.
fn canonical_name(name: &HeaderName) -> String {
    match name.as_str() {
        "odata-version" => "OData-Version".to_string(),
        "odata-entityid" => "OData-EntityId".to_string(),
        "etag" => "ETag".to_string(),
        other => other
            .split('-')
            .map(|w| {
                let mut c = w.chars();
                match c.next() {
                    Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                    None => String::new(),
                }
            })
            .collect::<Vec<_>>()
            .join("-"),
    }
}

fn batch_response(status: StatusCode, items: &[OutItem]) -> Response {
    let (content_type, body) = multipart::write_batch(items);
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    h.insert("OData-Version", HeaderValue::from_static("4.0"));
    if let Ok(v) = HeaderValue::from_str(&content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_resolve_in_urls_and_bind_values() {
        // GIVEN an entity created with Content-ID 1.
        let created = HashMap::from([("1".to_string(), "http://h/api/x(1)".to_string())]);
        // WHEN `$1` appears in a URL and inside a nested bind value.
        let url = substitute("$1/name", &created);
        let mut body = serde_json::json!({"a@odata.bind": "$1", "deep": [{"@odata.id": "$1"}]});
        let ok = substitute_body(&mut body, &created);
        // THEN both are rewritten to the entity URL, and an unknown id is reported.
        assert_eq!(url.as_deref(), Some("http://h/api/x(1)/name"), "path kept");
        assert!(ok.is_ok(), "known references resolve");
        assert_eq!(body["a@odata.bind"], "http://h/api/x(1)", "bind rewritten");
        assert_eq!(body["deep"][0]["@odata.id"], "http://h/api/x(1)", "deep");
        let mut unknown = serde_json::json!({"a@odata.bind": "$2"});
        assert_eq!(
            substitute_body(&mut unknown, &created),
            Err("$2".to_string()),
            "an undeclared id names itself in the error"
        );
    }

    #[test]
    fn prefer_continue_on_error_is_recognised() {
        // GIVEN Prefer headers with and without the preference.
        let with = |v: &'static str| {
            let mut h = HeaderMap::new();
            h.insert("prefer", HeaderValue::from_static(v));
            continue_on_error(&h)
        };
        // WHEN they are read.
        // THEN only an enabled continue-on-error counts.
        assert!(with("odata.continue-on-error"), "OData 4.0 spelling");
        assert!(
            with("return=minimal, continue-on-error"),
            "OData 4.01 spelling"
        );
        assert!(
            !with("odata.continue-on-error=false"),
            "explicitly disabled"
        );
        assert!(!with("return=representation"), "absent");
    }
}
