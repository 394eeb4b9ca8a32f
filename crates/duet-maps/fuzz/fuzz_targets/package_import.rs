//! Package import on any JSON: no panic, and every problem has a path, a message and a fix.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(document) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let plan = duet_maps::check_import(&document, &[], false);
    for problem in &plan.problems {
        assert!(problem.path.starts_with('$'), "{problem:?}");
        assert!(!problem.message.is_empty() && !problem.fix.is_empty());
    }
    assert_eq!(plan.can_import(), plan.problems.is_empty());
});
