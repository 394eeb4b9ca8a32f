//! Finance and operations data events: endpoints registered through the admin route
//! `/_sandbox/data-events` receive a business-event envelope (POST, JSON) after every
//! create, update and delete on a data entity. Delivery runs in the background and never
//! holds up the write; a failed delivery is logged and dropped, as an unreachable endpoint
//! would lose it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::auth::Auth;
use crate::odata::ApiError;

/// What a data event says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation {
    Create,
    Update,
    Delete,
}

impl Operation {
    fn name(self) -> &'static str {
        match self {
            Operation::Create => "Create",
            Operation::Update => "Update",
            Operation::Delete => "Delete",
        }
    }
}

/// An endpoint that receives data events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataEventEndpoint {
    /// Assigned on registration.
    #[serde(default)]
    pub id: u64,
    /// An `http://` or `https://` URL that accepts POSTed JSON.
    pub url: String,
    /// Entity set names to send events of; empty sends every entity's.
    #[serde(default)]
    pub entities: Vec<String>,
}

pub(crate) struct DataEvents {
    endpoints: std::sync::Mutex<Vec<DataEventEndpoint>>,
    next_id: AtomicU64,
    control: AtomicU64,
    http: reqwest::Client,
}

impl DataEvents {
    pub(crate) fn new() -> DataEvents {
        DataEvents {
            endpoints: std::sync::Mutex::new(Vec::new()),
            next_id: AtomicU64::new(1),
            control: AtomicU64::new(5_637_144_576),
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                .build()
                .unwrap_or_default(),
        }
    }

    fn list(&self) -> Vec<DataEventEndpoint> {
        self.endpoints.lock().map(|e| e.clone()).unwrap_or_default()
    }

    fn register(&self, mut endpoint: DataEventEndpoint) -> Result<DataEventEndpoint, String> {
        let url = url::Url::parse(&endpoint.url)
            .map_err(|e| format!("The endpoint URL '{}' is not valid: {e}.", endpoint.url))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!(
                "The endpoint URL '{}' must use http or https.",
                endpoint.url
            ));
        }
        endpoint.id = self.next_id.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut endpoints) = self.endpoints.lock() {
            endpoints.push(endpoint.clone());
        }
        Ok(endpoint)
    }

    fn remove(&self, id: Option<u64>) {
        if let Ok(mut endpoints) = self.endpoints.lock() {
            endpoints.retain(|e| id.is_some_and(|id| e.id != id));
        }
    }

    /// Sends the event of a committed write to every endpoint that wants it.
    pub(crate) fn publish(
        &self,
        entity: &str,
        operation: Operation,
        company: Option<&str>,
        key: Map<String, Value>,
    ) {
        let targets: Vec<String> = self
            .list()
            .into_iter()
            .filter(|e| e.entities.is_empty() || e.entities.iter().any(|n| n == entity))
            .map(|e| e.url)
            .collect();
        if targets.is_empty() {
            return;
        }
        let now = chrono::Utc::now();
        let mut envelope = json!({
            "BusinessEventId": format!("{entity}_{}", operation.name()),
            "BusinessEventLegalEntity": company.unwrap_or(""),
            "ContextRecordSubject": "",
            "ControlNumber": self.control.fetch_add(1, Ordering::Relaxed),
            "EventId": uuid::Uuid::new_v4().to_string().to_uppercase(),
            "EventTime": format!("/Date({})/", now.timestamp_millis()),
            "EventTimeIso8601": now.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            "InitiatingUserAADObjectId": "",
            "MajorVersion": 0,
            "MinorVersion": 0,
            "ParentContextRecordSubjects": [],
            "EntityName": entity,
            "Operation": operation.name(),
        });
        if let Value::Object(fields) = &mut envelope {
            fields.extend(key);
        }
        for url in targets {
            let http = self.http.clone();
            let body = envelope.clone();
            tokio::spawn(async move {
                match http.post(&url).json(&body).send().await {
                    Ok(response) if response.status().is_success() => {}
                    Ok(response) => {
                        tracing::warn!(%url, status = %response.status(), "data event refused")
                    }
                    Err(error) => tracing::warn!(%url, %error, "data event not delivered"),
                }
            });
        }
    }
}

#[derive(Clone)]
pub(crate) struct EventsAdmin {
    pub events: Arc<DataEvents>,
    pub auth: Arc<Auth>,
    pub audience: String,
}

/// `/_sandbox/data-events`: GET lists, POST registers `{url, entities}`, DELETE removes all
/// (or `?id=N`).
pub(crate) async fn endpoint(
    State(admin): State<EventsAdmin>,
    method: Method,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !admin.auth.authorized(&headers, &admin.audience) {
        let mut e = ApiError::new(
            StatusCode::UNAUTHORIZED,
            "",
            "A bearer token for this environment is required.",
        );
        e.authenticate = true;
        return e.into_response();
    }
    let bad = |m: String| ApiError::new(StatusCode::BAD_REQUEST, "", m).into_response();
    match method {
        Method::GET => {}
        Method::POST => {
            let endpoint: DataEventEndpoint = match serde_json::from_slice(&body) {
                Ok(e) => e,
                Err(e) => return bad(format!("The endpoint body is not valid: {e}.")),
            };
            return match admin.events.register(endpoint) {
                Ok(registered) => (
                    StatusCode::CREATED,
                    [("Content-Type", "application/json")],
                    serde_json::to_string(&registered).unwrap_or_default(),
                )
                    .into_response(),
                Err(message) => bad(message),
            };
        }
        Method::DELETE => {
            let id = uri.query().and_then(|q| {
                q.split('&')
                    .find_map(|p| p.strip_prefix("id="))
                    .and_then(|v| v.parse().ok())
            });
            admin.events.remove(id);
        }
        _ => {
            return ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "",
                format!("The data-events endpoint does not support http method '{method}'."),
            )
            .into_response();
        }
    }
    (
        StatusCode::OK,
        [("Content-Type", "application/json")],
        json!({ "value": admin.events.list() }).to_string(),
    )
        .into_response()
}
