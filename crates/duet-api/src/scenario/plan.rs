//! The six scenarios and the plan of a run: which steps it takes for the chosen options,
//! each with what it will do, shown before anything runs.

use duet_maps::TableMap;

use super::steps::Step;
use crate::model::{
    EnvironmentKind, ResetPlan, ScenarioOptions, ScenarioRun, ScenarioStep, ScenarioView,
    StepStatus,
};
use crate::{Api, ApiError, Code};

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum FinOps {
    New,
    NewWithData,
    Existing,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Crm {
    New,
    Existing,
}

/// One documented scenario: which kind of environment each side is.
pub(super) struct Definition {
    id: &'static str,
    pub(super) finops: FinOps,
    pub(super) dataverse: Crm,
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

pub(super) fn definition(id: &str) -> Result<&'static Definition, ApiError> {
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

pub(super) fn finops_label(kind: FinOps) -> &'static str {
    match kind {
        FinOps::New => "new",
        FinOps::NewWithData => "new with data",
        FinOps::Existing => "existing",
    }
}

pub(super) fn crm_label(kind: Crm) -> &'static str {
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

/// A step as the plan shows it before it runs.
fn planned(step: Step, detail: String) -> ScenarioStep {
    ScenarioStep {
        id: step.id(),
        title: step.title().to_owned(),
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
        steps.push(planned(Step::Reset, reset_detail(plan)));
    }
    steps.push(match options.environments {
        None => planned(Step::Provision, provision_detail(definition, options)),
        Some(_) => planned(Step::Check, check_detail(definition)),
    });
    steps.push(planned(
        Step::Link,
        format!("Link finance and operations with Dataverse for {companies}."),
    ));
    steps.push(planned(
        Step::CreateCompany,
        format!("Create a company row (cdm_company) for each of {companies} that Dataverse lacks."),
    ));
    steps.push(planned(
        Step::AddCompanies,
        format!("Sync the legal entities {companies}, and check both sides have them."),
    ));
    steps.push(planned(
        Step::Bootstrap,
        bootstrap_detail(definition, options),
    ));
    steps.push(planned(
        Step::InitialSync,
        format!(
            "Run the maps {maps} with an initial sync in both directions; {} wins where both sides hold a row.",
            match options.master {
                EnvironmentKind::FinanceOperations => "finance and operations",
                EnvironmentKind::Dataverse => "Dataverse",
            }
        ),
    ));
    steps.push(planned(
        Step::Live,
        format!("Keep {maps} running live and check that both sides agree."),
    ));
    steps
}

fn reset_detail(plan: &ResetPlan) -> String {
    format!(
        "Duet is linked to '{}' and '{}'. Reset that link first: {}",
        plan.finance_operations,
        plan.dataverse,
        plan.deletes.join(" ")
    )
}

fn provision_detail(definition: &Definition, options: &ScenarioOptions) -> String {
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
    )
}

fn check_detail(definition: &Definition) -> String {
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
    )
}

fn bootstrap_detail(definition: &Definition, options: &ScenarioOptions) -> String {
    if definition.dataverse == Crm::Existing {
        format!(
            "Give every account without a company the company of its finance and operations match (by account number), or {} when none matches, and report what did not match.",
            options
                .companies
                .first()
                .map(String::as_str)
                .unwrap_or("DAT")
        )
    } else {
        "Nothing to do: Dataverse is new.".to_owned()
    }
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
pub(super) fn scenario_map(name: &str) -> Result<TableMap, ApiError> {
    match name {
        "customers" => Ok(TableMap::customers()),
        other => Err(ApiError::new(
            Code::InvalidScenario,
            format!("The scenarios can run the map 'customers'; '{other}' is not available."),
        )),
    }
}
