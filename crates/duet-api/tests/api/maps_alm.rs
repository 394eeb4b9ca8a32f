//! Map versions and packages through the command dispatcher, over real data directories.

use std::sync::Arc;

use duet_api::{Api, ApiOptions, DuetEvent, ImportReport, MapDiffView, MapVersionView, SavedMap};
use duet_maps::templates;
use serde_json::{Value, json};

fn options() -> ApiOptions {
    ApiOptions {
        keyring_service: format!("dev.duet.app.maps-test.{}", std::process::id()),
        ..ApiOptions::default()
    }
}

async fn open(dir: &std::path::Path) -> Arc<Api> {
    Api::open(dir, options()).await.expect("open api")
}

async fn call<T: serde::de::DeserializeOwned>(api: &Arc<Api>, command: &str, args: Value) -> T {
    let answer = api
        .call(command, args)
        .await
        .unwrap_or_else(|error| panic!("{command} failed: {error}"));
    serde_json::from_value(answer).expect("answer shape")
}

fn template(name: &str) -> Value {
    let map = templates()
        .into_iter()
        .find(|map| map.name == name)
        .unwrap_or_else(|| panic!("no template {name}"));
    serde_json::to_value(map).expect("json")
}

#[tokio::test]
async fn saves_make_versions_that_diff_and_roll_back() {
    let dir = tempfile::tempdir().expect("dir");
    let api = open(dir.path()).await;
    // A map that looks nothing up, so that it is clean on its own.
    let name = templates()
        .into_iter()
        .find(|map| map.lookup_targets().is_empty())
        .expect("a template without lookups")
        .name;
    let first = template(&name);
    let mut events = api.subscribe();
    let saved: SavedMap = call(&api, "save_map", json!({"map": first, "note": "first"})).await;
    match events.try_recv().expect("an event for the saved map") {
        DuetEvent::MapChanged { map } => assert_eq!(map.name, name),
        other => panic!("unexpected event {other:?}"),
    }
    assert_eq!(saved.version.version, 1);
    assert_eq!(saved.version.note.as_deref(), Some("first"));

    let mut second = first.clone();
    second["title"] = json!("Edited title");
    second["fields"][0]["note"] = json!("edited");
    second["filterDataverse"] = json!("name eq");
    let saved: SavedMap = call(&api, "save_map", json!({"map": second})).await;
    assert_eq!(saved.version.version, 2);
    // The broken filter is saved, and reported.
    assert!(
        saved
            .problems
            .iter()
            .any(|problem| problem.code == "DW-V013" && problem.path == "$.filterDataverse"),
        "{:?}",
        saved.problems
    );

    let versions: Vec<MapVersionView> = call(&api, "map_versions", json!({"name": name})).await;
    assert_eq!(
        versions.iter().map(|v| v.version).collect::<Vec<_>>(),
        [1, 2]
    );
    assert!(!versions[1].author.is_empty());

    let diff: MapDiffView = call(&api, "map_diff", json!({"name": name, "from": 1, "to": 2})).await;
    let paths: Vec<&str> = diff.properties.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(paths, ["$.filterDataverse", "$.title"]);
    assert_eq!(diff.fields.len(), 1);
    assert_eq!(diff.fields[0].changes[0].path, "$.fields[0].note");
    assert_eq!(diff.fields[0].changes[0].after, Some(json!("edited")));

    let rolled: SavedMap = call(&api, "rollback_map", json!({"name": name, "version": 1})).await;
    assert_eq!(rolled.version.version, 3);
    assert!(rolled.problems.is_empty(), "{:?}", rolled.problems);
    let diff: MapDiffView = call(&api, "map_diff", json!({"name": name, "from": 1, "to": 3})).await;
    assert!(diff.properties.is_empty() && diff.fields.is_empty());
    let maps: Value = api.call("maps", json!({})).await.expect("maps");
    assert!(maps.to_string().contains(&name));

    let missing = api
        .call("map_diff", json!({"name": name, "from": 1, "to": 9}))
        .await
        .expect_err("no version 9");
    assert_eq!(missing.code, "not_found");
    let unreadable = api
        .call(
            "save_map",
            json!({"map": {"name": "x", "fields": [{"direction": "?"}]}}),
        )
        .await
        .expect_err("unreadable map");
    assert_eq!(unreadable.code, "invalid_map");
    assert!(
        unreadable.message.contains("$.fields[0].direction"),
        "{}",
        unreadable.message
    );
    api.shutdown().await;
}

#[tokio::test]
async fn a_package_moves_maps_between_data_directories() {
    let source_dir = tempfile::tempdir().expect("dir");
    let target_dir = tempfile::tempdir().expect("dir");
    let source = open(source_dir.path()).await;
    let all = templates();
    let dependent = all
        .iter()
        .find(|map| {
            map.lookup_targets()
                .iter()
                .any(|target| *target != map.name)
        })
        .expect("a template with lookups")
        .clone();
    for map in &all {
        let _: SavedMap = call(&source, "save_map", json!({"map": map})).await;
    }
    let package: Value = call(&source, "export_maps", json!({"names": [dependent.name]})).await;
    assert_eq!(package["format"], "duet.maps");
    let exported: Vec<&str> = package["maps"]
        .as_array()
        .expect("maps")
        .iter()
        .map(|map| map["name"].as_str().expect("name"))
        .collect();
    assert!(exported.len() > 1 && exported.contains(&dependent.name.as_str()));

    let target = open(target_dir.path()).await;
    let report: ImportReport = call(
        &target,
        "import_maps",
        json!({"package": package, "replace": false}),
    )
    .await;
    assert!(report.imported, "{:?}", report.problems);
    assert_eq!(report.added.len(), exported.len());
    let versions: Vec<MapVersionView> =
        call(&target, "map_versions", json!({"name": dependent.name})).await;
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0].note.as_deref(), Some("imported from a package"));

    // Importing the same again changes nothing.
    let again: ImportReport = call(&target, "import_maps", json!({"package": package})).await;
    assert!(again.imported);
    assert_eq!(again.unchanged.len(), exported.len());

    // A changed definition conflicts, and nothing at all is imported ...
    let mut changed = package.clone();
    changed["maps"][0]["title"] = json!("Changed elsewhere");
    changed["maps"].as_array_mut().expect("maps").push(template(
        &all.iter()
            .find(|m| !exported.contains(&m.name.as_str()))
            .expect("another")
            .name,
    ));
    let refused: ImportReport = call(&target, "import_maps", json!({"package": changed})).await;
    assert!(!refused.imported);
    assert_eq!(refused.problems.len(), 1, "{:?}", refused.problems);
    assert_eq!(refused.problems[0].code, "DW-P004");
    assert_eq!(refused.problems[0].path, "$.maps[0].name");
    let stored: Value = target.call("maps", json!({})).await.expect("maps");
    assert_eq!(stored.as_array().expect("list").len(), exported.len());

    // ... unless replacing, which keeps the history.
    let replaced: ImportReport = call(
        &target,
        "import_maps",
        json!({"package": changed, "replace": true}),
    )
    .await;
    assert!(replaced.imported);
    assert_eq!(replaced.replaced.len(), 1);
    assert_eq!(replaced.added.len(), 1);
    let first = exported[0];
    let versions: Vec<MapVersionView> = call(&target, "map_versions", json!({"name": first})).await;
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[1].definition["title"], "Changed elsewhere");
    source.shutdown().await;
    target.shutdown().await;
}

#[tokio::test]
async fn a_broken_package_reports_every_problem_with_its_path() {
    let dir = tempfile::tempdir().expect("dir");
    let api = open(dir.path()).await;
    let mut bad = template(&templates()[0].name);
    bad["fields"][1]["direction"] = json!("=>");
    bad["key"] = json!("CustomerAccount");
    let package =
        json!({"format": "duet.maps", "version": 1, "maps": [template(&templates()[1].name), bad]});
    let report: ImportReport = call(&api, "import_maps", json!({"package": package})).await;
    assert!(!report.imported);
    let found: Vec<(&str, &str)> = report
        .problems
        .iter()
        .map(|problem| (problem.code.as_str(), problem.path.as_str()))
        .collect();
    assert!(
        found.contains(&("DW-P003", "$.maps[1].fields[1].direction")),
        "{found:?}"
    );
    assert!(found.contains(&("DW-P002", "$.maps[1].key")), "{found:?}");
    let stored: Value = api.call("maps", json!({})).await.expect("maps");
    assert_eq!(stored.as_array().expect("list").len(), 0);
    let unknown = api
        .call("export_maps", json!({"names": ["nope"]}))
        .await
        .expect_err("unknown map");
    assert_eq!(unknown.code, "not_found");
    api.shutdown().await;
}
