use duet_maps::{
    FieldDirection, FieldMapping, Lookup, NumberSequencePrefixes, Schema, TableMap, Transform,
    code, validate_all,
};
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
            {"name": "msdyn_clearingperiod", "type": "enum", "members": ["1", "2"]}
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

#[test]
fn missing_integration_key_is_reported() {
    // GIVEN a map whose Dataverse key is empty.
    let mut map = base();
    map.key.dataverse.clear();
    // WHEN it is validated.
    let problems = map.validate(None);
    // THEN the missing key is reported at the key.
    assert_eq!(problems.len(), 1, "only the key is wrong: {problems:#?}");
    assert_eq!(
        problems[0].code,
        code::MISSING_KEY,
        "no key, no row identity"
    );
    assert_eq!(problems[0].path, "$.key");
}

#[test]
fn unmapped_key_field_is_reported() {
    // GIVEN a map whose key field mapping was removed.
    let mut map = base();
    map.fields.remove(0);
    // WHEN it is validated.
    let problems = map.validate(None);
    // THEN both sides' key fields are reported unmapped.
    assert!(
        problems
            .iter()
            .all(|problem| problem.code == code::KEY_NOT_MAPPED),
        "every key field must be mapped (DIPV1014): {problems:#?}"
    );
    assert_eq!(
        problems[0].path, "$.key.financeOperations[0]",
        "the path points at the key field"
    );
}

#[test]
fn one_way_key_in_two_way_map_is_reported() {
    // GIVEN a two-way map whose key flows only to Dataverse.
    let mut map = base();
    map.fields[0].direction = FieldDirection::ToDataverse;
    // WHEN it is validated.
    let problems = map.validate(None);
    // THEN the key direction is reported.
    assert_eq!(
        codes(&map, None),
        [code::KEY_NOT_TWO_WAY],
        "keys must be bidirectional when any field is (DIPV1004)"
    );
    assert_eq!(problems[0].path, "$.fields[0].direction");
}

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
fn duplicate_target_is_reported() {
    // GIVEN two fields writing the Dataverse description.
    let mut map = base();
    map.fields.push(field(
        Some("Name"),
        FieldDirection::ToDataverse,
        Some("msdyn_description"),
    ));
    // WHEN it is validated.
    let problems = map.validate(None);
    // THEN the second writer is reported.
    assert_eq!(
        codes(&map, None),
        [code::DUPLICATE_TARGET],
        "two writers race for one column"
    );
    assert_eq!(problems[0].path, "$.fields[4]");
}

#[test]
fn company_in_key_of_cross_company_map_is_reported() {
    // GIVEN a cross-company map whose key still names dataAreaId.
    let mut map = base();
    map.company = None;
    map.key.finance_operations.push("dataAreaId".to_owned());
    map.key
        .dataverse
        .push("msdyn_company.cdm_companycode".to_owned());
    map.fields.push(field(
        Some("dataAreaId"),
        FieldDirection::TwoWay,
        Some("msdyn_company.cdm_companycode"),
    ));
    map.fields[4].lookup = Some(Lookup {
        target_map: "companies".to_owned(),
        self_reference: false,
    });
    // WHEN it is validated.
    let found = codes(&map, None);
    // THEN the company mismatch is reported.
    assert_eq!(
        found,
        [code::COMPANY_MISMATCH],
        "both sides must be company-specific or neither (DIPV1002)"
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
fn one_way_transform_on_two_way_field_is_reported() {
    // GIVEN a two-way field that upper-cases its value.
    let mut map = base();
    map.fields[1].transform =
        Some(serde_json::from_value(json!({"kind": "case", "case": "upper"})).unwrap());
    // WHEN it is validated.
    let problems = map.validate(None);
    // THEN the transform is refused.
    assert_eq!(
        codes(&map, None),
        [code::ONE_WAY_TRANSFORM],
        "the upper-cased value would overwrite the original on the way back"
    );
    assert_eq!(problems[0].path, "$.fields[1].transform");
}

#[test]
fn two_way_key_without_prefixes_is_hinted() {
    // GIVEN a two-way map whose keys come from number sequences.
    let mut map = base();
    map.key_entered_by_hand = false;
    // WHEN it is validated.
    let found = codes(&map, None);
    // THEN the overlap hint appears.
    assert_eq!(
        found,
        [code::NUMBER_SEQUENCE_OVERLAP],
        "unconnected sequences hand out the same numbers"
    );
}

#[test]
fn overlapping_prefixes_are_hinted_and_distinct_ones_are_not() {
    // GIVEN prefixes where one starts the other, and then distinct ones.
    let mut map = base();
    map.key_entered_by_hand = false;
    map.number_sequence_prefixes = Some(NumberSequencePrefixes {
        finance_operations: "C".to_owned(),
        dataverse: "CE".to_owned(),
    });
    let overlapping = codes(&map, None);
    map.number_sequence_prefixes = Some(NumberSequencePrefixes {
        finance_operations: "F".to_owned(),
        dataverse: "C".to_owned(),
    });
    // WHEN both are validated.
    let distinct = codes(&map, None);
    // THEN only the overlapping pair is reported.
    assert_eq!(
        overlapping,
        [code::NUMBER_SEQUENCE_OVERLAP],
        "CE0001 starts with C, so both sides can create it"
    );
    assert!(distinct.is_empty(), "F and C keep keys apart");
}

#[test]
fn lookup_path_without_target_is_reported() {
    // GIVEN a dotted lookup path with no target map.
    let mut map = base();
    map.fields[2].lookup = None;
    // WHEN it is validated.
    let problems = map.validate(None);
    // THEN the lookup is unresolved.
    assert_eq!(
        codes(&map, None),
        [code::UNRESOLVED_LOOKUP],
        "the engine cannot resolve a lookup without knowing its map"
    );
    assert_eq!(problems[0].path, "$.fields[2].lookup");
}

#[test]
fn lookup_to_missing_map_is_reported_across_maps() {
    // GIVEN the base map without the payment terms map it looks up.
    let maps = [base()];
    // WHEN the set is validated.
    let problems = validate_all(&maps);
    // THEN the lookup target is reported missing.
    assert_eq!(problems.len(), 1, "only the lookup is wrong: {problems:#?}");
    assert_eq!(
        problems[0].1.code,
        code::UNRESOLVED_LOOKUP,
        "a missing target map leaves lookups empty"
    );
    assert_eq!(problems[0].0, "groups", "the problem names its map");
}

#[test]
fn lookup_by_a_column_outside_the_target_key_is_reported() {
    // GIVEN a target map keyed by msdyn_name and a lookup by another column.
    let mut terms = base();
    terms.name = "terms".to_owned();
    terms.fields.truncate(2);
    terms.key.dataverse = vec!["msdyn_groupid".to_owned()];
    let mut groups = base();
    groups.fields[2].dataverse = Some("msdyn_paymenttermid.msdyn_code".to_owned());
    // WHEN the two are validated together.
    let problems = validate_all(&[terms, groups]);
    // THEN the lookup column is reported.
    assert_eq!(
        problems.len(),
        1,
        "only the lookup column is wrong: {problems:#?}"
    );
    assert_eq!(
        problems[0].1.code,
        code::UNRESOLVED_LOOKUP,
        "a lookup must identify one row by the target's key"
    );
}

#[test]
fn filter_syntax_errors_are_reported_per_side() {
    // GIVEN broken filters on both sides.
    let mut map = base();
    map.filter_finance_operations = Some("((CustomerGroupId == ".to_owned());
    map.filter_dataverse = Some("statecode eq".to_owned());
    // WHEN it is validated.
    let problems = map.validate(None);
    // THEN both are reported at their own paths.
    let paths: Vec<&str> = problems
        .iter()
        .map(|problem| problem.path.as_str())
        .collect();
    assert_eq!(
        codes(&map, None),
        [code::FILTER_SYNTAX, code::FILTER_SYNTAX],
        "a filter that does not parse stops the map (DIPV1012)"
    );
    assert_eq!(paths, ["$.filterFinanceOperations", "$.filterDataverse"]);
}

#[test]
fn ambiguous_value_map_is_reported() {
    // GIVEN a value map pairing two members with one option.
    let mut map = base();
    map.fields[3].transform = Some(Transform::ValueMap {
        pairs: vec![
            ("Never".to_owned(), json!(1)),
            ("Always".to_owned(), json!(1)),
        ],
    });
    // WHEN it is validated.
    let found = codes(&map, None);
    // THEN the map is malformed.
    assert_eq!(
        found,
        [code::MALFORMED_TRANSFORM],
        "option 1 could not be translated back to one member"
    );
}

#[test]
fn field_direction_using_an_unnamed_side_is_reported() {
    // GIVEN a two-way field with no Dataverse column.
    let mut map = base();
    map.fields
        .push(field(Some("Name"), FieldDirection::TwoWay, None));
    // WHEN it is validated.
    let problems = map.validate(None);
    // THEN the missing side is reported.
    assert_eq!(
        codes(&map, None),
        [code::FIELD_SIDE_MISSING],
        "a two-way field needs both columns"
    );
    assert_eq!(problems[0].path, "$.fields[4].dataverse");
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
fn problems_serialize_with_their_code_and_path() {
    // GIVEN a reported problem.
    let mut map = base();
    map.key.dataverse.clear();
    let problem = map.validate(None).remove(0);
    // WHEN it is serialized for the UI.
    let json = serde_json::to_value(&problem).unwrap();
    // THEN the stable code and path are fields.
    assert_eq!(json["code"], "DW-V001", "the UI keys help text by code");
    assert_eq!(json["path"], "$.key");
    assert!(
        json["fix"].as_str().is_some_and(|fix| !fix.is_empty()),
        "every problem suggests a fix"
    );
}
