//! Map authoring through the command dispatcher: the template gallery, schemas read from the
//! linked sandbox, validation with those schemas, Run refused on errors, and source filters
//! checked and counted. Needs a Secret Service (scripts/test provides one).

use std::sync::Arc;

use duet_api::{
    AddedTemplates, Api, ApiOptions, FilterCheckView, MapSchemaView, TemplateView, ValidationView,
};
use duet_maps::{ColumnType, Severity, TableMap, templates};
use serde_json::{Value, json};

async fn open(dir: &std::path::Path, test: &str) -> Arc<Api> {
    let options = ApiOptions {
        keyring_service: format!("dev.duet.app.{test}.{}", std::process::id()),
        ..ApiOptions::default()
    };
    Api::open(dir, options).await.expect("open api")
}

async fn call<T: serde::de::DeserializeOwned>(api: &Arc<Api>, command: &str, args: Value) -> T {
    let answer = api
        .call(command, args)
        .await
        .unwrap_or_else(|error| panic!("{command} failed: {error}"));
    serde_json::from_value(answer).expect("answer shape")
}

#[tokio::test]
async fn the_gallery_lists_every_template_and_adds_one_with_its_missing_lookups() {
    // GIVEN a fresh data directory.
    let dir = tempfile::tempdir().unwrap();
    let api = open(dir.path(), "gallery").await;
    // WHEN the gallery is listed and one template is added.
    let gallery: Vec<TemplateView> = call(&api, "map_templates", json!({})).await;
    assert_eq!(gallery.len(), templates().len(), "every template is a card");
    let contacts = gallery
        .iter()
        .find(|card| card.name == "customers-v3-contacts")
        .expect("the contacts template is in the gallery");
    assert!(!contacts.added && contacts.company_specific);
    assert!(!contacts.looks_up.is_empty(), "contacts look up other maps");
    let added: AddedTemplates = call(
        &api,
        "add_templates",
        json!({"names": ["customers-v3-contacts"]}),
    )
    .await;
    // THEN it is stored stopped, and the maps it looks up are offered.
    assert_eq!(added.added, ["customers-v3-contacts"]);
    assert_eq!(
        added.missing_lookups, contacts.looks_up,
        "every map the template looks up is missing in a fresh directory"
    );
    let maps: Value = api.call("maps", json!({})).await.unwrap();
    assert_eq!(maps[0]["state"], "notRunning", "{maps:#}");
    let again: AddedTemplates = call(
        &api,
        "add_templates",
        json!({"names": ["customers-v3-contacts"]}),
    )
    .await;
    assert_eq!(
        again.existing,
        ["customers-v3-contacts"],
        "a stored map is left alone"
    );
    let error = api
        .call("add_templates", json!({"names": ["no-such-template"]}))
        .await
        .unwrap_err();
    assert_eq!(error.code, "not_found");
    api.shutdown().await;
}

#[tokio::test]
async fn schemas_are_read_from_the_linked_environments_and_every_template_validates() {
    // GIVEN the sandbox demo, linked.
    let dir = tempfile::tempdir().unwrap();
    let api = open(dir.path(), "schema").await;
    api.start_sandbox_demo().await.unwrap();
    // WHEN the customers tables' columns are read.
    let schema: MapSchemaView = call(
        &api,
        "map_schema",
        json!({"financeOperationsEntity": "CustomersV3", "dataverseTable": "account"}),
    )
    .await;
    // THEN they carry types, flags and members from the metadata services.
    let fo = &schema.finance_operations;
    let dv = &schema.dataverse;
    assert!(fo.error.is_none() && dv.error.is_none(), "{schema:#?}");
    let fo_column = |name: &str| fo.columns.iter().find(|c| c.name == name).unwrap();
    assert!(
        fo_column("dataAreaId").mandatory,
        "a key field is not nullable"
    );
    assert!(
        fo_column("ModifiedDateTime").read_only,
        "the service maintains it"
    );
    assert_eq!(fo_column("CreditLimit").column_type, ColumnType::Decimal);
    let choice = dv
        .columns
        .iter()
        .find(|c| c.column_type == ColumnType::Enum)
        .expect("accounts have a choice column");
    assert!(
        !choice.members.is_empty(),
        "options come from the picklist cast"
    );
    assert_eq!(choice.members.len(), choice.labels.len());
    // AND a second read comes from the cache.
    let cached: MapSchemaView = call(
        &api,
        "map_schema",
        json!({"financeOperationsEntity": "CustomersV3", "dataverseTable": "account"}),
    )
    .await;
    assert_eq!(
        cached.finance_operations.read_at, fo.read_at,
        "cached, not read again"
    );
    // AND with every template added, none has errors against the schemas read from the
    // environments.
    let names: Vec<String> = templates().into_iter().map(|map| map.name).collect();
    let _: AddedTemplates = call(&api, "add_templates", json!({"names": names})).await;
    for template in templates() {
        let validation: ValidationView = call(&api, "validate_map", json!({"map": template})).await;
        assert!(
            validation.schema_checked,
            "{}: {:?}",
            template.name, validation.schema_error
        );
        let errors: Vec<_> = validation.errors().collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", template.name);
    }
    api.shutdown().await;
}

#[tokio::test]
async fn run_refuses_a_map_with_validation_errors_naming_its_codes() {
    // GIVEN the sandbox demo and a copy of the customers map naming a column accounts lack.
    let dir = tempfile::tempdir().unwrap();
    let api = open(dir.path(), "guard").await;
    api.start_sandbox_demo().await.unwrap();
    let mut map = TableMap::customers();
    map.name = "customers-copy".to_owned();
    map.fields[1].dataverse = Some("nmae".to_owned());
    let _: Value = call(&api, "save_map", json!({"map": map})).await;
    let validation: ValidationView = call(&api, "validate_map", json!({"map": map})).await;
    let unknown = validation
        .problems
        .iter()
        .find(|problem| problem.code == "DW-V016")
        .expect("the schema check finds the unknown column");
    assert_eq!(unknown.severity, Severity::Error);
    assert!(
        unknown.fix.contains("'name'"),
        "the fix suggests the close name: {unknown:?}"
    );
    // WHEN it is run alone, in a plan and in bulk.
    let run = api
        .call("run_map", json!({"name": "customers-copy"}))
        .await
        .unwrap_err();
    let plan = api
        .call(
            "start_plan",
            json!({"steps": [{"map": "customers-copy", "master": "financeOperations", "initialSync": true}]}),
        )
        .await
        .unwrap_err();
    let bulk: Value = api
        .call(
            "bulk_maps",
            json!({"action": "run", "names": ["customers-copy"]}),
        )
        .await
        .unwrap();
    // THEN each refuses, naming the code.
    for error in [&run, &plan] {
        assert_eq!(error.code, "validation_failed", "{error}");
        assert!(error.message.contains("DW-V016"), "{error}");
    }
    assert_eq!(bulk[0]["error"]["code"], "validation_failed", "{bulk:#}");
    let maps: Value = api.call("maps", json!({})).await.unwrap();
    let copy = maps
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "customers-copy")
        .unwrap();
    assert_eq!(copy["state"], "notRunning", "a refused map does not start");
    api.shutdown().await;
}

#[tokio::test]
async fn a_filter_error_names_its_position_and_a_valid_filter_counts_rows() {
    // GIVEN the sandbox demo with its customers.
    let dir = tempfile::tempdir().unwrap();
    let api = open(dir.path(), "filters").await;
    api.start_sandbox_demo().await.unwrap();
    let mut map = TableMap::customers();
    // WHEN a query range with a typo is checked.
    map.filter_finance_operations = Some("(CreditLimit >> 100)".to_owned());
    let typo: FilterCheckView = call(
        &api,
        "check_filter",
        json!({"map": map, "side": "financeOperations"}),
    )
    .await;
    // THEN the error points into the text, and nothing is counted.
    let error = typo.error.expect("the typo does not parse");
    assert_eq!(error.position, Some(15), "{}", error.message);
    assert_eq!(typo.count, None);
    // WHEN it is fixed, and when there is no filter.
    map.filter_finance_operations = Some("(CreditLimit > 100000)".to_owned());
    let kept: FilterCheckView = call(
        &api,
        "check_filter",
        json!({"map": map, "side": "financeOperations"}),
    )
    .await;
    map.filter_finance_operations = None;
    let all: FilterCheckView = call(
        &api,
        "check_filter",
        json!({"map": map, "side": "financeOperations"}),
    )
    .await;
    // THEN the filter keeps some of the linked companies' rows, not all.
    let (kept, all) = (kept.count.expect("counted"), all.count.expect("counted"));
    assert!(0 < kept && kept < all, "kept {kept} of {all}");
    assert_eq!(
        kept_odata(&api, &map).await,
        None,
        "no filter reads every row"
    );
    // A column the table lacks parses, but is an error at its position with the close name.
    map.filter_finance_operations = Some("(CreditLimt > 100000)".to_owned());
    let misspelled: FilterCheckView = call(
        &api,
        "check_filter",
        json!({"map": map, "side": "financeOperations"}),
    )
    .await;
    let error = misspelled.error.expect("an unknown column is an error");
    assert_eq!(error.position, Some(2), "{}", error.message);
    assert!(error.message.contains("'CreditLimit'"), "{}", error.message);
    map.filter_finance_operations = None;
    map.filter_dataverse = Some("name eq 'x' and".to_owned());
    let dataverse: FilterCheckView = call(
        &api,
        "check_filter",
        json!({"map": map, "side": "dataverse"}),
    )
    .await;
    assert!(
        dataverse.error.and_then(|e| e.position).is_some(),
        "Dataverse errors have positions too"
    );
    api.shutdown().await;
}

async fn kept_odata(api: &Arc<Api>, map: &TableMap) -> Option<String> {
    let view: FilterCheckView = call(
        api,
        "check_filter",
        json!({"map": map, "side": "financeOperations"}),
    )
    .await;
    view.odata
}

#[tokio::test]
async fn a_save_reaches_a_running_map_and_one_with_errors_is_refused() {
    // GIVEN the running demo map.
    let dir = tempfile::tempdir().unwrap();
    let api = open(dir.path(), "live-edit").await;
    api.start_sandbox_demo().await.unwrap();
    let mut map = TableMap::customers();
    // WHEN a version with an error is saved while it runs.
    let mut broken = map.clone();
    broken.fields[1].dataverse = Some("nmae".to_owned());
    let refused = api
        .call("save_map", json!({"map": broken, "note": "typo"}))
        .await
        .unwrap_err();
    // THEN it is refused naming the code, and no version is made.
    assert_eq!(refused.code, "validation_failed", "{refused}");
    assert!(refused.message.contains("DW-V016"), "{refused}");
    let versions: Value = api
        .call("map_versions", json!({"name": "customers"}))
        .await
        .unwrap();
    assert_eq!(versions.as_array().unwrap().len(), 1, "{versions:#}");
    // WHEN a valid edit is saved.
    map.title = "Customers, edited while running".to_owned();
    let _: Value = call(&api, "save_map", json!({"map": map, "note": "title"})).await;
    // THEN the running task takes it, and says so in the activity log.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let activity: Value = api.call("activity", json!({"limit": 5000})).await.unwrap();
        let applied = activity.as_array().unwrap().iter().any(|entry| {
            entry["map"] == "customers"
                && entry["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("Definition version 2 applied"))
        });
        if applied {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the running map logs the version it took: {activity:#}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    // AND the map goes on to Running with it (an initial sync resumes from its checkpoint).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let maps: Value = api.call("maps", json!({})).await.unwrap();
        let state = maps[0]["state"].as_str().unwrap_or_default().to_owned();
        assert!(
            matches!(state.as_str(), "initializing" | "running"),
            "the edit does not stop the map: {maps:#}"
        );
        if state == "running" {
            assert_eq!(maps[0]["title"], "Customers, edited while running");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{maps:#}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    api.shutdown().await;
}
