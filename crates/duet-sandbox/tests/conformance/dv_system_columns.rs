//! The system columns every Dataverse table has: described by the metadata and `$metadata`,
//! filled in by the service on the rows it serves, and ignored when a client writes the
//! read-only ones.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{Dv, json_of, start};

/// An attribute's metadata, read by path.
async fn attribute(dv: &Dv<'_>, table: &str, column: &str) -> Value {
    let url = dv.url(&format!(
        "EntityDefinitions(LogicalName='{table}')/Attributes(LogicalName='{column}')"
    ));
    let resp = dv.get(&url).await;
    assert_eq!(
        resp.status(),
        StatusCode::OK,
        "{table}.{column} is described"
    );
    json_of(resp).await
}

#[tokio::test]
async fn every_table_describes_its_system_columns() {
    // GIVEN a sandbox.
    let env = start().await;
    let dv = Dv::new(&env).await;
    // WHEN the system columns of a table are read, THEN each has its real type and flags.
    for (column, kind, create, update) in [
        ("createdon", "DateTime", false, false),
        ("modifiedon", "DateTime", false, false),
        ("createdby", "Lookup", false, false),
        ("modifiedby", "Lookup", false, false),
        ("createdonbehalfby", "Lookup", false, false),
        ("modifiedonbehalfby", "Lookup", false, false),
        ("ownerid", "Owner", true, true),
        ("owningbusinessunit", "Lookup", false, false),
        ("owninguser", "Lookup", false, false),
        ("owningteam", "Lookup", false, false),
        ("statecode", "State", false, true),
        ("statuscode", "Status", true, true),
        ("versionnumber", "BigInt", false, false),
        ("overriddencreatedon", "DateTime", true, false),
        ("importsequencenumber", "Integer", true, false),
        ("timezoneruleversionnumber", "Integer", true, true),
        ("utcconversiontimezonecode", "Integer", true, true),
        ("exchangerate", "Decimal", false, false),
    ] {
        let a = attribute(&dv, "account", column).await;
        assert_eq!(a["AttributeType"], kind, "{column}");
        assert_eq!(a["IsValidForCreate"], create, "{column} on create");
        assert_eq!(a["IsValidForUpdate"], update, "{column} on update");
        assert_eq!(a["IsCustomAttribute"], false, "{column} is the platform's");
    }
    let created = attribute(&dv, "account", "createdon").await;
    assert_eq!(created["DateTimeBehavior"], json!({"Value": "UserLocal"}));
    assert_eq!(created["Format"], "DateAndTime");
    // AND only tables with money columns have the currency columns.
    let line = attribute(&dv, "invoicedetail", "transactioncurrencyid").await;
    assert_eq!(line["Targets"], json!(["transactioncurrency"]));
    let resp =
        dv.get(&dv.url(
            "EntityDefinitions(LogicalName='cdm_job')/Attributes(LogicalName='exchangerate')",
        ))
        .await;
    assert_eq!(
        resp.status(),
        StatusCode::NOT_FOUND,
        "no money, no exchange rate"
    );
    // AND an organization-owned table has an organization instead of an owner.
    let currency = json_of(
        dv.get(
            &dv.url("EntityDefinitions(LogicalName='transactioncurrency')?$select=OwnershipType"),
        )
        .await,
    )
    .await;
    assert_eq!(currency["OwnershipType"], "OrganizationOwned");
    attribute(&dv, "transactioncurrency", "organizationid").await;
    // AND `$metadata` declares them on every entity type.
    let xml = dv
        .req(Method::GET, &dv.url("$metadata"))
        .send()
        .await
        .expect("GET $metadata")
        .text()
        .await
        .expect("CSDL text");
    for property in [
        "<Property Name=\"_ownerid_value\" Type=\"Edm.Guid\"/>",
        "<Property Name=\"_createdby_value\" Type=\"Edm.Guid\"/>",
        "<Property Name=\"statecode\" Type=\"Edm.Int32\"/>",
        "<Property Name=\"versionnumber\" Type=\"Edm.Int64\"/>",
        "<Property Name=\"createdon\" Type=\"Edm.DateTimeOffset\"/>",
        "<NavigationProperty Name=\"transactioncurrencyid\"",
    ] {
        assert!(xml.contains(property), "CSDL has {property}");
    }
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn rows_carry_the_values_the_service_fills_in() {
    // GIVEN a sandbox and the caller's identity.
    let env = start().await;
    let dv = Dv::new(&env).await;
    let me = json_of(dv.get(&dv.url("WhoAmI")).await).await;
    // WHEN a row is created with values for columns the service maintains.
    let resp = dv
        .post(
            &dv.url("accounts"),
            json!({"accountnumber": "SYS-1", "name": "Stamped",
                   "createdon": "2000-01-01T00:00:00Z", "versionnumber": 5}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let row = json_of(dv.get(&dv.url("accounts(accountnumber='SYS-1')")).await).await;
    // THEN the service's values win, and the caller created and owns the row.
    assert_ne!(
        row["createdon"], "2000-01-01T00:00:00Z",
        "createdon is the service's"
    );
    assert!(row["modifiedon"].is_string());
    assert!(
        row["versionnumber"].as_i64().is_some_and(|v| v > 5),
        "{row}"
    );
    assert_eq!(row["_ownerid_value"], me["UserId"]);
    assert_eq!(row["_createdby_value"], me["UserId"]);
    assert_eq!(row["_modifiedby_value"], me["UserId"]);
    assert_eq!(row["_owninguser_value"], me["UserId"]);
    assert_eq!(row["_owningbusinessunit_value"], me["BusinessUnitId"]);
    assert!(row["_owningteam_value"].is_null());
    assert!(row["_createdonbehalfby_value"].is_null());
    assert_eq!(row["statecode"], 0, "a new row is active");
    assert_eq!(row["statuscode"], 1);
    // AND the system columns can be selected, filtered and ordered on.
    let user = me["UserId"].as_str().expect("user id");
    let body = json_of(
        dv.get(&dv.url(&format!(
            "accounts?$select=_ownerid_value,statecode&$filter=statecode eq 0 and _ownerid_value eq {user}&$orderby=createdon desc"
        )))
        .await,
    )
    .await;
    assert_eq!(body["value"].as_array().map(Vec::len), Some(1), "{body}");
    // WHEN the row is deactivated without a status.
    let resp = dv
        .patch(
            &dv.url("accounts(accountnumber='SYS-1')"),
            json!({"statecode": 1}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    // THEN it gets the inactive state's default status.
    let row = json_of(dv.get(&dv.url("accounts(accountnumber='SYS-1')")).await).await;
    assert_eq!(
        (row["statecode"].clone(), row["statuscode"].clone()),
        (json!(1), json!(2))
    );
    // AND an organization-owned row names the organization.
    let resp = dv
        .post(
            &dv.url("transactioncurrencies"),
            json!({"isocurrencycode": "NOK"}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let currency = json_of(
        dv.get(&dv.url("transactioncurrencies(isocurrencycode='NOK')"))
            .await,
    )
    .await;
    assert_eq!(currency["_organizationid_value"], me["OrganizationId"]);
    assert!(currency.get("_ownerid_value").is_none(), "{currency}");
    // AND the rows the store was seeded with have an owner and a state too.
    let companies = json_of(dv.get(&dv.url("cdm_companies")).await).await;
    for company in companies["value"].as_array().expect("companies") {
        assert!(company["_ownerid_value"].is_string(), "{company}");
        assert_eq!(company["statecode"], 0);
    }
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn state_and_status_have_formatted_values() {
    // GIVEN an account.
    let env = start().await;
    let dv = Dv::new(&env).await;
    let resp = dv
        .post(&dv.url("accounts"), json!({"accountnumber": "FV-1"}))
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    // WHEN it is read with formatted values.
    let row = json_of(
        dv.req(
            Method::GET,
            &dv.url("accounts(accountnumber='FV-1')?$select=statecode,statuscode"),
        )
        .header("Prefer", "odata.include-annotations=\"*\"")
        .send()
        .await
        .expect("GET"),
    )
    .await;
    // THEN its state and status carry their labels.
    let formatted =
        |column: &str| row[format!("{column}@OData.Community.Display.V1.FormattedValue")].clone();
    assert_eq!(formatted("statecode"), "Active", "{row}");
    assert_eq!(formatted("statuscode"), "Active", "{row}");
    env.sandbox.shutdown().await;
}
