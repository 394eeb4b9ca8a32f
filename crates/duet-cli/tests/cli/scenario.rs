//! `duet scenario`: the setup scenarios listed, and one run end to end against a fresh sandbox.

use crate::support::duet_offline;

#[test]
fn scenario_list_prints_the_six_ids_and_run_ends_in_agreement() {
    // GIVEN nothing running. WHEN the scenarios are listed, THEN the six ids print in order.
    let listed = duet_offline(&["scenario", "list"]);
    assert!(listed.status.success());
    assert_eq!(
        String::from_utf8_lossy(&listed.stdout)
            .lines()
            .collect::<Vec<_>>(),
        [
            "new-new",
            "new-existing",
            "new-data-new",
            "new-data-existing",
            "existing-new",
            "existing-existing"
        ]
    );

    // WHEN one runs against a fresh sandbox in a data directory.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let ran = duet_offline(&[
        "scenario",
        "run",
        "new-data-existing",
        "--data",
        data.to_str().unwrap(),
        "--rows",
        "40",
        "--existing-rows",
        "10",
    ]);
    let stderr = String::from_utf8_lossy(&ran.stderr);
    let stdout = String::from_utf8_lossy(&ran.stdout);
    // THEN it exits 0, having printed each step and that both sides agree.
    assert!(ran.status.success(), "{stderr}\n{stdout}");
    assert!(
        stderr.contains("Bootstrap existing Dataverse rows"),
        "{stderr}"
    );
    assert!(stdout.contains("customers\tagree"), "{stdout}");
    assert!(stdout.contains("bootstrap customers\tmatched"), "{stdout}");

    // AND an unknown scenario exits non-zero with the reason.
    let unknown = duet_offline(&["scenario", "run", "old-old"]);
    assert!(!unknown.status.success());
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains("there is no scenario 'old-old'"),
        "{}",
        String::from_utf8_lossy(&unknown.stderr)
    );
}
