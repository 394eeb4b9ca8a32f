//! Client secrets: never in SQLite or logs. Each environment's secret is read first from its
//! environment variable (`env.rs`), which Duet never writes; otherwise it lives in the OS
//! keyring (`keyring.rs`) or, on a machine without one, in a secrets file (`file.rs`).

mod env;
mod file;
mod keyring;

use std::path::PathBuf;

pub use file::{check_private_file, write_private_file};

use duet_store::EnvironmentRecord;

use crate::{Api, ApiError, ApiOptions, Code};

/// Where an installation keeps the client secrets that are not given in environment
/// variables.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SecretsAt {
    /// The OS keyring, under [`ApiOptions::keyring_service`].
    #[default]
    Keyring,
    /// A JSON file only its owner may read, created when missing (`duet serve
    /// --secrets-file`).
    File(PathBuf),
}

/// The environment a secret belongs to.
pub(crate) struct SecretOwner<'a> {
    pub(crate) id: i64,
    pub(crate) name: &'a str,
    pub(crate) client_id: &'a str,
}

impl SecretOwner<'_> {
    /// The keyring account and secrets-file key: environments are told apart by id, so two
    /// environments with the same app registration keep their own entries.
    fn account(&self) -> String {
        format!("environment-{}:{}", self.id, self.client_id)
    }

    /// The environment variable that gives this environment's secret.
    fn variable(&self) -> Option<String> {
        env::variable(self.name)
    }
}

enum Backend {
    Keyring(keyring::KeyringSecrets),
    File(file::SecretsFile),
}

/// The secrets of one Duet installation.
pub(crate) struct SecretStore {
    backend: Backend,
}

impl SecretStore {
    /// Opens where `options` say secrets live; a secrets file is created when missing and
    /// refused when others may read it.
    pub(crate) fn open(options: &ApiOptions) -> Result<SecretStore, ApiError> {
        let backend = match &options.secrets {
            SecretsAt::Keyring => {
                Backend::Keyring(keyring::KeyringSecrets::new(&options.keyring_service))
            }
            SecretsAt::File(path) => Backend::File(file::SecretsFile::open(path)?),
        };
        Ok(SecretStore { backend })
    }

    /// The secret of `owner`: its environment variable's when set, else the stored one.
    pub(crate) async fn load(&self, owner: &SecretOwner<'_>) -> Result<String, ApiError> {
        if let Some(secret) = env::given(owner.name) {
            return Ok(secret);
        }
        let stored = match &self.backend {
            Backend::Keyring(keyring) => keyring.load(owner).await?,
            Backend::File(file) => file.load(&owner.account())?,
        };
        stored.ok_or_else(|| self.missing(owner))
    }

    /// Keeps `secret` for `owner`. A secret its environment variable gives is written
    /// nowhere; another secret for it is refused, since the variable would win.
    pub(crate) async fn save(&self, owner: &SecretOwner<'_>, secret: &str) -> Result<(), ApiError> {
        if let Some(given) = env::given(owner.name) {
            if given == secret {
                return Ok(());
            }
            return Err(ApiError::new(
                Code::InvalidEnvironment,
                format!(
                    "The client secret of '{}' is given in the environment variable {}, which Duet reads first and never changes: change the secret there and start Duet again.",
                    owner.name,
                    owner.variable().unwrap_or_default()
                ),
            ));
        }
        match &self.backend {
            Backend::Keyring(keyring) => keyring.save(owner, secret).await,
            Backend::File(file) => file.save(&owner.account(), secret),
        }
    }

    /// Forgets the stored secret of `owner` (its environment variable is the admin's).
    pub(crate) async fn delete(&self, owner: &SecretOwner<'_>) -> Result<(), ApiError> {
        match &self.backend {
            Backend::Keyring(keyring) => keyring.delete(owner).await,
            Backend::File(file) => file.delete(&owner.account()),
        }
    }

    fn missing(&self, owner: &SecretOwner<'_>) -> ApiError {
        let place = match &self.backend {
            Backend::Keyring(_) => "the OS keyring".to_owned(),
            Backend::File(file) => format!("the secrets file {}", file.path().display()),
        };
        let variable = owner
            .variable()
            .map(|variable| format!(", or set {variable}"))
            .unwrap_or_default();
        ApiError::new(
            Code::SecretMissing,
            format!(
                "There is no client secret for '{}' in {place}; enter it again (Environments page, the environment's Edit button, Client secret){variable}.",
                owner.name
            ),
        )
    }
}

impl Api {
    /// The secret of the stored environment `record`.
    pub(crate) async fn load_secret(&self, record: &EnvironmentRecord) -> Result<String, ApiError> {
        self.check_variable_is_its_own(record.id, &record.name)?;
        let owner = SecretOwner {
            id: record.id,
            name: &record.name,
            client_id: &record.client_id,
        };
        self.secrets.load(&owner).await
    }

    /// Keeps the secret of environment `id`, named `name`, with its app registration's
    /// `client_id`.
    pub(crate) async fn save_secret(
        &self,
        id: i64,
        name: &str,
        client_id: &str,
        secret: &str,
    ) -> Result<(), ApiError> {
        self.check_variable_is_its_own(id, name)?;
        let owner = SecretOwner {
            id,
            name,
            client_id,
        };
        self.secrets.save(&owner, secret).await
    }

    /// Forgets the stored secret of the environment `record` (removed from the store).
    pub(crate) async fn delete_secret(&self, record: &EnvironmentRecord) -> Result<(), ApiError> {
        let owner = SecretOwner {
            id: record.id,
            name: &record.name,
            client_id: &record.client_id,
        };
        self.secrets.delete(&owner).await
    }

    /// Refuses to use a set variable that the names of two environments both lead to: it
    /// cannot tell which one it gives the secret of.
    fn check_variable_is_its_own(&self, id: i64, name: &str) -> Result<(), ApiError> {
        let Some(variable) = env::variable(name) else {
            return Ok(());
        };
        if env::given(name).is_none() {
            return Ok(());
        }
        let other = self.store.environments()?.into_iter().find(|record| {
            record.id != id && env::variable(&record.name).as_deref() == Some(variable.as_str())
        });
        match other {
            None => Ok(()),
            Some(other) => Err(ApiError::new(
                Code::InvalidEnvironment,
                format!(
                    "The environment variable {variable} would give the client secret of both '{name}' and '{}': rename one of them so each has a variable of its own.",
                    other.name
                ),
            )),
        }
    }
}
