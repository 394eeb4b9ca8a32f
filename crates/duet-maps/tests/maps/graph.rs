use duet_maps::{Cycle, TableMap, start_order, two_pass_maps};
use serde_json::json;

/// A map named `name` whose fields look up each of `targets`.
fn map(name: &str, targets: &[&str]) -> TableMap {
    let mut fields =
        vec![json!({"financeOperations": "Id", "direction": "twoWay", "dataverse": "id"})];
    fields.extend(targets.iter().map(|target| {
        json!({"financeOperations": format!("{target}Id"), "direction": "twoWay",
            "dataverse": format!("{target}.id"),
            "lookup": {"targetMap": target, "selfReference": *target == name}})
    }));
    serde_json::from_value(json!({
        "name": name, "title": name, "financeOperationsEntity": name, "dataverseTable": name,
        "dataverseEntitySet": name, "dataverseId": "id",
        "key": {"financeOperations": ["Id"], "dataverse": ["id"]}, "company": null,
        "fields": fields
    }))
    .expect("graph test maps are valid")
}

#[test]
fn lookups_start_after_their_targets() {
    // GIVEN orders looking up customers and currencies, customers looking up currencies.
    let maps = [
        map("orders", &["customers", "currencies"]),
        map("customers", &["currencies"]),
        map("currencies", &[]),
    ];
    // WHEN the start order is computed.
    let order = start_order(&maps).expect("there is no cycle");
    // THEN targets come first.
    assert_eq!(
        order,
        ["currencies", "customers", "orders"],
        "a lookup needs its target rows to exist"
    );
}

#[test]
fn independent_maps_keep_their_given_order() {
    // GIVEN maps with no lookups.
    let maps = [map("b", &[]), map("a", &[]), map("c", &[])];
    // WHEN the start order is computed.
    let order = start_order(&maps).unwrap();
    // THEN it is the given order.
    assert_eq!(
        order,
        ["b", "a", "c"],
        "ties are stable so runs are repeatable"
    );
}

#[test]
fn cycles_are_reported_with_their_path() {
    // GIVEN customers and vendors looking each other up, behind an unrelated map.
    let maps = [
        map("groups", &[]),
        map("customers", &["groups", "vendors"]),
        map("vendors", &["customers"]),
    ];
    // WHEN the start order is computed.
    let error = start_order(&maps).unwrap_err();
    // THEN the cycle is named in lookup order, ending where it started.
    assert_eq!(
        error,
        Cycle {
            path: vec!["customers".into(), "vendors".into(), "customers".into()]
        },
        "the consultant must see which maps to break apart"
    );
    assert_eq!(
        error.to_string(),
        "maps look each other up in a cycle: customers → vendors → customers"
    );
}

#[test]
fn self_references_are_not_cycles_but_need_two_passes() {
    // GIVEN accounts whose billing account is another account.
    let maps = [map("accounts", &["accounts", "groups"]), map("groups", &[])];
    // WHEN the start order and the two-pass maps are computed.
    let order = start_order(&maps).expect("a self-reference is not a cycle");
    // THEN the map is ordered normally and flagged for a two-pass write.
    assert_eq!(
        order,
        ["groups", "accounts"],
        "the other lookup still orders the map"
    );
    assert_eq!(
        two_pass_maps(&maps),
        ["accounts"],
        "rows referring to rows of the same batch are written in two passes"
    );
    assert!(
        maps[0]
            .validate(None)
            .iter()
            .all(|problem| problem.code != "DW-V012"),
        "a declared self-reference is a resolved lookup"
    );
}

#[test]
fn lookups_outside_the_set_do_not_block_the_order() {
    // GIVEN a map looking up a map that is not in the set.
    let maps = [map("orders", &["customers"])];
    // WHEN the start order is computed.
    let order = start_order(&maps).unwrap();
    // THEN the map is still ordered; validation reports the missing target instead.
    assert_eq!(
        order,
        ["orders"],
        "ordering is not the place to report missing maps"
    );
}

#[test]
fn lookup_fields_split_the_dataverse_path_and_mark_self_references() {
    // GIVEN customers that look up a currency and their own invoice account, and a
    // polymorphic lookup of one table and one of two tables.
    let mut customers = map("customers", &["currencies", "customers"]);
    for (path, field) in [
        ("customerid.Account(accountnumber)", "OrderAccount"),
        (
            "customerid.Account(accountnumber).Contact(msdyn_contactpersonid)",
            "OrderParty",
        ),
    ] {
        customers.fields.push(
            serde_json::from_value(json!({"financeOperations": field,
                "direction": "twoWay", "dataverse": path,
                "lookup": {"targetMap": "accounts", "selfReference": false}}))
            .unwrap(),
        );
    }
    // WHEN its lookup fields are listed.
    let all = customers.lookup_fields();
    let own = customers.self_reference_fields();
    // THEN dotted paths and the one-table polymorphic path are split (its table comes from
    // the target map), only the own-table one is a self-reference, and a path that could
    // name either of two tables is left out.
    let paths: Vec<(&str, &str, bool)> = all
        .iter()
        .map(|f| (f.navigation.as_str(), f.column.as_str(), f.self_reference))
        .collect();
    assert_eq!(
        paths,
        [
            ("currencies", "id", false),
            ("customers", "id", true),
            ("customerid", "accountnumber", false)
        ],
        "a polymorphic path naming one table is a lookup like any other"
    );
    assert_eq!(all[2].value_property(), "_customerid_value");
    assert_eq!(own.len(), 1);
    assert_eq!(own[0].index, 2);
    assert_eq!(own[0].finance_operations.as_deref(), Some("customersId"));
    assert_eq!(own[0].value_property(), "_customers_value");
    assert!(customers.needs_two_pass_write());
}
