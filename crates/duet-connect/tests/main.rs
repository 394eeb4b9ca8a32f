//! Integration tests for duet-connect: the real clients against the sandbox over HTTPS, one
//! module per area, with what they share below.

#[path = "connect/batch.rs"]
mod batch;
#[path = "connect/resilience.rs"]
mod resilience;
#[path = "connect/trust.rs"]
mod trust;

use std::sync::Arc;

use duet_connect::{Credentials, TokenProvider, Trust};
use duet_sandbox::Sandbox;

/// A client that trusts the sandbox's own certificate authority, as Duet's clients of a
/// sandbox environment do.
pub(crate) fn http(sandbox: &Sandbox) -> reqwest::Client {
    let authority = sandbox.ca_pem().expect("the sandbox serves HTTPS");
    duet_connect::http_client(&Trust::Only(authority.to_owned())).expect("a client")
}

/// Tokens of the sandbox's demo application user.
pub(crate) fn tokens(sandbox: &Sandbox) -> Arc<TokenProvider> {
    Arc::new(TokenProvider::new(
        http(sandbox),
        Credentials {
            token_url: sandbox.token_url(),
            client_id: sandbox.client_id().to_owned(),
            client_secret: sandbox.client_secret().to_owned(),
        },
    ))
}
