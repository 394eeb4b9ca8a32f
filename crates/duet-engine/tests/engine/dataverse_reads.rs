//! What the engine reads from Dataverse: every column the map's Dataverse filter names, so
//! the filter keeps the rows it should (in the initial sync, where Dataverse applies it, and
//! live, where the engine does), and every part of a concatenation read from Dataverse.

use duet_maps::{FieldDirection, FieldMapping, Side, TableMap, Transform};
use serde_json::{Value, json};

use crate::support::{Harness, eventually, harness_with, row};

impl Harness {
    /// Creates an account of the company DAT in Dataverse with `values` besides its number.
    async fn create_dataverse_account(&self, number: &str, values: Value) {
        let mut body = row(values);
        body.insert(
            "msdyn_company@odata.bind".to_owned(),
            Value::from("/cdm_companies(cdm_companycode='DAT')"),
        );
        self.dataverse
            .create_by_key("accounts", &[("accountnumber", number)], &body)
            .await
            .expect("account is created in Dataverse");
    }

    async fn wait_customer(&self, account: &str) -> serde_json::Map<String, Value> {
        eventually(&format!("{account} in finance and operations"), || {
            self.customer("DAT", account)
        })
        .await
    }
}

/// The demo customers map syncing only the Dataverse accounts rated Gold: the rating is a
/// column the map does not map.
fn gold_accounts_only() -> TableMap {
    let mut map = TableMap::customers();
    map.filter_dataverse = Some("msdyn_creditrating eq 'Gold'".to_owned());
    map
}

#[tokio::test]
async fn a_dataverse_filter_on_an_unmapped_column_keeps_the_rows_it_selects() {
    // GIVEN a map whose Dataverse filter names a column it does not map, and a Gold and a
    // Silver account in Dataverse before it runs.
    let harness = harness_with(gold_accounts_only()).await;
    harness
        .create_dataverse_account(
            "GOLD-1",
            json!({"name": "Gold one", "msdyn_creditrating": "Gold"}),
        )
        .await;
    harness
        .create_dataverse_account(
            "SILVER-1",
            json!({"name": "Silver one", "msdyn_creditrating": "Silver"}),
        )
        .await;

    // WHEN the map runs its initial sync.
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;

    // THEN the Gold account reached finance and operations and the Silver one did not.
    let gold = harness.wait_customer("GOLD-1").await;
    assert_eq!(
        gold["OrganizationName"], "Gold one",
        "a row the filter selects is synced, though the filter's column is not mapped"
    );
    assert!(
        harness.customer("DAT", "SILVER-1").await.is_none(),
        "a row the filter does not select stays in Dataverse"
    );

    // WHEN a Silver and then a Gold account are created while the map runs live.
    harness
        .create_dataverse_account(
            "SILVER-2",
            json!({"name": "Silver two", "msdyn_creditrating": "Silver"}),
        )
        .await;
    harness
        .create_dataverse_account(
            "GOLD-2",
            json!({"name": "Gold two", "msdyn_creditrating": "Gold"}),
        )
        .await;

    // THEN the Gold one arrives; the Silver one, captured before it, was left out.
    let gold = harness.wait_customer("GOLD-2").await;
    assert_eq!(
        gold["OrganizationName"], "Gold two",
        "live sync reads the filter's column, so a matching row is not dropped"
    );
    assert!(
        harness.customer("DAT", "SILVER-2").await.is_none(),
        "changes apply in capture order, so the Silver row was already passed over"
    );
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

/// The demo customers map whose sales memo is the account's description and credit rating
/// joined, read from Dataverse: neither part is mapped on its own.
fn memo_joined_from_dataverse() -> TableMap {
    let mut map = TableMap::customers();
    map.fields
        .retain(|field| field.finance_operations.as_deref() != Some("SalesMemo"));
    map.fields.push(FieldMapping {
        finance_operations: Some("SalesMemo".to_owned()),
        direction: FieldDirection::ToFinanceOperations,
        dataverse: None,
        transform: Some(Transform::Concatenate {
            from: Side::Dataverse,
            fields: vec!["description".to_owned(), "msdyn_creditrating".to_owned()],
            separator: " | ".to_owned(),
            split: None,
        }),
        note: None,
        null_policy: None,
        lookup: None,
    });
    map
}

#[tokio::test]
async fn a_concatenation_read_from_dataverse_reads_every_part() {
    // GIVEN a map joining two Dataverse columns into one finance and operations field, and an
    // account in Dataverse before it runs.
    let harness = harness_with(memo_joined_from_dataverse()).await;
    harness
        .create_dataverse_account(
            "JOIN-1",
            json!({"name": "Joined one", "description": "Prefers e-mail", "msdyn_creditrating": "AA"}),
        )
        .await;

    // WHEN the map runs, and another account is created while it runs live.
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    harness
        .create_dataverse_account(
            "JOIN-2",
            json!({"name": "Joined two", "description": "Calls first", "msdyn_creditrating": "B"}),
        )
        .await;

    // THEN both arrive with their parts joined.
    for (account, memo) in [
        ("JOIN-1", "Prefers e-mail | AA"),
        ("JOIN-2", "Calls first | B"),
    ] {
        let customer = harness.wait_customer(account).await;
        assert_eq!(
            customer["SalesMemo"], memo,
            "every part of the join is read from Dataverse, not only the mapping's own column"
        );
    }
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}
