//! The steps of a scenario: their ids and titles, and what each does when it runs.

use std::sync::Arc;

use duet_maps::TableMap;
use duet_sandbox::{DvProfile, FoProfile, SandboxConfig};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::plan::{Crm, Definition, FinOps};
use crate::bootstrap::can_bootstrap;
use crate::error::json;
use crate::model::{HealthStatus, MapState, ResumeMode, ScenarioOptions, ScenarioRun, StepStatus};
use crate::{Api, ApiError, Code};

/// One step of a scenario. Its serialized name is the step's `id` in a plan and in the
/// checkpoint of a run in progress, which the store keeps as JSON: a run checkpointed by an
/// earlier Duet loads only while these names stay as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) enum Step {
    Reset,
    Provision,
    Check,
    CreateLegalEntity,
    Link,
    CreateCompany,
    AddCompanies,
    Bootstrap,
    InitialSync,
    Live,
}

impl Step {
    /// The step's id, as plans and checkpoints hold it.
    pub(super) fn id(self) -> String {
        match serde_json::to_value(self) {
            Ok(Value::String(id)) => id,
            // A unit variant always serializes as its name; this arm only completes the match.
            _ => format!("{self:?}"),
        }
    }

    /// The step a plan or checkpoint names by `id`.
    pub(super) fn parse(id: &str) -> Result<Step, ApiError> {
        serde_json::from_value(Value::from(id))
            .map_err(|_| ApiError::new(Code::InvalidScenario, format!("unknown step '{id}'")))
    }

    pub(super) fn title(self) -> &'static str {
        match self {
            Step::Reset => "Reset the current link",
            Step::Provision => "Provision sandbox environments",
            Step::Check => "Check the environments",
            Step::CreateLegalEntity => "New company in finance and operations",
            Step::Link => "Link the environments",
            Step::CreateCompany => "Create the company in Dataverse",
            Step::AddCompanies => "Add the company to the link",
            Step::Bootstrap => "Bootstrap existing Dataverse rows",
            Step::InitialSync => "Initial sync",
            Step::Live => "Enable live sync",
        }
    }

    /// Runs the step; the outcome says whether it was done or skipped, and what it did.
    pub(super) async fn run(self, step: StepRun<'_>) -> Result<Outcome, ApiError> {
        match self {
            Step::Reset => step.reset().await,
            Step::Provision => step.provision().await,
            Step::Check => step.check().await,
            Step::CreateLegalEntity => step.create_legal_entity().await,
            Step::Link => step.link().await,
            Step::CreateCompany => step.create_company().await,
            Step::AddCompanies => step.add_companies().await,
            Step::Bootstrap => step.bootstrap().await,
            Step::InitialSync => step.initial_sync().await,
            Step::Live => step.live().await,
        }
    }
}

/// What a step did: its status (done or skipped) and a line for the admin.
pub(super) struct Outcome {
    pub(super) status: StepStatus,
    pub(super) message: String,
}

impl Outcome {
    fn done(message: impl Into<String>) -> Outcome {
        Outcome {
            status: StepStatus::Done,
            message: message.into(),
        }
    }

    fn skipped(message: impl Into<String>) -> Outcome {
        Outcome {
            status: StepStatus::Skipped,
            message: message.into(),
        }
    }
}

/// A step at work: the API it acts through, the scenario, the run's options as the step
/// started, and the run it records what it found in (environments, bootstrap, agreement).
pub(super) struct StepRun<'a> {
    api: &'a Arc<Api>,
    definition: &'static Definition,
    options: ScenarioOptions,
    run: &'a mut ScenarioRun,
}

impl<'a> StepRun<'a> {
    pub(super) fn new(
        api: &'a Arc<Api>,
        definition: &'static Definition,
        run: &'a mut ScenarioRun,
    ) -> StepRun<'a> {
        StepRun {
            api,
            definition,
            options: run.options.clone(),
            run,
        }
    }

    async fn reset(self) -> Result<Outcome, ApiError> {
        if self.api.store.link()?.is_none() {
            return Ok(Outcome::skipped("Nothing was linked."));
        }
        let plan = self.api.reset_plan()?;
        self.api.reset_link(&plan.confirmation, false).await?;
        Ok(Outcome::done(format!(
            "Unlinked '{}' and '{}'.",
            plan.finance_operations, plan.dataverse
        )))
    }

    async fn provision(self) -> Result<Outcome, ApiError> {
        let (definition, options) = (self.definition, &self.options);
        let mut config = SandboxConfig::new(self.api.data_dir.join("sandbox"));
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
        let (finops, dataverse) = self.api.provision_sandbox(config).await?;
        self.run.environments = Some((finops, dataverse));
        Ok(Outcome::done(format!(
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
        )))
    }

    async fn check(self) -> Result<Outcome, ApiError> {
        let (finops, dataverse) = self
            .options
            .environments
            .ok_or_else(|| ApiError::new(Code::InvalidScenario, "No environments were chosen."))?;
        let maps: Vec<TableMap> = self
            .api
            .resolve_scenario_maps(&self.options.maps)?
            .into_iter()
            .map(|found| found.map)
            .collect();
        let message = self
            .api
            .check_environments(self.definition, finops, dataverse, &maps)
            .await?;
        self.run.environments = Some((finops, dataverse));
        Ok(Outcome::done(message))
    }

    async fn create_legal_entity(self) -> Result<Outcome, ApiError> {
        let (finops, _) = self
            .run
            .environments
            .ok_or_else(|| ApiError::new(Code::InvalidScenario, "No environments were chosen."))?;
        let created = self
            .api
            .create_legal_entities(finops, &self.options.companies)
            .await?;
        Ok(if created.is_empty() {
            Outcome::skipped(format!(
                "Finance and operations already has {}.",
                self.options.companies.join(", ")
            ))
        } else {
            Outcome::done(format!(
                "Created the legal entities {} in finance and operations.",
                created.join(", ")
            ))
        })
    }

    async fn link(self) -> Result<Outcome, ApiError> {
        let (finops, dataverse) = self.run.environments.ok_or_else(|| {
            ApiError::new(Code::InvalidScenario, "No environments were provisioned.")
        })?;
        self.api
            .link_environments(finops, dataverse, self.options.companies.clone())
            .await?;
        Ok(Outcome::done(format!(
            "Linked for {}.",
            self.options.companies.join(", ")
        )))
    }

    async fn create_company(self) -> Result<Outcome, ApiError> {
        let created = self.api.create_companies(&self.options.companies).await?;
        Ok(Outcome::done(if created.is_empty() {
            "Dataverse already had every company.".to_owned()
        } else {
            format!("Created the companies {} in Dataverse.", created.join(", "))
        }))
    }

    async fn add_companies(self) -> Result<Outcome, ApiError> {
        let link = self
            .api
            .set_link_companies(self.options.companies.clone())
            .await?;
        let unhealthy: Vec<String> = link
            .finance_operations
            .health
            .iter()
            .chain(&link.dataverse.health)
            .filter(|check| check.code == "DUET-H003" && check.status != HealthStatus::Healthy)
            .map(|check| check.message.clone())
            .collect();
        if !unhealthy.is_empty() {
            return Err(ApiError::new(Code::Health, unhealthy.join(" ")));
        }
        Ok(Outcome::done(format!(
            "The link syncs {}; both sides have the company rows.",
            link.companies.join(", ")
        )))
    }

    async fn bootstrap(self) -> Result<Outcome, ApiError> {
        if self.definition.dataverse == Crm::New {
            return Ok(Outcome::skipped("Dataverse is new: no rows to bootstrap."));
        }
        let companies = &self.options.companies;
        let default_company = companies
            .first()
            .ok_or_else(|| ApiError::new(Code::InvalidScenario, "No legal entity was chosen."))?;
        let mut lines = Vec::new();
        let mut reports = Vec::new();
        for found in self.api.resolve_scenario_maps(&self.options.maps)? {
            if !can_bootstrap(&found.map) {
                continue;
            }
            let report = self
                .api
                .bootstrap_striped(&found.map, companies, default_company, false)
                .await?;
            lines.push(format!(
                "{}: {} rows matched a finance and operations row and got its company; {} did not match and got {}",
                report.map, report.matched, report.unmatched, report.default_company
            ));
            reports.push(report);
        }
        self.run.bootstraps = reports;
        Ok(if lines.is_empty() {
            Outcome::skipped("No chosen map is company-specific with a plain key.")
        } else {
            Outcome::done(format!("{}.", lines.join("; ")))
        })
    }

    async fn initial_sync(self) -> Result<Outcome, ApiError> {
        let (api, options) = (self.api, &self.options);
        let found = api.resolve_scenario_maps(&options.maps)?;
        let mut lines = Vec::new();
        for choice in &api.scenario_choices(options)? {
            let Some(found) = found.iter().find(|found| found.map.name == choice.map) else {
                continue;
            };
            let mut map = found.map.clone();
            map.master = choice.master.into();
            api.put_map(&map)?;
            let state = api.store.map(&map.name)?.map(|record| record.state);
            match state {
                Some(MapState::Running) => {}
                Some(MapState::Paused) => {
                    api.resume_map(&map.name, ResumeMode::CatchUp).await?;
                }
                _ => {
                    api.run_map_with(&map.name, choice.initial_sync).await?;
                }
            }
            api.wait_running(&map.name).await?;
            lines.push(if choice.initial_sync {
                format!("{}: initial sync finished", map.name)
            } else {
                format!("{}: live from now on, no rows copied", map.name)
            });
        }
        Ok(Outcome::done(lines.join("; ")))
    }

    async fn live(self) -> Result<Outcome, ApiError> {
        let mut agreements = Vec::new();
        let mut live_only = Vec::new();
        let choices = self.api.scenario_choices(&self.options)?;
        for choice in &choices {
            self.api.wait_running(&choice.map).await?;
            // A map that skipped its initial sync copied nothing, so the sides may differ.
            if choice.initial_sync {
                agreements.push(self.api.wait_agreement(&choice.map).await?);
            } else {
                live_only.push(choice.map.as_str());
            }
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
        let summary =
            agreements
                .iter()
                .map(|agreement| {
                    format!(
                        "{}: {} rows on both sides agree",
                        agreement.map, agreement.matched
                    )
                })
                .chain(live_only.iter().map(|name| {
                    format!("{name}: live, rows that existed before were not compared")
                }))
                .collect::<Vec<_>>()
                .join("; ");
        self.run.agreement = agreements;
        if disagreeing.is_empty() {
            Ok(Outcome::done(format!("Live sync is on. {summary}.")))
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
}

impl Api {
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
