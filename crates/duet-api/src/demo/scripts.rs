//! Scripted demos: four stories a consultant runs with one click and narrates. A run is a
//! background task that goes through its script's steps in order and tells the shells after
//! each change (`demoChanged`), ending in a pass or a failure with its reason. The newest
//! run is kept in the `state` table, so a window opened later shows it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::json;
use crate::model::DuetEvent;
use crate::{Api, ApiError, Code};

/// The `state` document holding the newest run.
const RUN_STATE: &str = "demo.run";

/// Set while a scripted demo runs: one at a time, as they pause and change the same map.
static RUNNING: AtomicBool = AtomicBool::new(false);

/// One of the scripted demos.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum DemoScript {
    /// A row created on one side appears on the other.
    CreateAppears,
    /// Paused, the name changed three times, resumed with catch-up: the three arrive in order.
    PauseCatchUp,
    /// A value the other side refuses lands in the error log; fixed and retried.
    RefusedRetry,
    /// Both sides change the same field while paused: the master's value wins.
    ConflictMasterWins,
}

impl DemoScript {
    pub const ALL: [DemoScript; 4] = [
        DemoScript::CreateAppears,
        DemoScript::PauseCatchUp,
        DemoScript::RefusedRetry,
        DemoScript::ConflictMasterWins,
    ];

    pub fn title(self) -> &'static str {
        match self {
            DemoScript::CreateAppears => "Create on one side, appears on the other",
            DemoScript::PauseCatchUp => "Pause, change three times, catch up in order",
            DemoScript::RefusedRetry => "A refused change: error log, fix and retry",
            DemoScript::ConflictMasterWins => "A conflict, and the master wins",
        }
    }

    fn narration(self) -> &'static str {
        match self {
            DemoScript::CreateAppears => {
                "A new row is created in Dataverse; Duet creates it in finance and operations."
            }
            DemoScript::PauseCatchUp => {
                "While the map is paused, changes are captured, never lost; catching up replays them in order."
            }
            DemoScript::RefusedRetry => {
                "Finance and operations takes a 60-character phone number; Dataverse holds 50. The refusal is kept with its payload until it is fixed."
            }
            DemoScript::ConflictMasterWins => {
                "Both sides change the same row before either change is applied: the map's master wins and the loser is logged."
            }
        }
    }

    /// The steps, in the order the run goes through them.
    pub(super) fn steps(self) -> &'static [&'static str] {
        match self {
            DemoScript::CreateAppears => &[
                "Create a row in Dataverse",
                "Watch it appear in finance and operations",
            ],
            DemoScript::PauseCatchUp => &[
                "Pause the map",
                "Change the name to NameA, NameB, NameC in finance and operations",
                "Resume with catch-up",
                "Watch NameA, NameB, NameC arrive in Dataverse in order",
            ],
            DemoScript::RefusedRetry => &[
                "Write a 60-character phone number in finance and operations",
                "Dataverse refuses it: the change is in the error log",
                "Fix the phone number in Dataverse",
                "Retry the failed change",
                "Both sides hold the fixed phone number",
            ],
            DemoScript::ConflictMasterWins => &[
                "Pause the map",
                "Change the name on both sides",
                "Resume with catch-up",
                "The master's name is on both sides and the loser is logged",
            ],
        }
    }
}

/// A script as the Demo page lists it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DemoScriptView {
    pub script: DemoScript,
    pub title: String,
    pub narration: String,
    pub steps: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum DemoStepStatus {
    Pending,
    Running,
    Done,
    Failed,
}

/// One step of a run: what it does, where it is, and what it did or why it failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DemoStep {
    pub title: String,
    pub status: DemoStepStatus,
    pub detail: Option<String>,
}

/// How a run ended, or that it has not yet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum DemoOutcome {
    Running,
    Passed { summary: String },
    Failed { reason: String },
}

/// A run of a scripted demo.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DemoRun {
    pub script: DemoScript,
    pub title: String,
    pub map: String,
    /// The row the run works on, once chosen or created.
    pub key: Option<String>,
    pub started_at: String,
    pub steps: Vec<DemoStep>,
    pub outcome: DemoOutcome,
}

/// A step's result: what it did, or why it failed.
pub(super) type StepResult = Result<String, String>;

/// Drives one run: marks steps, stores the run and tells the shells.
pub(super) struct Runner {
    pub(super) api: Arc<Api>,
    pub(super) run: DemoRun,
    next: usize,
}

impl Runner {
    fn publish(&self) {
        match json(&self.run) {
            Ok(value) => {
                if let Err(error) =
                    self.api
                        .store
                        .set_state(RUN_STATE, &value, &self.api.clock.stamp())
                {
                    tracing::error!(%error, "could not store the demo run");
                }
            }
            Err(error) => tracing::error!(%error, "could not write the demo run"),
        }
        let _ = self.api.events.send(DuetEvent::DemoChanged {
            run: self.run.clone(),
        });
    }

    /// Runs the next step: marked running, then done with what `work` did or failed with
    /// its reason (which ends the script, through `?`).
    pub(super) async fn step(
        &mut self,
        work: impl Future<Output = StepResult>,
    ) -> Result<String, String> {
        let index = self.next;
        self.next += 1;
        self.run.steps[index].status = DemoStepStatus::Running;
        self.publish();
        let result = work.await;
        let step = &mut self.run.steps[index];
        match &result {
            Ok(detail) => {
                step.status = DemoStepStatus::Done;
                step.detail = Some(detail.clone());
            }
            Err(reason) => {
                step.status = DemoStepStatus::Failed;
                step.detail = Some(reason.clone());
            }
        }
        let title = step.title.clone();
        self.publish();
        result.map_err(|reason| format!("{title}: {reason}"))
    }

    pub(super) fn set_key(&mut self, key: &str) {
        self.run.key = Some(key.to_owned());
        self.publish();
    }
}

impl Api {
    /// Every scripted demo with its steps.
    pub fn demo_scripts(&self) -> Vec<DemoScriptView> {
        DemoScript::ALL
            .iter()
            .map(|script| DemoScriptView {
                script: *script,
                title: script.title().to_owned(),
                narration: script.narration().to_owned(),
                steps: script
                    .steps()
                    .iter()
                    .map(|step| (*step).to_owned())
                    .collect(),
            })
            .collect()
    }

    /// The newest scripted demo run, running or ended.
    pub fn demo_script_run(&self) -> Result<Option<DemoRun>, ApiError> {
        Ok(self
            .store
            .state(RUN_STATE)?
            .and_then(|value| serde_json::from_value(value).ok()))
    }

    /// Starts `script` on map `map` (on row `key` where the script changes an existing row;
    /// the first row on both sides otherwise) and answers at once; the run goes on in the
    /// background.
    pub fn start_demo_script(
        self: &Arc<Self>,
        script: DemoScript,
        map: &str,
        key: Option<String>,
    ) -> Result<DemoRun, ApiError> {
        self.demo_map(map)?;
        if RUNNING.swap(true, Ordering::SeqCst) {
            return Err(ApiError::new(
                Code::DemoRunning,
                "a scripted demo is running; wait until it ends",
            ));
        }
        let run = DemoRun {
            script,
            title: script.title().to_owned(),
            map: map.to_owned(),
            key: None,
            started_at: self.clock.stamp(),
            steps: script
                .steps()
                .iter()
                .map(|title| DemoStep {
                    title: (*title).to_owned(),
                    status: DemoStepStatus::Pending,
                    detail: None,
                })
                .collect(),
            outcome: DemoOutcome::Running,
        };
        let mut runner = Runner {
            api: self.clone(),
            run: run.clone(),
            next: 0,
        };
        runner.publish();
        tokio::spawn(async move {
            let outcome = runner.play(key).await;
            runner.run.outcome = match outcome {
                Ok(summary) => DemoOutcome::Passed { summary },
                Err(reason) => DemoOutcome::Failed { reason },
            };
            runner.publish();
            RUNNING.store(false, Ordering::SeqCst);
        });
        Ok(run)
    }
}
