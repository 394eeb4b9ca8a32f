//! Customers that refer to each other through InvoiceAccount ↔ msdyn_billingaccount: rows are
//! written without the reference first and the reference follows once its target exists, in
//! the initial sync and in live sync; a reference to a row that exists nowhere is kept as a
//! failed change with its reason.

use duet_engine::compare;
use duet_maps::{FieldDirection, FieldMapping, Lookup, TableMap, validate_all};
use serde_json::{Value, json};

use crate::support::{Harness, eventually, harness_with, row};

/// The demo map with the invoice account: a lookup into the map's own table.
fn customers_with_invoice_account() -> TableMap {
    let mut map = TableMap::customers();
    map.fields.push(FieldMapping {
        finance_operations: Some("InvoiceAccount".to_owned()),
        direction: FieldDirection::TwoWay,
        dataverse: Some("msdyn_billingaccount.accountnumber".to_owned()),
        transform: None,
        note: Some("invoice account: another customer of the same company".to_owned()),
        null_policy: None,
        lookup: Some(Lookup {
            target_map: "customers".to_owned(),
            self_reference: true,
        }),
    });
    map
}

impl Harness {
    async fn create_invoiced(&self, account: &str, invoice_account: &str) {
        self.finops
            .create(
                "CustomersV3",
                &row(json!({"dataAreaId": "DAT", "CustomerAccount": account,
                    "OrganizationName": format!("Customer {account}"), "CreditLimit": 100,
                    "InvoiceAccount": invoice_account})),
            )
            .await
            .expect("customer is created in finance and operations");
    }

    /// The account number the account `number` is billed to, read through its lookup id.
    async fn billing_account_of(&self, number: &str) -> Option<String> {
        let account = self.account(number).await?;
        let id = account
            .get("_msdyn_billingaccount_value")?
            .as_str()?
            .to_owned();
        let target = self
            .dataverse
            .query(
                "accounts",
                &[
                    ("$select", "accountnumber"),
                    ("$filter", &format!("accountid eq {id}")),
                ],
            )
            .await
            .expect("accounts can be queried")
            .into_iter()
            .next()?;
        target["accountnumber"].as_str().map(str::to_owned)
    }

    async fn agreement(&self, map: &TableMap) -> duet_engine::Agreement {
        compare(
            &self.finops,
            &self.dataverse,
            map,
            &["DAT".to_owned(), "USMF".to_owned()],
        )
        .await
        .expect("both sides can be read")
    }
}

#[test]
fn the_test_map_is_valid_and_needs_two_passes() {
    let map = customers_with_invoice_account();
    let problems = validate_all(std::slice::from_ref(&map));
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(map.needs_two_pass_write());
}

#[tokio::test]
async fn initial_sync_writes_self_references_in_a_second_pass_and_both_sides_agree() {
    // GIVEN customers that refer to customers later in key order, so one pass would bind to
    // accounts that do not exist yet: a pair pointing at each other, a chain, and a customer
    // billed to itself.
    let map = customers_with_invoice_account();
    let harness = harness_with(map.clone()).await;
    harness.create_invoiced("SR-C1", "SR-C2").await;
    harness.create_invoiced("SR-C2", "SR-C1").await;
    harness.create_invoiced("SR-K1", "SR-K2").await;
    harness.create_invoiced("SR-K2", "SR-K3").await;
    harness.create_invoiced("SR-K3", "SR-K4").await;
    harness.create_invoiced("SR-K4", "").await;
    harness.create_invoiced("SR-SELF", "SR-SELF").await;
    // WHEN the map runs its initial sync.
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    // THEN every account is billed to the account its customer names.
    for (account, billed_to) in [
        ("SR-C1", Some("SR-C2")),
        ("SR-C2", Some("SR-C1")),
        ("SR-K1", Some("SR-K2")),
        ("SR-K2", Some("SR-K3")),
        ("SR-K3", Some("SR-K4")),
        ("SR-K4", None),
        ("SR-SELF", Some("SR-SELF")),
    ] {
        assert_eq!(
            harness.billing_account_of(account).await.as_deref(),
            billed_to,
            "{account}'s billing account"
        );
    }
    // AND both sides agree, with nothing set aside.
    let agreement = harness.agreement(&map).await;
    assert!(agreement.agrees(), "{agreement:#?}");
    assert_eq!(agreement.matched, 7, "{agreement:#?}");
    assert!(
        harness.failed_changes("SR-").is_empty(),
        "no row failed: {:#?}",
        harness.failed_changes("SR-")
    );
    let second_pass = harness
        .store
        .activity(1000)
        .unwrap()
        .into_iter()
        .filter(|line| line.entry.message.contains("second pass"))
        .count();
    assert!(
        second_pass >= 6,
        "the references were written by the second pass ({second_pass} lines)"
    );
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_reference_to_a_customer_that_exists_nowhere_is_kept_as_failed() {
    // GIVEN a customer billed to an account that is in neither environment.
    let map = customers_with_invoice_account();
    let harness = harness_with(map.clone()).await;
    harness.create_invoiced("SR-X1", "SR-NOWHERE").await;
    harness.create_invoiced("SR-X2", "SR-X1").await;
    // WHEN the map runs its initial sync.
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    // THEN the customer is in Dataverse without the reference, the good reference is there,
    // and the row is kept as a failed change that names the missing account.
    let account = harness.account("SR-X1").await.expect("SR-X1 was written");
    assert_eq!(account["_msdyn_billingaccount_value"], Value::Null);
    assert_eq!(
        harness.billing_account_of("SR-X2").await.as_deref(),
        Some("SR-X1")
    );
    let failed = harness.failed_changes("DAT|SR-X1");
    assert_eq!(failed.len(), 1, "{failed:#?}");
    let error = failed[0].error.clone().unwrap_or_default();
    assert!(
        error.contains("InvoiceAccount") && error.contains("DAT|SR-NOWHERE"),
        "the reason names the field and the missing row: {error}"
    );
    assert_eq!(
        failed[0].change.row["InvoiceAccount"], "SR-NOWHERE",
        "the failed change keeps the row as read"
    );
    let logged = harness
        .store
        .activity(1000)
        .unwrap()
        .into_iter()
        .any(|line| line.entry.kind == "error" && line.entry.message == error);
    assert!(logged, "the error log has it too");
    // AND the comparison shows exactly that one difference.
    let agreement = harness.agreement(&map).await;
    assert_eq!(agreement.differing, 1, "{agreement:#?}");
    assert!(
        agreement.examples[0].contains("DAT|SR-X1"),
        "{agreement:#?}"
    );
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn live_changes_wait_for_the_customer_they_refer_to() {
    let map = customers_with_invoice_account();
    let harness = harness_with(map.clone()).await;
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    // GIVEN, while the map is paused, a customer billed to a customer created just after it
    // (so it is queued first), that one billed back, and one billed to an account that exists
    // nowhere.
    harness.engine.pause("customers").await.unwrap();
    harness.create_invoiced("SR-L1", "SR-L2").await;
    harness.create_invoiced("SR-L2", "SR-L1").await;
    harness.create_invoiced("SR-L9", "SR-NONE").await;
    eventually("the three changes queued", || async {
        let (queued, _, _) = harness.store.queue_depth("customers").unwrap();
        (queued >= 3).then_some(())
    })
    .await;
    // WHEN the map catches up.
    harness.engine.run("customers").await.unwrap();
    // THEN both references arrive in Dataverse once both accounts exist.
    for (account, billed_to) in [("SR-L1", "SR-L2"), ("SR-L2", "SR-L1")] {
        eventually(&format!("{account} billed to {billed_to}"), || async {
            (harness.billing_account_of(account).await.as_deref() == Some(billed_to)).then_some(())
        })
        .await;
    }
    // AND SR-L1 was first written without its reference, which followed once SR-L2 existed.
    let lines: Vec<String> = harness
        .store
        .activity(1000)
        .unwrap()
        .into_iter()
        .rev()
        .filter(|line| line.entry.key.as_deref() == Some("DAT|SR-L1") && line.entry.kind == "row")
        .map(|line| line.entry.message)
        .collect();
    assert!(
        lines.len() >= 2 && lines[0].contains("without its self-reference"),
        "{lines:#?}"
    );
    let conflicts: Vec<_> = harness
        .store
        .activity(1000)
        .unwrap()
        .into_iter()
        .filter(|line| line.entry.status == "conflict")
        .collect();
    assert!(
        conflicts.is_empty(),
        "the echo of a row written without its reference is not a rival change: {conflicts:#?}"
    );
    // AND the reference to nothing is kept as failed, with the row written without it.
    let failed = eventually("the failed reference", || async {
        harness.failed_changes("DAT|SR-L9").into_iter().next()
    })
    .await;
    assert!(
        failed
            .error
            .as_deref()
            .is_some_and(|error| error.contains("DAT|SR-NONE")),
        "{failed:#?}"
    );
    assert!(harness.account("SR-L9").await.is_some());

    // WHEN in Dataverse one account is billed to another by id and one to itself by key.
    let target = harness.account("SR-L9").await.expect("SR-L9");
    harness
        .dataverse
        .upsert(
            "accounts",
            &[("accountnumber", "SR-L2")],
            &row(json!({"msdyn_billingaccount@odata.bind":
                format!("/accounts({})", target["accountid"].as_str().unwrap())})),
        )
        .await
        .expect("the billing account can be set");
    harness
        .dataverse
        .upsert(
            "accounts",
            &[("accountnumber", "SR-L1")],
            &row(json!({"msdyn_billingaccount@odata.bind": "/accounts(accountnumber='SR-L1')"})),
        )
        .await
        .expect("an account can be billed to itself");
    // THEN finance and operations has the invoice accounts as customer keys.
    for (account, invoice_account) in [("SR-L1", "SR-L1"), ("SR-L2", "SR-L9")] {
        eventually(&format!("{account}'s invoice account"), || async {
            let customer = harness.customer("DAT", account).await?;
            (customer["InvoiceAccount"] == invoice_account).then_some(())
        })
        .await;
    }
    // AND once the echoes settle, apart from the reference that exists nowhere, both sides
    // agree.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let agreement = harness.agreement(&map).await;
        if agreement.matched == 2 && agreement.differing == 1 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the sides never settled: {agreement:#?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn dataverse_accounts_billed_to_each_other_reach_finance_operations_with_their_references() {
    // GIVEN accounts of company DAT that only Dataverse has, billed to each other and to
    // themselves (each created before the reference to it is set, as Dataverse requires).
    let map = customers_with_invoice_account();
    let harness = harness_with(map.clone()).await;
    for number in ["SR-D1", "SR-D2", "SR-D3"] {
        harness
            .dataverse
            .upsert(
                "accounts",
                &[("accountnumber", number)],
                &row(json!({"name": format!("Account {number}"),
                    "msdyn_company@odata.bind": "/cdm_companies(cdm_companycode='DAT')"})),
            )
            .await
            .expect("the account is created in Dataverse");
    }
    for (number, billed_to) in [("SR-D1", "SR-D2"), ("SR-D2", "SR-D1"), ("SR-D3", "SR-D3")] {
        harness
            .dataverse
            .upsert(
                "accounts",
                &[("accountnumber", number)],
                &row(json!({"msdyn_billingaccount@odata.bind":
                    format!("/accounts(accountnumber='{billed_to}')")})),
            )
            .await
            .expect("the billing account is set");
    }
    // WHEN the map runs its initial sync (its Dataverse phase writes them to finance and
    // operations).
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;
    // THEN each customer's invoice account is the account its account is billed to.
    for (number, billed_to) in [("SR-D1", "SR-D2"), ("SR-D2", "SR-D1"), ("SR-D3", "SR-D3")] {
        let customer = harness
            .customer("DAT", number)
            .await
            .unwrap_or_else(|| panic!("{number} reached finance and operations"));
        assert_eq!(customer["InvoiceAccount"], billed_to, "{number}");
    }
    // AND the account billed to itself was written first without the reference, which
    // followed in the second round once the customer existed.
    let lines: Vec<String> = harness
        .store
        .activity(1000)
        .unwrap()
        .into_iter()
        .rev()
        .filter(|line| line.entry.key.as_deref() == Some("DAT|SR-D3") && line.entry.kind == "row")
        .map(|line| {
            format!(
                "{} {}",
                line.entry.message,
                line.entry.payload.unwrap_or_default()
            )
        })
        .collect();
    assert!(
        lines.len() >= 2
            && lines[0].contains("without its self-reference")
            && lines[1].contains("\"InvoiceAccount\":\"SR-D3\""),
        "{lines:#?}"
    );
    // AND both sides agree, with nothing set aside.
    let agreement = harness.agreement(&map).await;
    assert!(agreement.agrees(), "{agreement:#?}");
    assert_eq!(agreement.matched, 3, "{agreement:#?}");
    assert!(harness.failed_changes("SR-").is_empty());
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}
