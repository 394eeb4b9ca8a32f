//! Who a sandbox directory's demo application user is: its tenant, client id and secret, and
//! the ids `WhoAmI` answers, made on first start and kept in `sandbox.json`.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::SandboxError;

/// Persistent identity of a sandbox directory.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct Identity {
    pub(crate) tenant: String,
    pub(crate) client_id: String,
    pub(crate) client_secret: String,
    pub(crate) user_id: String,
    pub(crate) business_unit_id: String,
    pub(crate) organization_id: String,
}

/// The client secret never reaches debug output.
impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("tenant", &self.tenant)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl Identity {
    fn generate() -> Self {
        let mut secret = [0u8; 30];
        rand::rng().fill_bytes(&mut secret);
        let id = || uuid::Uuid::new_v4().to_string();
        Identity {
            tenant: id(),
            client_id: id(),
            client_secret: URL_SAFE_NO_PAD.encode(secret),
            user_id: id(),
            business_unit_id: id(),
            organization_id: id(),
        }
    }

    pub(crate) fn load_or_create(dir: &Path) -> Result<Self, SandboxError> {
        let path = dir.join("sandbox.json");
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|source| SandboxError::State {
                path: path.clone(),
                source,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let identity = Identity::generate();
                let text =
                    serde_json::to_vec_pretty(&identity).map_err(|source| SandboxError::State {
                        path: path.clone(),
                        source,
                    })?;
                // Write then rename so a crash never leaves a half-written credentials file.
                let tmp = dir.join("sandbox.json.tmp");
                std::fs::write(&tmp, text)?;
                std::fs::rename(&tmp, &path)?;
                Ok(identity)
            }
            Err(e) => Err(e.into()),
        }
    }
}
