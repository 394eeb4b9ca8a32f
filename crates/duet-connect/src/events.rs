//! A receiver for finance and operations data events (business events delivered to an
//! HTTP endpoint): a small local server that turns each POSTed envelope into a
//! [`DataEvent`], so capture can react at once instead of waiting for the next poll.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use serde_json::{Map, Value};
use tokio::sync::mpsc;

/// One create, update or delete in finance and operations, as its data event says.
#[derive(Debug, Clone, PartialEq)]
pub struct DataEvent {
    /// The data entity (`CustomersV3`).
    pub entity: String,
    /// `Create`, `Update` or `Delete`.
    pub operation: String,
    /// `BusinessEventLegalEntity` in upper case, when the entity is per company.
    pub company: Option<String>,
    pub event_id: String,
    pub control_number: u64,
    /// The whole envelope, key fields included.
    pub envelope: Map<String, Value>,
}

impl DataEvent {
    fn from_envelope(envelope: Map<String, Value>) -> Option<DataEvent> {
        let text = |name: &str| {
            envelope
                .get(name)
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let business_event = text("BusinessEventId")?;
        let (entity, operation) = match (text("EntityName"), text("Operation")) {
            (Some(entity), Some(operation)) => (entity, operation),
            _ => {
                let (entity, operation) = business_event.rsplit_once('_')?;
                (entity.to_owned(), operation.to_owned())
            }
        };
        Some(DataEvent {
            entity,
            operation,
            // Legal entity ids are case-insensitive; envelopes carry them as typed.
            company: text("BusinessEventLegalEntity")
                .filter(|c| !c.is_empty())
                .map(|c| c.to_uppercase()),
            event_id: text("EventId").unwrap_or_default(),
            control_number: envelope
                .get("ControlNumber")
                .and_then(Value::as_u64)
                .unwrap_or_default(),
            envelope,
        })
    }
}

/// A running receiver; dropping it stops the server.
pub struct DataEventReceiver {
    url: String,
    task: tokio::task::JoinHandle<()>,
}

impl DataEventReceiver {
    /// Listens on 127.0.0.1 (a free port); events arrive on the returned channel.
    pub async fn start() -> std::io::Result<(DataEventReceiver, mpsc::UnboundedReceiver<DataEvent>)>
    {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let url = format!("http://{}/events", listener.local_addr()?);
        let (sender, receiver) = mpsc::unbounded_channel();
        let app = Router::new()
            .route("/events", post(receive))
            .with_state(sender);
        let task = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                tracing::error!(%error, "the data event receiver stopped");
            }
        });
        Ok((DataEventReceiver { url, task }, receiver))
    }

    /// The endpoint URL to register for data events.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for DataEventReceiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn receive(
    State(sender): State<mpsc::UnboundedSender<DataEvent>>,
    body: Bytes,
) -> StatusCode {
    let Ok(Value::Object(envelope)) = serde_json::from_slice::<Value>(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    match DataEvent::from_envelope(envelope) {
        Some(event) => {
            let _ = sender.send(event);
            StatusCode::ACCEPTED
        }
        None => StatusCode::BAD_REQUEST,
    }
}
