//! Query conformance not covered elsewhere: paging through 20,000 rows on each side, the
//! Dataverse `$filter` operators, and F&O's case-sensitive entity sets, `PUT`, `$top`/`$skip`
//! with `$count`, and injected latency.

use std::time::{Duration, Instant};

use duet_sandbox::{DvProfile, Side};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Dv, Env, Fo, json_of, start, start_with};

/// Follows `@odata.nextLink` from `first`, sending `prefer` on every page; answers the
/// `field` of every row and the number of pages.
async fn page_through(
    env: &Env,
    token: &str,
    first: String,
    prefer: Option<&str>,
    field: &str,
) -> (Vec<String>, usize) {
    let (mut next, mut seen, mut pages) = (Some(first), Vec::new(), 0);
    while let Some(url) = next.take() {
        let mut req = env.http.get(&url).bearer_auth(token);
        if let Some(p) = prefer {
            req = req.header("Prefer", p);
        }
        let resp = req.send().await.expect("page");
        assert_eq!(resp.status(), StatusCode::OK, "page {pages}");
        let body = json_of(resp).await;
        for row in body["value"].as_array().expect("value") {
            seen.push(row[field].as_str().expect("key field").to_string());
        }
        next = body["@odata.nextLink"].as_str().map(str::to_string);
        pages += 1;
        assert!(pages < 100, "paging must end");
    }
    (seen, pages)
}

#[tokio::test]
async fn both_sides_page_through_20000_rows_exactly_once() {
    // GIVEN 20,000 generated customers in F&O and 20,000 accounts in Dataverse.
    let env = start_with(|c| {
        c.rows = 20_000;
        c.fo_page_size = 5_000;
        c.dv_profile = DvProfile::Existing;
        c.dv_existing_rows = 20_000;
    })
    .await;
    let fo = Fo::new(&env).await;
    let dv = Dv::new(&env).await;
    // WHEN each side is read page by page from its first page.
    let (fo_rows, fo_pages) = page_through(
        &env,
        &fo.token,
        fo.url("CustomersV3?cross-company=true&$select=CustomerAccount,dataAreaId"),
        None,
        "CustomerAccount",
    )
    .await;
    let (dv_rows, dv_pages) = page_through(
        &env,
        &dv.token,
        dv.url("accounts?$select=accountnumber"),
        Some("odata.maxpagesize=5000"),
        "accountnumber",
    )
    .await;
    // THEN four pages on each side hold every row exactly once.
    for (side, rows, pages) in [("F&O", fo_rows, fo_pages), ("Dataverse", dv_rows, dv_pages)] {
        assert_eq!(pages, 4, "{side}: 20,000 rows at 5,000 per page");
        assert_eq!(rows.len(), 20_000, "{side}: every row");
        let unique: std::collections::HashSet<_> = rows.iter().collect();
        assert_eq!(unique.len(), 20_000, "{side}: no row twice");
    }
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn dv_filter_operators_order_top_and_count() {
    // GIVEN five accounts with names, credit limits and some phone numbers.
    let env = start().await;
    let dv = Dv::new(&env).await;
    let rows = [
        ("Q1", "Alpine Ltd", 100, Some("555-1")),
        ("Q2", "Bobcat Trading", 200, None),
        ("Q3", "Alder Works", 300, Some("555-3")),
        ("Q4", "Cobalt Ltd", 400, None),
        ("Q5", "Delta Mining", 500, Some("555-5")),
    ];
    for (number, name, limit, phone) in rows {
        let resp = dv
            .post(
                &dv.url("accounts"),
                json!({"accountnumber": number, "name": name, "creditlimit": limit,
                          "telephone1": phone}),
            )
            .await;
        assert_eq!(resp.status(), StatusCode::NO_CONTENT, "create {number}");
    }
    let numbers = |body: &Value| -> Vec<String> {
        body["value"]
            .as_array()
            .expect("value")
            .iter()
            .map(|r| r["accountnumber"].as_str().expect("number").to_string())
            .collect()
    };
    // WHEN filtering with each kind of operator, THEN exactly the matching rows come back.
    for (filter, expected) in [
        (
            "creditlimit gt 100 and creditlimit le 300",
            vec!["Q2", "Q3"],
        ),
        ("creditlimit lt 200 or creditlimit ge 500", vec!["Q1", "Q5"]),
        (
            "creditlimit ne 300 and accountnumber ne 'Q1'",
            vec!["Q2", "Q4", "Q5"],
        ),
        ("not startswith(name,'Al')", vec!["Q2", "Q4", "Q5"]),
        ("endswith(name,'Ltd')", vec!["Q1", "Q4"]),
        ("contains(name,'ob')", vec!["Q2", "Q4"]),
        ("telephone1 eq null", vec!["Q2", "Q4"]),
        (
            "telephone1 ne null and not (creditlimit gt 400)",
            vec!["Q1", "Q3"],
        ),
        (
            "(startswith(name,'A') or endswith(name,'Mining')) and creditlimit gt 100",
            vec!["Q3", "Q5"],
        ),
    ] {
        let url = dv.url(&format!(
            "accounts?$select=accountnumber&$filter={filter}&$orderby=accountnumber"
        ));
        let resp = dv.get(&url).await;
        assert_eq!(resp.status(), StatusCode::OK, "{filter}");
        assert_eq!(numbers(&json_of(resp).await), expected, "{filter}");
    }
    // WHEN ordering descending with $top, and counting the matches with $count (the
    // documentation warns against combining the two).
    let url = dv.url("accounts?$select=accountnumber&$filter=creditlimit ge 200&$orderby=creditlimit desc&$top=2");
    let body = json_of(dv.get(&url).await).await;
    // THEN the top two come back and the count covers every match.
    assert_eq!(numbers(&body), ["Q5", "Q4"], "{body}");
    let url = dv.url("accounts?$select=accountnumber&$filter=creditlimit ge 200&$count=true");
    let body = json_of(dv.get(&url).await).await;
    assert_eq!(body["@odata.count"], 4, "{body}");
    // WHEN a filter is malformed or names an unknown column, THEN it is a 400 that says so.
    for (filter, needle) in [
        ("creditlimit gt", ""),
        ("nosuchcolumn eq 1", "nosuchcolumn"),
    ] {
        let url = dv.url(&format!("accounts?$filter={filter}"));
        let resp = dv.get(&url).await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{filter}");
        let body = json_of(resp).await;
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(
            !message.is_empty() && message.contains(needle),
            "{filter}: {body}"
        );
    }
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn dv_count_is_every_match_regardless_of_top() {
    // GIVEN four accounts with a credit limit of at least 200, and one below.
    let env = start().await;
    let dv = Dv::new(&env).await;
    for (number, limit) in [
        ("K1", 100),
        ("K2", 200),
        ("K3", 300),
        ("K4", 400),
        ("K5", 500),
    ] {
        let resp = dv
            .post(
                &dv.url("accounts"),
                json!({"accountnumber": number, "name": number, "creditlimit": limit}),
            )
            .await;
        assert_eq!(resp.status(), StatusCode::NO_CONTENT, "create {number}");
    }
    // WHEN counting the matches with $count=true while asking for the top two rows only.
    let url = dv.url(
        "accounts?$select=accountnumber&$filter=creditlimit ge 200&$orderby=accountnumber&$top=2&$count=true",
    );
    let resp = dv.get(&url).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let body = json_of(resp).await;
    // THEN two rows come back, but the count is every matching row: Dataverse counts the
    // rows matching the filter (up to 5,000) irrespective of how many are returned.
    assert_eq!(
        body["value"].as_array().map(Vec::len),
        Some(2),
        "$top still limits the rows returned: {body}"
    );
    assert_eq!(
        body["@odata.count"], 4,
        "@odata.count must count every match, not the rows left after $top: {body}"
    );
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn fo_entity_sets_put_top_skip_count_and_latency() {
    // GIVEN customers C1..C5 in DAT, with enum fields left to their defaults.
    let env = start().await;
    let fo = Fo::new(&env).await;
    for i in 1..=5 {
        let resp = fo
            .post(
                json!({"CustomerAccount": format!("TS-{i}"), "OrganizationName": format!("Org {i}"),
                         "SalesMemo": "memo"}),
            )
            .await;
        assert_eq!(resp.status(), StatusCode::CREATED);
    }
    // WHEN the entity set is named in another case, THEN it is not found.
    let resp = fo.get(&fo.url("customersV3")).await;
    assert_eq!(
        resp.status(),
        StatusCode::NOT_FOUND,
        "entity sets are case-sensitive"
    );
    // WHEN reading with $skip, $top and $count.
    let body = json_of(
        fo.get(&fo.url(
            "CustomersV3?$filter=startswith(CustomerAccount,'TS-')&$orderby=CustomerAccount&$skip=1&$top=2&$count=true",
        ))
        .await,
    )
    .await;
    // THEN the window is rows two and three and the count covers every match.
    let accounts: Vec<&str> = body["value"]
        .as_array()
        .expect("value")
        .iter()
        .map(|r| r["CustomerAccount"].as_str().expect("account"))
        .collect();
    assert_eq!(accounts, ["TS-2", "TS-3"], "{body}");
    assert_eq!(body["@odata.count"], 5, "{body}");
    // AND enums are member names.
    assert_eq!(body["value"][0]["IsOneTimeCustomer"], "No", "{body}");
    // AND `ne` and `or` work in F&O filters.
    let body = json_of(
        fo.get(&fo.url(
            "CustomersV3?$filter=(CustomerAccount eq 'TS-1' or CustomerAccount eq 'TS-2') and OrganizationName ne 'Org 1'",
        ))
        .await,
    )
    .await;
    assert_eq!(body["value"].as_array().map(Vec::len), Some(1), "{body}");
    assert_eq!(body["value"][0]["CustomerAccount"], "TS-2", "{body}");
    // WHEN a row is replaced with PUT.
    let key = fo.url("CustomersV3(dataAreaId='DAT',CustomerAccount='TS-1')");
    let resp = env
        .http
        .put(&key)
        .bearer_auth(&fo.token)
        .json(&json!({"OrganizationName": "Replaced"}))
        .send()
        .await
        .expect("PUT");
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    // THEN fields not sent go back to their defaults.
    let row = json_of(fo.get(&key).await).await;
    assert_eq!(row["OrganizationName"], "Replaced", "{row}");
    assert_eq!(row["SalesMemo"], "", "PUT resets unsent fields: {row}");
    // WHEN $select names an unknown field, THEN it is a 400.
    let resp = fo.get(&fo.url("CustomersV3?$select=Nope")).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    // WHEN 300 ms of latency is injected, THEN a request takes at least that long.
    env.sandbox
        .set_faults(
            Side::FinOps,
            duet_sandbox::Faults {
                latency_ms: 300,
                ..Default::default()
            },
        )
        .expect("faults");
    let started = Instant::now();
    let resp = fo.get(&key).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "latency applied: {:?}",
        started.elapsed()
    );
    env.sandbox.shutdown().await;
}
