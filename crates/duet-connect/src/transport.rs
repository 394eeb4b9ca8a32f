//! One request path for both environments: OData headers, bearer token, one re-sign-in on
//! 401, and timed retries for the retriable classes, where `Retry-After` wins over backoff.

use std::sync::Arc;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::auth::TokenProvider;
use crate::error::{ConnectError, ErrorClass, RetryPolicy};
use crate::limiter::{ConcurrencySettings, ConcurrencyState, Limiter};

#[derive(Debug, Clone)]
pub struct RetrySettings {
    pub attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetrySettings {
    fn default() -> Self {
        RetrySettings {
            attempts: 6,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(30),
        }
    }
}

/// A response that succeeded: status, headers needed by callers, and the parsed body.
pub(crate) struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

pub(crate) struct Transport {
    pub http: reqwest::Client,
    pub tokens: Arc<TokenProvider>,
    /// The environment URL: the token resource and the base of every request.
    pub resource: String,
    pub retry: RetrySettings,
    /// Server clock minus local clock, in milliseconds, from the last `Date` header seen.
    skew_ms: std::sync::Mutex<Option<i64>>,
    /// Requests in flight to this environment, adapted to its 429s.
    limiter: Limiter,
}

impl Transport {
    pub fn new(http: reqwest::Client, tokens: Arc<TokenProvider>, url: &str) -> Transport {
        Transport {
            http,
            tokens,
            resource: url.trim_end_matches('/').to_owned(),
            retry: RetrySettings::default(),
            skew_ms: std::sync::Mutex::new(None),
            limiter: Limiter::new(ConcurrencySettings::default()),
        }
    }

    pub fn set_concurrency(&mut self, settings: ConcurrencySettings) {
        self.limiter = Limiter::new(settings);
    }

    pub fn concurrency(&self) -> ConcurrencyState {
        self.limiter.state()
    }

    /// How far the server's clock is ahead of ours (negative: behind), as of the last answer.
    /// `Date` has whole seconds, so differences under a second mean nothing.
    pub fn clock_skew(&self) -> Option<chrono::Duration> {
        self.skew_ms
            .lock()
            .map(|skew| skew.map(chrono::Duration::milliseconds))
            .unwrap_or(None)
    }

    fn note_date(&self, headers: &reqwest::header::HeaderMap) {
        let Some(date) = headers
            .get("date")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| chrono::DateTime::parse_from_rfc2822(value).ok())
        else {
            return;
        };
        let skew = date.timestamp_millis() - chrono::Utc::now().timestamp_millis();
        if let Ok(mut slot) = self.skew_ms.lock() {
            *slot = Some(skew);
        }
    }

    /// Sends a request with a JSON body (or none) and reads a JSON answer. `idempotent`
    /// requests are retried on timed classes; others only when the server said it did not
    /// process them (429).
    pub async fn send(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
        headers: &[(&str, String)],
        idempotent: bool,
        timeout: Option<Duration>,
    ) -> Result<Reply, ConnectError> {
        let payload = match body {
            Some(body) => Payload::Json(body),
            None => Payload::None,
        };
        let raw = self
            .exchange(method.clone(), url, payload, headers, idempotent, timeout)
            .await?;
        let body = duet_odata::page::json_body(&raw.text)
            .map_err(|error| ConnectError::invalid(method.as_str(), url, error.to_string()))?;
        Ok(Reply {
            status: raw.status,
            headers: raw.headers,
            body,
        })
    }

    /// Sends a body of another type (a `$batch`) and returns the answer as text.
    pub async fn send_raw(
        &self,
        method: Method,
        url: &str,
        content_type: &str,
        body: &[u8],
        headers: &[(&str, String)],
        idempotent: bool,
    ) -> Result<RawReply, ConnectError> {
        self.exchange(
            method,
            url,
            Payload::Raw { content_type, body },
            headers,
            idempotent,
            None,
        )
        .await
    }

    /// Reads a document that is not JSON (a CSDL `$metadata`) as text.
    pub async fn get_text(&self, url: &str, accept: &str) -> Result<String, ConnectError> {
        let headers = [("Accept", accept.to_owned())];
        Ok(self
            .exchange(Method::GET, url, Payload::None, &headers, true, None)
            .await?
            .text)
    }

    async fn exchange(
        &self,
        method: Method,
        url: &str,
        payload: Payload<'_>,
        headers: &[(&str, String)],
        idempotent: bool,
        timeout: Option<Duration>,
    ) -> Result<RawReply, ConnectError> {
        let mut attempt = 0;
        let mut signed_in_again = false;
        loop {
            attempt += 1;
            let token = self.tokens.token(&self.resource).await?;
            let mut request = self
                .http
                .request(method.clone(), url)
                .bearer_auth(token)
                .header("Accept", accept(headers))
                .header("OData-MaxVersion", "4.0")
                .header("OData-Version", "4.0");
            if let Some(timeout) = timeout {
                request = request.timeout(timeout);
            }
            for (name, value) in headers {
                if !name.eq_ignore_ascii_case("Accept") {
                    request = request.header(*name, value);
                }
            }
            request = match payload {
                Payload::None => request,
                Payload::Json(body) => request.json(body),
                Payload::Raw { content_type, body } => request
                    .header("Content-Type", content_type)
                    .body(body.to_vec()),
            };
            let permit = self.limiter.acquire().await;
            let outcome = request.send().await;
            let error = match outcome {
                Ok(response) => {
                    let status = response.status();
                    let response_headers = response.headers().clone();
                    self.note_date(&response_headers);
                    let bytes = response
                        .bytes()
                        .await
                        .map_err(|error| ConnectError::transport(method.as_str(), url, &error))?;
                    // Strictly: a lossy reading would write replacement characters on.
                    let text = String::from_utf8(Vec::from(bytes)).map_err(|error| {
                        ConnectError::invalid(
                            method.as_str(),
                            url,
                            format!(
                                "the answer is not UTF-8 text (a byte at position {} is not)",
                                error.utf8_error().valid_up_to()
                            ),
                        )
                    })?;
                    drop(permit);
                    if status.as_u16() == 429 {
                        self.limiter.throttled();
                    } else {
                        self.limiter.succeeded();
                    }
                    // Dataverse advises how many requests to keep in flight.
                    if let Some(hint) = response_headers
                        .get("x-ms-dop-hint")
                        .and_then(|value| value.to_str().ok())
                        .and_then(|value| value.trim().parse::<usize>().ok())
                    {
                        self.limiter.advise(hint);
                    }
                    if status.is_success() {
                        return Ok(RawReply {
                            status,
                            headers: response_headers,
                            text,
                        });
                    }
                    let retry_after = response_headers
                        .get("retry-after")
                        .and_then(|value| value.to_str().ok())
                        .and_then(|value| value.trim().parse::<u64>().ok())
                        .map(Duration::from_secs);
                    (
                        ConnectError::from_response(method.as_str(), url, status.as_u16(), text),
                        retry_after,
                    )
                }
                Err(error) => {
                    drop(permit);
                    (ConnectError::transport(method.as_str(), url, &error), None)
                }
            };
            let (error, retry_after) = error;
            if error.status == Some(401) && !signed_in_again {
                signed_in_again = true;
                self.tokens.invalidate(&self.resource).await;
                continue;
            }
            let retriable = error.class.retry_policy() == RetryPolicy::Timed
                && (idempotent || error.class == ErrorClass::Throttled);
            if !retriable || attempt >= self.retry.attempts {
                return Err(error);
            }
            let delay = retry_after.unwrap_or_else(|| backoff(&self.retry, attempt));
            tracing::debug!(url, attempt, delay_ms = delay.as_millis() as u64, error = %error, "retrying");
            tokio::time::sleep(delay).await;
        }
    }
}

#[derive(Clone, Copy)]
enum Payload<'a> {
    None,
    Json(&'a Value),
    Raw {
        content_type: &'a str,
        body: &'a [u8],
    },
}

/// A successful answer as text, before any parsing.
pub(crate) struct RawReply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

/// Exponential backoff with full jitter, capped.
pub(crate) fn backoff(settings: &RetrySettings, attempt: u32) -> Duration {
    crate::backoff::jittered_delay(settings.base_delay, settings.max_delay, attempt)
}

/// The media type a request accepts: the caller's, when it names one (a CSDL document is
/// XML), else JSON.
fn accept<'a>(headers: &'a [(&str, String)]) -> &'a str {
    headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("Accept"))
        .map_or("application/json", |(_, value)| value.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_stays_under_the_exponential_cap() {
        let settings = RetrySettings {
            attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
        };
        for attempt in 1..10 {
            let ceiling =
                Duration::from_millis(100 * 2u64.pow(attempt - 1)).min(Duration::from_secs(2));
            assert!(
                backoff(&settings, attempt) <= ceiling,
                "attempt {attempt} must wait at most {ceiling:?}"
            );
        }
    }
}
