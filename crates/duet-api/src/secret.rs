//! Client secrets live in the OS keyring (Secret Service on Linux), never in SQLite or logs.

use crate::{ApiError, Code};

/// The keyring entries of one Duet installation, under one service name.
#[derive(Debug, Clone)]
pub(crate) struct SecretStore {
    service: String,
}

impl SecretStore {
    pub(crate) fn new(service: impl Into<String>) -> SecretStore {
        SecretStore {
            service: service.into(),
        }
    }

    fn account(kind: &str, client_id: &str) -> String {
        format!("{kind}:{client_id}")
    }

    pub(crate) async fn save(
        &self,
        kind: &str,
        client_id: &str,
        secret: &str,
    ) -> Result<(), ApiError> {
        let service = self.service.clone();
        let account = Self::account(kind, client_id);
        let secret = secret.to_owned();
        blocking(move || {
            keyring::Entry::new(&service, &account)
                .and_then(|entry| entry.set_password(&secret))
                .map_err(keyring_error)
        })
        .await
    }

    /// Forgets a secret; a secret that is not there is already forgotten.
    pub(crate) async fn delete(&self, kind: &str, client_id: &str) -> Result<(), ApiError> {
        let service = self.service.clone();
        let account = Self::account(kind, client_id);
        blocking(move || {
            match keyring::Entry::new(&service, &account)
                .and_then(|entry| entry.delete_credential())
            {
                Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                Err(other) => Err(keyring_error(other)),
            }
        })
        .await
    }

    pub(crate) async fn load(&self, kind: &str, client_id: &str) -> Result<String, ApiError> {
        let service = self.service.clone();
        let account = Self::account(kind, client_id);
        blocking(move || {
            keyring::Entry::new(&service, &account)
                .and_then(|entry| entry.get_password())
                .map_err(|error| match error {
                    keyring::Error::NoEntry => ApiError::new(
                        Code::SecretMissing,
                        format!(
                            "The OS keyring has no client secret for {account}; enter it again: Environments page, the environment's Edit button, Client secret."
                        ),
                    ),
                    other => keyring_error(other),
                })
        })
        .await
    }
}

/// Runs a keyring call off the async threads. The Secret Service can answer a busy moment
/// with a passing failure (no default collection found while another client is creating or
/// unlocking it), so a failure to use the keyring is tried again a few times, a little later
/// each time, before it is reported; a missing secret is an answer, not retried.
async fn blocking<T: Send + 'static>(
    work: impl Fn() -> Result<T, ApiError> + Clone + Send + 'static,
) -> Result<T, ApiError> {
    const ATTEMPTS: u32 = 4;
    let mut attempt = 1;
    loop {
        let once = work.clone();
        let outcome = tokio::task::spawn_blocking(once).await.map_err(|error| {
            ApiError::new(Code::Internal, format!("keyring task failed: {error}"))
        })?;
        match outcome {
            Err(error) if error.code == Code::KeyringUnavailable && attempt < ATTEMPTS => {
                tokio::time::sleep(std::time::Duration::from_millis(150 * u64::from(attempt)))
                    .await;
                attempt += 1;
            }
            other => return other,
        }
    }
}

fn keyring_error(error: keyring::Error) -> ApiError {
    ApiError::new(
        Code::KeyringUnavailable,
        format!(
            "The OS keyring could not be used ({error}). Duet keeps client secrets only there: start a Secret Service (for example gnome-keyring) in this session."
        ),
    )
}
