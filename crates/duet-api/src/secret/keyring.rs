//! Client secrets in the OS keyring (Secret Service on Linux, Keychain on macOS, Credential
//! Manager on Windows), under one service name per installation.

use super::SecretOwner;
use crate::{ApiError, Code};

/// The keyring entries of one Duet installation, under one service name.
#[derive(Debug, Clone)]
pub(super) struct KeyringSecrets {
    service: String,
}

impl KeyringSecrets {
    pub(super) fn new(service: impl Into<String>) -> KeyringSecrets {
        KeyringSecrets {
            service: service.into(),
        }
    }

    pub(super) async fn save(&self, owner: &SecretOwner<'_>, secret: &str) -> Result<(), ApiError> {
        let service = self.service.clone();
        let account = owner.account();
        let variable = owner.variable();
        let secret = secret.to_owned();
        blocking(move || {
            keyring::Entry::new(&service, &account)
                .and_then(|entry| entry.set_password(&secret))
                .map_err(|error| keyring_error(&error, variable.as_deref()))
        })
        .await
    }

    /// Forgets a secret; a secret that is not there is already forgotten.
    pub(super) async fn delete(&self, owner: &SecretOwner<'_>) -> Result<(), ApiError> {
        let service = self.service.clone();
        let account = owner.account();
        let variable = owner.variable();
        blocking(move || {
            match keyring::Entry::new(&service, &account)
                .and_then(|entry| entry.delete_credential())
            {
                Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                Err(other) => Err(keyring_error(&other, variable.as_deref())),
            }
        })
        .await
    }

    /// The secret, or nothing when the keyring has no entry for it.
    pub(super) async fn load(&self, owner: &SecretOwner<'_>) -> Result<Option<String>, ApiError> {
        let service = self.service.clone();
        let account = owner.account();
        let variable = owner.variable();
        blocking(move || {
            match keyring::Entry::new(&service, &account).and_then(|entry| entry.get_password()) {
                Ok(secret) => Ok(Some(secret)),
                Err(keyring::Error::NoEntry) => Ok(None),
                Err(other) => Err(keyring_error(&other, variable.as_deref())),
            }
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

/// The keyring could not be used: says what failed and the ways out, including the
/// environment variable that would give this environment's secret (`variable`).
fn keyring_error(error: &keyring::Error, variable: Option<&str>) -> ApiError {
    let by_variable = match variable {
        Some(variable) => {
            format!(", or give this environment's secret in the environment variable {variable}")
        }
        None => String::new(),
    };
    ApiError::new(
        Code::KeyringUnavailable,
        format!(
            "The OS keyring could not be used ({error}). Start a Secret Service (for example gnome-keyring) in this session, keep client secrets in a file instead with `duet serve --secrets-file PATH` (or DUET_SECRETS_FILE=PATH){by_variable}."
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::keyring_error;

    #[test]
    fn the_keyring_error_names_both_ways_out() {
        let error = keyring_error(
            &keyring::Error::PlatformFailure("no D-Bus".into()),
            Some("DUET_SECRET_CONTOSO"),
        );
        assert_eq!(error.code, "keyring_unavailable");
        assert!(error.message.contains("--secrets-file PATH"), "{error}");
        assert!(
            error.message.contains("variable DUET_SECRET_CONTOSO."),
            "{error}"
        );
    }
}
