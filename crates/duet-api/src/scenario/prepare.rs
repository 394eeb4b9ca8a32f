//! What the steps do on the environments themselves: the sandbox provisioned with fresh
//! data, cloud environments checked against the scenario, company rows created in
//! Dataverse, and existing accounts given a company.

use std::collections::HashMap;
use std::sync::Arc;

use duet_sandbox::SandboxConfig;
use serde_json::{Map, Value};

use super::plan::{Crm, Definition, FinOps, crm_label, finops_label};
use crate::model::{BootstrapReport, HealthStatus};
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
        let remote =
            |error: duet_connect::ConnectError| ApiError::new(Code::Remote, error.to_string());
        let customers = finops
            .count("CustomersV3", &[("cross-company", "true")])
            .await
            .map_err(remote)?;
        let accounts = dataverse
            .query("accounts", &[("$select", "accountid"), ("$top", "1")])
            .await
            .map_err(remote)?
            .len();
        let finops_new = definition.finops == FinOps::New;
        if finops_new != (customers == 0) {
            return Err(ApiError::new(
                Code::ScenarioMismatch,
                format!(
                    "This scenario expects a {} finance and operations environment, but it holds {customers} customers; choose the scenario that matches it.",
                    finops_label(definition.finops)
                ),
            ));
        }
        let crm_new = definition.dataverse == Crm::New;
        if crm_new != (accounts == 0) {
            return Err(ApiError::new(
                Code::ScenarioMismatch,
                format!(
                    "This scenario expects a {} Dataverse environment, but it {}; choose the scenario that matches it.",
                    crm_label(definition.dataverse),
                    if accounts == 0 {
                        "has no accounts"
                    } else {
                        "holds accounts"
                    }
                ),
            ));
        }
        Ok(format!(
            "Both environments answer; finance and operations holds {customers} customers and Dataverse {}.",
            if accounts == 0 {
                "no accounts"
            } else {
                "accounts"
            }
        ))
    }

    /// Creates the company rows Dataverse lacks, named after the legal entities.
    pub(super) async fn create_companies(
        &self,
        companies: &[String],
    ) -> Result<Vec<String>, ApiError> {
        let (finops, dataverse) = self.clients().await?;
        let remote =
            |error: duet_connect::ConnectError| ApiError::new(Code::Remote, error.to_string());
        let names: HashMap<String, String> = finops
            .query("LegalEntities", &[("$select", "LegalEntityId,Name")])
            .await
            .map_err(remote)?
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
            .map_err(remote)?
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
                .map_err(remote)?;
            created.push(code.clone());
        }
        Ok(created)
    }

    /// Gives every Dataverse account without a company the company of the finance and
    /// operations customer with the same account number, or the first linked company.
    pub(super) async fn bootstrap_companies(
        &self,
        companies: &[String],
    ) -> Result<BootstrapReport, ApiError> {
        let (finops, dataverse) = self.clients().await?;
        let remote =
            |error: duet_connect::ConnectError| ApiError::new(Code::Remote, error.to_string());
        let default_company = companies
            .first()
            .cloned()
            .ok_or_else(|| ApiError::new(Code::InvalidScenario, "No legal entity was chosen."))?;
        let mut owner: HashMap<String, String> = HashMap::new();
        for row in finops
            .query(
                "CustomersV3",
                &[
                    ("cross-company", "true"),
                    ("$select", "dataAreaId,CustomerAccount"),
                ],
            )
            .await
            .map_err(remote)?
        {
            let (Some(company), Some(account)) = (
                row.get("dataAreaId").and_then(Value::as_str),
                row.get("CustomerAccount").and_then(Value::as_str),
            ) else {
                continue;
            };
            let company = company.to_uppercase();
            if companies.contains(&company) {
                owner.entry(account.to_owned()).or_insert(company);
            }
        }
        let orphans = dataverse
            .query(
                "accounts",
                &[
                    ("$select", "accountid,accountnumber"),
                    ("$filter", "_msdyn_company_value eq null"),
                ],
            )
            .await
            .map_err(remote)?;
        let mut report = BootstrapReport {
            default_company: default_company.clone(),
            ..BootstrapReport::default()
        };
        for row in orphans {
            let (Some(id), Some(account)) = (
                row.get("accountid").and_then(Value::as_str),
                row.get("accountnumber").and_then(Value::as_str),
            ) else {
                continue;
            };
            let company = match owner.get(account) {
                Some(company) => {
                    report.matched += 1;
                    company.clone()
                }
                None => {
                    report.unmatched += 1;
                    if report.unmatched_keys.len() < 50 {
                        report.unmatched_keys.push(account.to_owned());
                    }
                    default_company.clone()
                }
            };
            let mut body = Map::new();
            body.insert(
                "msdyn_company@odata.bind".to_owned(),
                Value::from(format!(
                    "/cdm_companies(cdm_companycode={})",
                    duet_connect::quote(&company)
                )),
            );
            dataverse
                .upsert("accounts", &[("accountid", id)], &body)
                .await
                .map_err(remote)?;
        }
        Ok(report)
    }
}
