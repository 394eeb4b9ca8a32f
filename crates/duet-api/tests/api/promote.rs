//! Promotion through the command dispatcher: a package compared with a real data directory
//! and applied as versions that roll back, a running map refusing a definition with errors
//! (nothing applied), and another Duet that cannot be reached.

use std::sync::Arc;

use duet_api::{
    Api, MapCompareStatus, MapVersionView, MapsComparison, PromotionOutcome, PromotionReport,
};
use duet_maps::{FieldDirection, TableMap, templates};
use serde_json::{Value, json};

use crate::support::{call, options, running};

async fn open(dir: &std::path::Path, test: &str) -> Arc<Api> {
    Api::open(dir, options(test)).await.expect("open api")
}

fn template(name: &str) -> TableMap {
    templates()
        .into_iter()
        .find(|map| map.name == name)
        .unwrap_or_else(|| panic!("no template {name}"))
}

fn package(maps: &[TableMap]) -> Value {
    json!({"format": "duet.maps", "version": 1, "maps": maps})
}

#[tokio::test]
async fn a_package_is_compared_and_promoted_as_versions_that_roll_back() {
    // GIVEN two maps here.
    let dir = tempfile::tempdir().unwrap();
    let api = open(dir.path(), "promote-package").await;
    for name in ["currencies", "units"] {
        let _: Value = call(&api, "save_map", json!({"map": template(name)})).await;
    }
    // AND a package that changes one field's direction, keeps units and adds payment terms.
    let mut changed = template("currencies");
    changed.fields[1].direction = FieldDirection::ToDataverse;
    let source = package(&[changed.clone(), template("payment-terms")]);

    // WHEN it is compared.
    let comparison: MapsComparison = call(
        &api,
        "compare_maps",
        json!({"package": source, "source": "release.json"}),
    )
    .await;
    // THEN every map of both sides is listed with its status, and the change by field.
    let statuses: Vec<(&str, MapCompareStatus)> = comparison
        .maps
        .iter()
        .map(|map| (map.name.as_str(), map.status))
        .collect();
    assert_eq!(
        statuses,
        [
            ("currencies", MapCompareStatus::Changed),
            ("payment-terms", MapCompareStatus::Added),
            ("units", MapCompareStatus::Removed),
        ]
    );
    assert_eq!(comparison.source, "release.json");
    assert!(comparison.problems.is_empty(), "{:?}", comparison.problems);
    let diff = comparison.maps[0]
        .diff
        .as_ref()
        .expect("a changed map has a diff");
    assert_eq!((diff.from, diff.to), (1, 2));
    assert_eq!(diff.fields.len(), 1, "{diff:?}");
    assert_eq!(diff.fields[0].changes[0].path, "$.fields[1].direction");
    assert_eq!(comparison.maps[0].here_version, Some(1));
    assert_eq!(comparison.maps[1].here_version, None);

    // WHEN the package is promoted.
    let report: PromotionReport = call(
        &api,
        "promote_maps",
        json!({"package": comparison.package, "source": "release.json"}),
    )
    .await;
    // THEN each map's outcome is named (neither looks the other up, so in package order),
    // and units, here only, is left alone.
    assert!(report.promoted, "{report:?}");
    let outcomes: Vec<(&str, &PromotionOutcome)> = report
        .maps
        .iter()
        .map(|map| (map.name.as_str(), &map.outcome))
        .collect();
    assert_eq!(
        outcomes,
        [
            (
                "currencies",
                &PromotionOutcome::Updated {
                    from: 1,
                    to: 2,
                    running: false
                }
            ),
            ("payment-terms", &PromotionOutcome::Added { version: 1 }),
        ]
    );
    let versions: Vec<MapVersionView> =
        call(&api, "map_versions", json!({"name": "currencies"})).await;
    assert_eq!(
        versions[1].note.as_deref(),
        Some("promoted from release.json")
    );
    let maps: Value = api.call("maps", json!({})).await.unwrap();
    assert_eq!(maps.as_array().unwrap().len(), 3, "units is kept: {maps:#}");
    // AND comparing again finds nothing to promote, and promoting again changes nothing.
    let again: MapsComparison = call(&api, "compare_maps", json!({"package": source})).await;
    assert!(
        again
            .maps
            .iter()
            .all(|map| map.status != MapCompareStatus::Changed
                && map.status != MapCompareStatus::Added),
        "{again:?}"
    );
    let report: PromotionReport = call(
        &api,
        "promote_maps",
        json!({"package": source, "names": ["currencies"]}),
    )
    .await;
    assert_eq!(report.maps[0].outcome, PromotionOutcome::Unchanged);
    // AND the promotion rolls back like any version.
    let _: Value = call(
        &api,
        "rollback_map",
        json!({"name": "currencies", "version": 1}),
    )
    .await;
    let back: MapsComparison = call(&api, "compare_maps", json!({"package": source})).await;
    assert_eq!(back.maps[0].status, MapCompareStatus::Changed);
    api.shutdown().await;
}

#[tokio::test]
async fn a_bad_package_names_its_json_path_and_promotes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let api = open(dir.path(), "promote-bad").await;
    // GIVEN a package whose second map has an unknown direction.
    let mut source = package(&[template("units"), template("currencies")]);
    source["maps"][1]["fields"][0]["direction"] = json!("<>");
    // WHEN it is compared THEN the problem is named by its path, and the good map compared.
    let comparison: MapsComparison = call(&api, "compare_maps", json!({"package": source})).await;
    assert!(
        comparison
            .problems
            .iter()
            .any(|problem| problem.code == "DW-P003"
                && problem.path == "$.maps[1].fields[0].direction"),
        "{:?}",
        comparison.problems
    );
    // WHEN it is promoted THEN it is refused whole, naming the path, and nothing is stored.
    let refused = api
        .call("promote_maps", json!({"package": source}))
        .await
        .unwrap_err();
    assert_eq!(refused.code, "invalid_map", "{refused}");
    assert!(
        refused.message.contains("$.maps[1].fields[0].direction"),
        "{refused}"
    );
    let maps: Value = api.call("maps", json!({})).await.unwrap();
    assert_eq!(maps, json!([]));
    // AND a map the package lacks cannot be chosen.
    let missing = api
        .call(
            "promote_maps",
            json!({"package": package(&[template("units")]), "names": ["nope"]}),
        )
        .await
        .unwrap_err();
    assert_eq!(missing.code, "not_found", "{missing}");
    api.shutdown().await;
}

#[tokio::test]
async fn another_duet_that_cannot_be_reached_or_read_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let api = open(dir.path(), "promote-remote").await;
    // GIVEN a port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/?token=abc");
    let error = api
        .call("compare_maps", json!({"remote": {"url": url}}))
        .await
        .unwrap_err();
    assert_eq!(error.code, "remote", "{error}");
    assert!(
        error.message.contains(&format!("127.0.0.1:{port}")) && !error.message.contains("abc"),
        "names the address, never the token: {error}"
    );
    // AND a URL without a token, or no URL at all, is refused before any request.
    for url in ["http://127.0.0.1:1/", "not a url"] {
        let error = api
            .call("compare_maps", json!({"remote": {"url": url}}))
            .await
            .unwrap_err();
        assert_eq!(error.code, "bad_arguments", "{url}: {error}");
    }
    api.shutdown().await;
}

#[tokio::test]
async fn a_running_map_refusing_its_promotion_stops_the_whole_promotion() {
    // GIVEN the running demo map.
    let dir = tempfile::tempdir().unwrap();
    let api = open(dir.path(), "promote-running").await;
    api.start_sandbox_demo().await.unwrap();
    running(&api).await;
    // WHEN a package names a column accounts lack, with a new map beside it.
    let mut broken = TableMap::customers();
    broken.fields[1].dataverse = Some("nmae".to_owned());
    let source = package(&[broken, template("payment-terms")]);
    let report: PromotionReport = call(&api, "promote_maps", json!({"package": source})).await;
    // THEN the running map refuses with the code, and nothing is applied.
    assert!(!report.promoted);
    let customers = report.maps.iter().find(|m| m.name == "customers").unwrap();
    match &customers.outcome {
        PromotionOutcome::Refused { codes, .. } => {
            assert!(codes.contains(&"DW-V016".to_owned()), "{codes:?}")
        }
        other => panic!("customers refuses: {other:?}"),
    }
    let terms = report
        .maps
        .iter()
        .find(|m| m.name == "payment-terms")
        .unwrap();
    assert_eq!(terms.outcome, PromotionOutcome::NotApplied);
    let maps: Value = api.call("maps", json!({})).await.unwrap();
    assert_eq!(maps.as_array().unwrap().len(), 1, "{maps:#}");
    // WHEN a valid change is promoted.
    let mut edited = TableMap::customers();
    edited.fields[5].direction = FieldDirection::ToDataverse;
    let report: PromotionReport = call(
        &api,
        "promote_maps",
        json!({"package": package(&[edited]), "source": "test"}),
    )
    .await;
    // THEN it is a new version the running map takes, and the map keeps running.
    assert_eq!(
        report.maps[0].outcome,
        PromotionOutcome::Updated {
            from: 1,
            to: 2,
            running: true
        }
    );
    running(&api).await;
    let maps: Value = api.call("maps", json!({})).await.unwrap();
    assert_eq!(maps[0]["state"], "running", "{maps:#}");
    api.shutdown().await;
}
