//! `duet maps bootstrap`: a Dataverse row without a company shown by a dry run (as CSV),
//! stamped by the run, and gone from the next dry run; a company outside the link refused.

use serde_json::{Value, json};

use crate::support::{duet, sandbox_http, serve_sandbox, sign_in};

#[tokio::test]
async fn bootstrap_dry_run_lists_the_row_as_csv_and_the_run_stamps_it() {
    let dir = tempfile::tempdir().unwrap();
    let served = serve_sandbox(dir.path());
    let server = served.lines["DUET_UI_URL"].clone();
    // GIVEN an account created in Dataverse without a company (its number holds a comma).
    let http = sandbox_http(&served.lines);
    let dv = served.lines["DUET_DV_URL"].trim_end_matches('/').to_owned();
    let token = sign_in(&http, &served.lines, &dv).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let created = http
        .post(format!("{dv}/api/data/v9.2/accounts"))
        .bearer_auth(&token)
        .json(&json!({ "accountnumber": "BOOT,1", "name": "No company, Inc" }))
        .send()
        .await
        .unwrap();
    assert!(created.status().is_success(), "{:?}", created.text().await);

    // WHEN a dry run is printed as CSV.
    let csv = duet(
        &[
            "maps",
            "bootstrap",
            "customers",
            "--company",
            "DAT",
            "--dry-run",
            "--csv",
        ],
        &server,
    );
    // THEN the row is there, quoted, unmatched, given DAT.
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "key,dataverseId,company,matched");
    let row = lines
        .iter()
        .find(|line| line.starts_with("\"BOOT,1\","))
        .unwrap_or_else(|| panic!("{csv}"));
    assert!(row.ends_with(",DAT,false"), "{row}");

    // WHEN it runs, THEN it stamps the row, and a dry run afterwards finds none left.
    let ran = duet(
        &[
            "maps",
            "bootstrap",
            "customers",
            "--company",
            "DAT",
            "--json",
        ],
        &server,
    );
    let report: Value = serde_json::from_str(&ran).unwrap();
    assert!(report["stamped"].as_u64().unwrap() >= 1, "{report}");
    let after = duet(
        &[
            "maps",
            "bootstrap",
            "customers",
            "--company",
            "DAT",
            "--dry-run",
            "--json",
        ],
        &server,
    );
    let after: Value = serde_json::from_str(&after).unwrap();
    assert!(
        after["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|row| row["key"] != "BOOT,1"),
        "{after}"
    );

    // AND a company outside the link is refused with the reason.
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_duet"))
        .args([
            "maps",
            "bootstrap",
            "customers",
            "--company",
            "ZZZ",
            "--dry-run",
        ])
        .env("DUET_UI_URL", &server)
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("ZZZ is not one of the link's legal entities"),
        "{stderr}"
    );
}
