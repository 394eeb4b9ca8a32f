//! The live demo on the embedded sandbox: rows found by key and name, a field written on one
//! side arriving on the other, and the scripted demos passing. Needs a Secret Service.

use std::time::Duration;

use duet_api::{Api, DemoOutcome, DemoRun, DemoScript, DemoStepStatus, MapState};
use serde_json::json;

use crate::support::{eventually, options, running};

async fn finished(api: &Api) -> DemoRun {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    loop {
        let run = api.demo_script_run().unwrap().expect("a run is stored");
        if run.outcome != DemoOutcome::Running {
            return run;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the demo did not end: {run:#?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn passes(api: &std::sync::Arc<Api>, script: DemoScript, key: &str) -> DemoRun {
    api.start_demo_script(script, "customers", Some(key.to_owned()))
        .unwrap();
    let run = finished(api).await;
    assert!(
        matches!(run.outcome, DemoOutcome::Passed { .. }),
        "{script:?} passes on the sandbox: {run:#?}"
    );
    assert!(
        run.steps
            .iter()
            .all(|step| step.status == DemoStepStatus::Done),
        "every step is done: {run:#?}"
    );
    let map = api.maps().await.unwrap().into_iter().next().unwrap();
    assert_eq!(
        map.state,
        MapState::Running,
        "the demo leaves the map running"
    );
    run
}

#[tokio::test]
async fn the_demo_finds_rows_carries_an_edit_and_its_scripts_pass() {
    // GIVEN the sandbox demo with the customers map running.
    let dir = tempfile::tempdir().unwrap();
    let api = Api::open(dir.path(), options("demo")).await.unwrap();
    api.start_sandbox_demo().await.unwrap();
    running(&api).await;

    // WHEN rows are searched without text, THEN rows on both sides are listed.
    let rows = eventually("rows on both sides", || async {
        let rows = api
            .call("demo_rows", json!({"map": "customers"}))
            .await
            .ok()?;
        let rows = rows.as_array()?.clone();
        rows.iter()
            .any(|row| row["onFinanceOperations"] == true && row["onDataverse"] == true)
            .then_some(rows)
    })
    .await;
    let row = rows
        .iter()
        .find(|row| row["onFinanceOperations"] == true && row["onDataverse"] == true)
        .unwrap();
    let key = row["key"].as_str().unwrap().to_owned();
    let name = row["name"].as_str().unwrap().to_owned();
    let account = key.split_once('|').unwrap().1.to_owned();
    // AND a search by account number and one by a part of the name both find it.
    for search in [account.as_str(), &name[..name.len().min(6)]] {
        let found = api
            .call("demo_rows", json!({"map": "customers", "search": search}))
            .await
            .unwrap();
        assert!(
            found
                .as_array()
                .unwrap()
                .iter()
                .any(|row| row["key"] == key),
            "searching '{search}' finds {key}: {found:#}"
        );
    }

    // WHEN the memo is written on the finance and operations side.
    let memo = format!("Edited in the demo {}", std::process::id());
    let written = api
        .call(
            "demo_write",
            json!({"map": "customers", "side": "financeOperations", "key": key,
                   "column": "SalesMemo", "value": memo}),
        )
        .await
        .unwrap();
    assert!(written["writtenAtMs"].as_i64().unwrap() > 0);
    // THEN the row as Dataverse holds it shows it, on the line of its mapping.
    eventually("the memo in Dataverse", || async {
        let view = api
            .call("demo_row", json!({"map": "customers", "key": key}))
            .await
            .ok()?;
        let fields = view["fields"].as_array()?;
        let line = fields
            .iter()
            .find(|field| field["dataverse"] == "description")?;
        (line["dataverseValue"] == memo.as_str() && line["financeOperationsValue"] == memo.as_str())
            .then_some(())
    })
    .await;
    // AND the row's history holds the write to Dataverse.
    let history = api
        .call("demo_history", json!({"map": "customers", "key": key}))
        .await
        .unwrap();
    assert!(
        history
            .as_array()
            .unwrap()
            .iter()
            .any(|line| line["direction"] == "toDataverse"
                && line["payload"]["description"] == memo.as_str()),
        "the history shows the memo written to Dataverse: {history:#}"
    );
    // AND a key column is not editable here.
    let refused = api
        .call(
            "demo_write",
            json!({"map": "customers", "side": "dataverse", "key": key,
                   "column": "accountnumber", "value": "X"}),
        )
        .await
        .unwrap_err();
    assert_eq!(refused.code, "bad_arguments");

    // WHEN each scripted demo runs, THEN each passes and leaves the map running.
    let run = passes(&api, DemoScript::PauseCatchUp, &key).await;
    assert!(
        run.steps[3]
            .detail
            .as_deref()
            .unwrap_or_default()
            .contains("NameA → NameB → NameC"),
        "{run:#?}"
    );
    passes(&api, DemoScript::ConflictMasterWins, &key).await;
    let run = passes(&api, DemoScript::RefusedRetry, &key).await;
    assert!(
        run.steps[1]
            .detail
            .as_deref()
            .unwrap_or_default()
            .contains("maximum allowed length"),
        "the refusal is Dataverse's: {run:#?}"
    );
    assert!(
        run.steps[3]
            .detail
            .as_deref()
            .unwrap_or_default()
            .contains("read before Duet wrote"),
        "the retried change is settled by the stale-read rule, not sent again: {run:#?}"
    );
    passes(&api, DemoScript::CreateAppears, &key).await;
    api.shutdown().await;
}
