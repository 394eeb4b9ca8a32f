//! F&O `$expand`: one level of navigation properties, single-valued and collections.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Fo, json_of, start};

async fn post_to(fo: &Fo<'_>, set: &str, body: Value) {
    let resp = fo
        .env
        .http
        .post(fo.url(set))
        .bearer_auth(&fo.token)
        .json(&body)
        .send()
        .await
        .expect("F&O POST");
    assert_eq!(resp.status(), StatusCode::CREATED, "POST {set} {body}");
}

async fn get_json(fo: &Fo<'_>, rest: &str) -> (StatusCode, Value) {
    let resp = fo.get(&fo.url(rest)).await;
    let status = resp.status();
    (status, json_of(resp).await)
}

#[tokio::test]
async fn fo_expand_follows_navigation_properties_one_level_deep() {
    // GIVEN customers in USMF that refer to customer group XG and currency XPC, and sales
    // orders with the same number in two companies.
    let env = start().await;
    let fo = Fo::new(&env).await;
    post_to(
        &fo,
        "CustomerGroups",
        json!({"dataAreaId": "USMF", "CustomerGroupId": "XG", "Description": "Expand group"}),
    )
    .await;
    post_to(
        &fo,
        "CustomerGroups",
        json!({"dataAreaId": "DAT", "CustomerGroupId": "XG", "Description": "Other company"}),
    )
    .await;
    post_to(
        &fo,
        "Currencies",
        json!({"CurrencyCode": "XPC", "Name": "Expand currency"}),
    )
    .await;
    for (account, group) in [("XP-1", "XG"), ("XP-2", "XG"), ("XP-3", "99")] {
        post_to(
            &fo,
            "CustomersV3",
            json!({"dataAreaId": "USMF", "CustomerAccount": account, "CustomerGroupId": group,
                   "SalesCurrencyCode": "XPC", "OrganizationName": format!("Org {account}")}),
        )
        .await;
    }
    post_to(
        &fo,
        "CDSSalesOrderHeaders",
        json!({"dataAreaId": "USMF", "SalesOrderNumber": "SO-1"}),
    )
    .await;
    post_to(
        &fo,
        "CDSSalesOrderHeaders",
        json!({"dataAreaId": "DAT", "SalesOrderNumber": "SO-1"}),
    )
    .await;
    for (company, line) in [("USMF", "1"), ("USMF", "2"), ("DAT", "1")] {
        post_to(
            &fo,
            "CDSSalesOrderLines",
            json!({"dataAreaId": company, "SalesOrderNumber": "SO-1",
                   "LineCreationSequenceNumber": line, "ProductNumber": format!("P-{company}-{line}")}),
        )
        .await;
    }

    // WHEN customers are read with their group and currency expanded.
    let (status, body) = get_json(
        &fo,
        "CustomersV3?cross-company=true&$filter=startswith(CustomerAccount,'XP-')&$orderby=CustomerAccount\
         &$select=CustomerAccount&$expand=CustomerGroup,SalesCurrency($select=CurrencyCode)",
    )
    .await;
    // THEN each row carries the related row (or null when there is none), projected as asked.
    assert_eq!(status, StatusCode::OK, "{body}");
    let rows = body["value"].as_array().expect("value");
    assert_eq!(rows.len(), 3, "{body}");
    assert_eq!(rows[0]["CustomerAccount"], "XP-1");
    assert!(
        rows[0].get("OrganizationName").is_none(),
        "$select applies: {}",
        rows[0]
    );
    assert_eq!(
        rows[0]["CustomerGroup"]["CustomerGroupId"], "XG",
        "{}",
        rows[0]
    );
    assert_eq!(
        rows[0]["CustomerGroup"]["dataAreaId"], "USMF",
        "same company: {}",
        rows[0]
    );
    assert_eq!(
        rows[0]["CustomerGroup"]["Description"], "Expand group",
        "{}",
        rows[0]
    );
    assert_eq!(
        rows[0]["SalesCurrency"]["CurrencyCode"], "XPC",
        "{}",
        rows[0]
    );
    assert!(
        rows[0]["SalesCurrency"].get("Name").is_none(),
        "nested $select: {}",
        rows[0]
    );
    assert_eq!(
        rows[2]["CustomerGroup"],
        Value::Null,
        "no group 99: {}",
        rows[2]
    );

    // WHEN one order is read with its lines.
    let (status, order) = get_json(
        &fo,
        "CDSSalesOrderHeaders(dataAreaId='usmf',SalesOrderNumber='SO-1')?$expand=SalesOrderLines",
    )
    .await;
    // THEN the collection holds that company's lines only.
    assert_eq!(status, StatusCode::OK, "{order}");
    let lines: Vec<&str> = order["SalesOrderLines"]
        .as_array()
        .expect("lines are an array")
        .iter()
        .map(|l| l["ProductNumber"].as_str().expect("ProductNumber"))
        .collect();
    assert_eq!(lines, ["P-USMF-1", "P-USMF-2"], "{order}");
    // AND a line leads back to its header.
    let (_, line) = get_json(
        &fo,
        "CDSSalesOrderLines?cross-company=true&$filter=dataAreaId eq 'DAT'&$expand=SalesOrderHeader($select=dataAreaId,SalesOrderNumber)",
    )
    .await;
    assert_eq!(
        line["value"][0]["SalesOrderHeader"]["dataAreaId"], "DAT",
        "{line}"
    );
    // AND a group lists its customers.
    let (_, group) = get_json(
        &fo,
        "CustomerGroups(dataAreaId='USMF',CustomerGroupId='XG')?$expand=Customers($select=CustomerAccount)",
    )
    .await;
    let members: Vec<&str> = group["Customers"]
        .as_array()
        .expect("customers")
        .iter()
        .map(|c| c["CustomerAccount"].as_str().expect("account"))
        .collect();
    assert_eq!(members, ["XP-1", "XP-2"], "{group}");

    // WHEN $expand names an unknown property, nests, or selects an unknown field.
    for (query, needle) in [
        ("CustomersV3?$expand=Nope", "Nope"),
        (
            "CDSSalesOrderHeaders?$expand=SalesOrderLines($expand=SalesOrderHeader)",
            "one level",
        ),
        ("CustomersV3?$expand=CustomerGroup($select=Nope)", "Nope"),
    ] {
        let (status, body) = get_json(&fo, query).await;
        // THEN it is a 400 that says what is wrong.
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(needle), "{query}: {message}");
    }

    // AND $metadata declares the navigation properties.
    let metadata = fo
        .get(&fo.url("$metadata"))
        .await
        .text()
        .await
        .expect("metadata");
    assert!(
        metadata.contains(
            "<NavigationProperty Name=\"SalesOrderLines\" Type=\"Collection(Microsoft.Dynamics.DataEntities.CDSSalesOrderLine)\">"
        ),
        "collection navigation in $metadata"
    );
    assert!(
        metadata.contains("<ReferentialConstraint Property=\"CustomerGroupId\" ReferencedProperty=\"CustomerGroupId\"/>"),
        "single-valued navigation has its constraint"
    );
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn fo_invalid_expand_on_a_missing_row_is_a_400_not_a_404() {
    // GIVEN a sandbox without customer NOPE-1.
    let env = start().await;
    let fo = Fo::new(&env).await;
    let missing = "CustomersV3(dataAreaId='DAT',CustomerAccount='NOPE-1')";
    let (status, _) = get_json(&fo, missing).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the row really is missing");
    // WHEN that row is read with a $expand naming an unknown property.
    let (status, body) = get_json(&fo, &format!("{missing}?$expand=Nope")).await;
    // THEN the malformed query is reported first, as a 400 naming the property: the query
    // options are checked before the row is looked up (as the Dataverse side does).
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "an invalid $expand is a 400 whether or not the row exists: {body}"
    );
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("Nope"),
        "the 400 names the property: {body}"
    );
    env.sandbox.shutdown().await;
}
