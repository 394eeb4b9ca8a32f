//! Validation tests: the fixtures they share, with the check that the fixtures are clean, and
//! one module for the checks a map needs nothing else for and one for the checks against
//! its tables' columns.

mod with_schema;
mod without_schema;

use duet_maps::{FieldDirection, FieldMapping, Schema, TableMap};
use serde_json::json;

/// A valid company-specific two-way map of customer groups with a payment-terms lookup.
fn base() -> TableMap {
    serde_json::from_value(json!({
        "name": "groups",
        "title": "Customer groups",
        "financeOperationsEntity": "CustomerGroups",
        "dataverseTable": "msdyn_customergroup",
        "dataverseEntitySet": "msdyn_customergroups",
        "dataverseId": "msdyn_customergroupid",
        "key": {"financeOperations": ["CustomerGroupId"], "dataverse": ["msdyn_groupid"]},
        "company": {
            "financeOperationsField": "dataAreaId", "dataverseLookup": "msdyn_company",
            "companyEntitySet": "cdm_companies", "companyCodeColumn": "cdm_companycode"
        },
        "fields": [
            {"financeOperations": "CustomerGroupId", "direction": "twoWay", "dataverse": "msdyn_groupid"},
            {"financeOperations": "Description", "direction": "twoWay", "dataverse": "msdyn_description"},
            {"financeOperations": "PaymentTermId", "direction": "twoWay",
             "dataverse": "msdyn_paymenttermid.msdyn_name", "lookup": {"targetMap": "terms"}},
            {"financeOperations": "ClearingPeriod", "direction": "twoWayTransform",
             "dataverse": "msdyn_clearingperiod",
             "transform": {"kind": "valueMap", "pairs": [["Never", 1], ["Always", 2]]}}
        ],
        "keyEnteredByHand": true,
        "filterFinanceOperations": "((CustomerGroupId != \"90\"))",
        "filterDataverse": "statecode eq 0"
    }))
    .expect("the base map is valid JSON for a table map")
}

/// The columns of both sides of `base`.
fn schema() -> Schema {
    serde_json::from_value(json!({
        "financeOperations": [
            {"name": "dataAreaId", "type": "text", "mandatory": true},
            {"name": "CustomerGroupId", "type": "text", "mandatory": true},
            {"name": "Description", "type": "text"},
            {"name": "PaymentTermId", "type": "text"},
            {"name": "ClearingPeriod", "type": "enum", "members": ["Never", "Always"]}
        ],
        "dataverse": [
            {"name": "msdyn_customergroupid", "type": "guid", "mandatory": true, "readOnly": true},
            {"name": "msdyn_company", "type": "lookup", "mandatory": true},
            {"name": "msdyn_groupid", "type": "text", "mandatory": true},
            {"name": "msdyn_description", "type": "text"},
            {"name": "msdyn_paymenttermid", "type": "lookup"},
            {"name": "msdyn_clearingperiod", "type": "enum", "members": ["1", "2"]},
            {"name": "statecode", "type": "enum", "members": ["0", "1"]}
        ]
    }))
    .expect("the base schema is valid JSON for a schema")
}

fn codes(map: &TableMap, schema: Option<&Schema>) -> Vec<&'static str> {
    map.validate(schema)
        .into_iter()
        .map(|problem| problem.code)
        .collect()
}

fn field(fo: Option<&str>, direction: FieldDirection, dv: Option<&str>) -> FieldMapping {
    FieldMapping {
        finance_operations: fo.map(str::to_owned),
        direction,
        dataverse: dv.map(str::to_owned),
        transform: None,
        note: None,
        null_policy: None,
        lookup: None,
    }
}

#[test]
fn the_base_map_and_schema_are_valid() {
    // GIVEN the base map and its schema.
    let map = base();
    // WHEN it is validated with and without the schema.
    let problems = map.validate(Some(&schema()));
    // THEN nothing is reported, so each test below fails for its own reason only.
    assert!(
        problems.is_empty(),
        "the base must be clean for the other tests to isolate one code: {problems:#?}"
    );
    assert!(
        codes(&map, None).is_empty(),
        "no schema, no problems either"
    );
}
