//! Unit tests of the map model: the demo map, row keys, row transforms, projection and the
//! direction symbols.

use super::*;
use crate::value::Row;
use serde_json::{Value, json};

fn row(value: Value) -> Row {
    value.as_object().cloned().expect("test rows are objects")
}

#[test]
fn the_demo_map_validates_with_no_problems() {
    // GIVEN the demo map the engine, API and UI run.
    let map = TableMap::customers();
    // WHEN it is validated on its own and as a set.
    let alone = map.validate(None);
    let together = crate::validate_all(std::slice::from_ref(&map));
    // THEN nothing is reported: customers are created on both sides, and its
    // number-sequence prefixes keep their new account numbers apart.
    assert!(alone.is_empty(), "{alone:#?}");
    assert!(together.is_empty(), "{together:#?}");
    let prefixes = map
        .number_sequence_prefixes
        .as_ref()
        .expect("a multi-mastered map with sequence keys needs prefixes");
    assert!(
        !prefixes.finance_operations.starts_with(&prefixes.dataverse)
            && !prefixes.dataverse.starts_with(&prefixes.finance_operations),
        "{prefixes:?}"
    );
}

#[test]
fn customer_becomes_account_without_key_columns() {
    // GIVEN a finance and operations customer.
    let map = TableMap::customers();
    let customer = row(json!({
        "dataAreaId": "dat", "CustomerAccount": "C0001", "OrganizationName": "Fabrikam",
        "CreditLimit": 1000, "PrimaryContactEmail": "a@fabrikam.example",
        "PrimaryContactPhone": "555", "SalesMemo": "", "PartyType": "Organization"
    }));
    // WHEN it is transformed for Dataverse.
    let account = map.transform(Side::FinanceOperations, &customer).unwrap();
    // THEN mapped columns and the default are present, and the key is left to the URL.
    assert_eq!(account["name"], "Fabrikam");
    assert_eq!(account["creditlimit"], 1000);
    assert_eq!(
        account["customertypecode"], 3,
        ">> fields write their default"
    );
    assert!(
        !account.contains_key("accountnumber"),
        "key columns travel in the alternate-key URL, not the body"
    );
    assert!(
        !account.contains_key("PartyType"),
        "<< fields never flow to Dataverse"
    );
    assert_eq!(
        map.key_of_finance_operations(&customer)
            .unwrap()
            .to_string(),
        "DAT|C0001",
        "company codes compare upper-case"
    );
}

#[test]
fn account_becomes_customer_with_party_type_default() {
    let map = TableMap::customers();
    let account = row(
        json!({"accountnumber": "C0002", "name": "Contoso", "creditlimit": 5.5,
        "emailaddress1": null, "telephone1": null, "description": null, "customertypecode": 3}),
    );
    let customer = map.transform(Side::Dataverse, &account).unwrap();
    assert_eq!(customer["OrganizationName"], "Contoso");
    assert_eq!(customer["PartyType"], "Organization");
    assert!(
        !customer.contains_key("customertypecode"),
        "a Dataverse-only column has no finance and operations field"
    );
    let key = map.key_of_dataverse(&account, Some("usmf")).unwrap();
    assert_eq!(key.to_string(), "USMF|C0002");
}

#[test]
fn striped_dataverse_row_without_company_is_refused() {
    let map = TableMap::customers();
    let account = row(json!({"accountnumber": "C0003"}));
    assert_eq!(
        map.key_of_dataverse(&account, None),
        Err(MapError::MissingKey {
            side: "Dataverse",
            field: "msdyn_company".to_owned()
        }),
        "a company-specific map cannot place a row without a company"
    );
}

#[test]
fn missing_key_value_names_the_field() {
    let map = TableMap::customers();
    let customer = row(json!({"dataAreaId": "DAT", "CustomerAccount": ""}));
    let error = map.key_of_finance_operations(&customer).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the finance and operations row has no value for key field 'CustomerAccount'"
    );
}

#[test]
fn value_maps_translate_both_ways_and_refuse_unknown_members() {
    let mut map = TableMap::customers();
    map.fields.push(FieldMapping {
        finance_operations: Some("OnHoldStatus".to_owned()),
        direction: FieldDirection::TwoWayTransform,
        dataverse: Some("msdyn_onholdstatus".to_owned()),
        transform: Some(Transform::ValueMap {
            pairs: vec![
                ("No".to_owned(), json!(806380000)),
                ("Invoice".to_owned(), json!(806380001)),
            ],
        }),
        note: None,
        null_policy: None,
        lookup: None,
    });
    let out = map
        .transform(
            Side::FinanceOperations,
            &row(json!({"OnHoldStatus": "Invoice"})),
        )
        .unwrap();
    assert_eq!(out["msdyn_onholdstatus"], 806380001);
    let back = map
        .transform(
            Side::Dataverse,
            &row(json!({"msdyn_onholdstatus": 806380000})),
        )
        .unwrap();
    assert_eq!(back["OnHoldStatus"], "No");
    let error = map
        .transform(
            Side::FinanceOperations,
            &row(json!({"OnHoldStatus": "All"})),
        )
        .unwrap_err();
    assert!(
        matches!(error, MapError::UnmappedValue { .. }),
        "an enum member without a pair must fail loudly, not write null"
    );
}

#[test]
fn projection_keeps_mapped_non_key_fields_only() {
    let map = TableMap::customers();
    let account = row(json!({"accountid": "x", "accountnumber": "C1", "name": "N", "revenue": 9}));
    let projection = map.projection(Side::Dataverse, &account);
    assert_eq!(projection, row(json!({"name": "N"})));
}

#[test]
fn direction_symbols_match_dual_write() {
    let symbols: Vec<_> = [
        FieldDirection::TwoWay,
        FieldDirection::TwoWayTransform,
        FieldDirection::ToDataverse,
        FieldDirection::ToFinanceOperations,
        FieldDirection::DefaultToDataverse,
        FieldDirection::DefaultToFinanceOperations,
    ]
    .into_iter()
    .map(FieldDirection::symbol)
    .collect();
    assert_eq!(symbols, ["=", "><", ">", "<", ">>", "<<"]);
}

#[test]
fn a_row_key_addresses_the_row_on_both_sides() {
    // GIVEN the demo map, striped by company, and a key as the engine writes it.
    let map = TableMap::customers();
    let key = RowKey::parse("DAT|C|1", true);
    // THEN finance and operations addresses it with the company first, Dataverse by its key.
    assert_eq!(
        map.finance_operations_key(&key),
        vec![("dataAreaId", "DAT"), ("CustomerAccount", "C|1")],
        "a bar inside the value stays part of it"
    );
    assert_eq!(map.dataverse_key(&key), vec![("accountnumber", "C|1")]);
    assert_eq!(key.to_string(), "DAT|C|1", "the key reads back as written");
}
