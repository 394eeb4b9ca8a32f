//! `duet logs`: filtered on the server and paged to the end, as JSON lines or CSV.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{duet, sandbox_http, serve_sandbox, sign_in};

/// Waits until `duet serve --sandbox`'s demo map runs live, for at most a minute.
async fn demo_map_running(server: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !duet(&["maps", "list"], server).contains("\trunning\t") {
        assert!(
            Instant::now() < deadline,
            "the demo map never reached running"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn failures_of_one_cause_are_one_group_with_their_count() {
    let dir = tempfile::tempdir().unwrap();
    let served = serve_sandbox(dir.path());
    let server = served.lines["DUET_UI_URL"].clone();
    // GIVEN the demo map running live (an account created during its initial sync is read by
    // that sync, not captured as a change).
    demo_map_running(&server).await;
    // AND two Dataverse accounts created without a company: the map refuses each, for the
    // same reason.
    let http = sandbox_http(&served.lines);
    let dv = served.lines["DUET_DV_URL"].trim_end_matches('/').to_owned();
    let token = sign_in(&http, &served.lines, &dv).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    for number in ["GROUP-1", "GROUP-2"] {
        let created = http
            .post(format!("{dv}/api/data/v9.2/accounts"))
            .bearer_auth(&token)
            .json(&serde_json::json!({ "accountnumber": number, "name": number }))
            .send()
            .await
            .unwrap();
        assert!(created.status().is_success());
    }
    // WHEN the failures are grouped, THEN both are one group of two, first and last seen.
    let deadline = Instant::now() + Duration::from_secs(60);
    let group = loop {
        let groups = duet(&["logs", "--errors", "--grouped", "--json"], &server);
        let found = groups
            .lines()
            .map(|line| serde_json::from_str::<Value>(line).unwrap())
            .find(|group| group["count"] == 2 && group["map"] == "customers");
        if let Some(found) = found {
            break found;
        }
        assert!(Instant::now() < deadline, "no group of two: {groups}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    assert!(
        group["firstAt"].as_str() <= group["lastAt"].as_str(),
        "{group}"
    );
    assert_eq!(
        group["pattern"],
        "the Dataverse row has no value for key field '…'"
    );
    // The newest failure is the sample, with the row it carried.
    assert_eq!(
        group["samplePayload"]["accountnumber"], "GROUP-2",
        "{group}"
    );
    let text = duet(&["logs", "--errors", "--grouped"], &server);
    assert!(
        text.starts_with("2\tcustomers\tfailed\tapplication\t"),
        "{text}"
    );
}

#[tokio::test]
async fn logs_filter_on_the_server_and_export_the_whole_view_as_csv() {
    let dir = tempfile::tempdir().unwrap();
    let served = serve_sandbox(dir.path());
    let server = served.lines["DUET_UI_URL"].clone();
    // GIVEN the demo map's initial sync in the log.
    let deadline = Instant::now() + Duration::from_secs(60);
    let rows = loop {
        let rows = duet(
            &[
                "logs",
                "--map",
                "customers",
                "--direction",
                "to-dataverse",
                "--json",
                "--limit",
                "100000",
            ],
            &server,
        );
        if rows.lines().count() > 50 {
            break rows;
        }
        assert!(Instant::now() < deadline, "no initial sync lines: {rows}");
        std::thread::sleep(Duration::from_millis(300));
    };
    let rows: Vec<Value> = rows
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    // THEN every line matches the filter, oldest first.
    assert!(
        rows.iter()
            .all(|row| row["map"] == "customers" && row["direction"] == "toDataverse")
    );
    assert!(
        rows.windows(2)
            .all(|pair| pair[0]["id"].as_i64() < pair[1]["id"].as_i64())
    );

    // AND, once the map runs live, a customer whose name holds a comma and quotes: its live
    // line keeps the row written (bulk lines of the initial sync are compact).
    demo_map_running(&server).await;
    let http = sandbox_http(&served.lines);
    let fo = served.lines["DUET_FO_URL"].trim_end_matches('/').to_owned();
    let token = sign_in(&http, &served.lines, &fo).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let created = http
        .post(format!("{fo}/data/CustomersV3"))
        .bearer_auth(&token)
        .json(&serde_json::json!({
            "dataAreaId": "DAT", "CustomerAccount": "CSV-1",
            "OrganizationName": "Contoso, \"East\""
        }))
        .send()
        .await
        .unwrap();
    assert!(created.status().is_success());

    // WHEN the same view is exported as CSV, THEN it holds a header and the same lines
    // (more may have arrived since), each a record of twelve fields.
    let deadline = Instant::now() + Duration::from_secs(60);
    let csv = loop {
        let csv = duet(
            &[
                "logs",
                "--map",
                "customers",
                "--direction",
                "to-dataverse",
                "--csv",
            ],
            &server,
        );
        if csv.contains("DAT|CSV-1") {
            break csv;
        }
        assert!(Instant::now() < deadline, "the live line never arrived");
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    let records: Vec<&str> = csv.split_terminator("\r\n").collect();
    assert_eq!(
        records[0],
        "id,at,map,kind,direction,key,operation,status,errorClass,latencyMs,message,payload"
    );
    assert!(
        records.len() > rows.len(),
        "{} vs {}",
        records.len(),
        rows.len()
    );
    let first_key = rows[0]["key"].as_str().unwrap();
    assert!(records[1].contains(first_key), "{}", records[1]);
    // The live line's payload holds a comma and quotes: it is quoted, its quotes doubled.
    let live = records
        .iter()
        .find(|record| record.contains("DAT|CSV-1"))
        .unwrap();
    assert!(
        live.ends_with("}\"") && live.contains(r#""name"":""Contoso, \""East\""""#),
        "{live}"
    );

    // AND a CSV limit keeps the newest lines of the view, oldest first.
    let limited = duet(
        &[
            "logs",
            "--map",
            "customers",
            "--direction",
            "to-dataverse",
            "--csv",
            "--limit",
            "3",
        ],
        &server,
    );
    let limited: Vec<&str> = limited.split_terminator("\r\n").collect();
    assert_eq!(limited.len(), 4, "{limited:?}");
    let ids: Vec<i64> = limited[1..]
        .iter()
        .map(|record| record.split(',').next().unwrap().parse().unwrap())
        .collect();
    assert!(ids.windows(2).all(|pair| pair[0] < pair[1]), "{ids:?}");
    let last_exported: i64 = records
        .last()
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(ids[2] >= last_exported, "{ids:?} vs {last_exported}");

    // AND a browser link gets the same CSV as a download, with the token in its URL; without
    // the token it is refused.
    let (origin, token) = server.split_once("/?token=").unwrap();
    let csv_url = format!("{origin}/api/logs.csv?map=customers&kind=row");
    let refused = reqwest::get(&csv_url).await.unwrap();
    assert_eq!(refused.status(), 401);
    let download = reqwest::get(format!("{csv_url}&token={token}"))
        .await
        .unwrap();
    assert_eq!(download.status(), 200);
    let disposition = download.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"activity-"),
        "{disposition}"
    );
    assert!(
        download.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let body = download.text().await.unwrap();
    assert!(
        body.split_terminator("\r\n")
            .skip(1)
            .all(|record| record.contains(",customers,row,")),
        "{body}"
    );

    // AND a limit keeps the newest lines, a text filter narrows them on the server.
    let newest = duet(
        &["logs", "--map", "customers", "--json", "--limit", "3"],
        &server,
    );
    assert_eq!(newest.lines().count(), 3);
    let one = duet(&["logs", "--text", first_key, "--json"], &server);
    assert!(
        one.lines()
            .map(|line| serde_json::from_str::<Value>(line).unwrap())
            .all(|entry| entry["key"]
                .as_str()
                .is_some_and(|key| key.contains(first_key))
                || entry["message"]
                    .as_str()
                    .is_some_and(|m| m.contains(first_key))),
        "{one}"
    );
}
