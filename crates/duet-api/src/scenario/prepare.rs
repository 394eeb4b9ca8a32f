//! What the steps do on the environments themselves: the sandbox provisioned with fresh
//! data, cloud environments checked against the scenario, company rows created in
//! Dataverse, and existing accounts given a company.

use std::collections::HashMap;
use std::sync::Arc;

use duet_maps::TableMap;
use duet_sandbox::SandboxConfig;
use serde_json::{Map, Value};

use super::plan::{Crm, Definition, FinOps, crm_label, finops_label};
use crate::model::HealthStatus;
use crate::{Api, ApiError, Code};

impl Api {
    /// Stops the embedded sandbox, deletes its data (keeping its identity), and starts it
    /// again as `config` says; returns the environment ids.
    pub(super) async fn provision_sandbox(
        self: &Arc<Self>,
        config: SandboxConfig,
    ) -> Result<(i64, i64), ApiError> {
        if let Some(engine) = self.engine.write().await.take() {
            engine.shutdown().await;
        }
        if let Some(old) = self.sandbox.lock().await.take() {
            old.shutdown().await;
        }
        for name in ["finops.sqlite", "dataverse.sqlite"] {
            for suffix in ["", "-wal", "-shm"] {
                let path = config.dir.join(format!("{name}{suffix}"));
                if let Err(error) = std::fs::remove_file(&path)
                    && error.kind() != std::io::ErrorKind::NotFound
                {
                    return Err(ApiError::new(
                        Code::Sandbox,
                        format!("could not clear {}: {error}", path.display()),
                    ));
                }
            }
        }
        // The maps' sync state belonged to the old data.
        for map in self.store.maps()? {
            self.store.clear_cursors(&map.name)?;
        }
        let (finops, dataverse, _) = self.start_sandbox(config).await?;
        Ok((finops, dataverse))
    }

    /// Against cloud environments: signs in and checks each is empty or not as expected.
    pub(super) async fn check_environments(
        &self,
        definition: &Definition,
        finops_id: i64,
        dataverse_id: i64,
        maps: &[TableMap],
    ) -> Result<String, ApiError> {
        for id in [finops_id, dataverse_id] {
            let checks = self.test_connection(id).await?;
            if let Some(failed) = checks
                .iter()
                .find(|check| check.status == HealthStatus::Unhealthy && check.code != "DUET-H005")
            {
                return Err(ApiError::new(
                    Code::Health,
                    format!("{}: {}", failed.code, failed.message),
                ));
            }
        }
        let finops = self.finops_client(finops_id).await?;
        let dataverse = self.dataverse_client(dataverse_id).await?;
        let mut finops_rows = 0;
        let mut dataverse_rows = 0;
        let mut counts = Vec::new();
        for map in maps {
            let here = finops
                .count(&map.finance_operations_entity, &[("cross-company", "true")])
                .await
                .map_err(ApiError::remote)?;
            let there = dataverse
                .count(&map.dataverse_entity_set, &[])
                .await
                .map_err(ApiError::remote)?;
            finops_rows += here;
            dataverse_rows += there;
            counts.push(format!(
                "{}: {here} in finance and operations, {there} in Dataverse",
                map.name
            ));
        }
        let finops_new = definition.finops == FinOps::New;
        if finops_new != (finops_rows == 0) {
            return Err(ApiError::new(
                Code::ScenarioMismatch,
                format!(
                    "This scenario expects a {} finance and operations environment, but the chosen maps' entities hold {finops_rows} rows there ({}); choose the scenario that matches it.",
                    finops_label(definition.finops),
                    counts.join("; ")
                ),
            ));
        }
        let crm_new = definition.dataverse == Crm::New;
        if crm_new != (dataverse_rows == 0) {
            return Err(ApiError::new(
                Code::ScenarioMismatch,
                format!(
                    "This scenario expects a {} Dataverse environment, but the chosen maps' tables hold {dataverse_rows} rows there ({}); choose the scenario that matches it.",
                    crm_label(definition.dataverse),
                    counts.join("; ")
                ),
            ));
        }
        Ok(format!(
            "Both environments pass their health checks. {}.",
            counts.join("; ")
        ))
    }

    /// Makes sure finance and operations has every legal entity: a sandbox environment gets
    /// the missing ones created; a cloud environment is only read, and a missing legal
    /// entity stops the run with how to create it. Answers the codes created.
    pub(super) async fn create_legal_entities(
        &self,
        finops_id: i64,
        companies: &[String],
    ) -> Result<Vec<String>, ApiError> {
        let sandbox = self.environment_record(finops_id)?.sandbox;
        let finops = self.finops_client(finops_id).await?;
        let present: Vec<String> = finops
            .query("LegalEntities", &[("$select", "LegalEntityId")])
            .await
            .map_err(ApiError::remote)?
            .iter()
            .filter_map(|row| Some(row.get("LegalEntityId")?.as_str()?.to_uppercase()))
            .collect();
        let missing: Vec<&String> = companies
            .iter()
            .filter(|code| !present.contains(code))
            .collect();
        if missing.is_empty() {
            return Ok(Vec::new());
        }
        if !sandbox {
            let codes: Vec<&str> = missing.iter().map(|code| code.as_str()).collect();
            return Err(ApiError::new(
                Code::InvalidLink,
                format!(
                    "Finance and operations has no legal entity {}. Create it there (Organization administration > Organizations > Legal entities > New, with the same company code), or remove it from the scenario's legal entities, then run the scenario again.",
                    codes.join(", ")
                ),
            ));
        }
        let mut created = Vec::new();
        for code in missing {
            let mut body = Map::new();
            body.insert("LegalEntityId".to_owned(), Value::from(code.as_str()));
            body.insert("Name".to_owned(), Value::from(format!("Company {code}")));
            finops
                .create("LegalEntities", &body)
                .await
                .map_err(ApiError::remote)?;
            created.push(code.clone());
        }
        Ok(created)
    }

    /// Creates the company rows Dataverse lacks, named after the legal entities.
    pub(super) async fn create_companies(
        &self,
        companies: &[String],
    ) -> Result<Vec<String>, ApiError> {
        let (finops, dataverse) = self.clients().await?;
        let names: HashMap<String, String> = finops
            .query("LegalEntities", &[("$select", "LegalEntityId,Name")])
            .await
            .map_err(ApiError::remote)?
            .iter()
            .filter_map(|row| {
                Some((
                    row.get("LegalEntityId")?.as_str()?.to_uppercase(),
                    row.get("Name")?.as_str()?.to_owned(),
                ))
            })
            .collect();
        let present: Vec<String> = dataverse
            .query("cdm_companies", &[("$select", "cdm_companycode")])
            .await
            .map_err(ApiError::remote)?
            .iter()
            .filter_map(|row| Some(row.get("cdm_companycode")?.as_str()?.to_uppercase()))
            .collect();
        let mut created = Vec::new();
        for code in companies.iter().filter(|code| !present.contains(code)) {
            let mut body = Map::new();
            body.insert(
                "cdm_name".to_owned(),
                Value::from(names.get(code).cloned().unwrap_or_else(|| code.clone())),
            );
            dataverse
                .upsert("cdm_companies", &[("cdm_companycode", code)], &body)
                .await
                .map_err(ApiError::remote)?;
            created.push(code.clone());
        }
        Ok(created)
    }
}
