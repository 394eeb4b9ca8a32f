//! The six documented setup scenarios as plans of steps: shown before they run, executed
//! with progress, checkpointed in the store after every step so a crash resumes where it
//! stopped, and finished only when both sides agree.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use duet_maps::{Side, TableMap};
use duet_sandbox::{DvProfile, FoProfile, SandboxConfig};
use serde_json::{Map, Value};

use crate::Api;
use crate::error::json;
use crate::model::*;
use crate::{ApiError, Code};

/// The store document that holds the current (or last) run.
const RUN_STATE: &str = "scenario.run";
/// How long an initial sync may take before the step gives up waiting (it keeps running).
const INITIAL_SYNC_WAIT: Duration = Duration::from_secs(30 * 60);
/// How long a setup step lets a map in Error retry before it reports the error.
const ERROR_PATIENCE: Duration = Duration::from_secs(60);

#[derive(Clone, Copy, PartialEq, Eq)]
enum FinOps {
    New,
    NewWithData,
    Existing,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Crm {
    New,
    Existing,
}

struct Definition {
    id: &'static str,
    finops: FinOps,
    dataverse: Crm,
    description: &'static str,
}

const SCENARIOS: [Definition; 6] = [
    Definition {
        id: "new-new",
        finops: FinOps::New,
        dataverse: Crm::New,
        description: "Both environments are empty: link them, create the company and start the maps so new rows flow from day one.",
    },
    Definition {
        id: "new-existing",
        finops: FinOps::New,
        dataverse: Crm::Existing,
        description: "Dataverse already holds customers without a company: stamp them with the company code, then the initial sync creates them in the new finance and operations environment.",
    },
    Definition {
        id: "new-data-new",
        finops: FinOps::NewWithData,
        dataverse: Crm::New,
        description: "A new finance and operations environment with data and an empty Dataverse: the initial sync copies every row to Dataverse.",
    },
    Definition {
        id: "new-data-existing",
        finops: FinOps::NewWithData,
        dataverse: Crm::Existing,
        description: "Both sides hold rows: Dataverse rows get the company of their finance and operations match (by account number), unmatched ones the default company; the master wins where both have a row.",
    },
    Definition {
        id: "existing-new",
        finops: FinOps::Existing,
        dataverse: Crm::New,
        description: "A finance and operations environment in use and a new Dataverse: the initial sync fills Dataverse, then live sync keeps both in step.",
    },
    Definition {
        id: "existing-existing",
        finops: FinOps::Existing,
        dataverse: Crm::Existing,
        description: "Both environments are in use: bootstrap the Dataverse rows with their company, match rows by integration key, let the master win, then sync live.",
    },
];

fn definition(id: &str) -> Result<&'static Definition, ApiError> {
    SCENARIOS.iter().find(|d| d.id == id).ok_or_else(|| {
        ApiError::new(
            Code::NotFound,
            format!(
                "there is no scenario '{id}'; the scenarios are: {}",
                SCENARIOS
                    .iter()
                    .map(|d| d.id)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    })
}

fn finops_label(kind: FinOps) -> &'static str {
    match kind {
        FinOps::New => "new",
        FinOps::NewWithData => "new with data",
        FinOps::Existing => "existing",
    }
}

fn crm_label(kind: Crm) -> &'static str {
    match kind {
        Crm::New => "new",
        Crm::Existing => "existing",
    }
}

fn view(definition: &Definition) -> ScenarioView {
    ScenarioView {
        id: definition.id.to_owned(),
        title: format!(
            "Finance and operations: {} · Dataverse: {}",
            finops_label(definition.finops),
            crm_label(definition.dataverse)
        ),
        finance_operations: finops_label(definition.finops).to_owned(),
        dataverse: crm_label(definition.dataverse).to_owned(),
        description: definition.description.to_owned(),
    }
}

fn step(id: &str, title: &str, detail: String) -> ScenarioStep {
    ScenarioStep {
        id: id.to_owned(),
        title: title.to_owned(),
        detail,
        status: StepStatus::Pending,
        message: None,
    }
}

/// The scenario's steps for these options, in order.
fn plan_steps(
    definition: &Definition,
    options: &ScenarioOptions,
    linked: Option<&ResetPlan>,
) -> Vec<ScenarioStep> {
    let companies = options.companies.join(", ");
    let maps = options.maps.join(", ");
    let mut steps = Vec::new();
    if let Some(plan) = linked {
        steps.push(step(
            "reset",
            "Reset the current link",
            format!(
                "Duet is linked to '{}' and '{}'. Reset that link first: {}",
                plan.finance_operations,
                plan.dataverse,
                plan.deletes.join(" ")
            ),
        ));
    }
    match options.environments {
        None => steps.push(step(
            "provision",
            "Provision sandbox environments",
            format!(
                "Start sandbox environments: finance and operations {}; Dataverse {}.",
                match definition.finops {
                    FinOps::New => "with its legal entities only".to_owned(),
                    _ => format!("with {} generated customers", options.rows),
                },
                match definition.dataverse {
                    Crm::New => "empty, with no companies".to_owned(),
                    Crm::Existing => format!(
                        "holding {} accounts without a company",
                        options.existing_rows
                    ),
                }
            ),
        )),
        Some(_) => steps.push(step(
            "check",
            "Check the environments",
            format!(
                "Sign in to both environments and check that finance and operations is {} and Dataverse is {}.",
                if definition.finops == FinOps::New {
                    "empty"
                } else {
                    "holding data"
                },
                if definition.dataverse == Crm::New {
                    "empty"
                } else {
                    "holding data"
                }
            ),
        )),
    }
    steps.push(step(
        "link",
        "Link the environments",
        format!("Link finance and operations with Dataverse for {companies}."),
    ));
    steps.push(step(
        "createCompany",
        "Create the company in Dataverse",
        format!("Create a company row (cdm_company) for each of {companies} that Dataverse lacks."),
    ));
    steps.push(step(
        "addCompanies",
        "Add the company to the link",
        format!("Sync the legal entities {companies}, and check both sides have them."),
    ));
    steps.push(step(
        "bootstrap",
        "Bootstrap existing Dataverse rows",
        if definition.dataverse == Crm::Existing {
            format!(
                "Give every account without a company the company of its finance and operations match (by account number), or {} when none matches, and report what did not match.",
                options.companies.first().map(String::as_str).unwrap_or("DAT")
            )
        } else {
            "Nothing to do: Dataverse is new.".to_owned()
        },
    ));
    steps.push(step(
        "initialSync",
        "Initial sync",
        format!(
            "Run the maps {maps} with an initial sync in both directions; {} wins where both sides hold a row.",
            match options.master {
                EnvironmentKind::FinanceOperations => "finance and operations",
                EnvironmentKind::Dataverse => "Dataverse",
            }
        ),
    ));
    steps.push(step(
        "live",
        "Enable live sync",
        format!("Keep {maps} running live and check that both sides agree."),
    ));
    steps
}

impl Api {
    pub fn scenarios(&self) -> Vec<ScenarioView> {
        SCENARIOS.iter().map(view).collect()
    }

    /// The plan a run of `id` would follow, without running anything.
    pub fn scenario_plan(
        &self,
        id: &str,
        options: ScenarioOptions,
    ) -> Result<ScenarioRun, ApiError> {
        let definition = definition(id)?;
        let options = checked_options(options)?;
        let linked = match self.store.link()? {
            Some(_) => Some(self.reset_plan()?),
            None => None,
        };
        Ok(ScenarioRun {
            scenario: view(definition),
            steps: plan_steps(definition, &options, linked.as_ref()),
            options,
            status: StepStatus::Pending,
            started_at: None,
            finished_at: None,
            bootstrap: None,
            agreement: Vec::new(),
            environments: None,
        })
    }

    /// The run in progress or the last one, as checkpointed.
    pub fn scenario_run(&self) -> Result<Option<ScenarioRun>, ApiError> {
        match self.store.state(RUN_STATE)? {
            Some(value) => Ok(serde_json::from_value(value).ok()),
            None => Ok(None),
        }
    }

    /// Runs scenario `id` to its end (or to `options.until`). An unfinished run of the same
    /// scenario resumes at its first step not done; its options stay as they were.
    pub async fn run_scenario(
        self: &Arc<Self>,
        id: &str,
        options: ScenarioOptions,
    ) -> Result<ScenarioRun, ApiError> {
        let _running = self.scenario_lock.try_lock().map_err(|_| {
            ApiError::new(
                Code::ScenarioRunning,
                "A setup scenario is running already.",
            )
        })?;
        let definition = definition(id)?;
        let mut run = match self.scenario_run()? {
            Some(mut previous)
                if previous.scenario.id == id && previous.status != StepStatus::Done =>
            {
                previous.options.until = options.until.clone();
                for step in &mut previous.steps {
                    if matches!(step.status, StepStatus::Running | StepStatus::Failed) {
                        step.status = StepStatus::Pending;
                    }
                }
                previous
            }
            _ => {
                let mut run = self.scenario_plan(id, options)?;
                run.started_at = Some(self.clock.stamp());
                run
            }
        };
        run.status = StepStatus::Running;
        self.checkpoint(&run)?;
        for index in 0..run.steps.len() {
            if matches!(
                run.steps[index].status,
                StepStatus::Done | StepStatus::Skipped
            ) {
                continue;
            }
            run.steps[index].status = StepStatus::Running;
            self.checkpoint(&run)?;
            let step_id = run.steps[index].id.clone();
            match self.run_step(definition, &step_id, &mut run).await {
                Ok(outcome) => {
                    let step = &mut run.steps[index];
                    step.status = outcome.0;
                    step.message = Some(outcome.1);
                }
                Err(error) => {
                    let step = &mut run.steps[index];
                    step.status = StepStatus::Failed;
                    step.message = Some(error.message.clone());
                    run.status = StepStatus::Failed;
                    run.finished_at = Some(self.clock.stamp());
                    self.checkpoint(&run)?;
                    return Ok(run);
                }
            }
            self.checkpoint(&run)?;
            if run.options.until.as_deref() == Some(step_id.as_str()) {
                run.status = StepStatus::Pending;
                self.checkpoint(&run)?;
                return Ok(run);
            }
        }
        run.status = StepStatus::Done;
        run.finished_at = Some(self.clock.stamp());
        self.checkpoint(&run)?;
        Ok(run)
    }

    /// Starts a run in the background; progress arrives as `scenarioChanged` events.
    pub fn start_scenario(
        self: &Arc<Self>,
        id: &str,
        options: ScenarioOptions,
    ) -> Result<ScenarioRun, ApiError> {
        let plan = self.scenario_plan(id, options.clone())?;
        if self.scenario_lock.try_lock().is_err() {
            return Err(ApiError::new(
                Code::ScenarioRunning,
                "A setup scenario is running already.",
            ));
        }
        let api = self.clone();
        let id = id.to_owned();
        tokio::spawn(async move {
            if let Err(error) = api.run_scenario(&id, options).await {
                tracing::error!(%error, scenario = %id, "the setup scenario could not run");
            }
        });
        Ok(plan)
    }

    fn checkpoint(&self, run: &ScenarioRun) -> Result<(), ApiError> {
        self.store
            .set_state(RUN_STATE, &json(run)?, &self.clock.stamp())?;
        let _ = self
            .events
            .send(DuetEvent::ScenarioChanged { run: run.clone() });
        Ok(())
    }

    /// Runs one step; returns its status (done or skipped) and what it did.
    async fn run_step(
        self: &Arc<Self>,
        definition: &Definition,
        step: &str,
        run: &mut ScenarioRun,
    ) -> Result<(StepStatus, String), ApiError> {
        let options = run.options.clone();
        match step {
            "reset" => {
                if self.store.link()?.is_none() {
                    return Ok((StepStatus::Skipped, "Nothing was linked.".to_owned()));
                }
                let plan = self.reset_plan()?;
                self.reset_link(&plan.confirmation, false).await?;
                Ok((
                    StepStatus::Done,
                    format!(
                        "Unlinked '{}' and '{}'.",
                        plan.finance_operations, plan.dataverse
                    ),
                ))
            }
            "provision" => {
                let mut config = SandboxConfig::new(self.data_dir.join("sandbox"));
                config.rows = options.rows as usize;
                config.fo_profile = match definition.finops {
                    FinOps::New => FoProfile::New,
                    FinOps::NewWithData | FinOps::Existing => FoProfile::WithData,
                };
                config.dv_profile = match definition.dataverse {
                    Crm::New => DvProfile::New,
                    Crm::Existing => DvProfile::Existing,
                };
                config.dv_existing_rows = options.existing_rows as usize;
                let (finops, dataverse) = self.provision_sandbox(config).await?;
                run.environments = Some((finops, dataverse));
                Ok((
                    StepStatus::Done,
                    format!(
                        "Sandbox environments started: finance and operations with {} customers, Dataverse with {} accounts and no companies.",
                        if definition.finops == FinOps::New {
                            0
                        } else {
                            options.rows
                        },
                        if definition.dataverse == Crm::New {
                            0
                        } else {
                            options.existing_rows
                        }
                    ),
                ))
            }
            "check" => {
                let (finops, dataverse) = options.environments.ok_or_else(|| {
                    ApiError::new(Code::InvalidScenario, "No environments were chosen.")
                })?;
                let message = self
                    .check_environments(definition, finops, dataverse)
                    .await?;
                run.environments = Some((finops, dataverse));
                Ok((StepStatus::Done, message))
            }
            "link" => {
                let (finops, dataverse) = run.environments.ok_or_else(|| {
                    ApiError::new(Code::InvalidScenario, "No environments were provisioned.")
                })?;
                self.link_environments(finops, dataverse, options.companies.clone())
                    .await?;
                Ok((
                    StepStatus::Done,
                    format!("Linked for {}.", options.companies.join(", ")),
                ))
            }
            "createCompany" => {
                let created = self.create_companies(&options.companies).await?;
                Ok((
                    StepStatus::Done,
                    if created.is_empty() {
                        "Dataverse already had every company.".to_owned()
                    } else {
                        format!("Created the companies {} in Dataverse.", created.join(", "))
                    },
                ))
            }
            "addCompanies" => {
                let link = self.set_link_companies(options.companies.clone()).await?;
                let unhealthy: Vec<String> = link
                    .finance_operations
                    .health
                    .iter()
                    .chain(&link.dataverse.health)
                    .filter(|check| {
                        check.code == "DUET-H003" && check.status != HealthStatus::Healthy
                    })
                    .map(|check| check.message.clone())
                    .collect();
                if !unhealthy.is_empty() {
                    return Err(ApiError::new(Code::Health, unhealthy.join(" ")));
                }
                Ok((
                    StepStatus::Done,
                    format!(
                        "The link syncs {}; both sides have the company rows.",
                        link.companies.join(", ")
                    ),
                ))
            }
            "bootstrap" => {
                if definition.dataverse == Crm::New {
                    return Ok((
                        StepStatus::Skipped,
                        "Dataverse is new: no rows to bootstrap.".to_owned(),
                    ));
                }
                let report = self.bootstrap_companies(&options.companies).await?;
                let message = format!(
                    "{} accounts matched a finance and operations customer and got its company; {} did not match and got {}.",
                    report.matched, report.unmatched, report.default_company
                );
                run.bootstrap = Some(report);
                Ok((StepStatus::Done, message))
            }
            "initialSync" => {
                let mut lines = Vec::new();
                for name in &options.maps {
                    let mut map = scenario_map(name)?;
                    map.master = match options.master {
                        EnvironmentKind::FinanceOperations => Side::FinanceOperations,
                        EnvironmentKind::Dataverse => Side::Dataverse,
                    };
                    self.put_map(&map)?;
                    let state = self.store.map(name)?.map(|record| record.state);
                    if state.as_deref() != Some("running") {
                        if matches!(state.as_deref(), Some("paused")) {
                            self.resume_map(name, ResumeMode::CatchUp).await?;
                        } else {
                            self.run_map(name).await?;
                        }
                    }
                    self.wait_running(name).await?;
                    lines.push(format!("{name}: initial sync finished"));
                }
                Ok((StepStatus::Done, lines.join("; ")))
            }
            "live" => {
                let mut agreements = Vec::new();
                for name in &options.maps {
                    self.wait_running(name).await?;
                    agreements.push(self.wait_agreement(name).await?);
                }
                let disagreeing: Vec<String> = agreements
                    .iter()
                    .filter(|agreement| !agreement.agrees())
                    .map(|agreement| {
                        format!(
                            "{}: {} missing in Dataverse, {} missing in finance and operations, {} differing ({})",
                            agreement.map,
                            agreement.missing_in_dataverse,
                            agreement.missing_in_finance_operations,
                            agreement.differing,
                            agreement.examples.join("; ")
                        )
                    })
                    .collect();
                let summary = agreements
                    .iter()
                    .map(|agreement| {
                        format!(
                            "{}: {} rows on both sides agree",
                            agreement.map, agreement.matched
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                run.agreement = agreements;
                if disagreeing.is_empty() {
                    Ok((StepStatus::Done, format!("Live sync is on. {summary}.")))
                } else {
                    Err(ApiError::new(
                        Code::Disagreement,
                        format!(
                            "The sides do not agree: {}. Open the error log of the map for the cause.",
                            disagreeing.join(" | ")
                        ),
                    ))
                }
            }
            other => Err(ApiError::new(
                Code::InvalidScenario,
                format!("unknown step '{other}'"),
            )),
        }
    }

    /// Stops the embedded sandbox, deletes its data (keeping its identity), and starts it
    /// again as `config` says; returns the environment ids.
    async fn provision_sandbox(
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
    async fn check_environments(
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
    async fn create_companies(&self, companies: &[String]) -> Result<Vec<String>, ApiError> {
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
    async fn bootstrap_companies(&self, companies: &[String]) -> Result<BootstrapReport, ApiError> {
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

    async fn wait_running(&self, name: &str) -> Result<(), ApiError> {
        let deadline = tokio::time::Instant::now() + INITIAL_SYNC_WAIT;
        // A map in Error retries by itself (a target down for a moment): the step fails only
        // when the error lasts.
        let mut errored_since: Option<tokio::time::Instant> = None;
        loop {
            let map = self.store.map(name)?.ok_or_else(|| {
                ApiError::new(Code::NotFound, format!("there is no map '{name}'"))
            })?;
            let errored = map.state == "error";
            let since = *errored_since.get_or_insert_with(tokio::time::Instant::now);
            if !errored {
                errored_since = None;
            }
            match map.state.as_str() {
                "running" if map.reason.is_none() => return Ok(()),
                "error" if since.elapsed() < ERROR_PATIENCE => {}
                "error" | "stopped" => {
                    return Err(ApiError::new(
                        Code::MapFailed,
                        format!(
                            "Map '{name}' is {}: {}",
                            map.state,
                            map.reason.unwrap_or_default()
                        ),
                    ));
                }
                _ => {}
            }
            if tokio::time::Instant::now() > deadline {
                return Err(ApiError::new(
                    Code::Timeout,
                    format!(
                        "Map '{name}' did not finish its initial sync in time; it keeps running — run the scenario again to resume."
                    ),
                ));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Compares both sides until they agree or live sync has had time to settle.
    async fn wait_agreement(&self, name: &str) -> Result<duet_engine::Agreement, ApiError> {
        let link = self.store.link()?.ok_or_else(ApiError::not_linked)?;
        let map = scenario_map(name)?;
        let (finops, dataverse) = self.clients().await?;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let agreement = duet_engine::compare(&finops, &dataverse, &map, &link.companies)
                .await
                .map_err(|error| ApiError::new(Code::Remote, error.to_string()))?;
            if agreement.agrees() || tokio::time::Instant::now() > deadline {
                return Ok(agreement);
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    /// Saves the scenario's version of a map (a new version when it differs).
    fn put_map(&self, map: &TableMap) -> Result<(), ApiError> {
        let definition = json(map)?;
        let unchanged = self
            .store
            .map(&map.name)?
            .is_some_and(|record| record.definition == definition);
        if !unchanged {
            self.store.save_map(
                &map.name,
                &definition,
                Some("set by a setup scenario"),
                &duet_store::default_author(),
                &self.clock.stamp(),
            )?;
        }
        Ok(())
    }
}

fn checked_options(mut options: ScenarioOptions) -> Result<ScenarioOptions, ApiError> {
    options.companies = options
        .companies
        .iter()
        .map(|code| code.trim().to_uppercase())
        .filter(|code| !code.is_empty())
        .collect();
    if options.companies.is_empty() {
        return Err(ApiError::new(
            Code::InvalidScenario,
            "Choose at least one legal entity.",
        ));
    }
    if options.maps.is_empty() {
        return Err(ApiError::new(
            Code::InvalidScenario,
            "Choose at least one map.",
        ));
    }
    for name in &options.maps {
        scenario_map(name)?;
    }
    Ok(options)
}

/// The maps a scenario can run.
fn scenario_map(name: &str) -> Result<TableMap, ApiError> {
    match name {
        "customers" => Ok(TableMap::customers()),
        other => Err(ApiError::new(
            Code::InvalidScenario,
            format!("The scenarios can run the map 'customers'; '{other}' is not available."),
        )),
    }
}
