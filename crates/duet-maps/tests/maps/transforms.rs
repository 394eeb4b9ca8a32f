use duet_maps::{FieldDirection, FieldMapping, Row, Side, TableMap, Transform};
use proptest::prelude::*;
use serde_json::{Value, json};

fn row(value: Value) -> Row {
    value.as_object().cloned().expect("test rows are objects")
}

/// A cross-company map keyed by `Id`/`id` whose only other field is `mapping`.
fn map_with(mapping: Value) -> TableMap {
    serde_json::from_value(json!({
        "name": "things", "title": "Things", "financeOperationsEntity": "Things",
        "dataverseTable": "thing", "dataverseEntitySet": "things", "dataverseId": "thingid",
        "key": {"financeOperations": ["Id"], "dataverse": ["id"]}, "company": null,
        "fields": [
            {"financeOperations": "Id", "direction": "twoWay", "dataverse": "id"},
            mapping
        ]
    }))
    .expect("test maps are valid table maps")
}

fn across(map: &TableMap, from: Side, value: Value) -> Row {
    map.transform(from, &row(value))
        .expect("the test values are in the transform's domain")
}

#[test]
fn stored_maps_without_new_fields_still_load_and_serialize_the_same() {
    // GIVEN the demo map serialized the way earlier versions stored it.
    let stored = serde_json::to_value(TableMap::customers()).unwrap();
    // WHEN it is read back and written again.
    let loaded: TableMap = serde_json::from_value(stored.clone()).unwrap();
    let written = serde_json::to_value(&loaded).unwrap();
    // THEN nothing changes and no new keys appear.
    assert_eq!(written, stored, "stored maps must round-trip unchanged");
    assert!(
        stored.get("filterDataverse").is_none() && stored["fields"][0].get("lookup").is_none(),
        "unset new fields are not written, so older readers see the old shape"
    );
    assert_eq!(
        stored["fields"][6]["transform"],
        json!({"kind": "default", "value": 3}),
        "the default transform keeps its JSON shape"
    );
}

#[test]
fn constant_overrides_the_source() {
    // GIVEN a one-way field with a constant.
    let map = map_with(
        json!({"financeOperations": "Kind", "direction": "toDataverse",
        "dataverse": "kind", "transform": {"kind": "constant", "value": "B2B"}}),
    );
    // WHEN a row with its own value goes across.
    let out = across(&map, Side::FinanceOperations, json!({"Kind": "B2C"}));
    // THEN the constant is written.
    assert_eq!(
        out["kind"], "B2B",
        "a constant ignores what the source holds"
    );
}

#[test]
fn concatenate_joins_and_splits_back() {
    // GIVEN first and last name joined into a full name, split from the left.
    let map = map_with(json!({"direction": "twoWay", "dataverse": "fullname",
        "transform": {"kind": "concatenate", "from": "financeOperations",
            "fields": ["FirstName", "LastName"], "separator": " ", "split": "fromLeft"}}));
    // WHEN a row goes to Dataverse, and a full name with an extra space comes back.
    let joined = across(
        &map,
        Side::FinanceOperations,
        json!({"FirstName": "Ada", "LastName": "Lovelace"}),
    );
    let split = across(
        &map,
        Side::Dataverse,
        json!({"fullname": "Ada King Lovelace"}),
    );
    // THEN names join with the separator and the remainder stays in the last field.
    assert_eq!(joined["fullname"], "Ada Lovelace", "parts join in order");
    assert_eq!(
        split,
        row(json!({"FirstName": "Ada", "LastName": "King Lovelace"})),
        "from-left splitting keeps extra separators in the last part"
    );
    assert_eq!(
        map.projection(
            Side::FinanceOperations,
            &row(json!({"FirstName": "A", "LastName": "B", "Other": 1}))
        ),
        row(json!({"FirstName": "A", "LastName": "B"})),
        "joined fields are part of the state Duet compares"
    );
}

#[test]
fn case_trim_and_rounding_change_values_one_way() {
    // GIVEN fields with case, trim and rounding transforms.
    let mut map = map_with(
        json!({"financeOperations": "Code", "direction": "toDataverse",
        "dataverse": "code", "transform": {"kind": "case", "case": "upper"}}),
    );
    map.fields.push(
        serde_json::from_value(json!({"financeOperations": "Memo",
        "direction": "toDataverse", "dataverse": "memo", "transform": {"kind": "trim"}}))
        .unwrap(),
    );
    map.fields.push(
        serde_json::from_value(json!({"financeOperations": "Amount",
        "direction": "toDataverse", "dataverse": "amount",
        "transform": {"kind": "numberFormat", "decimals": 2, "rounding": "halfEven"}}))
        .unwrap(),
    );
    // WHEN a row goes across.
    let out = across(
        &map,
        Side::FinanceOperations,
        json!({"Code": "eur", "Memo": "  hello ", "Amount": 2.125}),
    );
    // THEN each value is changed as declared.
    assert_eq!(out["code"], "EUR", "upper case");
    assert_eq!(out["memo"], "hello", "white space trimmed");
    assert_eq!(
        out["amount"], 2.12,
        "banker's rounding sends the half to the even cent"
    );
}

#[test]
fn rounding_refuses_text_that_is_not_a_number() {
    // GIVEN a rounding field.
    let map = map_with(
        json!({"financeOperations": "Amount", "direction": "toDataverse",
        "dataverse": "amount", "transform": {"kind": "numberFormat", "decimals": 0, "rounding": "up"}}),
    );
    // WHEN a non-number arrives.
    let error = map.transform(Side::FinanceOperations, &row(json!({"Amount": "lots"})));
    // THEN the error names the field rather than writing null.
    assert!(
        matches!(error, Err(duet_maps::MapError::InvalidValue { ref field, .. }) if field == "Amount"),
        "a value that cannot be rounded must fail loudly: {error:?}"
    );
}

#[test]
fn date_format_maps_the_empty_date_and_date_kinds() {
    // GIVEN a finance and operations date shown as a Dataverse date-and-time.
    let map = map_with(
        json!({"financeOperations": "InvoiceDate", "direction": "toDataverse",
        "dataverse": "invoicedate",
        "transform": {"kind": "dateFormat", "financeOperations": "date", "dataverse": "dateTime"}}),
    );
    // WHEN a real date and the empty date go across.
    let real = across(
        &map,
        Side::FinanceOperations,
        json!({"InvoiceDate": "2026-05-01"}),
    );
    let empty = across(
        &map,
        Side::FinanceOperations,
        json!({"InvoiceDate": "1900-01-01T12:00:00Z"}),
    );
    // THEN the date becomes midnight UTC and the empty date becomes null.
    assert_eq!(
        real["invoicedate"], "2026-05-01T00:00:00Z",
        "date-only becomes midnight UTC"
    );
    assert_eq!(
        empty["invoicedate"],
        Value::Null,
        "1900-01-01 is finance and operations' null"
    );
}

#[test]
fn null_policy_keeps_defaults_or_skips() {
    // GIVEN three fields with each null policy.
    let mut map = map_with(json!({"financeOperations": "A", "direction": "toDataverse",
        "dataverse": "a", "nullPolicy": {"kind": "keep"}}));
    map.fields.push(
        serde_json::from_value(json!({"financeOperations": "B",
        "direction": "toDataverse", "dataverse": "b",
        "nullPolicy": {"kind": "useDefault", "value": "n/a"}}))
        .unwrap(),
    );
    map.fields.push(
        serde_json::from_value(json!({"financeOperations": "C",
        "direction": "toDataverse", "dataverse": "c", "nullPolicy": {"kind": "skip"}}))
        .unwrap(),
    );
    // WHEN a row with empty values goes across.
    let out = across(&map, Side::FinanceOperations, json!({"A": "", "B": null}));
    // THEN each policy decides.
    assert_eq!(out["a"], "", "keep writes what the source holds");
    assert_eq!(out["b"], "n/a", "use-default replaces the null");
    assert!(!out.contains_key("c"), "skip leaves the column untouched");
}

#[test]
fn lookup_by_name_passes_the_name_to_the_engine() {
    // GIVEN a lookup by name in a map whose keys are typed by hand.
    let mut map = map_with(
        json!({"financeOperations": "PaymentTerms", "direction": "twoWay",
        "dataverse": "msdyn_paymentterm", "lookup": {"targetMap": "payment-terms"},
        "transform": {"kind": "lookupByName", "targetMap": "payment-terms", "nameColumn": "msdyn_name"}}),
    );
    map.key_entered_by_hand = true;
    // WHEN a row goes across.
    let out = across(
        &map,
        Side::FinanceOperations,
        json!({"PaymentTerms": "Net30"}),
    );
    // THEN the name is written for the engine to resolve, and the map is valid.
    assert_eq!(
        out["msdyn_paymentterm"], "Net30",
        "the engine resolves names to rows"
    );
    let problems = map.validate(None);
    assert!(
        problems.is_empty(),
        "lookup by name round-trips, so a two-way field may use it: {problems:#?}"
    );
}

#[test]
fn round_trip_declarations_match_the_transforms() {
    // GIVEN one transform of each kind.
    let kinds: Vec<(Transform, bool)> = [
        (json!({"kind": "default", "value": 1}), false),
        (json!({"kind": "valueMap", "pairs": [["A", 1]]}), true),
        (json!({"kind": "constant", "value": 1}), false),
        (json!({"kind": "concatenate", "from": "dataverse", "fields": ["a"], "separator": "-"}), false),
        (json!({"kind": "concatenate", "from": "dataverse", "fields": ["a"], "separator": "-", "split": "fromRight"}), true),
        (json!({"kind": "case", "case": "title"}), false),
        (json!({"kind": "trim"}), false),
        (json!({"kind": "numberFormat", "decimals": 2, "rounding": "down"}), false),
        (json!({"kind": "dateFormat", "financeOperations": "date", "dataverse": "date"}), true),
        (json!({"kind": "dateFormat", "financeOperations": "date", "dataverse": "dateTime"}), false),
        (json!({"kind": "lookupByName", "targetMap": "m", "nameColumn": "n"}), true),
    ]
    .into_iter()
    .map(|(value, expected)| (serde_json::from_value(value).unwrap(), expected))
    .collect();
    // WHEN each is asked whether it round-trips.
    for (transform, expected) in kinds {
        // THEN the answer matches whether information is lost.
        assert_eq!(
            transform.round_trips(),
            expected,
            "{} decides whether a two-way field may use it",
            transform.kind()
        );
    }
}

#[test]
fn legacy_direction_and_field_shapes_are_unchanged() {
    // GIVEN a mapping written by an earlier version.
    let mapping: FieldMapping = serde_json::from_value(json!({"financeOperations": "A",
        "direction": "twoWayTransform", "dataverse": "a", "transform": null, "note": null}))
    .unwrap();
    // WHEN it is read.
    // THEN the new fields default to absent.
    assert_eq!(
        mapping.direction,
        FieldDirection::TwoWayTransform,
        "directions keep their names"
    );
    assert!(
        mapping.lookup.is_none() && mapping.null_policy.is_none(),
        "new fields default to none"
    );
}

fn member() -> impl Strategy<Value = String> {
    "[A-Z][a-zA-Z]{0,10}"
}

proptest! {
    #[test]
    fn value_maps_return_the_original_value(
        members in proptest::collection::hash_set(member(), 1..8),
        first_option in 0_i64..1_000_000_000,
        pick in any::<prop::sample::Index>(),
    ) {
        // GIVEN a one-to-one value map and one of its members.
        let pairs: Vec<(String, Value)> = members
            .into_iter()
            .enumerate()
            .map(|(offset, name)| (name, json!(first_option + offset as i64)))
            .collect();
        let (name, option) = pairs[pick.index(pairs.len())].clone();
        let map = map_with(json!({"financeOperations": "E", "direction": "twoWayTransform",
            "dataverse": "e", "transform": {"kind": "valueMap", "pairs": pairs}}));
        // WHEN the member goes to Dataverse and back, and the option to finance and operations and back.
        let there = across(&map, Side::FinanceOperations, json!({"E": name}));
        let back = across(&map, Side::Dataverse, Value::Object(there));
        let fo = across(&map, Side::Dataverse, json!({"e": option}));
        let dv = across(&map, Side::FinanceOperations, Value::Object(fo));
        // THEN both arrive unchanged.
        prop_assert_eq!(&back["E"], &json!(name), "a member survives the round trip");
        prop_assert_eq!(&dv["e"], &option, "an option survives the round trip");
    }

    #[test]
    fn split_concatenation_returns_the_original_parts(
        parts in proptest::collection::vec("[a-zA-Z0-9]{1,8}", 1..5),
        separator in prop_oneof![Just(" "), Just(", "), Just("|"), Just("-")],
        from_left in any::<bool>(),
    ) {
        // GIVEN parts without the separator, joined into one Dataverse column.
        let fields: Vec<String> = (0..parts.len()).map(|index| format!("F{index}")).collect();
        let split = if from_left { "fromLeft" } else { "fromRight" };
        let map = map_with(json!({"direction": "twoWay", "dataverse": "joined",
            "transform": {"kind": "concatenate", "from": "financeOperations", "fields": fields,
                "separator": separator, "split": split}}));
        let source: Row = fields.iter().cloned().zip(parts.iter().map(|part| json!(part))).collect();
        // WHEN they are joined and split back.
        let joined = map.transform(Side::FinanceOperations, &source).unwrap();
        let back = map.transform(Side::Dataverse, &joined).unwrap();
        // THEN every part is where it was.
        prop_assert_eq!(back, source, "splitting undoes joining when parts lack the separator");
    }

    #[test]
    fn same_kind_date_formats_return_the_original_value(
        year in 1901_u16..=9999,
        month in 1_u8..=12,
        day in 1_u8..=28,
        empty in any::<bool>(),
        date_time in any::<bool>(),
    ) {
        // GIVEN a date field (or date-and-time field) and a date, or the empty date.
        let kind = if date_time { "dateTime" } else { "date" };
        let map = map_with(json!({"financeOperations": "D", "direction": "twoWay", "dataverse": "d",
            "transform": {"kind": "dateFormat", "financeOperations": kind, "dataverse": kind}}));
        let date = format!("{year:04}-{month:02}-{day:02}");
        let value = match (empty, date_time) {
            (true, false) => "1900-01-01".to_owned(),
            (true, true) => "1900-01-01T12:00:00Z".to_owned(),
            (false, false) => date,
            (false, true) => format!("{date}T08:30:00Z"),
        };
        // WHEN it goes to Dataverse and back.
        let there = across(&map, Side::FinanceOperations, json!({"D": value}));
        let back = across(&map, Side::Dataverse, Value::Object(there.clone()));
        // THEN it arrives unchanged, the empty date by way of a Dataverse null.
        prop_assert_eq!(&back["D"], &json!(value), "a date survives the round trip");
        prop_assert_eq!(there["d"].is_null(), empty, "only the empty date becomes null");
    }

    #[test]
    fn lookup_names_return_unchanged(name in "[ -~]{0,20}") {
        // GIVEN a lookup by name and any printable name.
        let map = map_with(json!({"financeOperations": "N", "direction": "twoWay", "dataverse": "n",
            "lookup": {"targetMap": "other"},
            "transform": {"kind": "lookupByName", "targetMap": "other", "nameColumn": "msdyn_name"}}));
        // WHEN it goes across and back.
        let there = across(&map, Side::FinanceOperations, json!({"N": name}));
        let back = across(&map, Side::Dataverse, Value::Object(there));
        // THEN the name is unchanged.
        prop_assert_eq!(&back["N"], &json!(name), "names pass through for the engine to resolve");
    }
}
