//! Reading the maps of another running Duet: its `export_maps` over HTTP, with the access
//! token from the `DUET_UI_URL` it printed.

use std::time::Duration;

use serde::Deserialize;
use serde_json::{Value, json};
use ts_rs::TS;

use crate::{ApiError, Code};

/// Another running Duet: the `DUET_UI_URL` its `duet serve` printed, or its address and the
/// token apart.
#[derive(Clone, PartialEq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RemoteDuet {
    pub url: String,
    #[serde(default)]
    #[ts(optional)]
    pub token: Option<String>,
}

/// The other Duet's access token never reaches debug output (logs, panics).
impl std::fmt::Debug for RemoteDuet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteDuet")
            .field("url", &self.url)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// Where the other Duet is asked, and with what token.
struct Address {
    origin: String,
    token: String,
}

impl RemoteDuet {
    fn address(&self) -> Result<Address, ApiError> {
        let not_a_duet = || {
            ApiError::new(
                Code::BadArguments,
                format!(
                    "'{}' is not the address of a Duet: paste the DUET_UI_URL that `duet serve` printed (http://127.0.0.1:PORT/?token=…)",
                    self.url
                ),
            )
        };
        let url = reqwest::Url::parse(self.url.trim()).map_err(|_| not_a_duet())?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(not_a_duet());
        }
        let in_url = url
            .query_pairs()
            .find(|(key, _)| key == "token")
            .map(|(_, value)| value.into_owned());
        let token = self
            .token
            .clone()
            .filter(|token| !token.trim().is_empty())
            .or(in_url)
            .ok_or_else(|| {
                ApiError::new(
                    Code::BadArguments,
                    "the other Duet's access token is missing: paste its whole DUET_UI_URL, with ?token=…",
                )
            })?;
        Ok(Address {
            origin: url.origin().ascii_serialization(),
            token: token.trim().to_owned(),
        })
    }

    /// Where the maps come from, as reports name it: the address without its token.
    pub fn label(&self) -> String {
        self.address()
            .map(|address| address.origin)
            .unwrap_or_else(|_| self.url.clone())
    }

    /// Every map of the other Duet as a package, as its `export_maps` writes it.
    pub async fn package(&self) -> Result<Value, ApiError> {
        let Address { origin, token } = self.address()?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|error| ApiError::new(Code::Internal, error.to_string()))?;
        let response = http
            .post(format!("{origin}/api/export_maps"))
            .bearer_auth(&token)
            .json(&json!({}))
            .send()
            .await
            .map_err(|error| {
                ApiError::new(
                    Code::Remote,
                    format!("the Duet at {origin} did not answer: {error}"),
                )
            })?;
        let status = response.status();
        let body: Result<Value, _> = response.json().await;
        if status == reqwest::StatusCode::UNAUTHORIZED {
            return Err(ApiError::new(
                Code::Remote,
                format!(
                    "the Duet at {origin} refused the access token: paste the DUET_UI_URL it printed when it last started (the token changes with every start)"
                ),
            ));
        }
        match body {
            Ok(body) if status.is_success() => Ok(body),
            Ok(body) => Err(ApiError::new(
                Code::Remote,
                format!(
                    "the Duet at {origin} answered {}: {}",
                    body["code"].as_str().unwrap_or(status.as_str()),
                    body["message"].as_str().unwrap_or("no reason given")
                ),
            )),
            Err(_) => Err(ApiError::new(
                Code::Remote,
                format!("{origin} answered {status} without JSON: is it a Duet?"),
            )),
        }
    }
}
