//! The environments page: add, test and remove environments; link exactly one of each kind;
//! choose the legal entities; unlink and reset after an environment refresh.

use std::sync::Arc;

use duet_connect::{Credentials, DataverseClient, FinOpsClient, TokenProvider};
use duet_store::{EnvironmentRecord, LinkRecord};
use serde_json::Value;

use crate::model::*;
use crate::{Api, DATAVERSE, FINOPS, health, reqwest_client, views};
use crate::{ApiError, Code};

/// The store's name for an environment kind.
pub(crate) fn kind_key(kind: EnvironmentKind) -> &'static str {
    match kind {
        EnvironmentKind::FinanceOperations => FINOPS,
        EnvironmentKind::Dataverse => DATAVERSE,
    }
}

pub(crate) fn kind_of(key: &str) -> EnvironmentKind {
    if key == FINOPS {
        EnvironmentKind::FinanceOperations
    } else {
        EnvironmentKind::Dataverse
    }
}

/// The keyring account of an environment's secret: environments are told apart by id, so
/// two environments with the same app registration keep their own entries.
pub(crate) fn secret_scope(id: i64) -> String {
    format!("environment-{id}")
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(Code::InvalidEnvironment, message)
}

/// Checks what an admin typed, and fills in the Entra token URL from the tenant.
fn checked(mut environment: NewEnvironment) -> Result<NewEnvironment, ApiError> {
    environment.name = environment.name.trim().to_owned();
    environment.url = environment.url.trim().trim_end_matches('/').to_owned();
    environment.tenant = environment.tenant.trim().to_owned();
    environment.client_id = environment.client_id.trim().to_owned();
    if environment.name.is_empty() {
        return Err(invalid("Give the environment a name."));
    }
    let url = url::Url::parse(&environment.url).map_err(|error| {
        invalid(format!(
            "'{}' is not a URL ({error}); enter it as https://<name>.operations.dynamics.com or https://<name>.crm.dynamics.com.",
            environment.url
        ))
    })?;
    if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none() {
        return Err(invalid(format!(
            "'{}' must be an https:// address.",
            environment.url
        )));
    }
    if url.scheme() == "http" && !environment.sandbox && !is_loopback(&url) {
        return Err(invalid(format!(
            "'{}' is not encrypted; cloud environments are reached over https://.",
            environment.url
        )));
    }
    if environment.tenant.is_empty() {
        return Err(invalid(
            "Enter the Entra ID tenant (its id or domain) the app registration belongs to.",
        ));
    }
    if environment.client_id.is_empty() {
        return Err(invalid(
            "Enter the application (client) id of the app registration.",
        ));
    }
    if environment.client_secret.is_empty() {
        return Err(invalid("Enter the client secret of the app registration."));
    }
    if environment.token_url.trim().is_empty() {
        environment.token_url = format!(
            "https://login.microsoftonline.com/{}/oauth2/v2.0/token",
            environment.tenant
        );
    }
    Ok(environment)
}

fn is_loopback(url: &url::Url) -> bool {
    matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"))
}

fn conflict(error: duet_store::StoreError) -> ApiError {
    match error {
        duet_store::StoreError::Conflict(message) => ApiError::new(Code::Conflict, message),
        other => other.into(),
    }
}

impl Api {
    pub fn environments(&self) -> Result<Vec<EnvironmentView>, ApiError> {
        let link = self.store.link()?;
        let health = self
            .health
            .try_lock()
            .map(|h| h.clone())
            .unwrap_or_default();
        Ok(self
            .store
            .environments()?
            .into_iter()
            .map(|record| {
                let kind = kind_of(&record.kind);
                let linked = link.as_ref().is_some_and(|link| {
                    link.finance_operations_id == record.id || link.dataverse_id == record.id
                });
                let checks = if linked {
                    health.get(&kind).cloned().unwrap_or_default()
                } else {
                    Vec::new()
                };
                views::environment_view(kind, record, linked, checks)
            })
            .collect())
    }

    /// Adds an environment; its secret goes to the OS keyring.
    pub async fn add_environment(
        &self,
        environment: NewEnvironment,
    ) -> Result<EnvironmentView, ApiError> {
        let environment = checked(environment)?;
        let record = EnvironmentRecord {
            id: 0,
            kind: kind_key(environment.kind).to_owned(),
            name: environment.name.clone(),
            url: environment.url.clone(),
            token_url: environment.token_url.clone(),
            tenant: environment.tenant.clone(),
            client_id: environment.client_id.clone(),
            sandbox: environment.sandbox,
            added_at: self.clock.stamp(),
        };
        let id = self.store.add_environment(&record).map_err(conflict)?;
        if let Err(error) = self
            .secrets
            .save(
                &secret_scope(id),
                &record.client_id,
                &environment.client_secret,
            )
            .await
        {
            // Without its secret the environment cannot be used: do not keep half of it.
            let _ = self.store.remove_environment(id);
            return Err(error);
        }
        self.environment_view(id)
    }

    /// Changes an environment's details; a new secret replaces the one in the keyring. A
    /// linked environment's engine picks the change up at once.
    pub async fn update_environment(
        self: &Arc<Self>,
        id: i64,
        environment: NewEnvironment,
    ) -> Result<EnvironmentView, ApiError> {
        let current = self.environment_record(id)?;
        self.save_environment_change(current, environment).await?;
        if self.is_linked(id)? {
            self.replace_engine().await?;
            self.engine().await?.resume_all().await?;
        }
        self.environment_view(id)
    }

    /// Checks and stores new details of `current`, secret included.
    pub(crate) async fn save_environment_change(
        &self,
        current: EnvironmentRecord,
        environment: NewEnvironment,
    ) -> Result<(), ApiError> {
        if kind_key(environment.kind) != current.kind {
            return Err(invalid(
                "An environment's kind cannot change; add a new environment instead.",
            ));
        }
        let environment = checked(environment)?;
        let id = current.id;
        self.store
            .update_environment(&EnvironmentRecord {
                name: environment.name.clone(),
                url: environment.url.clone(),
                token_url: environment.token_url.clone(),
                tenant: environment.tenant.clone(),
                client_id: environment.client_id.clone(),
                sandbox: environment.sandbox,
                ..current
            })
            .map_err(conflict)?;
        self.secrets
            .save(
                &secret_scope(id),
                &environment.client_id,
                &environment.client_secret,
            )
            .await
    }

    /// Removes an environment that is not linked, and its secret from the keyring.
    pub async fn remove_environment(&self, id: i64) -> Result<(), ApiError> {
        let removed = self.store.remove_environment(id).map_err(conflict)?;
        self.secrets
            .delete(&secret_scope(id), &removed.client_id)
            .await
    }

    fn environment_record(&self, id: i64) -> Result<EnvironmentRecord, ApiError> {
        self.store.environment_by_id(id)?.ok_or_else(|| {
            ApiError::new(
                Code::NotFound,
                format!("there is no environment with id {id}"),
            )
        })
    }

    fn environment_view(&self, id: i64) -> Result<EnvironmentView, ApiError> {
        self.environments()?
            .into_iter()
            .find(|view| view.id == id)
            .ok_or_else(|| {
                ApiError::new(
                    Code::NotFound,
                    format!("there is no environment with id {id}"),
                )
            })
    }

    fn is_linked(&self, id: i64) -> Result<bool, ApiError> {
        Ok(self
            .store
            .link()?
            .is_some_and(|link| link.finance_operations_id == id || link.dataverse_id == id))
    }

    /// Clients for a stored environment, with its secret from the keyring.
    pub(crate) async fn finops_client(&self, id: i64) -> Result<FinOpsClient, ApiError> {
        let record = self.environment_record(id)?;
        let tokens = self.tokens(&record).await?;
        Ok(FinOpsClient::new(reqwest_client(), tokens, &record.url))
    }

    pub(crate) async fn dataverse_client(&self, id: i64) -> Result<DataverseClient, ApiError> {
        let record = self.environment_record(id)?;
        let tokens = self.tokens(&record).await?;
        Ok(DataverseClient::new(reqwest_client(), tokens, &record.url))
    }

    async fn tokens(&self, record: &EnvironmentRecord) -> Result<Arc<TokenProvider>, ApiError> {
        let secret = self
            .secrets
            .load(&secret_scope(record.id), &record.client_id)
            .await?;
        Ok(Arc::new(TokenProvider::new(
            reqwest_client(),
            Credentials {
                token_url: record.token_url.clone(),
                client_id: record.client_id.clone(),
                client_secret: secret,
            },
        )))
    }

    /// Signs in to a stored environment and checks what Duet needs there: a token
    /// (DUET-H001), permission to read (DUET-H002) and the clock (DUET-H005).
    pub async fn test_connection(&self, id: i64) -> Result<Vec<HealthCheck>, ApiError> {
        let record = self.environment_record(id)?;
        Ok(match kind_of(&record.kind) {
            EnvironmentKind::FinanceOperations => {
                let client = self.finops_client(id).await?;
                health::test_finops(&client, self.clock.as_ref()).await
            }
            EnvironmentKind::Dataverse => {
                let client = self.dataverse_client(id).await?;
                health::test_dataverse(&client, self.clock.as_ref()).await
            }
        })
    }

    /// The legal entities of a finance and operations environment, marked when linked.
    pub async fn legal_entities(&self, id: i64) -> Result<Vec<LegalEntityView>, ApiError> {
        let record = self.environment_record(id)?;
        if kind_of(&record.kind) != EnvironmentKind::FinanceOperations {
            return Err(invalid(format!(
                "'{}' is a Dataverse environment; legal entities come from finance and operations.",
                record.name
            )));
        }
        let client = self.finops_client(id).await?;
        let rows = client
            .query("LegalEntities", &[("$select", "LegalEntityId,Name")])
            .await
            .map_err(|error| {
                ApiError::new(
                    Code::Remote,
                    format!("could not read the legal entities: {error}"),
                )
            })?;
        let linked = self
            .store
            .link()?
            .filter(|link| link.finance_operations_id == id)
            .map(|link| link.companies)
            .unwrap_or_default();
        let mut entities: Vec<LegalEntityView> = rows
            .iter()
            .filter_map(|row| {
                let code = row.get("LegalEntityId").and_then(Value::as_str)?;
                Some(LegalEntityView {
                    code: code.to_uppercase(),
                    name: row
                        .get("Name")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    linked: linked.iter().any(|c| c.eq_ignore_ascii_case(code)),
                })
            })
            .collect();
        entities.sort_by(|a, b| a.code.cmp(&b.code));
        Ok(entities)
    }

    /// Links a finance and operations environment with a Dataverse environment for the
    /// given legal entities. A second link for either environment is refused.
    pub async fn link_environments(
        self: &Arc<Self>,
        finance_operations_id: i64,
        dataverse_id: i64,
        companies: Vec<String>,
    ) -> Result<LinkView, ApiError> {
        let companies = self
            .checked_companies(finance_operations_id, companies)
            .await?;
        let linked_at = match self.store.link()? {
            Some(existing) => existing.linked_at,
            None => self.clock.stamp(),
        };
        self.store
            .save_link(&LinkRecord {
                finance_operations_id,
                dataverse_id,
                companies,
                linked_at,
            })
            .map_err(conflict)?;
        self.replace_engine().await?;
        self.check_health().await
    }

    /// Legal entity codes in upper case, each known to the finance and operations side.
    async fn checked_companies(
        &self,
        finance_operations_id: i64,
        companies: Vec<String>,
    ) -> Result<Vec<String>, ApiError> {
        let mut wanted: Vec<String> = companies
            .iter()
            .map(|code| code.trim().to_uppercase())
            .filter(|code| !code.is_empty())
            .collect();
        wanted.sort();
        wanted.dedup();
        if wanted.is_empty() {
            return Err(ApiError::new(
                Code::InvalidLink,
                "Choose at least one legal entity to sync.",
            ));
        }
        let known = self.legal_entities(finance_operations_id).await?;
        let unknown: Vec<&str> = wanted
            .iter()
            .filter(|code| !known.iter().any(|entity| &entity.code == *code))
            .map(String::as_str)
            .collect();
        if !unknown.is_empty() {
            return Err(ApiError::new(
                Code::InvalidLink,
                format!(
                    "Finance and operations has no legal entity {}; choose from: {}.",
                    unknown.join(", "),
                    known
                        .iter()
                        .map(|entity| entity.code.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        Ok(wanted)
    }

    /// Adds or removes legal entities of the link. Running maps read the new companies'
    /// rows with an initial sync; a change while a map is initializing or paused is refused.
    pub async fn set_link_companies(
        self: &Arc<Self>,
        companies: Vec<String>,
    ) -> Result<LinkView, ApiError> {
        let link = self.store.link()?.ok_or_else(ApiError::not_linked)?;
        let companies = self
            .checked_companies(link.finance_operations_id, companies)
            .await?;
        let maps = self.store.maps()?;
        if let Some(busy) = maps
            .iter()
            .find(|map| matches!(map.state.as_str(), "initializing" | "paused" | "resuming"))
        {
            return Err(ApiError::new(
                Code::MapBusy,
                format!(
                    "Map '{}' is {}: let it finish or resume it before changing the legal entities.",
                    busy.name, busy.state
                ),
            ));
        }
        let added: Vec<String> = companies
            .iter()
            .filter(|code| !link.companies.contains(code))
            .cloned()
            .collect();
        self.store.save_link(&LinkRecord { companies, ..link })?;
        let running: Vec<String> = maps
            .iter()
            // A map in Error is retrying its round: it goes on too.
            .filter(|map| matches!(map.state.as_str(), "running" | "resuming" | "error"))
            .map(|map| map.name.clone())
            .collect();
        self.replace_engine().await?;
        let engine = self.engine().await?;
        for name in &running {
            if added.is_empty() {
                engine.run(name).await?;
            } else {
                // An initial sync brings the added companies' rows; rows already equal on
                // both sides are read but not written again.
                engine.stop(name).await?;
                engine.run(name).await?;
            }
        }
        self.check_health().await
    }

    /// What [`Api::reset_link`] will delete and keep.
    pub fn reset_plan(&self) -> Result<ResetPlan, ApiError> {
        let link = self.store.link()?.ok_or_else(ApiError::not_linked)?;
        let finance_operations = self.environment_record(link.finance_operations_id)?;
        let dataverse = self.environment_record(link.dataverse_id)?;
        let counts = self.store.reset_counts()?;
        let maps = self.store.maps()?;
        Ok(ResetPlan {
            finance_operations: finance_operations.name.clone(),
            dataverse: dataverse.name.clone(),
            companies: link.companies.clone(),
            deletes: vec![
                format!(
                    "The link between '{}' and '{}' (legal entities {}).",
                    finance_operations.name,
                    dataverse.name,
                    link.companies.join(", ")
                ),
                format!(
                    "{} sync positions (change-tracking links, watermarks, initial-sync checkpoints).",
                    counts.cursors
                ),
                format!(
                    "{} remembered row values used to recognise Duet's own writes.",
                    counts.shadows
                ),
                format!(
                    "{} queued, parked or failed changes not yet written.",
                    counts.queued
                ),
            ],
            keeps: vec![
                format!("The {} map definitions, set to Not running.", maps.len()),
                "Both environments and their secrets.".to_owned(),
                "Alert rules and the activity log.".to_owned(),
            ],
            maps_to_reactivate: counts.active_maps,
            confirmation: finance_operations.name,
        })
    }

    /// The refresh scenario: cleans the link's sync state after an environment was restored
    /// from another; with `relink`, links the same pair again and runs the maps that were
    /// active, each starting with an initial sync. `confirm` must be the finance and
    /// operations environment's name, as the plan says.
    pub async fn reset_link(
        self: &Arc<Self>,
        confirm: &str,
        relink: bool,
    ) -> Result<ResetPlan, ApiError> {
        let plan = self.reset_plan()?;
        if confirm.trim() != plan.confirmation {
            return Err(ApiError::new(
                Code::ConfirmationMismatch,
                format!(
                    "Type the finance and operations environment's name, '{}', to confirm the reset.",
                    plan.confirmation
                ),
            ));
        }
        let link = self.store.link()?.ok_or_else(ApiError::not_linked)?;
        if let Some(engine) = self.engine.write().await.take() {
            engine.shutdown().await;
        }
        let reason = if relink {
            "The link was reset; the map runs again from an initial sync."
        } else {
            "The link was reset; link the environments again to run it."
        };
        self.store.reset_link(reason, &self.clock.stamp())?;
        self.health.lock().await.clear();
        self.record_lifecycle(&format!("Link reset: {}", plan.deletes.join(" ")));
        if relink {
            self.link_environments(
                link.finance_operations_id,
                link.dataverse_id,
                link.companies,
            )
            .await?;
            for name in &plan.maps_to_reactivate {
                self.run_map(name).await?;
            }
        }
        Ok(plan)
    }
}
