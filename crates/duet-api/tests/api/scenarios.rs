//! The six setup scenarios against the sandbox, each ending with both sides in agreement,
//! and a run interrupted part-way that resumes where it stopped. Needs a Secret Service
//! (scripts/test provides one).

use std::sync::Arc;

use duet_api::{Api, ApiOptions, EnvironmentKind, ScenarioOptions, ScenarioRun, StepStatus};

use crate::support::add_cloud_pair;

fn options() -> ApiOptions {
    ApiOptions {
        keyring_service: format!("dev.duet.app.scenario-test.{}", std::process::id()),
        ..ApiOptions::default()
    }
}

fn small() -> ScenarioOptions {
    ScenarioOptions {
        rows: 60,
        existing_rows: 20,
        ..ScenarioOptions::default()
    }
}

fn statuses(run: &ScenarioRun) -> Vec<(String, StepStatus)> {
    run.steps
        .iter()
        .map(|step| (step.id.clone(), step.status))
        .collect()
}

fn status_of(run: &ScenarioRun, id: &str) -> StepStatus {
    run.steps
        .iter()
        .find(|step| step.id == id)
        .map(|step| step.status)
        .unwrap_or_else(|| panic!("no step {id}"))
}

async fn run_to_agreement(id: &str, options: ScenarioOptions) -> (Arc<Api>, ScenarioRun) {
    let dir = tempfile::tempdir().unwrap();
    let api = Api::open(dir.path(), self::options()).await.unwrap();
    // WHEN the scenario runs on a fresh data directory.
    let run = api.run_scenario(id, options).await.unwrap();
    // THEN every step finished and both sides agree.
    assert_eq!(
        run.status,
        StepStatus::Done,
        "{id}: {:#?}",
        run.steps
            .iter()
            .filter(|s| s.status == StepStatus::Failed)
            .collect::<Vec<_>>()
    );
    assert_eq!(run.agreement.len(), 1);
    let agreement = &run.agreement[0];
    assert!(agreement.agrees(), "{id}: {agreement:#?}");
    // The temp dir must outlive the API's files for the rest of the test.
    std::mem::forget(dir);
    (api, run)
}

#[tokio::test]
async fn new_finance_and_operations_with_new_dataverse() {
    let (api, run) = run_to_agreement("new-new", small()).await;
    let agreement = &run.agreement[0];
    assert_eq!(agreement.matched, 0, "both sides start and stay empty");
    assert!(
        statuses(&run).contains(&("bootstrap".to_owned(), StepStatus::Skipped)),
        "a new Dataverse has nothing to bootstrap"
    );
    assert_eq!(
        run.steps[0].id, "provision",
        "nothing was linked, so no reset"
    );
    api.shutdown().await;
}

#[tokio::test]
async fn new_finance_and_operations_with_existing_dataverse() {
    let (api, run) = run_to_agreement("new-existing", small()).await;
    // Dataverse rows had no company and finance and operations no customers: every account
    // got the default company and was created in finance and operations.
    let report = run.bootstraps.first().cloned().expect("bootstrap report");
    assert_eq!((report.matched, report.unmatched), (0, 20));
    assert_eq!(report.default_company, "DAT");
    assert_eq!(run.agreement[0].matched, 20);
    assert_eq!(run.agreement[0].finance_operations_rows, 20);
    api.shutdown().await;
}

#[tokio::test]
async fn new_finance_and_operations_with_data_and_new_dataverse() {
    let (api, run) = run_to_agreement("new-data-new", small()).await;
    let agreement = &run.agreement[0];
    // DAT only: the generated customers of USMF stay out of the link.
    assert!(agreement.matched > 10, "{agreement:?}");
    assert_eq!(agreement.matched, agreement.finance_operations_rows);
    assert_eq!(agreement.dataverse_rows, agreement.finance_operations_rows);
    api.shutdown().await;
}

#[tokio::test]
async fn new_finance_and_operations_with_data_and_existing_dataverse() {
    let (api, run) = run_to_agreement("new-data-existing", small()).await;
    let report = run.bootstraps.first().cloned().expect("bootstrap report");
    // Half the existing accounts share account numbers with generated customers; those in
    // DAT match, the rest (USMF customers' numbers and Dataverse-only ones) do not.
    assert!(report.matched > 0, "{report:?}");
    assert!(report.unmatched >= 10, "{report:?}");
    assert_eq!(report.matched + report.unmatched, 20);
    // Every row is reported, matched or not, with the company it got.
    assert_eq!(report.rows.len(), 20, "{report:?}");
    assert!(
        report
            .rows
            .iter()
            .any(|row| !row.matched && row.key.starts_with("EX-") && row.company == "DAT"),
        "{report:?}"
    );
    api.shutdown().await;
}

#[tokio::test]
async fn existing_finance_and_operations_with_new_dataverse() {
    let (api, run) = run_to_agreement("existing-new", small()).await;
    assert!(run.agreement[0].matched > 10);
    api.shutdown().await;
}

#[tokio::test]
async fn existing_finance_and_operations_with_existing_dataverse_where_dataverse_masters() {
    let options = ScenarioOptions {
        master: EnvironmentKind::Dataverse,
        companies: vec!["DAT".to_owned(), "USMF".to_owned()],
        ..small()
    };
    let (api, run) = run_to_agreement("existing-existing", options).await;
    let report = run.bootstraps.first().cloned().expect("bootstrap report");
    // With both companies linked, every shared account number matches.
    assert_eq!(report.matched, 10, "{report:?}");
    assert_eq!(report.unmatched, 10, "{report:?}");
    // Dataverse won for the matched rows: its names are now in finance and operations too,
    // and the comparison (which reads both sides afresh) agrees.
    assert_eq!(
        run.agreement[0].dataverse_rows,
        run.agreement[0].finance_operations_rows
    );
    api.shutdown().await;
}

#[tokio::test]
async fn an_interrupted_run_resumes_where_it_stopped() {
    let dir = tempfile::tempdir().unwrap();
    // GIVEN a run that stopped after bootstrapping (as if Duet closed).
    {
        let api = Api::open(dir.path(), options()).await.unwrap();
        let plan = api.scenario_plan("new-data-existing", small()).unwrap();
        let ids: Vec<&str> = plan.steps.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "provision",
                "createLegalEntity",
                "link",
                "createCompany",
                "addCompanies",
                "bootstrap",
                "initialSync",
                "live"
            ]
        );
        assert!(plan.steps.iter().all(|s| s.status == StepStatus::Pending));
        let run = api
            .run_scenario(
                "new-data-existing",
                ScenarioOptions {
                    until: Some("bootstrap".to_owned()),
                    ..small()
                },
            )
            .await
            .unwrap();
        assert_eq!(run.status, StepStatus::Pending);
        assert_eq!(status_of(&run, "bootstrap"), StepStatus::Done);
        assert_eq!(status_of(&run, "initialSync"), StepStatus::Pending);
        api.shutdown().await;
    }
    // WHEN Duet opens again and the scenario is run again.
    let api = Api::open(dir.path(), options()).await.unwrap();
    api.start_default().await.unwrap();
    let checkpoint = api.scenario_run().unwrap().expect("checkpointed run");
    assert_eq!(status_of(&checkpoint, "bootstrap"), StepStatus::Done);
    let bootstrap_before = checkpoint.bootstraps.clone();
    let run = api
        .run_scenario("new-data-existing", ScenarioOptions::default())
        .await
        .unwrap();
    // THEN it continued from the initial sync with the options it started with, and the
    // earlier steps were not run again.
    assert_eq!(run.status, StepStatus::Done, "{:#?}", run.steps);
    assert_eq!(run.options.rows, 60, "the first run's options are kept");
    assert_eq!(run.bootstraps, bootstrap_before);
    assert!(run.agreement[0].agrees(), "{:#?}", run.agreement);
    api.shutdown().await;
}

#[tokio::test]
async fn a_linked_duet_is_reset_first_and_unknown_scenarios_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let api = Api::open(dir.path(), options()).await.unwrap();
    api.start_sandbox_demo().await.unwrap();
    let plan = api.scenario_plan("new-new", small()).unwrap();
    assert_eq!(plan.steps[0].id, "reset");
    assert!(
        plan.steps[0]
            .detail
            .contains("'Sandbox finance and operations' and 'Sandbox Dataverse'"),
        "{}",
        plan.steps[0].detail
    );
    let error = api.scenario_plan("old-new", small()).unwrap_err();
    assert_eq!(error.code, "not_found");
    assert!(
        error.message.contains("new-data-existing"),
        "{}",
        error.message
    );
    let run = api.run_scenario("new-new", small()).await.unwrap();
    assert_eq!(run.status, StepStatus::Done, "{:#?}", run.steps);
    assert_eq!(
        api.scenarios()
            .iter()
            .map(|s| s.id.as_str())
            .collect::<Vec<_>>(),
        [
            "new-new",
            "new-existing",
            "new-data-new",
            "new-data-existing",
            "existing-new",
            "existing-existing"
        ]
    );
    api.shutdown().await;
}

#[tokio::test]
async fn against_given_environments_the_scenario_checks_them_instead_of_provisioning() {
    // GIVEN two environments Duet did not provision (a separate sandbox standing in for the
    // cloud): finance and operations with data, Dataverse new.
    let dir = tempfile::tempdir().unwrap();
    let mut config = duet_sandbox::SandboxConfig::new(dir.path().join("cloud"));
    config.rows = 30;
    config.dv_profile = duet_sandbox::DvProfile::New;
    let cloud = duet_sandbox::Sandbox::start(config).await.unwrap();
    let api = Api::open(&dir.path().join("duet"), options())
        .await
        .unwrap();
    let (fo, dv) = add_cloud_pair(&api, &cloud, true).await;
    let given = ScenarioOptions {
        environments: Some((fo, dv)),
        ..small()
    };

    // WHEN a scenario that expects an empty finance and operations runs against them.
    let wrong = api.run_scenario("new-new", given.clone()).await.unwrap();
    // THEN the check step fails and says why, and nothing is linked.
    assert_eq!(wrong.status, StepStatus::Failed);
    assert_eq!(wrong.steps[0].id, "check");
    let message = wrong.steps[0].message.clone().unwrap();
    assert!(
        message.contains("expects a new finance and operations environment"),
        "{message}"
    );
    assert!(api.link().await.unwrap().is_none());

    // WHEN the matching scenario runs.
    let run = api.run_scenario("new-data-new", given).await.unwrap();
    // THEN it checks instead of provisioning, and ends in agreement.
    assert_eq!(run.status, StepStatus::Done, "{:#?}", run.steps);
    assert_eq!(run.steps[0].id, "check");
    assert!(run.steps.iter().all(|step| step.id != "provision"));
    assert!(
        run.agreement[0].agrees() && run.agreement[0].matched > 5,
        "{:#?}",
        run.agreement
    );
    api.shutdown().await;
    cloud.shutdown().await;
}
