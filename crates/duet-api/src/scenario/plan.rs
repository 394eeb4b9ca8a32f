//! The six scenarios and the plan of a run: which steps it takes for the chosen options,
//! each with what it will do, shown before anything runs.

use super::maps::ScenarioMap;
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
    let maps = options
        .choices
        .iter()
        .map(|choice| choice.map.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let mut steps = Vec::new();
    if let Some(plan) = linked {
        steps.push(planned(Step::Reset, reset_detail(plan)));
    }
    steps.push(match options.environments {
        None => planned(Step::Provision, provision_detail(definition, options)),
        Some(_) => planned(Step::Check, check_detail(definition)),
    });
    steps.push(planned(
        Step::CreateLegalEntity,
        match options.environments {
            None => format!(
                "Create the legal entities of {companies} that the sandbox finance and operations lacks."
            ),
            Some(_) => format!(
                "Check that finance and operations has the legal entities {companies}: a sandbox environment gets the missing ones created; for a cloud environment the step says how to create them."
            ),
        },
    ));
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
    steps.push(planned(Step::InitialSync, initial_sync_detail(options)));
    steps.push(planned(
        Step::Live,
        format!("Keep {maps} running live and check that both sides agree."),
    ));
    steps
}

fn side_name(kind: EnvironmentKind) -> &'static str {
    match kind {
        EnvironmentKind::FinanceOperations => "finance and operations",
        EnvironmentKind::Dataverse => "Dataverse",
    }
}

/// The maps in the order they start, each with its initial-sync choice and master.
fn initial_sync_detail(options: &ScenarioOptions) -> String {
    let lines: Vec<String> = options
        .choices
        .iter()
        .map(|choice| {
            if choice.initial_sync {
                format!(
                    "{}: initial sync, {} wins where both sides hold a row",
                    choice.map,
                    side_name(choice.master)
                )
            } else {
                format!("{}: no initial sync, live from now on", choice.map)
            }
        })
        .collect();
    format!("Start the maps in this order; {}.", lines.join("; "))
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
        "Run the health checks of both environments (sign-in, read permission, company rows), then check that finance and operations is {} and Dataverse is {} for the chosen maps.",
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
            "Give every Dataverse row of the company-specific maps without a company the company of its finance and operations match (by the map's key), or {} when none matches, and report every row that did not match.",
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
        let options = self.checked_options(options)?;
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
            bootstraps: Vec::new(),
            agreement: Vec::new(),
            environments: None,
        })
    }
}

/// The most legal entities one link syncs (dual-write's documented limit).
pub(crate) const MAX_COMPANIES: usize = 40;

/// Legal entity codes as typed, upper-cased and checked: letters and digits, three or four
/// characters (`DAT`, `USMF`: finance and operations keeps at most four), no repeats, at
/// most [`MAX_COMPANIES`].
fn checked_companies(codes: &[String]) -> Result<Vec<String>, ApiError> {
    let mut companies: Vec<String> = Vec::new();
    for code in codes.iter().map(|code| code.trim().to_uppercase()) {
        if code.is_empty() || companies.contains(&code) {
            continue;
        }
        let shaped = (3..=4).contains(&code.chars().count())
            && code.chars().all(|c| c.is_ascii_alphanumeric());
        if !shaped {
            return Err(ApiError::new(
                Code::InvalidScenario,
                format!(
                    "'{code}' is not a legal entity code: use a three-letter code such as DAT (letters and digits, 3 or 4 characters)"
                ),
            ));
        }
        companies.push(code);
    }
    if companies.is_empty() {
        return Err(ApiError::new(
            Code::InvalidScenario,
            "Choose at least one legal entity.",
        ));
    }
    if companies.len() > MAX_COMPANIES {
        return Err(ApiError::new(
            Code::InvalidScenario,
            format!(
                "{} legal entities were chosen; a link syncs at most {MAX_COMPANIES}",
                companies.len()
            ),
        ));
    }
    Ok(companies)
}

impl Api {
    /// The options with their legal entities checked and every map the run starts resolved
    /// into `choices`, in start order.
    pub(super) fn checked_options(
        &self,
        mut options: ScenarioOptions,
    ) -> Result<ScenarioOptions, ApiError> {
        options.companies = checked_companies(&options.companies)?;
        if options.maps.is_empty() {
            return Err(ApiError::new(
                Code::InvalidScenario,
                "Choose at least one map.",
            ));
        }
        options.choices = self
            .scenario_maps(&options)?
            .iter()
            .map(ScenarioMap::choice)
            .collect();
        Ok(options)
    }
}
