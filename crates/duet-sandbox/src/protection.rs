//! What stands in front of each emulator's OData routes: injected faults (the environment is
//! down, slow, or fails writes) and the per-client service protection limits that answer 429.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::auth::Auth;
use crate::odata::{ApiError, reply};

/// Which emulator a setting applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Side {
    FinOps,
    Dataverse,
}

/// Per-client service protection limits of one emulator; a zero turns that limit off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceLimits {
    /// Requests a client may start within `window`; 0 means unlimited.
    pub requests: u32,
    /// Length of the sliding window `requests` is counted over.
    pub window: Duration,
    /// Requests a client may have in flight at once; 0 means unlimited.
    pub concurrent: u32,
}

impl ServiceLimits {
    /// No limits, so tests and demos never see a 429 unless they ask for one.
    pub fn off() -> Self {
        ServiceLimits {
            requests: 0,
            window: Duration::from_secs(300),
            concurrent: 0,
        }
    }
}

impl Default for ServiceLimits {
    fn default() -> Self {
        ServiceLimits::off()
    }
}

/// Faults injected into one emulator, settable over HTTP at `/_sandbox/faults` or with
/// [`crate::Sandbox::set_faults`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Every OData request answers 503 until cleared.
    pub down: bool,
    /// Delay added before every OData request is handled.
    pub latency_ms: u64,
    /// Writes (POST, PATCH, PUT, DELETE, also inside `$batch`) that fail at random.
    pub fail_writes: Option<FailWrites>,
    /// Every OData request answers 429 with a `Retry-After` of this many seconds until
    /// cleared: a throttling storm. 0 is off.
    pub throttle_seconds: u64,
    /// Each `$batch` answer stops half way through its body and the connection drops, as
    /// when a connection resets mid-response; the batch itself was carried out.
    pub cut_batch_answers: bool,
    /// Successful query answers (GET) arrive spoiled this way until cleared, as from a
    /// faulty server or proxy.
    pub spoil_reads: Option<Spoil>,
}

/// How [`Faults::spoil_reads`] spoils an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Spoil {
    /// A byte that is not UTF-8 inside the first string value.
    InvalidUtf8,
    /// A value nested 100,000 arrays deep in the first row (or object).
    DeepNesting,
}

/// Random write failures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailWrites {
    /// Share of writes that fail, from 0.0 (none) to 1.0 (all).
    pub fraction: f64,
    /// Status the failed writes answer with, 400 to 599.
    #[serde(default = "default_fail_status")]
    pub status: u16,
}

fn default_fail_status() -> u16 {
    503
}

/// Fault settings that cannot be applied.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FaultsError {
    #[error("fail_writes.fraction must be between 0.0 and 1.0, not {0}")]
    Fraction(f64),
    #[error("fail_writes.status must be an error status from 400 to 599, not {0}")]
    Status(u16),
}

impl Faults {
    fn validate(&self) -> Result<(), FaultsError> {
        if let Some(f) = &self.fail_writes {
            if !(0.0..=1.0).contains(&f.fraction) {
                return Err(FaultsError::Fraction(f.fraction));
            }
            if !(400..=599).contains(&f.status) {
                return Err(FaultsError::Status(f.status));
            }
        }
        Ok(())
    }
}

#[derive(Default)]
struct ClientLoad {
    started: VecDeque<Instant>,
    in_flight: u32,
}

/// Faults and limits of one emulator, shared by its handlers, its admin route and `Sandbox`.
pub(crate) struct Guard {
    side: Side,
    limits: ServiceLimits,
    faults: Mutex<Faults>,
    clients: Mutex<HashMap<String, ClientLoad>>,
}

/// An admitted request; it stops counting as in flight when dropped.
pub(crate) struct Permit {
    guard: Arc<Guard>,
    client: Option<String>,
}

impl Drop for Permit {
    fn drop(&mut self) {
        if let Some(client) = &self.client {
            let mut clients = self.guard.clients.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(load) = clients.get_mut(client) {
                load.in_flight = load.in_flight.saturating_sub(1);
            }
        }
    }
}

impl Guard {
    pub(crate) fn new(side: Side, limits: ServiceLimits) -> Self {
        Guard {
            side,
            limits,
            faults: Mutex::new(Faults::default()),
            clients: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn faults(&self) -> Faults {
        self.faults
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub(crate) fn set_faults(&self, faults: Faults) -> Result<(), FaultsError> {
        faults.validate()?;
        *self.faults.lock().unwrap_or_else(|p| p.into_inner()) = faults;
        Ok(())
    }

    fn error(&self, status: StatusCode, dataverse_code: &str, message: String) -> ApiError {
        // F&O sends an empty code; the unverified 429 body shape follows the reference's guess.
        let code = match self.side {
            Side::Dataverse => dataverse_code,
            Side::FinOps => "",
        };
        ApiError::new(status, code, message)
    }

    /// Applies `down`, then the limits of the client named by the token, then `latency_ms`;
    /// the delay comes last so a slowed request holds its concurrency slot like a slow one
    /// would. Requests without a known token pass, since the emulator answers them 401 anyway.
    pub(crate) async fn admit(
        self: &Arc<Self>,
        client: Option<String>,
    ) -> Result<Permit, Response> {
        let faults = self.faults();
        if faults.down {
            return Err(self
                .error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "",
                    "The service is unavailable (the sandbox was taken down).".into(),
                )
                .into_response());
        }
        if faults.throttle_seconds > 0 {
            let error = self.error(
                StatusCode::TOO_MANY_REQUESTS,
                "0x80072322",
                "Number of requests exceeded the limit (the sandbox is throttling every request)."
                    .into(),
            );
            return Err(throttled(error, faults.throttle_seconds));
        }
        let permit = self
            .count(client)
            .map_err(|(e, retry_after)| throttled(e, retry_after))?;
        if faults.latency_ms > 0 {
            tokio::time::sleep(Duration::from_millis(faults.latency_ms)).await;
        }
        Ok(permit)
    }

    /// Counts the request against its client's limits; a refusal carries the error and the
    /// seconds to put in `Retry-After`.
    fn count(self: &Arc<Self>, client: Option<String>) -> Result<Permit, (ApiError, u64)> {
        let Some(client) = client else {
            return Ok(Permit {
                guard: self.clone(),
                client: None,
            });
        };
        let now = Instant::now();
        let mut clients = self.clients.lock().unwrap_or_else(|p| p.into_inner());
        let load = clients.entry(client.clone()).or_default();
        let limits = self.limits;
        if limits.concurrent > 0 && load.in_flight >= limits.concurrent {
            let n = limits.concurrent;
            return Err((
                self.error(
                    StatusCode::TOO_MANY_REQUESTS,
                    "0x80072326",
                    format!("Number of concurrent requests exceeded the limit of {n}."),
                ),
                1,
            ));
        }
        if limits.requests > 0 {
            while load
                .started
                .front()
                .is_some_and(|t| now.duration_since(*t) >= limits.window)
            {
                load.started.pop_front();
            }
            if load.started.len() >= limits.requests as usize {
                let oldest = load.started.front().copied().unwrap_or(now);
                let wait = (oldest + limits.window).saturating_duration_since(now);
                let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                let (n, w) = (limits.requests, limits.window.as_secs());
                let message = match self.side {
                    Side::Dataverse => format!(
                        "Number of requests exceeded the limit of {n} over time window of {w} seconds."
                    ),
                    Side::FinOps => format!(
                        "Number of requests exceeded the limit of {n} over the time window of {w} seconds."
                    ),
                };
                return Err((
                    self.error(StatusCode::TOO_MANY_REQUESTS, "0x80072322", message),
                    secs.max(1),
                ));
            }
            load.started.push_back(now);
        }
        load.in_flight += 1;
        Ok(Permit {
            guard: self.clone(),
            client: Some(client),
        })
    }

    /// An injected failure for a write, when the dice say so.
    pub(crate) fn write_fault(&self, method: &Method) -> Option<ApiError> {
        if !matches!(
            *method,
            Method::POST | Method::PATCH | Method::PUT | Method::DELETE
        ) {
            return None;
        }
        let f = self.faults().fail_writes?;
        if f.fraction <= 0.0 || rand::rng().random::<f64>() >= f.fraction {
            return None;
        }
        let status = StatusCode::from_u16(f.status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        Some(self.error(
            status,
            "",
            "The write failed (fault injected by the sandbox).".into(),
        ))
    }
}

fn throttled(e: ApiError, retry_after: u64) -> Response {
    let mut resp = e.into_response();
    if let Ok(v) = HeaderValue::from_str(&retry_after.to_string()) {
        resp.headers_mut().insert("Retry-After", v);
    }
    resp
}

/// State of the `/_sandbox/faults` admin route on one port.
#[derive(Clone)]
pub(crate) struct Admin {
    pub guard: Arc<Guard>,
    pub auth: Arc<Auth>,
    pub audience: String,
}

/// `GET`, `POST` and `DELETE /_sandbox/faults`: read, replace or clear the injected faults.
pub(crate) async fn faults_endpoint(
    State(admin): State<Admin>,
    method: Method,
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
        Method::POST | Method::PUT => {
            let faults: Faults = match serde_json::from_slice(&body) {
                Ok(f) => f,
                Err(e) => return bad(format!("The faults body is not valid: {e}.")),
            };
            if let Err(e) = admin.guard.set_faults(faults) {
                return bad(format!("{e}."));
            }
        }
        Method::DELETE => {
            // Clearing cannot fail validation.
            let _ = admin.guard.set_faults(Faults::default());
        }
        _ => {
            return ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "",
                format!("The faults endpoint does not support http method '{method}'."),
            )
            .into_response();
        }
    }
    let body = serde_json::to_string(&admin.guard.faults()).unwrap_or_default();
    reply(StatusCode::OK, Some(body), &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn window_limit_frees_up_after_the_window() {
        // GIVEN a limit of two requests per 100 ms.
        let guard = Arc::new(Guard::new(
            Side::Dataverse,
            ServiceLimits {
                requests: 2,
                window: Duration::from_millis(100),
                concurrent: 0,
            },
        ));
        let who = || Some("client".to_string());
        // WHEN a third request arrives inside the window.
        let first = guard.admit(who()).await;
        let second = guard.admit(who()).await;
        let third = guard.admit(who()).await;
        // THEN it is throttled, and admitted again once the window has passed.
        assert!(first.is_ok() && second.is_ok(), "two fit in the window");
        let third = third.err().expect("the third request is over the limit");
        assert_eq!(third.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            third
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok()),
            Some("1"),
            "Retry-After rounds a partial second up"
        );
        tokio::time::sleep(Duration::from_millis(120)).await;
        assert!(
            guard.admit(who()).await.is_ok(),
            "the sliding window forgets old requests"
        );
    }

    #[test]
    fn faults_are_validated() {
        // GIVEN fault settings outside the allowed ranges.
        let guard = Guard::new(Side::FinOps, ServiceLimits::off());
        let bad_fraction = Faults {
            fail_writes: Some(FailWrites {
                fraction: 1.5,
                status: 503,
            }),
            ..Faults::default()
        };
        let bad_status = Faults {
            fail_writes: Some(FailWrites {
                fraction: 0.5,
                status: 200,
            }),
            ..Faults::default()
        };
        // WHEN they are applied.
        // THEN they are refused and the previous settings stay.
        assert_eq!(
            guard.set_faults(bad_fraction),
            Err(FaultsError::Fraction(1.5)),
            "a share above 1 is meaningless"
        );
        assert_eq!(
            guard.set_faults(bad_status),
            Err(FaultsError::Status(200)),
            "an injected failure must be an error status"
        );
        assert_eq!(guard.faults(), Faults::default(), "nothing was applied");
    }
}
