//! Alternate keys in bulk targets and multi-part keys with a lookup part (reference §1.2): a
//! sales order line is addressed by its order's id and its sequence number, in key URLs and
//! in bulk targets, and an `UpsertMultiple` target by the key URL in its `@odata.id`.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Dv, all_dv, json_of, start};

/// The id of the sales order `number`, created for the test.
async fn order_id(dv: &Dv<'_>, number: &str) -> String {
    let url = dv.url(&format!("salesorders(msdyn_salesordernumber='{number}')"));
    let resp = dv.patch(&url, json!({})).await;
    assert!(
        resp.status().is_success(),
        "an order is upserted by its number"
    );
    let order = json_of(dv.get(&url).await).await;
    order["salesorderid"]
        .as_str()
        .expect("an order id")
        .to_owned()
}

async fn lines(dv: &Dv<'_>) -> Vec<Value> {
    let body = json_of(dv.get(&dv.url("salesorderdetails")).await).await;
    body["value"].as_array().expect("a collection").clone()
}

#[tokio::test]
async fn a_line_is_addressed_by_its_order_id_and_sequence_number() {
    // GIVEN an order.
    let env = start().await;
    let dv = Dv::new(&env).await;
    let order = order_id(&dv, "SO-K1").await;
    let key = dv.url(&format!(
        "salesorderdetails(_salesorderid_value={order},sequencenumber='1')"
    ));
    // WHEN a line is upserted through its two-part key, twice.
    let created = dv.patch(&key, json!({"priceperunit": 5.5})).await;
    assert!(
        created.status().is_success(),
        "an upsert by a two-part key creates the line"
    );
    let updated = dv.patch(&key, json!({"priceperunit": 7})).await;
    assert!(updated.status().is_success(), "and then updates it");
    // THEN one line exists, holding both key parts from the URL and the latest price.
    let all = lines(&dv).await;
    assert_eq!(all.len(), 1, "the second upsert found the line by its key");
    assert_eq!(
        all[0]["_salesorderid_value"],
        Value::from(order.clone()),
        "the lookup part is set from the URL"
    );
    assert_eq!(
        all[0]["sequencenumber"], "1",
        "the column part is set from the URL"
    );
    assert_eq!(all[0]["priceperunit"], 7, "the update reached the same row");
    // AND the lookup part may be named by its navigation property too.
    let by_navigation = dv.url(&format!(
        "salesorderdetails(salesorderid={order},sequencenumber='1')"
    ));
    assert_eq!(
        dv.status_of(&by_navigation).await,
        StatusCode::OK,
        "salesorderid= names the lookup part"
    );
    // AND a key without every part addresses nothing.
    let partial = dv.url("salesorderdetails(sequencenumber='1')");
    assert_eq!(
        dv.status_of(&partial).await,
        StatusCode::BAD_REQUEST,
        "every key part is needed"
    );
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn bulk_targets_find_a_line_by_its_bound_order_and_sequence_number() {
    // GIVEN an order with one line.
    let env = start().await;
    let dv = Dv::new(&env).await;
    let order = order_id(&dv, "SO-K2").await;
    let key = dv.url(&format!(
        "salesorderdetails(_salesorderid_value={order},sequencenumber='1')"
    ));
    assert!(
        dv.patch(&key, json!({"priceperunit": 1}))
            .await
            .status()
            .is_success()
    );
    // WHEN UpsertMultiple sends that line and a second one, binding the order by its number.
    let target = |sequence: &str, price: f64| {
        json!({"@odata.type": "Microsoft.Dynamics.CRM.salesorderdetail",
            "salesorderid@odata.bind": "/salesorders(msdyn_salesordernumber='SO-K2')",
            "sequencenumber": sequence, "priceperunit": price})
    };
    let resp = dv
        .post(
            &dv.url("salesorderdetails/Microsoft.Dynamics.CRM.UpsertMultiple"),
            json!({"Targets": [target("1", 9.0), target("2", 3.0)]}),
        )
        .await;
    assert_eq!(
        resp.status(),
        StatusCode::NO_CONTENT,
        "UpsertMultiple answers 204"
    );
    // THEN the first target updated the line and the second created another.
    let mut prices: Vec<(String, f64)> = lines(&dv)
        .await
        .iter()
        .map(|l| {
            (
                l["sequencenumber"].as_str().unwrap_or_default().to_owned(),
                l["priceperunit"].as_f64().unwrap_or_default(),
            )
        })
        .collect();
    prices.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        prices,
        [("1".to_owned(), 9.0), ("2".to_owned(), 3.0)],
        "a bulk target with every key part finds its row"
    );
    env.sandbox.shutdown().await;
}

#[tokio::test]
async fn upsert_multiple_finds_targets_by_their_odata_id() {
    // GIVEN an account with an alternate key.
    let env = start().await;
    let dv = Dv::new(&env).await;
    let resp = dv
        .post(
            &dv.url("accounts"),
            json!({"accountnumber": "UM-1", "name": "before"}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    // WHEN UpsertMultiple names its targets only by `@odata.id`, as the Dataverse SDK sends them.
    let target = |key: &str, name: &str| {
        json!({"name": name, "@odata.type": "Microsoft.Dynamics.CRM.account",
               "@odata.id": format!("accounts(accountnumber='{key}')")})
    };
    let resp = dv
        .post(
            &dv.url("accounts/Microsoft.Dynamics.CRM.UpsertMultiple"),
            json!({"Targets": [target("UM-1", "after"), target("UM-2", "created")]}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    // THEN the existing row is updated and the other created with the key from `@odata.id`.
    let first = json_of(dv.get(&dv.url("accounts(accountnumber='UM-1')")).await).await;
    assert_eq!(first["name"], "after", "{first}");
    let second = json_of(dv.get(&dv.url("accounts(accountnumber='UM-2')")).await).await;
    assert_eq!(second["name"], "created", "{second}");
    assert_eq!(
        all_dv(&dv, "accounts").await.len(),
        2,
        "no row without a key"
    );
    // AND an `@odata.id` of another table is refused.
    let mut wrong = target("UM-3", "x");
    wrong["@odata.id"] = json!("contacts(msdyn_contactpersonid='UM-3')");
    let resp = dv
        .post(
            &dv.url("accounts/Microsoft.Dynamics.CRM.UpsertMultiple"),
            json!({"Targets": [wrong]}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    env.sandbox.shutdown().await;
}
