//! Unit tests of packages: export order, import plans, and problems reported by path.

use super::*;
use crate::package_code;
use crate::templates;
use crate::validate::code;
use serde_json::{Value, json};

/// The demo map, which passes every check as it is.
fn clean() -> TableMap {
    TableMap::customers()
}

fn stored(maps: &[TableMap]) -> Vec<(String, Value)> {
    maps.iter()
        .map(|map| (map.name.clone(), serde_json::to_value(map).expect("json")))
        .collect()
}

fn codes_and_paths(plan: &ImportPlan) -> Vec<(&str, &str)> {
    plan.problems
        .iter()
        .map(|found| (found.code, found.path.as_str()))
        .collect()
}

#[test]
fn export_brings_lookup_targets_along_in_start_order() {
    let all = templates();
    let with_lookups = all
        .iter()
        .find(|map| {
            map.lookup_targets()
                .iter()
                .any(|target| *target != map.name)
        })
        .expect("a template with a lookup into another map");
    let package = export(&all, std::slice::from_ref(&with_lookups.name)).expect("export");
    assert_eq!(package.format, "duet.maps");
    assert_eq!(package.version, 1);
    let names: Vec<&str> = package.maps.iter().map(|map| map.name.as_str()).collect();
    assert!(names.len() > 1, "{names:?}");
    for target in with_lookups.lookup_targets() {
        if all.iter().any(|map| map.name == target) {
            let target_at = names
                .iter()
                .position(|name| *name == target)
                .expect("target");
            let map_at = names.iter().position(|name| *name == with_lookups.name);
            assert!(target == with_lookups.name || Some(target_at) < map_at);
        }
    }
    assert_eq!(
        export(&all, &["nope".to_owned()]),
        Err(PackageError::UnknownMap("nope".to_owned()))
    );
}

#[test]
fn an_exported_package_imports_cleanly_into_an_empty_directory_and_is_unchanged_after() {
    let all = templates();
    let package = serde_json::to_value(export(&all, &[]).expect("export")).expect("json");
    let plan = check_import(&package, &[], false);
    assert!(plan.can_import(), "{:#?}", plan.problems);
    assert_eq!(plan.added.len(), all.len());
    let again = check_import(&package, &stored(&plan.maps), false);
    assert!(again.can_import());
    assert_eq!(again.unchanged.len(), all.len());
    assert_eq!(again.to_write().count(), 0);
}

#[test]
fn the_demo_map_exports_and_imports_cleanly() {
    // GIVEN a package exported from a directory holding the demo map.
    let customers = TableMap::customers();
    let package = export(std::slice::from_ref(&customers), &[]).expect("export");
    let document = serde_json::to_value(&package).expect("json");
    // WHEN it is imported into an empty directory, and again into the one it came from.
    let plan = check_import(&document, &[], false);
    let again = check_import(&document, &stored(std::slice::from_ref(&customers)), false);
    // THEN the first import adds it unchanged and the second leaves it alone.
    assert!(plan.can_import(), "{:#?}", plan.problems);
    assert_eq!(plan.added, ["customers"]);
    assert_eq!(plan.maps, [customers]);
    assert!(again.can_import(), "{:#?}", again.problems);
    assert_eq!(again.unchanged, ["customers"]);
    assert_eq!(again.to_write().count(), 0);
}

#[test]
fn every_shape_problem_is_reported_with_its_path() {
    let mut customers = serde_json::to_value(clean()).expect("json");
    customers["fields"][3]["direction"] = json!("<>");
    customers["fields"][1]["financeOperations"] = json!(42);
    customers["filterDataverse"] = json!("name eq");
    let broken = json!({"name": "broken", "title": 7, "fields": []});
    let package = json!({"format": "duet.maps", "version": 1, "maps": [
        serde_json::to_value(clean()).expect("json"),
        customers,
        broken,
        "not a map",
    ]});
    let plan = check_import(&package, &[], false);
    assert!(!plan.can_import());
    let found = codes_and_paths(&plan);
    assert!(
        found.contains(&(
            package_code::WRONG_SHAPE,
            "$.maps[1].fields[1].financeOperations"
        )),
        "{found:?}"
    );
    assert!(
        found.contains(&(
            package_code::UNKNOWN_DIRECTION,
            "$.maps[1].fields[3].direction"
        )),
        "{found:?}"
    );
    assert!(
        found.contains(&(package_code::WRONG_SHAPE, "$.maps[2].title")),
        "{found:?}"
    );
    assert!(
        found.contains(&(package_code::WRONG_SHAPE, "$.maps[3]")),
        "{found:?}"
    );
    // The second map's filter is checked although its fields do not parse.
    assert!(
        found.contains(&(code::FILTER_SYNTAX, "$.maps[1].filterDataverse")),
        "{found:?}"
    );
    assert_eq!(plan.maps.len(), 1);
    assert!(
        plan.problems
            .iter()
            .all(|found| found.path.starts_with("$.maps["))
    );
    assert!(plan.problems.iter().all(|found| !found.fix.is_empty()));
}

#[test]
fn validation_codes_come_back_under_the_map_path() {
    let mut customers = serde_json::to_value(clean()).expect("json");
    customers["filterDataverse"] = json!("name eq");
    customers["fields"][2]["direction"] = json!(">");
    let package = json!({"format": "duet.maps", "version": 1, "maps": [customers]});
    let plan = check_import(&package, &[], false);
    let found = codes_and_paths(&plan);
    assert!(
        found.contains(&(code::FILTER_SYNTAX, "$.maps[0].filterDataverse")),
        "{found:?}"
    );
    assert!(!plan.can_import());
}

#[test]
fn a_different_map_of_the_same_name_conflicts_unless_replaced() {
    let mut existing = clean();
    existing.title = "Customers as they are".to_owned();
    let package = json!({"format": "duet.maps", "version": 1,
        "maps": [serde_json::to_value(clean()).expect("json")]});
    let plan = check_import(&package, &stored(&[existing.clone()]), false);
    assert_eq!(
        codes_and_paths(&plan),
        [(package_code::CONFLICT, "$.maps[0].name")]
    );
    let plan = check_import(&package, &stored(&[existing]), true);
    assert!(plan.can_import());
    assert_eq!(plan.replaced, ["customers"]);
    assert_eq!(plan.to_write().count(), 1);
}

#[test]
fn the_envelope_is_checked_and_duplicates_are_named() {
    let plan = check_import(&json!([1, 2]), &[], false);
    assert_eq!(codes_and_paths(&plan), [(package_code::NOT_A_PACKAGE, "$")]);
    let plan = check_import(&json!({"format": "other", "version": 2}), &[], false);
    assert_eq!(
        codes_and_paths(&plan),
        [
            (package_code::NOT_A_PACKAGE, "$.format"),
            (package_code::NOT_A_PACKAGE, "$.version"),
            (package_code::NOT_A_PACKAGE, "$.maps"),
        ]
    );
    let customers = serde_json::to_value(clean()).expect("json");
    let plan = check_import(
        &json!({"format": "duet.maps", "version": 1, "maps": [customers, customers]}),
        &[],
        false,
    );
    assert_eq!(
        codes_and_paths(&plan),
        [(package_code::DUPLICATE_NAME, "$.maps[1].name")]
    );
}

#[test]
fn a_single_map_is_checked_at_the_root_and_symbols_are_read_as_directions() {
    let mut customers = serde_json::to_value(clean()).expect("json");
    customers["fields"][1]["direction"] = json!("=");
    let plan = check_import(&customers, &[], false);
    assert!(plan.can_import(), "{:?}", plan.problems);
    customers["fields"][1]["direction"] = json!("=>");
    let plan = check_import(&customers, &[], false);
    assert_eq!(
        codes_and_paths(&plan),
        [(package_code::UNKNOWN_DIRECTION, "$.fields[1].direction")]
    );
}

#[test]
fn an_unresolved_lookup_is_reported_and_resolves_against_existing_maps() {
    let all = templates();
    let map = all
        .iter()
        .find(|map| {
            map.fields.iter().any(|field| {
                field
                    .lookup
                    .as_ref()
                    .is_some_and(|lookup| lookup.target_map != map.name)
            })
        })
        .expect("a template with a declared lookup");
    let package = json!({"format": "duet.maps", "version": 1,
        "maps": [serde_json::to_value(map).expect("json")]});
    let plan = check_import(&package, &[], false);
    assert!(
        plan.problems
            .iter()
            .any(|found| found.code == code::UNRESOLVED_LOOKUP
                && found.path.starts_with("$.maps[0].fields["))
    );
    let others: Vec<TableMap> = all
        .iter()
        .filter(|other| other.name != map.name)
        .cloned()
        .collect();
    let plan = check_import(&package, &stored(&others), false);
    assert!(plan.can_import(), "{:?}", plan.problems);
}
