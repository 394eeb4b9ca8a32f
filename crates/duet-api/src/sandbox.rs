//! The embedded sandbox pair: started over the data directory, its environments registered
//! (or refreshed, as its ports change between starts), and the demo linked and running.

use std::sync::Arc;

use duet_maps::TableMap;
use duet_sandbox::{Sandbox, SandboxConfig};

use crate::model::{EnvironmentKind, MapState, NewEnvironment};
use crate::{Api, ApiError, Code, FINOPS, environments};

/// Customers a fresh demo sandbox starts with.
const DEMO_ROWS: usize = 250;

impl Api {
    /// Starts the embedded sandbox pair over this data directory, links it (once), adds the
    /// demo map and runs it. Returns the sandbox's `DUET_*` lines.
    pub async fn start_sandbox_demo(self: &Arc<Self>) -> Result<Vec<(String, String)>, ApiError> {
        let mut config = SandboxConfig::new(self.data_dir.join("sandbox"));
        // A fresh demo starts with customers to sync; a restart keeps what is there.
        config.rows = DEMO_ROWS;
        let (finops_id, dataverse_id, lines) = self.start_sandbox(config).await?;
        let companies = match self.store.link()? {
            Some(link) => link.companies,
            None => vec!["DAT".to_owned(), "USMF".to_owned()],
        };
        self.link_environments(finops_id, dataverse_id, companies)
            .await?;
        self.add_map(&TableMap::customers())?;
        let state = self.store.map("customers")?.map(|map| map.state);
        if !matches!(state, Some(MapState::Paused | MapState::Stopped)) {
            self.run_map("customers").await?;
        }
        Ok(lines)
    }

    /// Starts the embedded sandbox pair and registers (or refreshes) its environments;
    /// returns their ids and the sandbox's `DUET_*` lines.
    pub(crate) async fn start_sandbox(
        self: &Arc<Self>,
        config: SandboxConfig,
    ) -> Result<(i64, i64, Vec<(String, String)>), ApiError> {
        let sandbox = Sandbox::start(config).await.map_err(|error| {
            ApiError::new(
                Code::Sandbox,
                format!("the sandbox could not start: {error}"),
            )
        })?;
        let lines = sandbox.env_lines();
        let environment = |kind: EnvironmentKind, name: &str, url: &str| NewEnvironment {
            kind,
            name: name.to_owned(),
            url: url.to_owned(),
            token_url: sandbox.token_url(),
            tenant: sandbox.tenant().to_owned(),
            client_id: sandbox.client_id().to_owned(),
            client_secret: sandbox.client_secret().to_owned(),
            sandbox: true,
            ca_certificate: sandbox.ca_pem().map(str::to_owned),
        };
        let finops = environment(
            EnvironmentKind::FinanceOperations,
            "Sandbox finance and operations",
            sandbox.fo_url(),
        );
        let dataverse = environment(
            EnvironmentKind::Dataverse,
            "Sandbox Dataverse",
            sandbox.dv_url(),
        );
        *self.sandbox.lock().await = Some(sandbox);
        // Sandbox ports can change between starts: the sandbox environments are found by
        // name and their URLs refreshed, then linked (once).
        let finops_id = self.upsert_sandbox_environment(finops).await?;
        let dataverse_id = self.upsert_sandbox_environment(dataverse).await?;
        Ok((finops_id, dataverse_id, lines))
    }

    /// What a window does on start: the embedded sandbox unless the admin linked real
    /// environments, in which case their maps resume.
    pub async fn start_default(self: &Arc<Self>) -> Result<(), ApiError> {
        let linked_to_cloud = self
            .store
            .environment(FINOPS)?
            .is_some_and(|environment| !environment.sandbox);
        if linked_to_cloud {
            self.resume().await
        } else {
            self.start_sandbox_demo().await.map(|_| ())
        }
    }

    /// Adds a sandbox environment, or refreshes the one with the same name and kind.
    async fn upsert_sandbox_environment(
        self: &Arc<Self>,
        environment: NewEnvironment,
    ) -> Result<i64, ApiError> {
        let existing = self.store.environments()?.into_iter().find(|record| {
            record.sandbox
                && record.name == environment.name
                && record.kind == environments::kind_key(environment.kind)
        });
        match existing {
            Some(record) => {
                let id = record.id;
                self.save_environment_change(record, environment).await?;
                Ok(id)
            }
            None => Ok(self.add_environment(environment).await?.id),
        }
    }
}
