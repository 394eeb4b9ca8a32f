//! Setup scenarios for real work: any maps with their lookups and per-map choices, legal
//! entities checked and created, and bootstrap of any company-specific map on its own.

use std::sync::Arc;

use duet_api::{Api, EnvironmentKind, MapSource, PlanStepChoice, ScenarioOptions, StepStatus};
use duet_maps::TableMap;
use serde_json::{Map, Value, json};

use crate::support::{demo_dataverse, demo_finops, eventually, options, small};

async fn fresh() -> (Arc<Api>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let api = Api::open(dir.path(), options("setup-maps")).await.unwrap();
    (api, dir)
}

#[tokio::test]
async fn chosen_maps_bring_their_lookups_in_start_order_with_their_choices() {
    let (api, _dir) = fresh().await;
    // GIVEN a consultant choosing warehouses (which look up sites) and payment terms, the
    // latter without an initial sync.
    let mut options = small(&["customers", "warehouses", "payment-terms"]);
    options.choices = vec![PlanStepChoice {
        map: "payment-terms".to_owned(),
        initial_sync: false,
        master: EnvironmentKind::Dataverse,
    }];
    // WHEN the window asks which maps the run starts.
    let maps = api.scenario_maps(&options).unwrap();
    // THEN sites comes before warehouses, added for it, and the choice is kept.
    let names: Vec<&str> = maps.iter().map(|map| map.name.as_str()).collect();
    assert_eq!(names, ["customers", "payment-terms", "sites", "warehouses"]);
    let sites = &maps[2];
    assert_eq!(sites.required_by, ["warehouses"]);
    assert_eq!(sites.source, MapSource::Template);
    assert!(sites.initial_sync);
    assert!(maps[0].required_by.is_empty());
    let terms = &maps[1];
    assert!(!terms.initial_sync);
    assert_eq!(terms.master, EnvironmentKind::Dataverse);
    // The plan lists the same order and choices.
    let plan = api.scenario_plan("new-data-new", options).unwrap();
    let initial = plan
        .steps
        .iter()
        .find(|step| step.id == "initialSync")
        .unwrap();
    assert!(
        initial.detail.contains("payment-terms: no initial sync")
            && initial.detail.find("sites:") < initial.detail.find("warehouses:"),
        "{}",
        initial.detail
    );
    assert_eq!(plan.options.choices.len(), 4);
    api.shutdown().await;
}

#[tokio::test]
async fn options_name_bad_company_codes_too_many_companies_and_unknown_maps() {
    let (api, _dir) = fresh().await;
    let plan = |options: ScenarioOptions| api.scenario_plan("new-new", options).unwrap_err();
    let short = plan(ScenarioOptions {
        companies: vec!["DA".to_owned()],
        ..small(&["customers"])
    });
    assert_eq!(short.code, "invalid_scenario");
    assert!(
        short.message.contains("'DA' is not a legal entity code"),
        "{}",
        short.message
    );
    let many = plan(ScenarioOptions {
        companies: (0..41).map(|n| format!("C{n:02}")).collect(),
        ..small(&["customers"])
    });
    assert!(many.message.contains("at most 40"), "{}", many.message);
    let unknown = plan(small(&["customers", "no-such-map"]));
    assert!(
        unknown
            .message
            .contains("no stored map or template named 'no-such-map'"),
        "{}",
        unknown.message
    );
    // Lower case is accepted and upper-cased.
    let ok = api
        .scenario_plan(
            "new-new",
            ScenarioOptions {
                companies: vec!["dat".to_owned(), "usmf".to_owned()],
                ..small(&["customers"])
            },
        )
        .unwrap();
    assert_eq!(ok.options.companies, ["DAT", "USMF"]);
    api.shutdown().await;
}

#[tokio::test]
async fn three_maps_run_one_going_live_without_a_copy_and_a_new_legal_entity_is_created() {
    let (api, dir) = fresh().await;
    // GIVEN the sandbox, a company finance and operations does not have yet, and three
    // maps, payment terms skipping its initial sync.
    let mut options = small(&["customers", "customer-groups", "payment-terms"]);
    options.companies = vec!["DAT".to_owned(), "NEW".to_owned()];
    options.choices = vec![PlanStepChoice {
        map: "payment-terms".to_owned(),
        initial_sync: false,
        master: EnvironmentKind::FinanceOperations,
    }];
    // WHEN the scenario runs.
    let run = api.run_scenario("new-data-new", options).await.unwrap();
    // THEN it ends in agreement for the maps that copied rows.
    assert_eq!(run.status, StepStatus::Done, "{:#?}", run.steps);
    let created = run
        .steps
        .iter()
        .find(|step| step.id == "createLegalEntity")
        .unwrap();
    assert_eq!(created.status, StepStatus::Done);
    assert_eq!(
        created.message.as_deref(),
        Some("Created the legal entities NEW in finance and operations.")
    );
    assert_eq!(api.link().await.unwrap().unwrap().companies, ["DAT", "NEW"]);
    let agreed: Vec<&str> = run.agreement.iter().map(|a| a.map.as_str()).collect();
    assert_eq!(agreed, ["customers", "customer-groups"]);
    assert!(run.agreement.iter().all(|agreement| agreement.agrees()));
    let live = run.steps.iter().find(|step| step.id == "live").unwrap();
    assert!(
        live.message
            .as_deref()
            .unwrap()
            .contains("payment-terms: live, rows that existed before were not compared"),
        "{live:?}"
    );
    // AND the map that skipped its copy is live: a new payment term reaches Dataverse.
    let finops = demo_finops(&api, dir.path()).await;
    let mut row = Map::new();
    row.insert("dataAreaId".to_owned(), json!("DAT"));
    row.insert("Name".to_owned(), json!("Net 45"));
    row.insert("Description".to_owned(), json!("45 days"));
    finops.create("PaymentTerms", &row).await.unwrap();
    let dataverse = demo_dataverse(&api, dir.path()).await;
    eventually("the payment term in Dataverse", || async {
        let rows = dataverse
            .query(
                "msdyn_paymentterms",
                &[("$filter", "msdyn_name eq 'Net 45'")],
            )
            .await
            .ok()?;
        (!rows.is_empty()).then_some(())
    })
    .await;
    api.shutdown().await;
}

#[tokio::test]
async fn bootstrap_dry_run_shows_every_row_and_the_run_stamps_them() {
    let (api, dir) = fresh().await;
    // GIVEN Dataverse accounts without a company, linked but not yet bootstrapped.
    let options = ScenarioOptions {
        until: Some("addCompanies".to_owned()),
        ..small(&["customers"])
    };
    let run = api
        .run_scenario("new-data-existing", options)
        .await
        .unwrap();
    let linked = run
        .steps
        .iter()
        .find(|step| step.id == "addCompanies")
        .unwrap();
    assert_eq!(linked.status, StepStatus::Done, "{:#?}", run.steps);
    let customers = serde_json::to_value(TableMap::customers()).unwrap();
    api.save_map(&customers, None).await.unwrap();

    // WHEN a dry run is asked for, twice.
    let dry = api.bootstrap_map("customers", "dat", true).await.unwrap();
    // THEN every row is reported, nothing is written.
    assert!(dry.dry_run);
    assert_eq!(dry.rows.len(), 20, "{dry:?}");
    assert_eq!(dry.stamped, 0);
    assert_eq!(dry.matched + dry.unmatched, 20);
    assert!(
        dry.rows
            .iter()
            .any(|row| row.matched && row.company == "DAT")
    );
    assert!(
        dry.rows
            .iter()
            .any(|row| !row.matched && row.key.starts_with("EX-"))
    );
    let again = api.bootstrap_map("customers", "DAT", true).await.unwrap();
    assert_eq!(again.rows, dry.rows);

    // WHEN it runs.
    let done = api.bootstrap_map("customers", "DAT", false).await.unwrap();
    // THEN the same rows are stamped and none is left without a company.
    assert_eq!(done.stamped, 20);
    let dataverse = demo_dataverse(&api, dir.path()).await;
    let left = dataverse
        .query(
            "accounts",
            &[
                ("$select", "accountid"),
                ("$filter", "_msdyn_company_value eq null"),
            ],
        )
        .await
        .unwrap();
    assert!(left.is_empty(), "{left:?}");
    assert!(
        api.bootstrap_map("customers", "DAT", true)
            .await
            .unwrap()
            .rows
            .is_empty()
    );

    // Maps bootstrap cannot serve, and companies outside the link, are refused by name.
    api.add_templates(&["currencies".to_owned()]).unwrap();
    let shared = api
        .bootstrap_map("currencies", "DAT", true)
        .await
        .unwrap_err();
    assert_eq!(shared.code, "bad_arguments");
    assert!(
        shared.message.contains("not company-specific"),
        "{}",
        shared.message
    );
    let outside = api
        .bootstrap_map("customers", "ZZZ", true)
        .await
        .unwrap_err();
    assert_eq!(outside.code, "invalid_link");
    let value: Value = serde_json::to_value(&done).unwrap();
    assert_eq!(value["rows"].as_array().unwrap().len(), 20);
    api.shutdown().await;
}
