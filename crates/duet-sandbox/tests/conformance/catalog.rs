//! The catalog served as data and metadata: every table and entity, `EntityDefinitions` and
//! `$metadata` on both sides.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Dv, Fo, json_of, start};

#[tokio::test]
async fn dv_serves_every_catalog_table() {
    // GIVEN a sandbox and the catalog.
    let env = start().await;
    let dv = Dv::new(&env).await;
    let cat = duet_sandbox::catalog();
    // WHEN every catalog table is listed.
    for t in &cat.dataverse {
        let resp = dv.get(&dv.url(&format!("{}?$top=1", t.entity_set))).await;
        // THEN each one answers 200.
        assert_eq!(resp.status(), StatusCode::OK, "{} is served", t.entity_set);
    }
    // AND a catalog table round-trips a row by its alternate key, with a company lookup.
    let resp = dv
        .req(reqwest::Method::POST, &dv.url("msdyn_customergroups"))
        .header("Prefer", "return=representation")
        .json(&json!({
            "msdyn_groupid": "10",
            "msdyn_description": "Wholesale",
            "msdyn_company@odata.bind": "/cdm_companies(cdm_companycode='DAT')"
        }))
        .send()
        .await
        .expect("POST");
    assert_eq!(resp.status(), StatusCode::CREATED, "group created");
    let row = json_of(
        dv.get(&dv.url("msdyn_customergroups(msdyn_groupid='10')"))
            .await,
    )
    .await;
    assert_eq!(row["msdyn_description"], "Wholesale", "value stored");
    assert!(
        row["_msdyn_company_value"].is_string(),
        "lookup surfaces as _x_value: {row}"
    );
    // AND typed columns refuse the wrong JSON type.
    let resp = dv
        .post(
            &dv.url("accounts"),
            json!({"accountnumber": "T1", "msdyn_onetimecustomer": "yes"}),
        )
        .await;
    assert_eq!(
        resp.status(),
        StatusCode::BAD_REQUEST,
        "boolean column needs a boolean"
    );
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn fo_serves_every_catalog_entity_with_a_modified_watermark() {
    // GIVEN a sandbox and the catalog.
    let env = start().await;
    let fo = Fo::new(&env).await;
    let cat = duet_sandbox::catalog();
    // WHEN every catalog entity is listed across companies.
    for e in &cat.finops {
        let resp = fo
            .get(&fo.url(&format!("{}?cross-company=true&$top=1", e.entity_set)))
            .await;
        // THEN each one answers 200.
        assert_eq!(resp.status(), StatusCode::OK, "{} is served", e.entity_set);
    }
    // AND a company-specific entity takes writes keyed by dataAreaId and stamps them.
    let post = |body: Value| {
        let url = fo.url("CustomerGroups");
        let req = env.http.post(url).bearer_auth(&fo.token).json(&body);
        async move { req.send().await.expect("POST") }
    };
    let resp =
        post(json!({"dataAreaId": "DAT", "CustomerGroupId": "10", "Description": "Wholesale"}))
            .await;
    assert_eq!(resp.status(), StatusCode::CREATED, "group created");
    let first = json_of(resp).await;
    let stamp = first["ModifiedDateTime"]
        .as_str()
        .expect("stamp")
        .to_string();
    let resp =
        post(json!({"dataAreaId": "DAT", "CustomerGroupId": "20", "Description": "Retail"})).await;
    assert_eq!(resp.status(), StatusCode::CREATED, "second group created");
    // AND a watermark query on the modified time returns only the later row, in order.
    let body = json_of(
        fo.get(&fo.url(&format!(
            "CustomerGroups?$filter=ModifiedDateTime gt {stamp}&$orderby=ModifiedDateTime"
        )))
        .await,
    )
    .await;
    let ids: Vec<&str> = body["value"]
        .as_array()
        .expect("value")
        .iter()
        .filter_map(|r| r["CustomerGroupId"].as_str())
        .collect();
    assert_eq!(
        ids,
        ["20"],
        "only rows modified after the watermark: {body}"
    );
    // AND an enum field refuses an unknown member.
    let resp = fo
        .post(json!({"dataAreaId": "DAT", "CustomerAccount": "E1", "OnHoldStatus": "Sometimes"}))
        .await;
    assert_eq!(
        resp.status(),
        StatusCode::BAD_REQUEST,
        "unknown enum member refused"
    );
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn dv_entity_definitions_and_metadata_come_from_the_catalog() {
    // GIVEN a sandbox.
    let env = start().await;
    let dv = Dv::new(&env).await;
    // WHEN a table definition is read with $select.
    let resp = dv
        .get(&dv.url("EntityDefinitions(LogicalName='msdyn_customergroup')?$select=EntitySetName"))
        .await;
    assert_eq!(resp.status(), StatusCode::OK, "definition found");
    let body = json_of(resp).await;
    // THEN it names the entity set and leaves out unselected properties.
    assert_eq!(body["EntitySetName"], "msdyn_customergroups", "{body}");
    assert!(
        body.get("PrimaryIdAttribute").is_none(),
        "only selected: {body}"
    );
    assert!(body["MetadataId"].is_string(), "MetadataId always present");
    // WHEN the attributes are expanded.
    let body = json_of(
        dv.get(&dv.url(
            "EntityDefinitions(LogicalName='account')?$select=LogicalName\
                 &$expand=Attributes($select=LogicalName,AttributeType)",
        ))
        .await,
    )
    .await;
    let attrs = body["Attributes"].as_array().expect("Attributes");
    let kind = |name: &str| {
        attrs
            .iter()
            .find(|a| a["LogicalName"] == name)
            .map(|a| a["AttributeType"].clone())
            .unwrap_or(Value::Null)
    };
    // THEN each column has its documented attribute type.
    assert_eq!(kind("accountnumber"), "String");
    assert_eq!(kind("creditlimit"), "Money");
    assert_eq!(kind("msdyn_onholdstatus"), "Picklist");
    assert_eq!(kind("msdyn_company"), "Lookup");
    assert_eq!(kind("msdyn_onetimecustomer"), "Boolean");
    assert_eq!(kind("accountid"), "Uniqueidentifier");
    // AND an unknown table is a 404.
    let resp = dv
        .get(&dv.url("EntityDefinitions(LogicalName='nosuchtable')"))
        .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND, "unknown table");
    // AND both services serve CSDL built from the catalog.
    let resp = dv
        .req(reqwest::Method::GET, &dv.url("$metadata"))
        .header("Accept", "application/xml")
        .send()
        .await
        .expect("GET");
    assert_eq!(resp.status(), StatusCode::OK);
    let xml = resp.text().await.expect("text");
    assert!(
        xml.contains("<EntitySet Name=\"msdyn_paymentterms\""),
        "DV set listed"
    );
    assert!(
        xml.contains("<NavigationProperty Name=\"msdyn_company\""),
        "lookup navigation"
    );
    let fo = Fo::new(&env).await;
    let resp = fo.get(&fo.url("$metadata")).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let xml = resp.text().await.expect("text");
    assert!(
        xml.contains("<EnumType Name=\"NoYes\">"),
        "enum types in F&O CSDL"
    );
    assert!(
        xml.contains("<EntitySet Name=\"CustomersV3\""),
        "F&O set listed"
    );
    assert!(
        xml.contains("<PropertyRef Name=\"dataAreaId\"/>"),
        "company keys in F&O CSDL"
    );
    env.sandbox.shutdown().await;
}
