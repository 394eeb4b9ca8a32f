//! The link: exactly one finance and operations environment with one Dataverse environment,
//! the legal entities it syncs, and the health checks of the linked pair.

use std::sync::Arc;

use duet_maps::TableMap;
use duet_store::{EnvironmentRecord, LinkRecord};

use crate::model::{EnvironmentKind, EnvironmentView, LinkView, MapState};
use crate::{Api, ApiError, Code, DATAVERSE, FINOPS, environments, health, views};

impl Api {
    /// The stored environment of one kind (a store kind name), which the link joins.
    fn environment(&self, kind: &str) -> Result<EnvironmentRecord, ApiError> {
        self.store
            .environment(kind)?
            .ok_or_else(ApiError::not_linked)
    }

    /// The linked pair with the last health checks of each side; `None` before anything is
    /// linked.
    pub async fn link(&self) -> Result<Option<LinkView>, ApiError> {
        let Some(link) = self.store.link()? else {
            return Ok(None);
        };
        let health = self.health.lock().await.clone();
        let view = |kind: EnvironmentKind, key: &str| -> Result<EnvironmentView, ApiError> {
            Ok(views::environment_view(
                kind,
                self.environment(key)?,
                true,
                health.get(&kind).cloned().unwrap_or_default(),
            ))
        };
        Ok(Some(LinkView {
            finance_operations: view(EnvironmentKind::FinanceOperations, FINOPS)?,
            dataverse: view(EnvironmentKind::Dataverse, DATAVERSE)?,
            companies: link.companies,
            linked_at: link.linked_at,
        }))
    }

    /// Runs the health checks of both environments and returns the link with their results.
    pub async fn check_health(&self) -> Result<LinkView, ApiError> {
        let link = self.store.link()?.ok_or_else(ApiError::not_linked)?;
        let (finops, dataverse) = self.clients().await?;
        let maps: Vec<TableMap> = self
            .store
            .maps()?
            .into_iter()
            .filter_map(|record| serde_json::from_value(record.definition).ok())
            .collect();
        let checks = health::check(
            &finops,
            &dataverse,
            &link.companies,
            &maps,
            self.clock.as_ref(),
        )
        .await;
        *self.health.lock().await = checks;
        self.link().await?.ok_or_else(ApiError::not_linked)
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
            .map_err(environments::conflict)?;
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
        if wanted.len() > crate::scenario::MAX_COMPANIES {
            return Err(ApiError::new(
                Code::InvalidLink,
                format!(
                    "{} legal entities were chosen; a link syncs at most {}.",
                    wanted.len(),
                    crate::scenario::MAX_COMPANIES
                ),
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
        if let Some(busy) = maps.iter().find(|map| {
            matches!(
                map.state,
                MapState::Initializing | MapState::Paused | MapState::Resuming
            )
        }) {
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
            .filter(|map| {
                matches!(
                    map.state,
                    MapState::Running | MapState::Resuming | MapState::Error
                )
            })
            .map(|map| map.name.clone())
            .collect();
        self.replace_engine().await?;
        let engine = self.engine().await?;
        for name in &running {
            if added.is_empty() {
                engine.run(name).await?;
            } else {
                // An initial sync brings the added companies' rows; rows already equal on
                // both sides are read but not written again, and queued and failed changes
                // are kept (a row with a Dataverse change waiting is left to that change).
                engine.rerun(name).await?;
            }
        }
        self.check_health().await
    }
}
