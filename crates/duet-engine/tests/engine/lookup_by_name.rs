//! Lookup by name: a customer's terms of payment are a name in finance and operations and a
//! lookup to a payment-terms row in Dataverse. A name is written as a binding to the one row
//! that has it, a lookup is read back as its row's name, and a name that matches no row or
//! several is a failed change that says so.

use duet_maps::{FieldDirection, FieldMapping, Lookup, TableMap, Transform, templates};
use serde_json::{Value, json};

use crate::support::{Harness, eventually, harness_with, row};

/// The demo customers map with the terms of payment looked up by name in `name_column` of
/// the payment-terms map's rows.
fn customers_with_terms(name_column: &str) -> TableMap {
    let mut map = TableMap::customers();
    map.fields.push(FieldMapping {
        finance_operations: Some("PaymentTerms".to_owned()),
        direction: FieldDirection::TwoWay,
        dataverse: Some("msdyn_paymentterm".to_owned()),
        transform: Some(Transform::LookupByName {
            target_map: "payment-terms".to_owned(),
            name_column: name_column.to_owned(),
        }),
        note: None,
        null_policy: None,
        lookup: Some(Lookup {
            target_map: "payment-terms".to_owned(),
            self_reference: false,
        }),
    });
    map
}

/// A harness with the customers map and the payment-terms map stored (the names' map need
/// not run: its Dataverse rows are what names are looked up in).
async fn terms_harness(name_column: &str) -> Harness {
    let harness = harness_with(customers_with_terms(name_column)).await;
    let terms = templates()
        .into_iter()
        .find(|map| map.name == "payment-terms")
        .expect("the payment terms template");
    harness
        .store
        .ensure_map(&terms.name, &serde_json::to_value(&terms).unwrap(), "t0")
        .unwrap();
    harness
}

impl Harness {
    /// Creates a payment-terms row of DAT in Dataverse; returns its id.
    async fn create_terms(&self, name: &str, description: &str) -> String {
        self.dataverse
            .create_by_key(
                "msdyn_paymentterms",
                &[("msdyn_name", name)],
                &row(json!({"msdyn_description": description,
                    "msdyn_company@odata.bind": "/cdm_companies(cdm_companycode='DAT')"})),
            )
            .await
            .expect("payment terms are created in Dataverse");
        let created = self
            .dataverse
            .query(
                "msdyn_paymentterms",
                &[
                    ("$select", "msdyn_paymenttermid"),
                    ("$filter", &format!("msdyn_name eq '{name}'")),
                ],
            )
            .await
            .expect("payment terms can be queried");
        created[0]["msdyn_paymenttermid"]
            .as_str()
            .expect("the row has an id")
            .to_lowercase()
    }

    async fn create_customer_with_terms(&self, account: &str, terms: &str) {
        self.finops
            .create(
                "CustomersV3",
                &row(json!({"dataAreaId": "DAT", "CustomerAccount": account,
                    "OrganizationName": format!("Customer {account}"), "PaymentTerms": terms})),
            )
            .await
            .expect("customer is created in finance and operations");
    }

    /// Writes the account `number` (of DAT) in Dataverse with its terms bound to `terms_id`.
    async fn account_with_terms(&self, number: &str, terms_id: &str) {
        self.dataverse
            .upsert(
                "accounts",
                &[("accountnumber", number)],
                &row(json!({"name": format!("Account {number}"),
                    "msdyn_paymentterm@odata.bind": format!("/msdyn_paymentterms({terms_id})"),
                    "msdyn_company@odata.bind": "/cdm_companies(cdm_companycode='DAT')"})),
            )
            .await
            .expect("account is written in Dataverse");
    }

    /// The payment-terms id the account `number` refers to, once it is `expected`.
    async fn wait_account_terms(&self, number: &str, expected: Value) {
        eventually(&format!("{number} referring to {expected}"), || async {
            let account = self.account(number).await?;
            (account.get("_msdyn_paymentterm_value") == Some(&expected)).then_some(())
        })
        .await;
    }

    async fn wait_customer_terms(&self, account: &str, expected: &str) {
        eventually(&format!("{account} with terms {expected}"), || async {
            let customer = self.customer("DAT", account).await?;
            (customer["PaymentTerms"] == expected).then_some(())
        })
        .await;
    }

    /// The failure the customer `account` was kept with, once it is kept as failed.
    async fn failure_of(&self, account: &str) -> String {
        let key = format!("DAT|{account}");
        eventually(&format!("{key} kept as failed"), || async {
            self.failed_changes(&key)
                .first()
                .and_then(|change| change.error.clone())
        })
        .await
    }

    fn error_messages(&self, account: &str) -> Vec<String> {
        let key = format!("DAT|{account}");
        self.store
            .activity(1000)
            .unwrap()
            .into_iter()
            .filter(|line| line.entry.kind == "error" && line.entry.key.as_deref() == Some(&key))
            .map(|line| line.entry.message)
            .collect()
    }
}

#[tokio::test]
async fn names_become_lookups_in_dataverse_and_lookups_names_in_finance_and_operations() {
    // GIVEN two payment terms in Dataverse, a customer named after one of them in finance and
    // operations and an account referring to the other in Dataverse, before the map runs.
    let harness = terms_harness("msdyn_name").await;
    let net30 = harness.create_terms("Net 30", "Thirty days").await;
    let net10 = harness.create_terms("Net 10", "Ten days").await;
    harness.create_customer_with_terms("LBN-1", "Net 30").await;
    harness.account_with_terms("LBN-DV", &net10).await;

    // WHEN the map runs its initial sync.
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;

    // THEN the name became a reference to its row, and the reference became its row's name.
    harness
        .wait_account_terms("LBN-1", Value::from(net30.clone()))
        .await;
    harness.wait_customer_terms("LBN-DV", "Net 10").await;

    // WHEN, live, the account's terms change in Dataverse and a customer without terms and
    // one with terms are created in finance and operations.
    harness.account_with_terms("LBN-1", &net10).await;
    harness.create_customer_with_terms("LBN-EMPTY", "").await;
    harness.create_customer_with_terms("LBN-2", "Net 30").await;

    // THEN each arrives on the other side: the name of the new row, a null reference for no
    // name, and the reference to the named row.
    harness.wait_customer_terms("LBN-1", "Net 10").await;
    harness
        .wait_account_terms("LBN-2", Value::from(net30))
        .await;
    let empty = harness
        .account("LBN-EMPTY")
        .await
        .expect("LBN-EMPTY synced");
    assert_eq!(
        empty.get("_msdyn_paymentterm_value"),
        Some(&Value::Null),
        "an empty name writes a null reference"
    );
    assert!(
        harness.error_messages("LBN-1").is_empty() && harness.error_messages("LBN-2").is_empty(),
        "names that match one row each are no failures"
    );
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_name_that_matches_no_row_is_a_failed_change_that_names_it() {
    // GIVEN the map running with one payment term in Dataverse.
    let harness = terms_harness("msdyn_name").await;
    harness.create_terms("Net 30", "Thirty days").await;
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;

    // WHEN a customer names terms Dataverse does not have.
    harness
        .create_customer_with_terms("LBN-NONE", "Net 99")
        .await;

    // THEN the change is kept as failed, and the error log says which name and map.
    let expected = "the name 'Net 99' matches no row of map 'payment-terms' (msdyn_name)";
    assert_eq!(
        harness.failure_of("LBN-NONE").await,
        expected,
        "the failed change says which name found nothing, and where it was looked for"
    );
    assert_eq!(
        harness.error_messages("LBN-NONE"),
        [expected],
        "the error log has the failure once"
    );
    assert!(
        harness.account("LBN-NONE").await.is_none(),
        "nothing is written without the reference the name stands for"
    );
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_name_that_matches_several_rows_is_a_failed_change_that_counts_them() {
    // GIVEN names looked up by description, which two payment terms share, and the map
    // running.
    let harness = terms_harness("msdyn_description").await;
    harness.create_terms("Net 30", "Thirty days").await;
    harness.create_terms("N30", "Thirty days").await;
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;

    // WHEN a customer names that description.
    harness
        .create_customer_with_terms("LBN-MANY", "Thirty days")
        .await;

    // THEN the change is kept as failed, saying how many rows the name matches.
    let expected =
        "the name 'Thirty days' matches 2 rows of map 'payment-terms' (msdyn_description)";
    assert_eq!(
        harness.failure_of("LBN-MANY").await,
        expected,
        "a name must pick one row; the failure says it picks several"
    );
    assert_eq!(
        harness.error_messages("LBN-MANY"),
        [expected],
        "the error log has the failure once"
    );
    assert!(
        harness.account("LBN-MANY").await.is_none(),
        "Duet does not guess which of the rows was meant"
    );
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}
