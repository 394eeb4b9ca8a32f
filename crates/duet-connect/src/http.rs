//! The one HTTP client setup for both services, and which certificate authorities it trusts.

use std::time::Duration;

/// The certificate authorities a client trusts for an environment's HTTPS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trust {
    /// The operating system's roots: every cloud environment.
    System,
    /// Only this authority (PEM), none of the system's: a sandbox with its own authority.
    Only(String),
}

/// Why a client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error("the certificate authority is not a PEM certificate ({0})")]
    Certificate(String),
    #[error("the HTTP client could not be set up: {0}")]
    Client(String),
}

/// A client for one environment: a connection must open within 10 seconds and an answer
/// arrive within two minutes; HTTPS is checked against `trust`.
pub fn http_client(trust: &Trust) -> Result<reqwest::Client, TrustError> {
    let builder = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(120));
    trusting(builder, trust)?
        .build()
        .map_err(|error| TrustError::Client(error.to_string()))
}

/// `builder` checking HTTPS against `trust`: the system's roots, or one authority alone.
pub fn trusting(
    builder: reqwest::ClientBuilder,
    trust: &Trust,
) -> Result<reqwest::ClientBuilder, TrustError> {
    match trust {
        Trust::System => Ok(builder),
        Trust::Only(pem) => {
            let authorities = reqwest::Certificate::from_pem_bundle(pem.as_bytes())
                .map_err(|error| TrustError::Certificate(error.to_string()))?;
            if authorities.is_empty() {
                return Err(TrustError::Certificate("it holds none".to_owned()));
            }
            Ok(authorities.into_iter().fold(
                builder.tls_built_in_root_certs(false),
                |builder, authority| builder.add_root_certificate(authority),
            ))
        }
    }
}

/// A transport error with its causes, which is where reqwest keeps the reason (a refused
/// connection, an untrusted certificate); a cause already said is not said again.
pub fn with_causes(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// A transport error with its causes; an untrusted certificate is said plainly.
pub(crate) fn describe(error: &reqwest::Error) -> String {
    let text = with_causes(error);
    if text.contains("certificate") {
        format!(
            "the server's certificate is not trusted ({text}); a sandbox environment needs its own certificate authority (the DUET_CA_FILE its sandbox printed), and a cloud one is checked against the system's"
        )
    } else {
        text
    }
}
