//! `$batch` for both environments: many requests in one round trip, change sets applied all
//! or nothing, and a result per request.

use duet_odata::multipart::{self, OutRequest, RequestItem};
use reqwest::Method;
use serde_json::Value;

use crate::error::ConnectError;
use crate::transport::Transport;

/// One request of a batch. `url` is relative to the service root (`accounts`,
/// `CustomersV3(dataAreaId='dat',CustomerAccount='C1')`) or a `$n` Content-ID reference.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchRequest {
    pub method: Method,
    pub url: String,
    pub body: Option<Value>,
    /// Lets later requests of the same change set refer to this one as `$id`.
    pub content_id: Option<String>,
}

impl BatchRequest {
    pub fn new(method: Method, url: impl Into<String>, body: Option<Value>) -> BatchRequest {
        BatchRequest {
            method,
            url: url.into(),
            body,
            content_id: None,
        }
    }

    pub fn with_content_id(mut self, id: impl Into<String>) -> BatchRequest {
        self.content_id = Some(id.into());
        self
    }
}

/// A top-level item: one request, or a change set that succeeds or fails as a whole.
#[derive(Debug, Clone, PartialEq)]
pub enum BatchItem {
    Single(BatchRequest),
    ChangeSet(Vec<BatchRequest>),
}

/// The result of one request in a batch.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchResult {
    pub content_id: Option<String>,
    pub status: u16,
    /// The JSON body, when there was one.
    pub body: Option<Value>,
    /// `OData-EntityId` or `Location`, for creates.
    pub entity_id: Option<String>,
}

impl BatchResult {
    pub fn succeeded(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The failure as the error class and message an admin sees, when it failed.
    pub fn error(&self, url: &str) -> Option<ConnectError> {
        (!self.succeeded()).then(|| {
            ConnectError::from_response(
                "BATCH",
                url,
                self.status,
                self.body.as_ref().map(Value::to_string).unwrap_or_default(),
            )
        })
    }
}

/// Sends `items` to `{service_root}/$batch`. The batch itself may be refused (the error);
/// otherwise each request's result comes back in order. Not retried unless every request
/// is idempotent, since parts may have been applied.
pub(crate) async fn send(
    transport: &Transport,
    service_root: &str,
    items: &[BatchItem],
    continue_on_error: bool,
) -> Result<Vec<BatchResult>, ConnectError> {
    let url = format!("{service_root}/$batch");
    let out = |request: &BatchRequest| OutRequest {
        content_id: request.content_id.clone(),
        method: request.method.as_str().to_owned(),
        url: request.url.clone(),
        body: request.body.as_ref().map(Value::to_string),
    };
    let wire: Vec<RequestItem> = items
        .iter()
        .map(|item| match item {
            BatchItem::Single(request) => RequestItem::Single(out(request)),
            BatchItem::ChangeSet(requests) => {
                RequestItem::ChangeSet(requests.iter().map(out).collect())
            }
        })
        .collect();
    let idempotent = items.iter().all(|item| match item {
        BatchItem::Single(request) => request.method != Method::POST,
        BatchItem::ChangeSet(requests) => requests.iter().all(|r| r.method != Method::POST),
    });
    let (content_type, body) = multipart::write_requests(&wire);
    let mut headers = Vec::new();
    if continue_on_error {
        headers.push(("Prefer", "odata.continue-on-error".to_owned()));
    }
    let reply = transport
        .send_raw(
            Method::POST,
            &url,
            &content_type,
            &body,
            &headers,
            idempotent,
        )
        .await;
    // A batch stopped by a failure answers with that failure's status and a multipart body
    // holding the failing part: that is a result, not a refusal of the batch.
    let (answer_type, text) = match reply {
        Ok(reply) => (
            reply
                .headers
                .get("content-type")
                .and_then(|value| value.to_str().ok())
                .unwrap_or_default()
                .to_owned(),
            reply.text,
        ),
        Err(error) => match error.body.as_deref().and_then(multipart_boundary) {
            Some(boundary) => (
                format!("multipart/mixed; boundary={boundary}"),
                error.body.clone().unwrap_or_default(),
            ),
            None => return Err(error),
        },
    };
    let responses = multipart::parse_responses(&answer_type, text.as_bytes())
        .map_err(|error| ConnectError::invalid("POST", &url, error.to_string()))?;
    Ok(responses
        .into_iter()
        .map(|response| {
            let text = String::from_utf8_lossy(&response.body);
            let entity_id = multipart::header(&response.headers, "odata-entityid")
                .or_else(|| multipart::header(&response.headers, "location"))
                .map(str::to_owned);
            BatchResult {
                content_id: response.content_id,
                status: response.status,
                body: serde_json::from_str(text.trim()).ok(),
                entity_id,
            }
        })
        .collect())
}

/// The boundary a multipart body opens with (`--boundary` on its first line).
fn multipart_boundary(body: &str) -> Option<String> {
    let first = body.lines().next()?.trim();
    let boundary = first.strip_prefix("--")?;
    (!boundary.is_empty() && !boundary.contains(' ')).then(|| boundary.to_owned())
}
