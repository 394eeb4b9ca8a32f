//! Environment profiles: new, with data and existing, on each side.

use std::collections::HashSet;

use duet_sandbox::{DvProfile, FoProfile};
use serde_json::Value;

use crate::support::{Dv, Fo, all_customers, all_dv, json_of, start_with};

#[tokio::test]
async fn new_profiles_start_empty() {
    // GIVEN a sandbox with both sides new, even though rows were asked for.
    let env = start_with(|c| {
        c.rows = 50;
        c.fo_profile = FoProfile::New;
        c.dv_profile = DvProfile::New;
    })
    .await;
    let (fo, dv) = (Fo::new(&env).await, Dv::new(&env).await);
    // WHEN both sides are read.
    let customers = all_customers(&fo, "").await;
    let legal = json_of(fo.get(&fo.url("LegalEntities")).await).await;
    let companies = all_dv(&dv, "cdm_companies").await;
    let accounts = all_dv(&dv, "accounts").await;
    // THEN F&O has its legal entities only and Dataverse has nothing.
    assert_eq!(env.sandbox.generated_rows(), 0, "New F&O generates nothing");
    assert!(customers.is_empty(), "New F&O has no customers");
    let ids: Vec<&str> = legal["value"]
        .as_array()
        .expect("legal entities")
        .iter()
        .filter_map(|r| r["LegalEntityId"].as_str())
        .collect();
    assert!(ids.contains(&"DAT"), "legal entity DAT present: {ids:?}");
    assert!(companies.is_empty(), "New Dataverse has no companies");
    assert!(accounts.is_empty(), "New Dataverse has no accounts");
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn default_profiles_keep_todays_behaviour() {
    // GIVEN a sandbox with default profiles and 30 rows.
    let env = start_with(|c| c.rows = 30).await;
    let (fo, dv) = (Fo::new(&env).await, Dv::new(&env).await);
    // WHEN both sides are read.
    let customers = all_customers(&fo, "").await;
    let companies = all_dv(&dv, "cdm_companies?$orderby=cdm_companycode").await;
    let accounts = all_dv(&dv, "accounts").await;
    // THEN F&O holds the generated customers and Dataverse is linked with no accounts.
    assert_eq!(customers.len(), 30, "WithData generates the rows");
    let codes: Vec<&str> = companies
        .iter()
        .filter_map(|r| r["cdm_companycode"].as_str())
        .collect();
    assert_eq!(codes, ["DAT", "USMF"], "Linked seeds DAT and USMF");
    assert!(accounts.is_empty(), "Linked starts without accounts");
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn existing_profile_has_unlinked_accounts_half_matching_fo() {
    // GIVEN F&O with data and an existing Dataverse of 10 accounts, same seed.
    let env = start_with(|c| {
        c.rows = 40;
        c.seed = 11;
        c.dv_profile = DvProfile::Existing;
        c.dv_existing_rows = 10;
    })
    .await;
    let (fo, dv) = (Fo::new(&env).await, Dv::new(&env).await);
    // WHEN both sides are read.
    let customers = all_customers(&fo, "").await;
    let companies = all_dv(&dv, "cdm_companies").await;
    let accounts = all_dv(&dv, "accounts?$orderby=accountnumber").await;
    // THEN there are no companies, no account has a company and exactly five match F&O.
    assert!(companies.is_empty(), "Existing has no cdm_companies rows");
    assert_eq!(
        accounts.len(),
        10,
        "Existing generates dv_existing_rows accounts"
    );
    assert!(
        accounts.iter().all(|a| a["_msdyn_company_value"].is_null()),
        "no account is linked to a company: {accounts:?}"
    );
    let fo_numbers: HashSet<&str> = customers
        .iter()
        .filter_map(|c| c["CustomerAccount"].as_str())
        .collect();
    let matching: Vec<&Value> = accounts
        .iter()
        .filter(|a| fo_numbers.contains(a["accountnumber"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(matching.len(), 5, "half the accounts match F&O by number");
    for a in &matching {
        let number = a["accountnumber"].as_str().expect("number");
        let customer = customers
            .iter()
            .find(|c| c["CustomerAccount"] == number)
            .expect("matching customer");
        assert_eq!(
            a["name"], customer["OrganizationName"],
            "a matching account carries the customer's name"
        );
    }
    // AND a second sandbox with the same seed produces the same accounts.
    let again = start_with(|c| {
        c.rows = 40;
        c.seed = 11;
        c.dv_profile = DvProfile::Existing;
        c.dv_existing_rows = 10;
    })
    .await;
    let dv2 = Dv::new(&again).await;
    let accounts2 = all_dv(&dv2, "accounts?$orderby=accountnumber").await;
    let pick = |rows: &[Value]| {
        rows.iter()
            .map(|r| format!("{}|{}", r["accountnumber"], r["name"]))
            .collect::<Vec<_>>()
    };
    assert_eq!(pick(&accounts), pick(&accounts2), "deterministic by seed");
    again.sandbox.shutdown().await;
    env.sandbox.shutdown().await;
}
