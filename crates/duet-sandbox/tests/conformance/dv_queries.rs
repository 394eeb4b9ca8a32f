//! Dataverse queries: lookups bound to companies, `maxpagesize` paging, `$expand` and
//! formatted-value annotations.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Dv, json_of, start};

#[tokio::test]
async fn dv_company_bind_and_paging() {
    // GIVEN a Dataverse client.
    let env = start().await;
    let dv = Dv::new(&env).await;
    let companies = json_of(
        dv.get(&dv.url("cdm_companies(cdm_companycode='USMF')"))
            .await,
    )
    .await;
    let usmf = companies["cdm_companyid"]
        .as_str()
        .expect("company id")
        .to_string();
    // WHEN accounts are bound to a company by alternate key and by guid.
    for (i, bind) in [
        json!("/cdm_companies(cdm_companycode='DAT')"),
        json!(format!("cdm_companies({usmf})")),
        Value::Null,
    ]
    .into_iter()
    .enumerate()
    {
        let resp = dv.post(&dv.url("accounts"), json!({"name": format!("N{i}"), "accountnumber": format!("K{i}"), "msdyn_company@odata.bind": bind})).await;
        assert_eq!(resp.status(), StatusCode::NO_CONTENT, "bound create {i}");
    }
    let resp = dv.post(&dv.url("accounts"), json!({"name": "bad", "msdyn_company@odata.bind": "/cdm_companies(cdm_companycode='ZZ')"})).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "unresolvable bind");
    // THEN the lookup reads back as _msdyn_company_value.
    let url = dv.url(&format!(
        "accounts?$select=name,_msdyn_company_value&$filter=_msdyn_company_value eq {usmf}"
    ));
    let body = json_of(dv.get(&url).await).await;
    let rows = body["value"].as_array().expect("value");
    assert_eq!(rows.len(), 1, "one account in USMF: {body}");
    assert_eq!(rows[0]["name"], "N1");
    assert!(
        rows[0]["accountid"].is_string(),
        "primary id always included"
    );
    assert!(
        body["@odata.context"]
            .as_str()
            .is_some_and(|c| c.ends_with("#accounts(name,_msdyn_company_value)")),
        "context names the select list"
    );
    let body = json_of(
        dv.get(&dv.url("accounts?$filter=_msdyn_company_value eq null"))
            .await,
    )
    .await;
    assert_eq!(
        body["value"][0]["name"], "N2",
        "null bind leaves the lookup empty"
    );
    // WHEN paging with maxpagesize 2 over three rows.
    let mut next = Some(dv.url("accounts?$select=name&$orderby=name desc"));
    let mut names = Vec::new();
    let mut pages = 0;
    while let Some(url) = next.take() {
        let resp = dv
            .req(reqwest::Method::GET, &url)
            .header(
                "Prefer",
                "odata.include-annotations=\"*\",odata.maxpagesize=2",
            )
            .send()
            .await
            .expect("GET");
        assert_eq!(
            resp.headers()
                .get("preference-applied")
                .and_then(|v| v.to_str().ok()),
            Some("odata.maxpagesize=2"),
            "page size is echoed"
        );
        let body = json_of(resp).await;
        next = body["@odata.nextLink"].as_str().map(str::to_string);
        names.extend(
            body["value"]
                .as_array()
                .expect("value")
                .iter()
                .map(|r| r["name"].clone()),
        );
        pages += 1;
    }
    // THEN two pages return all rows in order.
    assert_eq!(pages, 2, "three rows at two per page");
    assert_eq!(
        names,
        vec![json!("N2"), json!("N1"), json!("N0")],
        "order kept across pages"
    );
    // WHEN paging without $orderby, filtered, two rows a page.
    let mut next = Some(dv.url("accounts?$select=name&$filter=startswith(name,'N')"));
    let mut unordered = Vec::new();
    while let Some(url) = next.take() {
        let resp = dv
            .req(reqwest::Method::GET, &url)
            .header("Prefer", "odata.maxpagesize=2")
            .send()
            .await
            .expect("GET");
        let body = json_of(resp).await;
        next = body["@odata.nextLink"].as_str().map(str::to_string);
        if let Some(link) = &next {
            assert!(
                link.contains("lastid"),
                "the cookie carries the last row's id: {link}"
            );
        }
        unordered.extend(
            body["value"]
                .as_array()
                .expect("value")
                .iter()
                .map(|r| r["name"].clone()),
        );
    }
    // THEN every matching row comes once, whatever the storage order.
    unordered.sort_by_key(|name| name.to_string());
    assert_eq!(unordered, vec![json!("N0"), json!("N1"), json!("N2")]);
    let resp = dv.get(&dv.url("accounts?$skip=1")).await;
    assert_eq!(
        resp.status(),
        StatusCode::BAD_REQUEST,
        "$skip is not supported by Dataverse"
    );
}

#[tokio::test]
async fn dv_expand_lookups_annotations_and_skip() {
    // GIVEN an account bound to company DAT with a choice, a boolean and money set.
    let env = start().await;
    let dv = Dv::new(&env).await;
    let resp = dv
        .post(
            &dv.url("accounts"),
            json!({
                "accountnumber": "X1",
                "name": "Expand Ltd",
                "creditlimit": 12500,
                "msdyn_onholdstatus": 806380001,
                "msdyn_onetimecustomer": true,
                "msdyn_company@odata.bind": "/cdm_companies(cdm_companycode='DAT')"
            }),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT, "account created");
    // WHEN it is read with the company expanded and every annotation asked for.
    let resp = dv
        .req(
            reqwest::Method::GET,
            &dv.url(
                "accounts?$select=name,creditlimit,msdyn_onholdstatus,msdyn_onetimecustomer,_msdyn_company_value\
                 &$expand=msdyn_company($select=cdm_companycode)&$filter=accountnumber eq 'X1'",
            ),
        )
        .header("Prefer", "odata.include-annotations=\"*\"")
        .send()
        .await
        .expect("GET");
    assert_eq!(resp.status(), StatusCode::OK);
    let applied = resp
        .headers()
        .get_all("Preference-Applied")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.starts_with("odata.include-annotations"));
    assert!(applied, "annotations preference is echoed");
    let row = json_of(resp).await["value"][0].clone();
    // THEN the lookup is expanded to the target row and values carry their labels.
    assert_eq!(row["msdyn_company"]["cdm_companycode"], "DAT", "{row}");
    let f = "@OData.Community.Display.V1.FormattedValue";
    assert_eq!(row[format!("msdyn_onholdstatus{f}")], "Invoice", "{row}");
    assert_eq!(row[format!("msdyn_onetimecustomer{f}")], "Yes", "{row}");
    assert_eq!(row[format!("creditlimit{f}")], "12,500.00", "{row}");
    assert_eq!(
        row[format!("_msdyn_company_value{f}")],
        "Contoso Demo",
        "{row}"
    );
    assert_eq!(
        row["_msdyn_company_value@Microsoft.Dynamics.CRM.lookuplogicalname"],
        "cdm_company"
    );
    // AND without the preference there are no annotations.
    let plain = json_of(dv.get(&dv.url("accounts(accountnumber='X1')")).await).await;
    assert!(
        plain.get(format!("msdyn_onholdstatus{f}")).is_none(),
        "annotations only on request: {plain}"
    );
    // AND a single row expands too, and an unknown navigation property is a 400.
    let one = json_of(
        dv.get(&dv.url("accounts(accountnumber='X1')?$expand=msdyn_company"))
            .await,
    )
    .await;
    assert_eq!(one["msdyn_company"]["cdm_name"], "Contoso Demo", "{one}");
    let resp = dv.get(&dv.url("accounts?$expand=Account_Tasks")).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "unknown navigation");
    // AND $skip is refused with Dataverse's error shape.
    let resp = dv.get(&dv.url("accounts?$skip=1")).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "$skip rejected");
    let body = json_of(resp).await;
    assert_eq!(body["error"]["code"], "0x80060888", "{body}");
    env.sandbox.shutdown().await;
}
