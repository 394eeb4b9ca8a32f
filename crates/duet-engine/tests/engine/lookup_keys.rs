//! A Dataverse key that names a lookup path: an order line is identified by its order's
//! number (`salesorderid.msdyn_salesordernumber`) and its sequence number, so the initial
//! sync must resolve the lookup before it can tell which row a Dataverse line is, and write
//! the key's lookup part as the lookup's binding.

use duet_maps::{TableMap, templates};
use serde_json::json;

use crate::support::{Harness, eventually, harness_for, row};

/// A template with only the fields named, so the test needs no other map.
fn template_with(name: &str, fields: &[&str]) -> TableMap {
    let mut map = templates()
        .into_iter()
        .find(|map| map.name == name)
        .expect("a standard template");
    map.fields.retain(|field| {
        field
            .finance_operations
            .as_deref()
            .is_some_and(|f| fields.contains(&f))
    });
    map
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dataverse_line_keyed_by_its_order_number_reaches_finance_and_operations() {
    // GIVEN the order headers and lines maps, and an order with a line created in Dataverse.
    let headers = template_with("sales-order-headers", &["SalesOrderNumber"]);
    let lines = template_with(
        "sales-order-lines",
        &[
            "SalesOrderNumber",
            "LineCreationSequenceNumber",
            "LineDescription",
        ],
    );
    let harness = harness_for(&[headers, lines], |_| {}).await;
    let company = "/cdm_companies(cdm_companycode='DAT')";
    harness
        .dataverse
        .upsert(
            "salesorders",
            &[("msdyn_salesordernumber", "CE-SO-1")],
            &row(json!({ "msdyn_company@odata.bind": company })),
        )
        .await
        .expect("the order is created in Dataverse");
    harness
        .dataverse
        .upsert_multiple(
            "salesorderdetails",
            "salesorderdetail",
            &[row(json!({
                "salesorderid@odata.bind": "/salesorders(msdyn_salesordernumber='CE-SO-1')",
                "sequencenumber": "1",
                "description": "First line",
                "msdyn_company@odata.bind": company,
            }))],
        )
        .await
        .expect("the line is created in Dataverse");

    // WHEN both maps run their initial sync, the order first.
    harness.run_orders_then_lines().await;

    // THEN the line is in finance and operations under its order's number.
    let line = eventually("the line in finance and operations", || async {
        harness
            .finops
            .get(
                "CDSSalesOrderLines",
                &[
                    ("dataAreaId", "DAT"),
                    ("SalesOrderNumber", "CE-SO-1"),
                    ("LineCreationSequenceNumber", "1"),
                ],
            )
            .await
            .expect("lines can be read")
    })
    .await;
    assert_eq!(
        line["LineDescription"], "First line",
        "the line's key comes from its resolved order lookup, so the row is not skipped as keyless"
    );
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

impl Harness {
    /// Runs the order headers map, then the lines map, each until its initial sync is done.
    async fn run_orders_then_lines(&self) {
        for map in ["sales-order-headers", "sales-order-lines"] {
            self.engine.run(map).await.unwrap();
            self.wait_map_state(map, "running").await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_finance_and_operations_line_reaches_dataverse_bound_to_its_order() {
    // GIVEN the order headers and lines maps, and an order with a line in finance and operations.
    let headers = template_with("sales-order-headers", &["SalesOrderNumber"]);
    let lines = template_with(
        "sales-order-lines",
        &[
            "SalesOrderNumber",
            "LineCreationSequenceNumber",
            "LineDescription",
        ],
    );
    let harness = harness_for(&[headers, lines], |_| {}).await;
    for (entity, body) in [
        (
            "CDSSalesOrderHeaders",
            json!({"dataAreaId": "DAT", "SalesOrderNumber": "SO-1"}),
        ),
        (
            "CDSSalesOrderLines",
            json!({"dataAreaId": "DAT", "SalesOrderNumber": "SO-1",
                "LineCreationSequenceNumber": "1", "LineDescription": "First line"}),
        ),
    ] {
        harness
            .finops
            .create(entity, &row(body))
            .await
            .expect("created in finance and operations");
    }

    // WHEN both maps run their initial sync, the order first.
    harness.run_orders_then_lines().await;

    // THEN the line is in Dataverse, bound to the order by its number.
    let order = harness
        .dataverse
        .query(
            "salesorders",
            &[("$filter", "msdyn_salesordernumber eq 'SO-1'")],
        )
        .await
        .expect("orders can be read")
        .into_iter()
        .next()
        .expect("the order reached Dataverse first");
    let line = eventually("the line in Dataverse", || async {
        harness
            .dataverse
            .query("salesorderdetails", &[("$filter", "sequencenumber eq '1'")])
            .await
            .expect("lines can be read")
            .into_iter()
            .next()
    })
    .await;
    assert_eq!(
        line["description"], "First line",
        "the line's values were written"
    );
    assert_eq!(
        line["_salesorderid_value"], order["salesorderid"],
        "the key's lookup part is written as the binding to the order, not as a column"
    );
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}
