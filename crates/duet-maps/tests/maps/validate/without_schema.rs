//! Validation of a map on its own and of a set of maps: keys, directions, transforms,
//! lookups, number sequences, filters and how problems serialize.

use duet_maps::{FieldDirection, Lookup, NumberSequencePrefixes, Transform, code, validate_all};
use serde_json::json;

use super::{base, codes, field};

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
