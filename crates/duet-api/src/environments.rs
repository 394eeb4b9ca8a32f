//! The environments page's registry: add, change, test and remove environments (their
//! secrets kept as `secret/` says), and read a finance and operations environment's legal
//! entities.

use std::sync::Arc;

use duet_store::EnvironmentRecord;
use serde_json::Value;

use crate::model::*;
use crate::{Api, ApiError, Code, DATAVERSE, FINOPS, health, views};

/// The store's name for an environment kind.
pub(crate) fn kind_key(kind: EnvironmentKind) -> &'static str {
    match kind {
        EnvironmentKind::FinanceOperations => FINOPS,
        EnvironmentKind::Dataverse => DATAVERSE,
    }
}

fn kind_of(key: &str) -> EnvironmentKind {
    if key == FINOPS {
        EnvironmentKind::FinanceOperations
    } else {
        EnvironmentKind::Dataverse
    }
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
    environment.ca_certificate = checked_authority(&environment)?;
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

/// The certificate authority an environment may bring: a sandbox's, as a PEM certificate.
/// A cloud environment is checked against the system's authorities and nothing else.
fn checked_authority(environment: &NewEnvironment) -> Result<Option<String>, ApiError> {
    let Some(pem) = environment
        .ca_certificate
        .as_deref()
        .map(str::trim)
        .filter(|pem| !pem.is_empty())
    else {
        return Ok(None);
    };
    if !environment.sandbox {
        return Err(invalid(
            "Only a sandbox environment can bring its own certificate authority; a cloud environment is checked against the system's certificate authorities.",
        ));
    }
    duet_connect::http_client(&duet_connect::Trust::Only(pem.to_owned())).map_err(|error| {
        let reason = error.to_string();
        let reason = reason.strip_prefix("the ").unwrap_or(&reason);
        invalid(format!(
            "The {reason}: give the PEM file that DUET_CA_FILE names, which starts with -----BEGIN CERTIFICATE-----."
        ))
    })?;
    Ok(Some(pem.to_owned()))
}

fn is_loopback(url: &url::Url) -> bool {
    matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"))
}

/// A store conflict (a duplicate URL, a second link, a linked environment removed) as the
/// `conflict` code; any other store error as usual.
pub(crate) fn conflict(error: duet_store::StoreError) -> ApiError {
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

    /// Adds an environment; its secret goes to the keyring or the secrets file.
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
            ca_certificate: environment.ca_certificate.clone(),
            added_at: self.clock.stamp(),
        };
        let id = self.store.add_environment(&record).map_err(conflict)?;
        if let Err(error) = self
            .save_secret(
                id,
                &record.name,
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

    /// Changes an environment's details; a new secret replaces the stored one (an
    /// empty one keeps it). A linked environment's engine picks the change up at once.
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

    /// Checks and stores new details of `current`, secret included. An empty secret keeps
    /// the stored one (or the one its environment variable gives), as long as the client id
    /// stays the same; nothing is written for it then.
    pub(crate) async fn save_environment_change(
        &self,
        current: EnvironmentRecord,
        mut environment: NewEnvironment,
    ) -> Result<(), ApiError> {
        if kind_key(environment.kind) != current.kind {
            return Err(invalid(
                "An environment's kind cannot change; add a new environment instead.",
            ));
        }
        let keeps_secret = environment.client_secret.is_empty();
        if keeps_secret {
            if environment.client_id.trim() != current.client_id {
                return Err(invalid(
                    "The client id changed: enter the client secret of the new app registration.",
                ));
            }
            environment.client_secret = self.load_secret(&current).await?;
        }
        if environment.sandbox && environment.ca_certificate.is_none() {
            environment.ca_certificate = current.ca_certificate.clone();
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
                ca_certificate: environment.ca_certificate.clone(),
                ..current
            })
            .map_err(conflict)?;
        if keeps_secret {
            return Ok(());
        }
        self.save_secret(
            id,
            &environment.name,
            &environment.client_id,
            &environment.client_secret,
        )
        .await
    }

    /// Removes an environment that is not linked, and its stored secret.
    pub async fn remove_environment(&self, id: i64) -> Result<(), ApiError> {
        let removed = self.store.remove_environment(id).map_err(conflict)?;
        self.delete_secret(&removed).await
    }

    pub(crate) fn environment_record(&self, id: i64) -> Result<EnvironmentRecord, ApiError> {
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
}
