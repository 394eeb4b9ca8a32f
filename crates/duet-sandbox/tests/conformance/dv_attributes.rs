//! Dataverse attribute metadata: `$expand=Attributes`, the `Attributes` and `Keys` paths,
//! casts to one attribute type with their option sets, global option sets, and all of it as
//! `GET` parts of a `$batch`.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Dv, http_part, json_of, start};

/// The item of `list` whose `LogicalName` is `name`.
fn named<'a>(list: &'a Value, name: &str) -> &'a Value {
    list.as_array()
        .expect("a list")
        .iter()
        .find(|a| a["LogicalName"] == name)
        .unwrap_or_else(|| panic!("{name} is listed in {list}"))
}

#[tokio::test]
async fn attributes_by_path_carry_their_types_properties() {
    // GIVEN a sandbox.
    let env = start().await;
    let dv = Dv::new(&env).await;
    // WHEN account's attributes are read by path.
    let body = json_of(
        dv.get(&dv.url("EntityDefinitions(LogicalName='account')/Attributes"))
            .await,
    )
    .await;
    let attrs = &body["value"];
    // THEN each uncast item names its type and carries its type's properties.
    let number = named(attrs, "accountnumber");
    assert_eq!(
        number["@odata.type"],
        "#Microsoft.Dynamics.CRM.StringAttributeMetadata"
    );
    assert_eq!(number["AttributeType"], "String");
    assert_eq!(number["AttributeTypeName"], json!({"Value": "StringType"}));
    assert!(number["MaxLength"].is_i64(), "{number}");
    assert_eq!(number["RequiredLevel"]["Value"], "ApplicationRequired");
    assert_eq!(
        number["RequiredLevel"]["ManagedPropertyLogicalName"],
        "canmodifyrequirementlevelsettings"
    );
    assert_eq!(number["IsCustomAttribute"], false);
    assert!(number["AttributeOf"].is_null());
    let phone = named(attrs, "telephone1");
    assert_eq!(phone["MaxLength"], 50, "the enforced length is reported");
    let id = named(attrs, "accountid");
    assert_eq!(id["IsPrimaryId"], true);
    assert_eq!(id["IsValidForUpdate"], false);
    assert_eq!(named(attrs, "name")["IsPrimaryName"], true);
    let company = named(attrs, "msdyn_company");
    assert_eq!(company["Targets"], json!(["cdm_company"]));
    assert_eq!(company["IsCustomAttribute"], true);
    assert_eq!(named(attrs, "creditlimit")["Precision"], 2);
    assert!(
        attrs
            .as_array()
            .expect("list")
            .iter()
            .all(|a| a.get("OptionSet").is_none()),
        "OptionSet needs a cast"
    );
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn one_attribute_by_key_and_attributes_and_keys_by_expand() {
    // GIVEN a sandbox and account's attributes.
    let env = start().await;
    let dv = Dv::new(&env).await;
    let body = json_of(
        dv.get(&dv.url("EntityDefinitions(LogicalName='account')/Attributes"))
            .await,
    )
    .await;
    let number = named(&body["value"], "accountnumber").clone();
    // WHEN one attribute is read by name and by MetadataId.
    let one = json_of(
        dv.get(&dv.url(
            "EntityDefinitions(LogicalName='account')/Attributes(LogicalName='accountnumber')",
        ))
        .await,
    )
    .await;
    let context = one["@odata.context"].as_str().expect("context");
    assert!(context.ends_with("/Attributes/$entity"), "{context}");
    assert_eq!(one["MetadataId"], number["MetadataId"]);
    let id = number["MetadataId"].as_str().expect("id");
    let by_id = json_of(
        dv.get(&dv.url(&format!(
            "EntityDefinitions(LogicalName='account')/Attributes({id})?$select=LogicalName"
        )))
        .await,
    )
    .await;
    assert_eq!(by_id["LogicalName"], "accountnumber", "{by_id}");
    let resp = dv
        .get(&dv.url("EntityDefinitions(LogicalName='account')/Attributes(LogicalName='nope')"))
        .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    // WHEN attributes are expanded with a nested $select and $filter, and keys too.
    let body = json_of(dv.get(&dv.url(
        "EntityDefinitions(LogicalName='account')?$select=LogicalName\
         &$expand=Attributes($select=LogicalName,AttributeType;$filter=AttributeType eq Microsoft.Dynamics.CRM.AttributeTypeCode'Lookup' and IsCustomAttribute eq true),Keys",
    )).await).await;
    // THEN only the custom lookups come back, narrowed, with the keys beside them.
    let lookups = body["Attributes"].as_array().expect("Attributes");
    assert!(!lookups.is_empty(), "{body}");
    for a in lookups {
        assert_eq!(a["AttributeType"], "Lookup", "{a}");
        assert!(
            a.get("Targets").is_none(),
            "narrowed by the nested $select: {a}"
        );
    }
    assert_eq!(body["Keys"][0]["KeyAttributes"], json!(["accountnumber"]));
    // AND the keys are served by path in the documented shape.
    let keys = json_of(
        dv.get(&dv.url("EntityDefinitions(LogicalName='salesorderdetail')/Keys"))
            .await,
    )
    .await;
    let key = &keys["value"][0];
    assert_eq!(
        key["KeyAttributes"],
        json!(["salesorderid", "sequencenumber"])
    );
    assert_eq!(key["EntityKeyIndexStatus"], "Active");
    assert!(key["LogicalName"].is_string() && key["SchemaName"].is_string());
    // AND a discovery read of every table with its attributes answers in one response.
    let all = json_of(
        dv.get(&dv.url("EntityDefinitions?$expand=Attributes"))
            .await,
    )
    .await;
    assert!(all["value"].as_array().expect("tables").iter().all(|t| {
        t["Attributes"].as_array().is_some_and(|a| !a.is_empty())
            && t["CanChangeTrackingBeEnabled"]["Value"].is_boolean()
    }));
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn picklist_and_date_casts_expand_option_sets_and_behaviours() {
    // GIVEN a sandbox.
    let env = start().await;
    let dv = Dv::new(&env).await;
    let cast = |table: &str, ty: &str, query: &str| {
        dv.url(&format!(
            "EntityDefinitions(LogicalName='{table}')/Attributes/Microsoft.Dynamics.CRM.{ty}?{query}"
        ))
    };
    // WHEN the picklist cast expands both option sets.
    let url = cast(
        "account",
        "PicklistAttributeMetadata",
        "$select=LogicalName&$expand=OptionSet($select=Options),GlobalOptionSet($select=Options)",
    );
    let body = json_of(dv.get(&url).await).await;
    let list = &body["value"];
    // THEN only picklists come back, a local choice with no global set, a global one with both.
    let names: Vec<&str> = list
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|a| a["LogicalName"].as_str())
        .collect();
    assert_eq!(names, ["customertypecode", "msdyn_onholdstatus"], "{body}");
    let local = named(list, "customertypecode");
    assert!(local["GlobalOptionSet"].is_null());
    let option = &local["OptionSet"]["Options"][0];
    assert_eq!(option["Value"], 1);
    assert_eq!(option["Label"]["UserLocalizedLabel"]["Label"], "Competitor");
    assert_eq!(option["Label"]["LocalizedLabels"][0]["LanguageCode"], 1033);
    let global = named(list, "msdyn_onholdstatus");
    assert_eq!(
        global["GlobalOptionSet"]["Options"],
        global["OptionSet"]["Options"]
    );
    // WHEN dates are read with their behaviour, as a connector asks per table.
    let body = json_of(
        dv.get(&cast(
            "account",
            "DateTimeAttributeMetadata",
            "$select=LogicalName,DateTimeBehavior",
        ))
        .await,
    )
    .await;
    let created = named(&body["value"], "createdon");
    assert_eq!(created["DateTimeBehavior"], json!({"Value": "UserLocal"}));
    let body = json_of(
        dv.get(&cast("invoice", "DateTimeAttributeMetadata", ""))
            .await,
    )
    .await;
    let date = named(&body["value"], "msdyn_invoicedate");
    assert_eq!(date["DateTimeBehavior"], json!({"Value": "DateOnly"}));
    assert_eq!(date["Format"], "DateOnly");
    assert!(
        date.get("@odata.type").is_none(),
        "cast items are all of the cast type"
    );
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn other_casts_narrow_to_their_type_and_the_enum_cast_is_refused() {
    // GIVEN a sandbox.
    let env = start().await;
    let dv = Dv::new(&env).await;
    let cast = |table: &str, ty: &str, query: &str| {
        dv.url(&format!(
            "EntityDefinitions(LogicalName='{table}')/Attributes/Microsoft.Dynamics.CRM.{ty}?{query}"
        ))
    };
    // WHEN the other casts are read, THEN each carries its type's properties and no other type.
    let body = json_of(
        dv.get(&cast(
            "account",
            "LookupAttributeMetadata",
            "$select=LogicalName,Targets",
        ))
        .await,
    )
    .await;
    assert_eq!(
        named(&body["value"], "ownerid")["Targets"],
        json!(["systemuser", "team"])
    );
    assert_eq!(
        named(&body["value"], "createdby")["Targets"],
        json!(["systemuser"])
    );
    let body = json_of(
        dv.get(&cast(
            "account",
            "MoneyAttributeMetadata",
            "$select=LogicalName,Precision",
        ))
        .await,
    )
    .await;
    assert_eq!(named(&body["value"], "creditlimit")["Precision"], 2);
    for (ty, kind) in [
        ("StringAttributeMetadata", "String"),
        ("DecimalAttributeMetadata", "Decimal"),
        ("BooleanAttributeMetadata", "Boolean"),
        ("IntegerAttributeMetadata", "Integer"),
    ] {
        let body = json_of(
            dv.get(&cast("account", ty, "$select=LogicalName,AttributeType"))
                .await,
        )
        .await;
        let items = body["value"].as_array().expect("list");
        assert!(!items.is_empty(), "{ty}");
        assert!(
            items.iter().all(|a| a["AttributeType"] == kind),
            "{ty}: {body}"
        );
    }
    // AND a yes/no column's option set has a true and a false option.
    let body = json_of(
        dv.get(&cast(
            "account",
            "BooleanAttributeMetadata",
            "$select=LogicalName&$expand=OptionSet",
        ))
        .await,
    )
    .await;
    let options = &named(&body["value"], "msdyn_onetimecustomer")["OptionSet"];
    assert_eq!(options["OptionSetType"], "Boolean");
    assert_eq!(options["TrueOption"]["Value"], 1);
    assert_eq!(
        options["FalseOption"]["Label"]["UserLocalizedLabel"]["Label"],
        "No"
    );
    // AND an uncast read declares only the base type's properties.
    let resp = dv
        .get(&dv.url(
            "EntityDefinitions(LogicalName='account')/Attributes(LogicalName='accountnumber')?$select=MaxLength",
        ))
        .await;
    assert_eq!(
        resp.status(),
        StatusCode::BAD_REQUEST,
        "MaxLength needs the string cast"
    );
    // AND the abstract enum cast and an uncast OptionSet are refused.
    let resp = dv.get(&cast("account", "EnumAttributeMetadata", "")).await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let resp = dv
        .get(&dv.url("EntityDefinitions(LogicalName='account')/Attributes?$expand=OptionSet"))
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn global_option_sets_by_list_name_and_id() {
    // GIVEN a sandbox.
    let env = start().await;
    let dv = Dv::new(&env).await;
    // WHEN the global option sets are listed.
    let body = json_of(dv.get(&dv.url("GlobalOptionSetDefinitions")).await).await;
    let sets = &body["value"];
    // THEN the shared order type is one global set, with its options.
    let order = named_set(sets, "msdyn_ordertype");
    assert_eq!(order["IsGlobal"], true);
    assert_eq!(order["Options"][0]["Value"], 192_350_000);
    // WHEN one is read by name and by id, THEN both give the same set.
    let by_name = json_of(
        dv.get(&dv.url("GlobalOptionSetDefinitions(Name='msdyn_ordertype')"))
            .await,
    )
    .await;
    assert!(
        by_name["@odata.context"]
            .as_str()
            .is_some_and(|c| c.ends_with("/$entity"))
    );
    let id = by_name["MetadataId"].as_str().expect("id");
    let by_id = json_of(dv.get(&dv.url(&format!(
        "GlobalOptionSetDefinitions({id})/Microsoft.Dynamics.CRM.OptionSetMetadata?$select=Name,Options"
    ))).await).await;
    assert_eq!(by_id["Name"], "msdyn_ordertype");
    assert_eq!(by_id["Options"], by_name["Options"]);
    let resp = dv
        .get(&dv.url("GlobalOptionSetDefinitions(Name='nope')"))
        .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    env.sandbox.shutdown().await;
}

fn named_set<'a>(list: &'a Value, name: &str) -> &'a Value {
    list.as_array()
        .expect("a list")
        .iter()
        .find(|s| s["Name"] == name)
        .unwrap_or_else(|| panic!("{name} in {list}"))
}

#[tokio::test]
async fn metadata_reads_run_as_batch_parts_in_order() {
    // GIVEN a sandbox and a batch of metadata reads, one per table as a connector sends them.
    let env = start().await;
    let dv = Dv::new(&env).await;
    let tables = ["account", "contact", "invoice", "nosuchtable"];
    let mut parts: Vec<String> = tables
        .iter()
        .map(|t| {
            let url = format!(
                "/api/data/v9.2/EntityDefinitions(LogicalName='{t}')/Attributes/Microsoft.Dynamics.CRM.DateTimeAttributeMetadata?$select=LogicalName,DateTimeBehavior"
            );
            http_part(None, "GET", &url, None)
        })
        .collect();
    parts.push(http_part(
        None,
        "GET",
        "EntityDefinitions?$select=LogicalName&$filter=LogicalName%20eq%20'lead'",
        None,
    ));
    parts.push(http_part(
        None,
        "GET",
        "GlobalOptionSetDefinitions(Name='msdyn_ordertype')",
        None,
    ));
    parts.push(http_part(
        None,
        "GET",
        "EntityDefinitions(LogicalName='account')/Keys",
        None,
    ));
    let account = json_of(
        dv.get(&dv.url("EntityDefinitions(LogicalName='account')?$select=LogicalName"))
            .await,
    )
    .await;
    let id = account["MetadataId"].as_str().expect("MetadataId");
    for url in [
        format!("EntityDefinitions({id})?$select=ObjectTypeCode"),
        "EntityDefinitions?$top=1".to_string(),
        "EntityDefinitions?$filter=startswith(LogicalName,'a')".to_string(),
    ] {
        parts.push(http_part(None, "GET", &url, None));
    }
    // WHEN it is sent, continuing past errors.
    let reply = dv
        .batch("batch_meta", &parts, Some("odata.continue-on-error"))
        .await;
    // THEN every part is answered in order, the unknown table as a 404.
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        reply.content_type.contains("boundary="),
        "{}",
        reply.content_type
    );
    assert_eq!(
        reply.statuses(),
        [200, 200, 200, 404, 200, 200, 200, 200, 400, 501]
    );
    let bodies = reply.bodies();
    let context = |i: usize| {
        bodies[i]["@odata.context"]
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    assert!(named(&bodies[0]["value"], "createdon")["DateTimeBehavior"].is_object());
    assert!(context(2).contains("DateTimeAttributeMetadata"));
    assert_eq!(bodies[4]["value"][0]["LogicalName"], "lead");
    assert_eq!(bodies[5]["Name"], "msdyn_ordertype");
    assert_eq!(
        bodies[6]["value"][0]["KeyAttributes"],
        json!(["accountnumber"])
    );
    assert_eq!(bodies[7]["ObjectTypeCode"], 1);
    assert_eq!(bodies[8]["error"]["code"], "0x80060888");
    assert_eq!(bodies[9]["error"]["code"], "0x8006088a");
    env.sandbox.shutdown().await;
}
