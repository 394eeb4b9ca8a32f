//! Generated sample rows: seeded content, the modified watermark and the reference data they
//! point to.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::support::{Fo, all_customers, json_of, start_with};

/// The first customer by account of a fresh sandbox generated with `seed`.
async fn first_generated(seed: u64) -> Value {
    let env = start_with(|c| {
        c.rows = 20;
        c.seed = seed;
    })
    .await;
    let fo = Fo::new(&env).await;
    let body = json_of(
        fo.get(&fo.url("CustomersV3?cross-company=true&$orderby=CustomerAccount&$top=1"))
            .await,
    )
    .await;
    let first = body["value"][0].clone();
    env.sandbox.shutdown().await;
    first
}

#[tokio::test]
async fn generated_rows_are_served_and_seeded() {
    // GIVEN a fresh sandbox asked for 500 sample rows with seed 7.
    let env = start_with(|c| {
        c.rows = 500;
        c.seed = 7;
    })
    .await;
    assert_eq!(env.sandbox.generated_rows(), 500, "a fresh store is filled");
    let fo = Fo::new(&env).await;
    // WHEN every company is counted.
    let body = json_of(
        fo.get(&fo.url("CustomersV3?$count=true&cross-company=true&$top=1"))
            .await,
    )
    .await;
    // THEN all rows are there.
    assert_eq!(body["@odata.count"], 500, "every generated row is served");
    // WHEN all rows are read.
    let rows = all_customers(&fo, "$orderby=CustomerAccount").await;
    // THEN both companies appear in a plausible mix and every row has the API's shape.
    let dat = rows.iter().filter(|r| r["dataAreaId"] == "DAT").count();
    let usmf = rows.iter().filter(|r| r["dataAreaId"] == "USMF").count();
    assert_eq!(dat + usmf, 500, "rows belong to the seeded companies only");
    assert!(
        (250..=350).contains(&dat),
        "about 60% of rows go to DAT, got {dat}"
    );
    for r in &rows {
        let account = r["CustomerAccount"].as_str().expect("account");
        let company = r["dataAreaId"].as_str().expect("company");
        assert!(
            account.starts_with(&format!("{company}-")) && account.len() == company.len() + 7,
            "accounts are company-prefixed and zero-padded: {account}"
        );
        assert_eq!(
            r["PartyType"], "Organization",
            "sample parties are organisations"
        );
        assert!(
            r["@odata.etag"]
                .as_str()
                .is_some_and(|e| e.starts_with("W/\"")),
            "generated rows carry the API's weak etag: {r}"
        );
        assert!(
            r["PrimaryContactEmail"]
                .as_str()
                .is_some_and(|e| e.starts_with("accounts@") && e.ends_with(".example")),
            "email derives from the name on a reserved domain: {r}"
        );
    }
    let fetched = json_of(
        fo.get(&fo.url(&format!(
            "CustomersV3(dataAreaId='{}',CustomerAccount='{}')",
            rows[0]["dataAreaId"].as_str().expect("company"),
            rows[0]["CustomerAccount"].as_str().expect("account"),
        )))
        .await,
    )
    .await;
    assert_eq!(
        fetched["@odata.etag"], rows[0]["@odata.etag"],
        "a generated row is addressable by key like a posted one"
    );
    env.sandbox.shutdown().await;

    // WHEN the same seed runs in another directory, and a different seed in a third.
    let again = first_generated(7).await;
    let other = first_generated(8).await;
    // THEN the seed alone decides the content.
    let fields = ["OrganizationName", "CustomerGroupId", "CreditLimit"];
    let pick = |v: &Value| fields.map(|f| v[f].clone());
    assert_eq!(
        pick(&rows[0]),
        pick(&again),
        "the same seed must reproduce the first row in a new directory"
    );
    assert_ne!(
        pick(&rows[0]),
        pick(&other),
        "another seed must produce other rows"
    );
}

#[tokio::test]
async fn generated_rows_follow_the_modified_watermark() {
    // GIVEN a fresh sandbox with 300 generated rows.
    let env = start_with(|c| {
        c.rows = 300;
        c.seed = 3;
    })
    .await;
    let fo = Fo::new(&env).await;
    // WHEN they are read ordered by ModifiedDateTime.
    let rows = all_customers(&fo, "$orderby=ModifiedDateTime").await;
    let stamps: Vec<&str> = rows
        .iter()
        .map(|r| r["ModifiedDateTime"].as_str().expect("stamp"))
        .collect();
    // THEN stamps strictly increase in account order, as if the rows had been posted one by one.
    assert_eq!(stamps.len(), 300, "every generated row is read");
    assert!(
        stamps.windows(2).all(|w| w[0] < w[1]),
        "generated stamps are strictly increasing so pollers never miss a row"
    );
    let accounts: Vec<&str> = rows
        .iter()
        .map(|r| r["CustomerAccount"].as_str().expect("account"))
        .collect();
    let numbers: Vec<&str> = accounts
        .iter()
        .map(|a| a.rsplit('-').next().expect("number"))
        .collect();
    assert!(
        numbers.windows(2).all(|w| w[0] < w[1]),
        "stamps follow account numbering: {accounts:?}"
    );
    // WHEN a watermark poll asks for rows at or after the newest stamp.
    let last = stamps[stamps.len() - 1];
    let newest = all_customers(&fo, &format!("$filter=ModifiedDateTime ge {last}")).await;
    // THEN only the newest row comes back.
    assert_eq!(newest.len(), 1, "only the newest row is at the watermark");
    assert_eq!(
        newest[0]["CustomerAccount"],
        rows[rows.len() - 1]["CustomerAccount"],
        "the watermark row is the last generated one"
    );
    // WHEN a customer is posted afterwards.
    let resp = fo.post(json!({"CustomerAccount": "LATER"})).await;
    let created = json_of(resp).await;
    // THEN its stamp is newer than every generated one.
    assert!(
        created["ModifiedDateTime"]
            .as_str()
            .is_some_and(|s| s > last),
        "writes after generation move the watermark forward: {created}"
    );
    env.sandbox.shutdown().await;
}

/// Every value of `field` over all pages of `set` across companies, as `company|value`.
async fn company_values(fo: &Fo<'_>, set: &str, field: &str) -> HashSet<String> {
    let body = json_of(fo.get(&fo.url(&format!("{set}?cross-company=true"))).await).await;
    body["value"]
        .as_array()
        .expect("value")
        .iter()
        .map(|r| {
            format!(
                "{}|{}",
                r["dataAreaId"].as_str().unwrap_or(""),
                r[field].as_str().unwrap_or("")
            )
        })
        .collect()
}

#[tokio::test]
async fn generated_customers_reference_generated_reference_data() {
    // GIVEN a sandbox with 300 generated customers.
    let env = start_with(|c| {
        c.rows = 300;
        c.seed = 5;
    })
    .await;
    let fo = Fo::new(&env).await;
    // WHEN the customers and their reference data are read.
    let customers = all_customers(&fo, "").await;
    let groups = company_values(&fo, "CustomerGroups", "CustomerGroupId").await;
    let terms = company_values(&fo, "PaymentTerms", "Name").await;
    let currencies = company_values(&fo, "Currencies", "CurrencyCode").await;
    // THEN every customer's group, terms and currency exist, and it has an address.
    assert_eq!(customers.len(), 300);
    for c in &customers {
        let company = c["dataAreaId"].as_str().expect("company");
        let group = format!("{company}|{}", c["CustomerGroupId"].as_str().unwrap_or(""));
        let term = format!("{company}|{}", c["PaymentTerms"].as_str().unwrap_or(""));
        let currency = format!("|{}", c["SalesCurrencyCode"].as_str().unwrap_or(""));
        assert!(groups.contains(&group), "group {group} exists");
        assert!(terms.contains(&term), "terms {term} exist");
        assert!(currencies.contains(&currency), "currency {currency} exists");
        assert!(
            !c["AddressCity"].as_str().unwrap_or("").is_empty()
                && !c["AddressCountryRegionId"]
                    .as_str()
                    .unwrap_or("")
                    .is_empty(),
            "address filled: {c}"
        );
    }
    env.sandbox.shutdown().await;
}
