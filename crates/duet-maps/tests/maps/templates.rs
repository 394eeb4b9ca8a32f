use std::collections::HashSet;

use duet_maps::{Side, start_order, templates, two_pass_maps, validate_all};

#[test]
fn every_template_validates_without_problems() {
    // GIVEN the embedded templates.
    let maps = templates();
    // WHEN each is validated on its own and all of them together.
    let single: Vec<String> = maps
        .iter()
        .flat_map(|map| {
            map.validate(None)
                .into_iter()
                .map(move |problem| format!("{}: {problem}", map.name))
        })
        .collect();
    let together: Vec<String> = validate_all(&maps)
        .into_iter()
        .map(|(map, problem)| format!("{map}: {problem}"))
        .collect();
    // THEN nothing is reported.
    assert!(
        single.is_empty(),
        "a shipped template must be runnable as it is: {single:#?}"
    );
    assert!(
        together.is_empty(),
        "template lookups must point at templates by their key: {together:#?}"
    );
}

#[test]
fn there_are_at_least_thirty_templates_with_unique_names() {
    // GIVEN the embedded templates.
    let maps = templates();
    // WHEN their names are collected.
    let names: HashSet<&str> = maps.iter().map(|map| map.name.as_str()).collect();
    // THEN there are enough of them and no name repeats.
    assert!(
        maps.len() >= 30,
        "the standard set covers at least thirty tables, found {}",
        maps.len()
    );
    assert_eq!(
        names.len(),
        maps.len(),
        "a template name identifies the map, so it must be unique"
    );
}

#[test]
fn templates_have_a_start_order_with_references_first() {
    // GIVEN the embedded templates.
    let maps = templates();
    // WHEN their start order is computed.
    let order = start_order(&maps).expect("the standard templates have no lookup cycle");
    // THEN every map starts after the maps it looks up.
    let position = |name: &str| {
        order
            .iter()
            .position(|entry| entry == name)
            .unwrap_or_else(|| panic!("{name} is missing from the order"))
    };
    assert_eq!(order.len(), maps.len(), "every template is ordered once");
    for map in &maps {
        for target in map.lookup_targets() {
            if target != map.name {
                assert!(
                    position(target) < position(&map.name),
                    "{} looks up {target}, so {target} must start first",
                    map.name
                );
            }
        }
    }
    assert_eq!(
        two_pass_maps(&maps),
        ["customers-v3-accounts"],
        "only accounts refer to their own rows (the billing account)"
    );
}

#[test]
fn customers_template_carries_the_reference_filters_and_value_maps() {
    // GIVEN the Customers V3 ↔ accounts template.
    let map = templates()
        .into_iter()
        .find(|map| map.name == "customers-v3-accounts")
        .expect("the customers template ships");
    // WHEN its filters and on-hold value map are read.
    let on_hold = map
        .fields
        .iter()
        .find(|field| field.finance_operations.as_deref() == Some("OnHoldStatus"))
        .expect("on-hold status is mapped");
    // THEN they are the documented ones and the company stripes the map.
    assert_eq!(
        map.filter_finance_operations.as_deref(),
        Some("((PartyType == \"Organization\"))"),
        "only organizations become accounts"
    );
    assert_eq!(
        map.filter_dataverse.as_deref(),
        Some("customertypecode eq 3")
    );
    assert!(map.company.is_some(), "accounts are company-specific");
    let json = serde_json::to_value(on_hold.transform.as_ref().unwrap()).unwrap();
    assert_eq!(
        json["pairs"][5],
        serde_json::json!(["Never", 806380005]),
        "the value map uses the documented option values"
    );
    assert!(
        map.transform(
            Side::FinanceOperations,
            &serde_json::json!({"OnHoldStatus": "Never"})
                .as_object()
                .cloned()
                .unwrap()
        )
        .is_ok(),
        "the template's value map translates its own members"
    );
}
