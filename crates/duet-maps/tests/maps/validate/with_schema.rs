//! Validation against a schema: mandatory, read-only and unknown columns, column types,
//! enum members and company columns.

use duet_maps::{FieldDirection, FieldMapping, Transform, code};
use serde_json::json;

use super::{base, codes, field, schema};

#[test]
fn mandatory_column_without_value_is_reported() {
    // GIVEN a schema where a Dataverse column nobody maps is mandatory.
    let map = base();
    let mut schema = schema();
    schema.dataverse.push(
        serde_json::from_value(json!({"name": "msdyn_region", "type": "text", "mandatory": true}))
            .unwrap(),
    );
    // WHEN the map is validated against it.
    let problems = map.validate(Some(&schema));
    // THEN the mandatory column is reported.
    assert_eq!(
        codes(&map, Some(&schema)),
        [code::MANDATORY_UNMAPPED],
        "creates would fail without a value: {problems:#?}"
    );
    assert!(problems[0].message.contains("msdyn_region"));
}

#[test]
fn a_lookup_path_fills_its_mandatory_lookup_column() {
    // GIVEN a schema where the payment-terms lookup, mapped through a path, is mandatory.
    let map = base();
    let mut schema = schema();
    schema.dataverse[4].mandatory = true;
    // WHEN the map is validated against it.
    let found = codes(&map, Some(&schema));
    // THEN the path `msdyn_paymenttermid.msdyn_name` counts as a value for the lookup.
    assert!(found.is_empty(), "the lookup receives a value: {found:?}");
}

#[test]
fn a_default_satisfies_a_mandatory_column() {
    // GIVEN the same mandatory column, now filled by a default.
    let mut map = base();
    let mut schema = schema();
    schema.dataverse.push(
        serde_json::from_value(json!({"name": "msdyn_region", "type": "text", "mandatory": true}))
            .unwrap(),
    );
    map.fields.push(FieldMapping {
        transform: Some(Transform::Default { value: json!("EU") }),
        ..field(
            None,
            FieldDirection::DefaultToDataverse,
            Some("msdyn_region"),
        )
    });
    // WHEN it is validated.
    let found = codes(&map, Some(&schema));
    // THEN nothing is reported.
    assert!(found.is_empty(), "a default is a value: {found:?}");
}

#[test]
fn read_only_column_mapped_is_reported() {
    // GIVEN a schema where the description is read-only in Dataverse.
    let map = base();
    let mut schema = schema();
    schema.dataverse[3].read_only = true;
    // WHEN the map is validated against it.
    let problems = map.validate(Some(&schema));
    // THEN the write into it is reported.
    assert_eq!(
        codes(&map, Some(&schema)),
        [code::READ_ONLY_MAPPED],
        "Dataverse refuses writes to read-only columns"
    );
    assert_eq!(problems[0].path, "$.fields[1].dataverse");
}

#[test]
fn type_mismatch_is_reported() {
    // GIVEN a schema where the description is a number on one side.
    let map = base();
    let mut schema = schema();
    schema.finance_operations[2].column_type = duet_maps::ColumnType::Decimal;
    // WHEN the map is validated against it.
    let found = codes(&map, Some(&schema));
    // THEN the mismatch is reported.
    assert_eq!(
        found,
        [code::TYPE_MISMATCH],
        "text cannot be copied into a number column"
    );
}

#[test]
fn striped_map_over_cross_company_table_is_reported() {
    // GIVEN a striped map whose Dataverse table has no company lookup.
    let map = base();
    let mut schema = schema();
    schema
        .dataverse
        .retain(|column| column.name != "msdyn_company");
    // WHEN it is validated against the schema.
    let found = codes(&map, Some(&schema));
    // THEN the mismatch is reported.
    assert_eq!(
        found,
        [code::COMPANY_MISMATCH],
        "a striped map needs the company on both sides"
    );
}

#[test]
fn value_map_missing_members_is_reported() {
    // GIVEN an enum with a member the value map does not pair.
    let map = base();
    let mut schema = schema();
    schema.finance_operations[4]
        .members
        .push("Monthly".to_owned());
    // WHEN it is validated against the schema.
    let problems = map.validate(Some(&schema));
    // THEN the missing member is named.
    assert_eq!(
        codes(&map, Some(&schema)),
        [code::VALUE_MAP_INCOMPLETE],
        "an unpaired member fails at sync time"
    );
    assert!(
        problems[0].message.contains("Monthly"),
        "the message names the member to add"
    );
}

#[test]
fn unknown_columns_are_reported_with_the_closest_name() {
    // GIVEN a finance and operations field misspelt and a Dataverse column that does not exist.
    let mut map = base();
    map.fields[1].finance_operations = Some("Descripton".to_owned());
    map.fields.push(field(
        Some("PaymentTermId"),
        FieldDirection::ToFinanceOperations,
        Some("msdyn_paymentterm_code"),
    ));
    map.fields[2].direction = FieldDirection::ToDataverse;
    // WHEN it is validated against the schema.
    let problems = map.validate(Some(&schema()));
    // THEN each unknown name is reported at its own path, naming the table and a close match.
    assert_eq!(
        codes(&map, Some(&schema())),
        [code::UNKNOWN_COLUMN, code::UNKNOWN_COLUMN],
        "a name the table lacks fails at the first write: {problems:#?}"
    );
    assert_eq!(problems[0].path, "$.fields[1].financeOperations");
    assert!(
        problems[0].message.contains("'Descripton'")
            && problems[0].message.contains("'CustomerGroups'"),
        "the message names the field and the entity: {}",
        problems[0].message
    );
    assert!(
        problems[0].fix.contains("did you mean 'Description'"),
        "the fix suggests the closest field: {}",
        problems[0].fix
    );
    assert_eq!(problems[1].path, "$.fields[4].dataverse");
    assert!(
        problems[1].message.contains("'msdyn_paymentterm_code'")
            && problems[1].message.contains("'msdyn_customergroups'"),
        "{}",
        problems[1].message
    );
    assert!(
        problems[1]
            .fix
            .contains("did you mean 'msdyn_paymenttermid'"),
        "{}",
        problems[1].fix
    );
}

#[test]
fn a_lookup_path_is_checked_by_its_lookup_column() {
    // GIVEN the base map, whose payment terms field is the lookup path
    // msdyn_paymenttermid.msdyn_name, and a schema without that lookup column.
    let map = base();
    let mut schema = schema();
    let with_lookup = codes(&map, Some(&schema));
    schema
        .dataverse
        .retain(|column| column.name != "msdyn_paymenttermid");
    // WHEN it is validated against both schemas.
    let problems = map.validate(Some(&schema));
    // THEN only the schema without the lookup column reports it, naming the lookup column.
    assert!(
        with_lookup.is_empty(),
        "the column after the dot belongs to the looked-up table: {with_lookup:?}"
    );
    assert_eq!(
        codes(&map, Some(&schema)),
        [code::UNKNOWN_COLUMN],
        "{problems:#?}"
    );
    assert_eq!(problems[0].path, "$.fields[2].dataverse");
    assert!(
        problems[0].message.starts_with(
            "'msdyn_paymenttermid' (the lookup column of 'msdyn_paymenttermid.msdyn_name')"
        ),
        "{}",
        problems[0].message
    );
}

#[test]
fn a_side_the_schema_does_not_describe_is_not_checked_for_unknown_columns() {
    // GIVEN a schema that lists only the finance and operations fields.
    let map = base();
    let mut schema = schema();
    schema.dataverse.clear();
    // WHEN the map is validated against it.
    let found = codes(&map, Some(&schema));
    // THEN no Dataverse column is reported unknown (and nothing else is wrong either).
    assert!(
        found.is_empty(),
        "an empty column list means the table was not read, not that it has no columns: {found:?}"
    );
}

#[test]
fn a_filter_naming_a_column_the_table_lacks_is_reported_where_it_is_written() {
    // GIVEN the base map with a misspelled column in each side's filter.
    let mut map = base();
    map.filter_finance_operations =
        Some("((CustomerGroupId != \"90\") && (Descriptoin == \"x\"))".to_owned());
    map.filter_dataverse = Some("statecode eq 0 and msdyn_descripton ne null".to_owned());
    // WHEN it is validated against the schema.
    let problems = map.validate(Some(&schema()));
    // THEN each filter has an unknown-column problem at its own path, with the position and
    // the close name.
    let found: Vec<(&str, &str)> = problems
        .iter()
        .map(|problem| (problem.code, problem.path.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (code::UNKNOWN_COLUMN, "$.filterFinanceOperations"),
            (code::UNKNOWN_COLUMN, "$.filterDataverse")
        ],
        "{problems:#?}"
    );
    assert!(
        problems[0].message.contains("position 32"),
        "{}",
        problems[0].message
    );
    assert!(
        problems[0].fix.contains("'Description'"),
        "{}",
        problems[0].fix
    );
    assert!(
        problems[1].fix.contains("'msdyn_description'"),
        "{}",
        problems[1].fix
    );
}
