//! The map package importer: any bytes are refused as JSON or checked into a plan with
//! problems, never a panic. A package that can be imported is unchanged when imported again
//! over itself, and exporting its maps gives a package that imports to the same maps.

#![no_main]

use duet_maps::{check_import, export};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(document) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let plan = check_import(&document, &[], false);
    if !plan.can_import() {
        return;
    }
    assert_eq!(
        plan.added.len(),
        plan.maps.len(),
        "into nothing, every map is added"
    );

    // Imported again over what the first import stored, nothing changes.
    let stored: Vec<(String, Value)> = plan
        .maps
        .iter()
        .map(|map| {
            (
                map.name.clone(),
                serde_json::to_value(map).expect("a map is JSON"),
            )
        })
        .collect();
    let again = check_import(&document, &stored, false);
    assert!(
        again.can_import(),
        "problems over itself: {:?}",
        again.problems
    );
    assert_eq!(
        again.unchanged.len(),
        plan.maps.len(),
        "every map is unchanged"
    );

    // Exported and imported, the same maps come back (in start order, so compared by name).
    let package = export(&plan.maps, &[]).expect("every named map is there");
    let exported = serde_json::to_value(&package).expect("a package is JSON");
    let reimported = check_import(&exported, &[], false);
    assert!(
        reimported.can_import(),
        "problems after export: {:?}",
        reimported.problems
    );
    let mut before = plan.maps.clone();
    let mut after = reimported.maps.clone();
    before.sort_by(|a, b| a.name.cmp(&b.name));
    after.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(
        before, after,
        "export then import keeps every map as it was"
    );
});
