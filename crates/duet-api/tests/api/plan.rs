//! Run plans and bulk actions over several maps, through the command dispatcher.
//! The tests that run maps use the demo sandbox and need a Secret Service (scripts/test
//! provides one).

use std::sync::Arc;

use duet_api::{Api, ApiError, BulkResult, MapState, MapVersionView, RunPlan};
use duet_maps::templates;
use serde_json::{Value, json};

use crate::support::{eventually, options, running};

async fn call<T: serde::de::DeserializeOwned>(api: &Arc<Api>, command: &str, args: Value) -> T {
    let answer = api
        .call(command, args)
        .await
        .unwrap_or_else(|error| panic!("{command} failed: {error}"));
    serde_json::from_value(answer).expect("answer shape")
}

async fn refused(api: &Arc<Api>, command: &str, args: Value) -> ApiError {
    match api.call(command, args).await {
        Ok(answer) => panic!("{command} was accepted: {answer}"),
        Err(error) => error,
    }
}

fn template(name: &str) -> Value {
    let map = templates()
        .into_iter()
        .find(|map| map.name == name)
        .unwrap_or_else(|| panic!("no template {name}"));
    serde_json::to_value(map).expect("json")
}

async fn save(api: &Arc<Api>, map: Value) {
    api.call("save_map", json!({"map": map}))
        .await
        .expect("the map is saved");
}

fn order(plan: &RunPlan) -> Vec<&str> {
    plan.steps.iter().map(|step| step.map.as_str()).collect()
}

#[tokio::test]
async fn a_plan_adds_the_maps_looked_up_in_dependency_order_and_names_a_cycle() {
    // GIVEN the customers template and two of the maps it looks up, stored (not running).
    let dir = tempfile::tempdir().unwrap();
    let api = Api::open(dir.path(), options("plan-order")).await.unwrap();
    save(&api, template("customers-v3-accounts")).await;
    save(&api, template("customer-groups")).await;
    save(&api, template("currencies")).await;
    save(&api, template("units")).await;

    // WHEN a plan is asked for the customers map alone.
    let plan: RunPlan = call(
        &api,
        "run_plan",
        json!({"names": ["customers-v3-accounts"]}),
    )
    .await;
    // THEN it holds the stored maps it looks up, before it, and nothing unrelated.
    assert_eq!(
        order(&plan),
        ["currencies", "customer-groups", "customers-v3-accounts"]
    );
    let customers = &plan.steps[2];
    assert_eq!(customers.depends_on, ["currencies", "customer-groups"]);
    assert!(
        customers.initial_sync,
        "a map that never synced starts with one"
    );
    assert_eq!(customers.state, MapState::NotRunning);
    assert!(plan.steps[0].depends_on.is_empty());

    // WHEN the steps are started in the wrong order.
    let wrong = json!({"steps": [
        {"map": "customers-v3-accounts", "initialSync": true, "master": "financeOperations"},
        {"map": "customer-groups", "initialSync": true, "master": "financeOperations"},
    ]});
    let error = refused(&api, "start_plan", wrong).await;
    // THEN it is refused naming both maps, and nothing changed.
    assert_eq!(error.code, "plan_order", "{error}");
    assert!(
        error.message.contains("'customers-v3-accounts'")
            && error.message.contains("'customer-groups'"),
        "{}",
        error.message
    );

    // WHEN customer groups look customers up too.
    let mut groups = template("customer-groups");
    let mut field = groups["fields"][1].clone();
    field["lookup"] = json!({"targetMap": "customers-v3-accounts"});
    groups["fields"].as_array_mut().unwrap().push(field);
    save(&api, groups).await;
    // THEN a plan is refused naming the cycle.
    let error = refused(&api, "run_plan", json!({"names": ["customer-groups"]})).await;
    assert_eq!(error.code, "plan_cycle", "{error}");
    assert!(
        error
            .message
            .contains("customer-groups → customers-v3-accounts → customer-groups"),
        "{}",
        error.message
    );

    // AND bad input gets a clear error.
    let error = refused(&api, "run_plan", json!({"names": ["nope"]})).await;
    assert_eq!(error.code, "not_found");
    assert!(error.message.contains("'nope'"));
    let error = refused(&api, "run_plan", json!({"names": []})).await;
    assert_eq!(error.code, "bad_arguments");
    let error = refused(
        &api,
        "bulk_maps",
        json!({"action": "explode", "names": ["units"]}),
    )
    .await;
    assert_eq!(error.code, "bad_arguments");
    assert!(error.message.contains("bulk_maps"), "{}", error.message);
}

#[tokio::test]
async fn a_started_plan_sets_masters_and_starts_maps_in_order() {
    // GIVEN the demo, stopped, and the customer groups map stored.
    let dir = tempfile::tempdir().unwrap();
    let api = Api::open(dir.path(), options("plan-start")).await.unwrap();
    api.start_default().await.unwrap();
    running(&api).await;
    api.stop_map("customers").await.unwrap();
    save(&api, template("customer-groups")).await;
    let before: Vec<MapVersionView> =
        call(&api, "map_versions", json!({"name": "customers"})).await;

    // WHEN a plan starts customer groups, then customers without an initial sync and with
    // Dataverse as its master.
    let plan: RunPlan = call(
        &api,
        "start_plan",
        json!({"steps": [
            {"map": "customer-groups", "initialSync": true, "master": "financeOperations"},
            {"map": "customers", "initialSync": false, "master": "dataverse"},
        ]}),
    )
    .await;
    // THEN the plan is accepted at once as given.
    assert_eq!(order(&plan), ["customer-groups", "customers"]);
    assert!(!plan.steps[1].initial_sync);
    // AND a second plan while this one starts its maps is refused.
    let error = refused(
        &api,
        "start_plan",
        json!({"steps": [{"map": "customer-groups", "initialSync": true, "master": "financeOperations"}]}),
    )
    .await;
    assert_eq!(error.code, "plan_running", "{error}");

    // AND both maps reach Running, customers after customer groups.
    eventually("both maps running", || async {
        let maps = api.maps().await.ok()?;
        maps.iter()
            .all(|map| map.state == MapState::Running)
            .then_some(())
    })
    .await;
    let activity = api.activity(1000).await.unwrap();
    let position = |map: &str, text: &str| {
        activity
            .iter()
            .position(|entry| entry.map == map && entry.message.contains(text))
            .unwrap_or_else(|| panic!("no line '{text}' for {map}"))
    };
    // The log is newest first.
    let groups_running = position("customer-groups", "Run plan: step 1 of 2 reached Running");
    let customers_skipped = position("customers", "Initial sync skipped");
    assert!(
        customers_skipped < groups_running,
        "customers went live after customer groups reached Running"
    );
    eventually("the plan's last step logged", || async {
        api.activity(1000)
            .await
            .ok()?
            .iter()
            .any(|entry| {
                entry
                    .message
                    .contains("Run plan: step 2 of 2 reached Running")
            })
            .then_some(())
    })
    .await;

    // AND the changed master is a new version with the plan's note; the unchanged one is not.
    let after: Vec<MapVersionView> = call(&api, "map_versions", json!({"name": "customers"})).await;
    assert_eq!(after.len(), before.len() + 1);
    assert_eq!(
        after.last().unwrap().note.as_deref(),
        Some("master set by run plan")
    );
    let groups: Vec<MapVersionView> =
        call(&api, "map_versions", json!({"name": "customer-groups"})).await;
    assert_eq!(groups.len(), 1, "an unchanged master saves no version");

    // WHEN a running map's master would change.
    let error = refused(
        &api,
        "start_plan",
        json!({"steps": [{"map": "customers", "initialSync": false, "master": "financeOperations"}]}),
    )
    .await;
    // THEN it is refused: edits need a stopped map.
    assert_eq!(error.code, "map_running", "{error}");
    api.shutdown().await;
}

#[tokio::test]
async fn a_bulk_action_reports_each_map_and_one_failure_does_not_stop_the_others() {
    // GIVEN the running demo map.
    let dir = tempfile::tempdir().unwrap();
    let api = Api::open(dir.path(), options("plan-bulk")).await.unwrap();
    api.start_default().await.unwrap();
    running(&api).await;

    // WHEN a missing map comes first in a bulk pause.
    let results: Vec<BulkResult> = call(
        &api,
        "bulk_maps",
        json!({"action": "pause", "names": ["nope", "customers"]}),
    )
    .await;
    // THEN it failed with its reason and the demo map was still paused.
    assert!(!results[0].ok);
    assert_eq!(results[0].error.as_ref().unwrap().code, "not_found");
    assert!(results[1].ok, "{results:?}");
    assert!(results[1].error.is_none());
    let state = |api: Arc<Api>| async move { api.maps().await.unwrap()[0].state };
    assert_eq!(state(api.clone()).await, MapState::Paused);

    // WHEN resumed (catch up), then stopped in bulk.
    let results: Vec<BulkResult> = call(
        &api,
        "bulk_maps",
        json!({"action": "resume", "names": ["customers"], "mode": "catch-up"}),
    )
    .await;
    assert!(results[0].ok, "{results:?}");
    // Resuming while it applies what was captured while paused, then Running.
    assert!(matches!(
        state(api.clone()).await,
        MapState::Resuming | MapState::Running
    ));
    eventually("the resumed map running", || async {
        (state(api.clone()).await == MapState::Running).then_some(())
    })
    .await;
    let results: Vec<BulkResult> = call(
        &api,
        "bulk_maps",
        json!({"action": "stop", "names": ["customers"]}),
    )
    .await;
    assert!(results[0].ok, "{results:?}");
    assert_eq!(state(api.clone()).await, MapState::Stopped);
    api.shutdown().await;
}

#[tokio::test]
async fn a_step_that_fails_stops_the_rest_of_the_plan_and_says_why() {
    // GIVEN the demo pair and a map whose finance and operations entity does not exist.
    let dir = tempfile::tempdir().unwrap();
    let api = Api::open(dir.path(), options("plan-fail")).await.unwrap();
    api.start_default().await.unwrap();
    running(&api).await;
    let mut broken = template("customer-groups");
    broken["name"] = json!("broken-groups");
    broken["financeOperationsEntity"] = json!("NoSuchEntity");
    save(&api, broken).await;
    save(&api, template("customer-groups")).await;

    // WHEN a plan starts it first, then customer groups.
    call::<RunPlan>(
        &api,
        "start_plan",
        json!({"steps": [
            {"map": "broken-groups", "initialSync": true, "master": "financeOperations"},
            {"map": "customer-groups", "initialSync": true, "master": "financeOperations"},
        ]}),
    )
    .await;

    // THEN the plan logs why the first step did not reach Running and that it stopped.
    let line = eventually("the plan's failure line", || async {
        api.activity(1000).await.ok()?.into_iter().find(|entry| {
            entry.map == "broken-groups" && entry.message.contains("did not reach Running")
        })
    })
    .await;
    assert_eq!(line.status, "failed");
    assert!(
        line.message.contains("NoSuchEntity")
            && line
                .message
                .contains("the plan stopped before customer-groups"),
        "{}",
        line.message
    );
    // AND the next map was never started.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let groups = api
        .maps()
        .await
        .unwrap()
        .into_iter()
        .find(|map| map.name == "customer-groups")
        .unwrap();
    assert_eq!(groups.state, MapState::NotRunning);
    api.shutdown().await;
}

#[tokio::test]
async fn run_map_without_an_initial_sync_goes_live_from_now_on() {
    // GIVEN the demo map, stopped (so the next run would copy every row again).
    let dir = tempfile::tempdir().unwrap();
    let api = Api::open(dir.path(), options("plan-run-live"))
        .await
        .unwrap();
    api.start_default().await.unwrap();
    running(&api).await;
    api.stop_map("customers").await.unwrap();

    // WHEN it runs with initialSync off.
    let map: duet_api::MapView = call(
        &api,
        "run_map",
        json!({"name": "customers", "initialSync": false}),
    )
    .await;
    assert_eq!(map.name, "customers");
    running(&api).await;

    // THEN the log says the initial sync was skipped, and none started after the stop.
    let activity = api.activity(1000).await.unwrap();
    let stopped = activity
        .iter()
        .position(|entry| entry.message.starts_with("Stopped"))
        .expect("the stop is logged");
    let newer = &activity[..stopped];
    assert!(
        newer
            .iter()
            .any(|entry| entry.message.starts_with("Initial sync skipped"))
    );
    assert!(
        !newer
            .iter()
            .any(|entry| entry.message.starts_with("Initial sync started"))
    );
    api.shutdown().await;
}
