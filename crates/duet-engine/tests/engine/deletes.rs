//! Deletes on either side delete the row on the other, and do not come back as echoes.

use std::time::Duration;

use crate::support::{eventually, harness};

#[tokio::test]
async fn a_deleted_account_deletes_the_customer() {
    let harness = harness().await;
    harness.create_customer("DAT", "DEL-1", "To Delete").await;
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    let account = eventually("the account", || harness.account("DEL-1")).await;
    // WHEN the account is deleted in Dataverse.
    let id = account["accountid"].as_str().unwrap().to_owned();
    assert!(
        harness
            .dataverse
            .delete("accounts", &[("accountid", id.as_str())])
            .await
            .unwrap()
    );
    // THEN the customer is deleted in finance and operations.
    eventually("the customer to be deleted", || async {
        harness
            .customer("DAT", "DEL-1")
            .await
            .is_none()
            .then_some(())
    })
    .await;
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_customer_deleted_in_finance_and_operations_deletes_the_account() {
    // GIVEN two synced customers.
    let harness = harness().await;
    harness
        .create_customer("DAT", "DEL-FO", "Deleted in F&O")
        .await;
    harness.create_customer("DAT", "KEEP-FO", "Kept").await;
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    eventually("both accounts", || async {
        let (a, b) = (
            harness.account("DEL-FO").await,
            harness.account("KEEP-FO").await,
        );
        (a.is_some() && b.is_some()).then_some(())
    })
    .await;
    // WHEN one customer is deleted in finance and operations (no change event shows it).
    assert!(
        harness
            .finops
            .delete(
                "CustomersV3",
                &[("dataAreaId", "DAT"), ("CustomerAccount", "DEL-FO")]
            )
            .await
            .unwrap()
    );
    // THEN key reconciliation finds it gone and deletes the account, and only that one.
    eventually("the account to be deleted", || async {
        harness.account("DEL-FO").await.is_none().then_some(())
    })
    .await;
    let deletes: Vec<_> = harness
        .row_lines()
        .into_iter()
        .filter(|line| line.entry.operation.as_deref() == Some("delete"))
        .collect();
    assert_eq!(deletes.len(), 1, "one delete logged: {deletes:?}");
    assert_eq!(deletes[0].entry.key.as_deref(), Some("DAT|DEL-FO"));
    assert_eq!(deletes[0].entry.direction.as_deref(), Some("toDataverse"));
    // AND the delete does not come back to finance and operations as an echo, and later
    // rounds queue nothing more.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert!(
        harness.account("KEEP-FO").await.is_some(),
        "the other account stays"
    );
    assert!(
        harness.customer("DAT", "KEEP-FO").await.is_some(),
        "the other customer stays"
    );
    let later = harness
        .row_lines()
        .into_iter()
        .filter(|line| line.entry.operation.as_deref() == Some("delete"))
        .count();
    assert_eq!(later, 1, "no further deletes");
    assert_eq!(harness.store.queue_depth("customers").unwrap(), (0, 0, 0));
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}
