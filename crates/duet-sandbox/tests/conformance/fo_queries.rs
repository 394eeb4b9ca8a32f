//! F&O queries: the default company and `cross-company`, wildcards, server-driven paging and
//! enum literals in `$filter`.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Fo, json_of, start, start_with, token_for};

#[tokio::test]
async fn fo_company_scope_filters_and_wildcards() {
    // GIVEN customers in two companies.
    let env = start().await;
    let fo = Fo::new(&env).await;
    for (company, account, name) in [
        ("DAT", "D1", "Contoso Retail"),
        ("DAT", "D2", "Fabrikam"),
        ("USMF", "U1", "Contoso US"),
    ] {
        let resp = fo
            .post(json!({"dataAreaId": company, "CustomerAccount": account, "OrganizationName": name}))
            .await;
        assert_eq!(resp.status(), StatusCode::CREATED, "seed row {account}");
    }
    // WHEN listing without cross-company.
    let body = json_of(fo.get(&fo.url("CustomersV3")).await).await;
    // THEN only the default company is visible.
    assert_eq!(
        body["value"].as_array().map(Vec::len),
        Some(2),
        "default company only"
    );
    assert!(
        body["@odata.context"]
            .as_str()
            .is_some_and(|c| c.ends_with("/data/$metadata#CustomersV3"))
    );
    // WHEN listing cross-company with a count.
    let body = json_of(
        fo.get(&fo.url("CustomersV3?cross-company=true&$count=true"))
            .await,
    )
    .await;
    assert_eq!(body["@odata.count"], 3, "cross-company sees every company");
    // WHEN filtering on a wildcard.
    let body = json_of(
        fo.get(&fo.url("CustomersV3?cross-company=true&$filter=OrganizationName%20eq%20'*contoso*'&$orderby=CustomerAccount%20desc"))
            .await,
    )
    .await;
    let accounts: Vec<&str> = body["value"]
        .as_array()
        .expect("value array")
        .iter()
        .filter_map(|r| r["CustomerAccount"].as_str())
        .collect();
    assert_eq!(
        accounts,
        vec!["U1", "D1"],
        "wildcard contains, case-insensitive, ordered desc"
    );
    // WHEN filtering on a ModifiedDateTime watermark and company.
    let all = json_of(
        fo.get(&fo.url("CustomersV3?cross-company=true&$orderby=ModifiedDateTime"))
            .await,
    )
    .await;
    let watermark = all["value"][1]["ModifiedDateTime"]
        .as_str()
        .expect("stamp")
        .to_string();
    let url = format!(
        "{}?cross-company=true&$filter=ModifiedDateTime ge {watermark} and dataAreaId eq 'DAT'&$select=CustomerAccount",
        fo.url("CustomersV3")
    );
    let body = json_of(fo.get(&url).await).await;
    let rows = body["value"].as_array().expect("value array");
    assert_eq!(
        rows.len(),
        1,
        "only D2 is at or after the watermark in DAT: {body}"
    );
    assert_eq!(rows[0]["CustomerAccount"], "D2");
    assert!(
        rows[0].get("OrganizationName").is_none(),
        "$select trims columns"
    );
    // WHEN the filter has a syntax error.
    let resp = fo
        .get(&fo.url("CustomersV3?$filter=CustomerAccount eqq 'x'"))
        .await;
    assert_eq!(
        resp.status(),
        StatusCode::BAD_REQUEST,
        "bad filter is a 400"
    );
    let body = json_of(resp).await;
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("position") && m.contains("eqq")),
        "error names position and token: {body}"
    );
}

#[tokio::test]
async fn fo_server_driven_paging() {
    // GIVEN 2,500 customers and a page size of 1,000.
    let env = start_with(|c| c.fo_page_size = 1000).await;
    let token = token_for(&env, env.sandbox.fo_url()).await;
    let mut set = tokio::task::JoinSet::new();
    let url = format!("{}/data/CustomersV3", env.sandbox.fo_url());
    for chunk in 0..16 {
        let (http, url, token) = (env.http.clone(), url.clone(), token.clone());
        set.spawn(async move {
            let mut i = chunk;
            while i < 2500 {
                let resp = http
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&json!({"CustomerAccount": format!("P{i:05}")}))
                    .send()
                    .await
                    .expect("POST");
                assert_eq!(resp.status(), StatusCode::CREATED, "seed row P{i:05}");
                i += 16;
            }
        });
    }
    while let Some(r) = set.join_next().await {
        r.expect("seeding task");
    }
    let fo = Fo { env: &env, token };
    // WHEN following nextLink from the first page.
    let mut next = Some(fo.url("CustomersV3?$count=true&$select=CustomerAccount"));
    let mut seen = Vec::new();
    let mut pages = 0;
    while let Some(url) = next.take() {
        let resp = fo.get(&url).await;
        assert_eq!(resp.status(), StatusCode::OK, "page {pages}");
        let text = resp.text().await.expect("body");
        let body: Value = serde_json::from_str(&text).expect("JSON page");
        if let Some(link) = body["@odata.nextLink"].as_str() {
            assert!(
                text.find("\"value\"") < text.find("@odata.nextLink"),
                "nextLink comes after value"
            );
            assert!(
                link.starts_with(env.sandbox.fo_url()),
                "nextLink is absolute"
            );
            next = Some(link.to_string());
        }
        for r in body["value"].as_array().expect("value") {
            seen.push(r["CustomerAccount"].as_str().expect("account").to_string());
        }
        pages += 1;
    }
    // THEN three pages cover every row exactly once.
    assert_eq!(pages, 3, "2,500 rows at 1,000 per page");
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 2500, "each row seen exactly once");
}

#[tokio::test]
async fn fo_enum_literals_in_filter() {
    // GIVEN two customers, one a one-time customer.
    let env = start().await;
    let fo = Fo::new(&env).await;
    for (account, once) in [("N1", "No"), ("Y1", "Yes")] {
        let resp = fo
            .post(
                json!({"dataAreaId": "DAT", "CustomerAccount": account, "IsOneTimeCustomer": once}),
            )
            .await;
        assert_eq!(resp.status(), StatusCode::CREATED, "customer {account}");
    }
    // WHEN filtering with an enum literal.
    let resp = fo
        .get(&fo.url(
            "CustomersV3?$filter=IsOneTimeCustomer eq Microsoft.Dynamics.DataEntities.NoYes'Yes'",
        ))
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let body = json_of(resp).await;
    let ids: Vec<&str> = body["value"]
        .as_array()
        .expect("value")
        .iter()
        .filter_map(|r| r["CustomerAccount"].as_str())
        .collect();
    // THEN only the matching row comes back.
    assert_eq!(ids, ["Y1"], "{body}");
    // AND an unknown member is refused.
    let resp = fo
        .get(&fo.url(
            "CustomersV3?$filter=IsOneTimeCustomer eq Microsoft.Dynamics.DataEntities.NoYes'Maybe'",
        ))
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "bad member");
    let body = json_of(resp).await;
    assert_eq!(
        body["error"]["message"], "The string 'Maybe' is not a valid enumeration type constant.",
        "{body}"
    );
    // AND $expand of an unknown navigation property is refused.
    let resp = fo.get(&fo.url("CustomersV3?$expand=Nothing")).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "no such navigation");
    env.sandbox.shutdown().await;
}
