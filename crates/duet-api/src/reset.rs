//! Resetting the link after an environment was refreshed from another: what will be deleted
//! and kept, and the reset itself, optionally linking the same pair again.

use std::sync::Arc;

use crate::model::ResetPlan;
use crate::{Api, ApiError, Code};

impl Api {
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
