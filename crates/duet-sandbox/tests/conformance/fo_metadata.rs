//! The F&O metadata service at `/Metadata`: the service document and its CSDL,
//! `DataEntities`, `PublicEntities` and `PublicEnumerations` from the catalog with the query
//! options clients send, keys by name, and labels that resolve.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::support::{Fo, json_of, start};

fn meta(fo: &Fo<'_>, rest: &str) -> String {
    format!("{}/Metadata/{rest}", fo.env.sandbox.fo_url())
}

fn values(body: &Value) -> &Vec<Value> {
    body["value"].as_array().expect("value array")
}

fn names(body: &Value) -> Vec<&str> {
    values(body)
        .iter()
        .filter_map(|r| r["Name"].as_str())
        .collect()
}

#[tokio::test]
async fn fo_metadata_service_root_is_case_insensitive_read_only_and_signed_in() {
    // GIVEN a sandbox and a token for the F&O environment.
    let env = start().await;
    let fo = Fo::new(&env).await;
    let base = env.sandbox.fo_url();
    // WHEN the service document is read under two spellings of the root.
    for root in ["Metadata", "metadata"] {
        let body = json_of(fo.get(&format!("{base}/{root}")).await).await;
        // THEN it lists the four entity sets.
        assert_eq!(
            names_of_sets(&body),
            vec![
                "DataEntities",
                "PublicEntities",
                "PublicEnumerations",
                "Labels"
            ],
            "{root}: {body}"
        );
    }
    // AND its CSDL describes them.
    let resp = fo.get(&format!("{base}/METADATA/$metadata")).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let xml = resp.text().await.expect("CSDL text");
    for needle in [
        "<EntityType Name=\"PublicEntity\">",
        "<EntitySet Name=\"Labels\"",
        "<Member Name=\"Master\" Value=\"0\"/>",
    ] {
        assert!(xml.contains(needle), "CSDL has {needle}");
    }
    // AND writes are refused, and a request without the token gets a 401.
    let resp = fo
        .req(Method::POST, &meta(&fo, "DataEntities"))
        .json(&serde_json::json!({"Name": "X"}))
        .send()
        .await
        .expect("POST");
    assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
    let resp = env
        .http
        .get(meta(&fo, "PublicEntities?$top=1"))
        .send()
        .await
        .expect("GET");
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    // AND an unknown set is a 404.
    assert_eq!(
        fo.get(&meta(&fo, "Tables")).await.status(),
        StatusCode::NOT_FOUND
    );
}

fn names_of_sets(body: &Value) -> Vec<&str> {
    values(body)
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect()
}

#[tokio::test]
async fn fo_data_entities_come_from_the_catalog_with_filters_select_top_and_count() {
    // GIVEN the metadata service.
    let env = start().await;
    let fo = Fo::new(&env).await;
    // WHEN every data entity is listed.
    let all = json_of(fo.get(&meta(&fo, "DataEntities?$count=true")).await).await;
    // THEN each catalog entity is there, plus the two entity sets that carry actions.
    let catalog = duet_sandbox::catalog();
    assert_eq!(values(&all).len(), catalog.finops.len() + 2, "{all}");
    assert_eq!(all["@odata.count"], catalog.finops.len() + 2);
    // WHEN one is filtered by its public entity name.
    let body = json_of(
        fo.get(&meta(
            &fo,
            "DataEntities?$filter=PublicEntityName eq 'CustomerV3'",
        ))
        .await,
    )
    .await;
    let row = &values(&body)[0];
    assert_eq!(row["Name"], "CustCustomerV3Entity");
    assert_eq!(row["PublicCollectionName"], "CustomersV3");
    assert_eq!(row["EntityCategory"], "Master");
    assert_eq!(row["DataServiceEnabled"], true);
    assert_eq!(row["DataManagementEnabled"], true);
    assert_eq!(row["IsReadOnly"], false);
    assert!(row["LabelId"].as_str().is_some_and(|l| l.starts_with('@')));
    // WHEN the client's search filter is sent (functions, enum literal, booleans).
    let url = meta(
        &fo,
        "DataEntities?$filter=contains(tolower(Name), 'sales') and EntityCategory eq Microsoft.Dynamics.Metadata.EntityCategory'Document' and DataServiceEnabled eq true and IsReadOnly eq false",
    );
    let body = json_of(fo.get(&url).await).await;
    let mut found = names(&body);
    found.sort_unstable();
    assert_eq!(
        found,
        vec![
            "CDSSalesOrderHeaderEntity",
            "CDSSalesOrderLineEntity",
            "CDSSalesQuotationHeaderEntity",
            "SalesInvoiceHeaderV2Entity",
            "SalesInvoiceLineV2Entity"
        ]
    );
    // AND `or`, `ne` and `$select` trim the rows to the named properties.
    let url = meta(
        &fo,
        "DataEntities?$filter=PublicCollectionName eq 'VendorsV2' or (IsReadOnly ne false and Name ne 'x')&$select=Name,PublicCollectionName",
    );
    let body = json_of(fo.get(&url).await).await;
    assert_eq!(
        names(&body),
        vec![
            "VendorV2Entity",
            "DataManagementEntity",
            "SystemNotificationEntity"
        ]
    );
    assert_eq!(values(&body)[0].as_object().map(|o| o.len()), Some(2));
    assert!(body["@odata.context"].as_str().is_some_and(|c| {
        c.ends_with("/Metadata/$metadata#DataEntities(Name,PublicCollectionName)")
    }));
    // AND `$top` keeps one page of that size.
    let body = json_of(fo.get(&meta(&fo, "DataEntities?$top=2&$skip=1")).await).await;
    assert_eq!(values(&body).len(), 2);
    assert_eq!(values(&body)[0]["Name"], values(&all)[1]["Name"]);
    // WHEN keyed by name, known and unknown.
    let one = json_of(
        fo.get(&meta(&fo, "DataEntities('CustCustomerV3Entity')"))
            .await,
    )
    .await;
    assert_eq!(one["PublicEntityName"], "CustomerV3");
    assert_eq!(
        fo.get(&meta(&fo, "DataEntities('NoSuchEntity')"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    // AND an unknown enum member or property is a 400.
    for bad in [
        "DataEntities?$filter=EntityCategory eq Microsoft.Dynamics.Metadata.EntityCategory'Nope'",
        "DataEntities?$filter=Colour eq 'red'",
        "DataEntities?$expand=Properties",
    ] {
        assert_eq!(
            fo.get(&meta(&fo, bad)).await.status(),
            StatusCode::BAD_REQUEST,
            "{bad}"
        );
    }
}

fn property<'a>(entity: &'a Value, name: &str) -> &'a Value {
    entity["Properties"]
        .as_array()
        .expect("Properties")
        .iter()
        .find(|p| p["Name"] == name)
        .unwrap_or_else(|| panic!("property {name}"))
}

#[tokio::test]
async fn fo_public_entities_describe_properties_navigations_and_actions() {
    // GIVEN the metadata service.
    let env = start().await;
    let fo = Fo::new(&env).await;
    // WHEN a public entity is read by its name.
    let cust = json_of(fo.get(&meta(&fo, "PublicEntities('CustomerV3')")).await).await;
    // THEN it carries its set, keys and typed properties inline.
    assert_eq!(cust["EntitySetName"], "CustomersV3");
    assert_eq!(cust["IsReadOnly"], false);
    assert!(
        cust["@odata.context"]
            .as_str()
            .is_some_and(|c| c.ends_with("/Metadata/$metadata#PublicEntities/$entity"))
    );
    let area = property(&cust, "dataAreaId");
    assert_eq!(
        (&area["TypeName"], &area["DataType"], &area["IsKey"]),
        (&"Edm.String".into(), &"String".into(), &true.into())
    );
    assert_eq!(
        (&area["AllowEdit"], &area["AllowEditOnCreate"]),
        (&false.into(), &true.into())
    );
    assert_eq!(area["IsMandatory"], true);
    let modified = property(&cust, "ModifiedDateTime");
    assert_eq!(modified["TypeName"], "Edm.DateTimeOffset");
    assert_eq!(modified["DataType"], "UtcDateTime");
    assert_eq!(modified["AllowEditOnCreate"], false);
    let enums: Vec<&Value> = cust["Properties"]
        .as_array()
        .expect("Properties")
        .iter()
        .filter(|p| p["DataType"] == "Enum")
        .collect();
    assert!(!enums.is_empty(), "customers have enum fields");
    for p in enums {
        assert!(
            p["TypeName"]
                .as_str()
                .is_some_and(|t| t.starts_with("Microsoft.Dynamics.DataEntities.")),
            "{p}"
        );
    }
    // AND its navigation properties come from the catalog's relations, with constraints.
    let nav = cust["NavigationProperties"]
        .as_array()
        .expect("NavigationProperties")
        .iter()
        .find(|n| n["Name"] == "CustomerGroup")
        .expect("CustomerGroup navigation");
    assert_eq!(nav["RelatedEntity"], "CustomerGroup");
    assert_eq!(nav["RelatedRelationName"], "Customers");
    assert_eq!(nav["Cardinality"], "Single");
    let constraint = &nav["Constraints"][1];
    assert_eq!(
        constraint["@odata.type"],
        "#Microsoft.Dynamics.Metadata.ReferentialConstraint"
    );
    assert_eq!(constraint["Property"], "CustomerGroupId");
    assert_eq!(constraint["ReferencedProperty"], "CustomerGroupId");
    assert!(cust["PropertyGroups"].is_array() && cust["Actions"].is_array());
    // AND the inverse side is a collection that names its way back.
    let groups = json_of(fo.get(&meta(&fo, "PublicEntities('CustomerGroup')")).await).await;
    let back = &groups["NavigationProperties"][0];
    assert_eq!(
        (
            &back["Name"],
            &back["Cardinality"],
            &back["RelatedRelationName"]
        ),
        (
            &"Customers".into(),
            &"Multiple".into(),
            &"CustomerGroup".into()
        )
    );
    // WHEN the entity set name is used as the key, THEN it is not found (the key is the name).
    assert_eq!(
        fo.get(&meta(&fo, "PublicEntities('CustomersV3')"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    // WHEN looked up the way PowerShell tooling does, by either name ignoring case.
    let url = meta(
        &fo,
        "PublicEntities?$filter=(tolower(Name) eq tolower('CUSTOMERSV3') or tolower(EntitySetName) eq tolower('CUSTOMERSV3'))&$select=Name,EntitySetName",
    );
    assert_eq!(
        names(&json_of(fo.get(&url).await).await),
        vec!["CustomerV3"]
    );
    // AND the connection probe gets exactly one entity.
    let probe = json_of(fo.get(&meta(&fo, "PublicEntities?$top=1")).await).await;
    assert_eq!(values(&probe).len(), 1);
    // AND the version actions are described on DataManagementEntity.
    let dme = json_of(
        fo.get(&meta(&fo, "PublicEntities('DataManagementEntity')"))
            .await,
    )
    .await;
    assert_eq!(dme["EntitySetName"], "DataManagementEntities");
    let actions: Vec<&str> = dme["Actions"]
        .as_array()
        .expect("Actions")
        .iter()
        .filter_map(|a| a["Name"].as_str())
        .collect();
    assert_eq!(
        actions,
        vec![
            "GetApplicationVersion",
            "GetPlatformBuildVersion",
            "GetApplicationBuildVersion"
        ]
    );
    assert_eq!(dme["Actions"][0]["BindingKind"], "BoundToEntitySet");
    assert_eq!(dme["Actions"][0]["ReturnType"]["TypeName"], "Edm.String");
}

#[tokio::test]
async fn fo_public_enumerations_and_every_label_id_resolve() {
    // GIVEN the metadata service.
    let env = start().await;
    let fo = Fo::new(&env).await;
    // WHEN an enumeration is read by name.
    let noyes = json_of(fo.get(&meta(&fo, "PublicEnumerations('NoYes')")).await).await;
    // THEN its members carry their values in order.
    let members = noyes["Members"].as_array().expect("Members");
    assert_eq!(
        members
            .iter()
            .map(|m| (m["Name"].as_str(), m["Value"].as_i64()))
            .collect::<Vec<_>>(),
        vec![(Some("No"), Some(0)), (Some("Yes"), Some(1))]
    );
    assert_eq!(members[0]["ConfigurationEnabled"], true);
    // AND the client's search selects names and labels only.
    let url = meta(
        &fo,
        "PublicEnumerations?$filter=contains(tolower(Name), 'party')&$select=Name,LabelId",
    );
    let body = json_of(fo.get(&url).await).await;
    assert_eq!(names(&body), vec!["DirPartyBaseType", "VendorPartyType"]);
    assert!(values(&body)[0].get("Members").is_none());
    // WHEN every label id of an entity and an enumeration is resolved.
    let cust = json_of(fo.get(&meta(&fo, "PublicEntities('CustomerV3')")).await).await;
    let mut ids: Vec<String> = vec![cust["LabelId"].as_str().expect("id").to_string()];
    for p in cust["Properties"].as_array().expect("Properties") {
        ids.push(p["LabelId"].as_str().expect("id").to_string());
    }
    ids.push(noyes["LabelId"].as_str().expect("id").to_string());
    for m in members {
        ids.push(m["LabelId"].as_str().expect("id").to_string());
    }
    for id in &ids {
        let url = meta(&fo, &format!("Labels(Id='{id}',Language='en-US')"));
        let resp = fo.get(&url).await;
        assert_eq!(resp.status(), StatusCode::OK, "{id}");
        let label = json_of(resp).await;
        // THEN each answers its id, language and a readable text.
        assert_eq!(label["Id"], id.as_str());
        assert_eq!(label["Language"], "en-US");
        assert!(
            label["Value"].as_str().is_some_and(|v| !v.is_empty()),
            "{label}"
        );
    }
    let entity_label = json_of(
        fo.get(&meta(
            &fo,
            &format!("Labels(Id='{}',Language='en-GB')", ids[0]),
        ))
        .await,
    )
    .await;
    assert_eq!(entity_label["Value"], "Customers V3");
    assert_eq!(entity_label["Language"], "en-GB");
    // AND an unknown id is a 404, and the collection cannot be listed.
    for rest in ["Labels(Id='@SYS0',Language='en-US')", "Labels"] {
        assert_eq!(
            fo.get(&meta(&fo, rest)).await.status(),
            StatusCode::NOT_FOUND,
            "{rest}"
        );
    }
}
