//! Running a scenario: step after step, checkpointed in the store after each so that a run
//! interrupted part-way resumes at its first step not done.

use std::sync::Arc;

use duet_sandbox::SandboxConfig;

use super::plan::definition;
use super::steps::{Outcome, Step, StepRun};
use crate::error::json;
use crate::model::{DuetEvent, ScenarioOptions, ScenarioRun, StepStatus};
use crate::{Api, ApiError, Code};

/// The store document that holds the current (or last) run.
const RUN_STATE: &str = "scenario.run";

impl Api {
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
        let mut run = self.run_to_carry_on(id, options)?;
        self.reopen_for(&run).await?;
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
            let outcome = match Step::parse(&step_id) {
                Ok(step) => step.run(StepRun::new(self, definition, &mut run)).await,
                Err(unknown) => Err(unknown),
            };
            match outcome {
                Ok(Outcome { status, message }) => {
                    let step = &mut run.steps[index];
                    step.status = status;
                    step.message = Some(message);
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

    /// The unfinished run of scenario `id`, its failed or interrupted steps to be tried again
    /// and its options kept but for `until`; or a new run of it with `options`.
    fn run_to_carry_on(&self, id: &str, options: ScenarioOptions) -> Result<ScenarioRun, ApiError> {
        Ok(match self.scenario_run()? {
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
        })
    }

    /// Brings back what the run's finished steps left running when this Duet is a new process
    /// (the last one stopped or was killed part-way): the sandbox it provisioned, started again
    /// over its data (its ports may have moved, so its environments are refreshed), and the
    /// engine over the stored link, resuming the maps that were running. A process that kept
    /// them running has nothing to do here.
    async fn reopen_for(self: &Arc<Self>, run: &ScenarioRun) -> Result<(), ApiError> {
        let carried_on = run
            .steps
            .iter()
            .any(|step| matches!(step.status, StepStatus::Done | StepStatus::Skipped));
        if !carried_on {
            return Ok(());
        }
        let provisioned = run
            .steps
            .iter()
            .any(|step| step.id == Step::Provision.id() && step.status == StepStatus::Done);
        if provisioned && self.sandbox.lock().await.is_none() {
            self.start_sandbox(SandboxConfig::new(self.data_dir.join("sandbox")))
                .await?;
        }
        if self.engine.read().await.is_none() {
            self.resume().await?;
        }
        Ok(())
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

    /// Stores the run as it is now and tells listeners that it moved on.
    fn checkpoint(&self, run: &ScenarioRun) -> Result<(), ApiError> {
        self.store
            .set_state(RUN_STATE, &json(run)?, &self.clock.stamp())?;
        let _ = self
            .events
            .send(DuetEvent::ScenarioChanged { run: run.clone() });
        Ok(())
    }
}
