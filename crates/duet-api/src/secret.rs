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

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|error| ApiError::new(Code::Internal, format!("keyring task failed: {error}")))?
}

fn keyring_error(error: keyring::Error) -> ApiError {
    ApiError::new(
        Code::KeyringUnavailable,
        format!(
            "The OS keyring could not be used ({error}). Duet keeps client secrets only there: start a Secret Service (for example gnome-keyring) in this session."
        ),
    )
}
