//! Entra ID client credentials: one token per resource, cached and refreshed before expiry.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde::Deserialize;
use tokio::sync::Mutex;

use crate::error::ConnectError;

/// The application user Duet signs in as.
#[derive(Clone)]
pub struct Credentials {
    pub token_url: String,
    pub client_id: String,
    pub client_secret: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Credentials")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .finish()
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    expires_in: u64,
}

struct CachedToken {
    value: String,
    refresh_at: Instant,
}

pub struct TokenProvider {
    http: reqwest::Client,
    credentials: Credentials,
    cache: Mutex<HashMap<String, CachedToken>>,
    /// Tokens fetched from the token endpoint so far.
    fetches: std::sync::atomic::AtomicU64,
}

impl TokenProvider {
    pub fn new(http: reqwest::Client, credentials: Credentials) -> TokenProvider {
        TokenProvider {
            http,
            credentials,
            cache: Mutex::new(HashMap::new()),
            fetches: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// A bearer token for `resource` (an environment URL), from the cache while it is fresh.
    pub async fn token(&self, resource: &str) -> Result<String, ConnectError> {
        let mut cache = self.cache.lock().await;
        if let Some(cached) = cache.get(resource)
            && Instant::now() < cached.refresh_at
        {
            return Ok(cached.value.clone());
        }
        let fetched = self.fetch(resource).await?;
        self.fetches
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let value = fetched.access_token.clone();
        cache.insert(
            resource.to_owned(),
            CachedToken {
                value: fetched.access_token,
                refresh_at: Instant::now() + refresh_after(fetched.expires_in),
            },
        );
        Ok(value)
    }

    /// How many tokens were fetched (the rest came from the cache).
    pub fn fetches(&self) -> u64 {
        self.fetches.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Drops a cached token the server refused, so the next call signs in again.
    pub async fn invalidate(&self, resource: &str) {
        self.cache.lock().await.remove(resource);
    }

    /// Signs in for `resource`; a failure says it was the sign-in that failed, whatever the
    /// request that needed the token.
    async fn fetch(&self, resource: &str) -> Result<TokenResponse, ConnectError> {
        self.request_token(resource).await.map_err(|mut error| {
            error.message = format!("sign-in failed: {}", error.message);
            error
        })
    }

    async fn request_token(&self, resource: &str) -> Result<TokenResponse, ConnectError> {
        let url = &self.credentials.token_url;
        let scope = format!("{}/.default", resource.trim_end_matches('/'));
        let response = self
            .http
            .post(url)
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", self.credentials.client_id.as_str()),
                ("client_secret", self.credentials.client_secret.as_str()),
                ("scope", scope.as_str()),
            ])
            .send()
            .await
            .map_err(|error| ConnectError::transport("POST", url, &error))?;
        let status = response.status().as_u16();
        let body = response
            .text()
            .await
            .map_err(|error| ConnectError::transport("POST", url, &error))?;
        if status != 200 {
            return Err(ConnectError::from_response("POST", url, status, body));
        }
        serde_json::from_str(&body).map_err(|error| {
            ConnectError::invalid("POST", url, format!("token response is not valid: {error}"))
        })
    }
}

/// Refresh five minutes before expiry, or at half-life for short-lived tokens.
fn refresh_after(expires_in: u64) -> Duration {
    let lifetime = Duration::from_secs(expires_in);
    let margin = Duration::from_secs(300);
    if lifetime > margin * 2 {
        lifetime - margin
    } else {
        lifetime / 2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_refreshed_before_they_expire() {
        assert_eq!(refresh_after(3599), Duration::from_secs(3299));
        assert_eq!(refresh_after(60), Duration::from_secs(30));
    }

    #[test]
    fn debug_output_never_shows_the_secret() {
        let credentials = Credentials {
            token_url: "u".to_owned(),
            client_id: "c".to_owned(),
            client_secret: "s3cr3t".to_owned(),
        };
        assert!(!format!("{credentials:?}").contains("s3cr3t"));
    }
}
