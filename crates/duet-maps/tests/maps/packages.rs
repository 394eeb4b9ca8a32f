//! Package import against arbitrary input: it never panics, and everything it refuses is
//! explained by problems that carry a JSON path, a message and a fix.

use duet_maps::{Package, check_import, export, templates};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |number| number.is_finite())
            .prop_map(Value::from),
        "[a-zA-Z=<>()' ]{0,12}".prop_map(Value::from),
        prop_oneof![
            Just("="),
            Just("><"),
            Just(">"),
            Just("<"),
            Just(">>"),
            Just("<<"),
            Just("duet.maps"),
            Just("fields"),
            Just("name eq 'x'"),
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("format".to_owned()),
                        Just("version".to_owned()),
                        Just("maps".to_owned()),
                        Just("name".to_owned()),
                        Just("fields".to_owned()),
                        Just("direction".to_owned()),
                        Just("key".to_owned()),
                        "[a-z]{1,8}",
                    ],
                    inner,
                ),
                0..6,
            )
            .prop_map(|entries| Value::Object(entries.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn template_package() -> Value {
    let maps = templates();
    let names: Vec<String> = maps.iter().take(4).map(|map| map.name.clone()).collect();
    serde_json::to_value(export(&maps, &names).expect("export")).expect("json")
}

/// Replaces the value at a pseudo-random place in `document` (chosen by `steps`).
fn replace_somewhere(document: &mut Value, steps: &[usize], with: Value) {
    let Some((step, rest)) = steps.split_first() else {
        *document = with;
        return;
    };
    match document {
        Value::Array(items) if !items.is_empty() => {
            let index = step % items.len();
            replace_somewhere(&mut items[index], rest, with);
        }
        Value::Object(entries) if !entries.is_empty() => {
            let key = entries
                .keys()
                .nth(step % entries.len())
                .cloned()
                .expect("key");
            replace_somewhere(entries.get_mut(&key).expect("value"), rest, with);
        }
        _ => *document = with,
    }
}

fn assert_explained(document: &Value) {
    let plan = check_import(document, &[], false);
    for problem in &plan.problems {
        assert!(problem.path.starts_with('$'), "{problem:?}");
        assert!(problem.code.starts_with("DW-"), "{problem:?}");
        assert!(
            !problem.message.is_empty() && !problem.fix.is_empty(),
            "{problem:?}"
        );
    }
    if plan.can_import() {
        // What is accepted is a real set of maps that survives a round trip.
        let package = Package {
            format: "duet.maps".to_owned(),
            version: 1,
            maps: plan.maps.clone(),
        };
        let again = check_import(&serde_json::to_value(&package).expect("json"), &[], false);
        assert_eq!(again.maps, plan.maps);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_json_never_panics_and_every_problem_has_a_path(document in any_json()) {
        assert_explained(&document);
        assert_explained(&json!({"format": "duet.maps", "version": 1, "maps": [document]}));
    }

    #[test]
    fn a_damaged_package_is_refused_with_paths_or_accepted_whole(
        steps in prop::collection::vec(any::<usize>(), 1..7),
        with in any_json(),
    ) {
        let mut document = template_package();
        replace_somewhere(&mut document, &steps, with);
        assert_explained(&document);
    }
}

#[test]
fn hostile_sizes_in_a_package_are_problems_not_crashes() {
    // GIVEN a package whose map filters nest 100,000 deep, whose title is 10 MB long,
    // and JSON text nested 100,000 deep.
    let mut package = template_package();
    let map = &mut package["maps"][0];
    map["filterDataverse"] = Value::from(format!("{}a eq 1", "not ".repeat(100_000)));
    map["filterFinanceOperations"] = Value::from("(".repeat(100_000));
    map["title"] = Value::from("x".repeat(10_000_000));
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    // WHEN the package is checked, and the deep text is read as JSON.
    let plan = check_import(&package, &[], false);
    let read = serde_json::from_str::<Value>(&deep);
    // THEN both filters are syntax problems that say how deep is too deep, and the JSON
    // reader refuses the nesting (its recursion limit is on).
    let filter_problems: Vec<&str> = plan
        .problems
        .iter()
        .filter(|problem| problem.code == duet_maps::code::FILTER_SYNTAX)
        .map(|problem| problem.message.as_str())
        .collect();
    assert_eq!(filter_problems.len(), 2, "{:?}", plan.problems);
    assert!(
        filter_problems
            .iter()
            .all(|message| message.contains("more than 128 levels deep")),
        "{filter_problems:?}"
    );
    assert!(
        read.is_err_and(|error| error.to_string().contains("recursion limit exceeded")),
        "serde_json refuses JSON nested past its limit"
    );
}
