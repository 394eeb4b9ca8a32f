//! The Dataverse phase of the initial sync: rows Dataverse holds are written to finance and
//! operations in `$batch` requests (finance and operations has no `UpsertMultiple`), creates
//! and updates alike, and a row finance and operations refuses is kept as a failed change.

use duet_engine::ChangeStatus;
use duet_maps::{Side, TableMap};
use duet_sandbox::{FailWrites, Faults};
use serde_json::json;

use crate::support::{Harness, eventually, harness_with, row};

impl Harness {
    async fn create_account(&self, number: &str, name: &str) {
        self.dataverse
            .create_by_key(
                "accounts",
                &[("accountnumber", number)],
                &row(json!({"name": name, "creditlimit": 700,
                    "msdyn_company@odata.bind": "/cdm_companies(cdm_companycode='DAT')"})),
            )
            .await
            .expect("account is created in Dataverse");
    }

    /// (operation, message) of each line written to finance and operations for `key`.
    fn lines_to_finops(&self, key: &str) -> Vec<(String, String)> {
        self.row_lines()
            .into_iter()
            .filter(|line| line.entry.key.as_deref() == Some(key))
            .filter(|line| line.entry.direction.as_deref() == Some("toFinanceOperations"))
            .map(|line| (line.entry.operation.unwrap_or_default(), line.entry.message))
            .collect()
    }
}

#[tokio::test]
async fn the_dataverse_phase_creates_and_updates_in_batches() {
    // GIVEN a Dataverse-mastered map, a customer on both sides with different names, and
    // accounts only in Dataverse.
    let mut map = TableMap::customers();
    map.master = Side::Dataverse;
    let harness = harness_with(map).await;
    harness
        .create_customer("DAT", "DVP-BOTH", "Name in finance and operations")
        .await;
    harness
        .create_account("DVP-BOTH", "Name in Dataverse")
        .await;
    for number in ["DVP-1", "DVP-2", "DVP-3"] {
        harness
            .create_account(number, &format!("Account {number}"))
            .await;
    }

    // WHEN the map runs its initial sync.
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;

    // THEN the Dataverse-only accounts are created in finance and operations, and the shared
    // one takes the master's name, each written through a `$batch`.
    for number in ["DVP-1", "DVP-2", "DVP-3"] {
        let customer = harness
            .customer("DAT", number)
            .await
            .unwrap_or_else(|| panic!("{number} reached finance and operations"));
        assert_eq!(customer["OrganizationName"], format!("Account {number}"));
        assert_eq!(customer["CreditLimit"].as_f64(), Some(700.0));
        assert_eq!(
            harness.lines_to_finops(&format!("DAT|{number}")),
            [(
                "create".to_owned(),
                "create in finance and operations (in a $batch)".to_owned()
            )]
        );
    }
    let both = harness.customer("DAT", "DVP-BOTH").await.unwrap();
    assert_eq!(
        both["OrganizationName"], "Name in Dataverse",
        "the master wins"
    );
    assert_eq!(
        harness.lines_to_finops("DAT|DVP-BOTH"),
        [(
            "update".to_owned(),
            "update in finance and operations (in a $batch)".to_owned()
        )]
    );
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn rows_finance_and_operations_refuses_in_the_dataverse_phase_are_kept() {
    // GIVEN accounts only in Dataverse, and finance and operations refusing every write.
    let harness = harness_with(TableMap::customers()).await;
    for number in ["DVR-1", "DVR-2"] {
        harness.create_account(number, "Refused at first").await;
    }
    let refuse = Faults {
        fail_writes: Some(FailWrites {
            fraction: 1.0,
            status: 400,
        }),
        ..Faults::default()
    };
    harness
        .sandbox
        .set_faults(duet_sandbox::Side::FinOps, refuse)
        .unwrap();

    // WHEN the map runs its initial sync.
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;

    // THEN each row is in the error log with what was sent, and kept as a failed change.
    for key in ["DAT|DVR-1", "DAT|DVR-2"] {
        let errors: Vec<_> = harness
            .store
            .activity(1000)
            .unwrap()
            .into_iter()
            .filter(|line| line.entry.kind == "error" && line.entry.key.as_deref() == Some(key))
            .collect();
        assert_eq!(errors.len(), 1, "{key} logged once");
        assert_eq!(errors[0].entry.operation.as_deref(), Some("upsert"));
        let sent = &errors[0].entry.payload.as_ref().unwrap()["sent"];
        assert_eq!(sent["OrganizationName"], "Refused at first");
        let kept = harness.engine.queued("customers", Some(key), 10).unwrap();
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].status, ChangeStatus::Failed);
    }
    assert!(harness.customer("DAT", "DVR-1").await.is_none());

    // WHEN finance and operations takes writes again and the failed rows are retried.
    harness
        .sandbox
        .set_faults(duet_sandbox::Side::FinOps, Faults::default())
        .unwrap();
    harness.engine.retry("customers", None).await.unwrap();

    // THEN both reach finance and operations.
    for number in ["DVR-1", "DVR-2"] {
        eventually(&format!("{number} in finance and operations"), || {
            harness.customer("DAT", number)
        })
        .await;
    }
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_batch_part_finance_and_operations_refuses_is_written_on_its_own() {
    // GIVEN a map that reads only finance and operations customers named "Keep…", a customer
    // it therefore does not read ("Hidden", so Duet has not seen it there), and accounts in
    // Dataverse with that customer's number and two new ones.
    let mut map = TableMap::customers();
    map.filter_finance_operations = Some("((OrganizationName == \"Keep*\"))".to_owned());
    let harness = harness_with(map).await;
    harness.create_customer("DAT", "DVH-1", "Hidden").await;
    harness.create_account("DVH-1", "Keep from Dataverse").await;
    for number in ["DVH-2", "DVH-3"] {
        harness
            .create_account(number, &format!("Keep {number}"))
            .await;
    }

    // WHEN the map runs its initial sync.
    harness.engine.run("customers").await.unwrap();
    harness.wait_state("running").await;

    // THEN the batch creates the new rows; its create of DVH-1 is refused (the customer
    // exists), and DVH-1 is written again on its own, as an update.
    for number in ["DVH-2", "DVH-3"] {
        assert_eq!(
            harness.lines_to_finops(&format!("DAT|{number}")),
            [(
                "create".to_owned(),
                "create in finance and operations (in a $batch)".to_owned()
            )]
        );
    }
    assert_eq!(
        harness.lines_to_finops("DAT|DVH-1"),
        [(
            "update".to_owned(),
            "update in finance and operations".to_owned()
        )]
    );
    let customer = harness.customer("DAT", "DVH-1").await.unwrap();
    assert_eq!(customer["OrganizationName"], "Keep from Dataverse");
    assert!(
        harness
            .store
            .activity(1000)
            .unwrap()
            .iter()
            .all(|line| line.entry.kind != "error"),
        "nothing failed"
    );
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}
