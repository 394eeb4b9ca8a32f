//! Rows that look up a row of another map (a customer's customer group): a child whose parent
//! is not on the other side yet waits for it, in order, and is written once it is there; a
//! parent that exists nowhere, or that nothing brings over, leaves the child as a failed
//! change with its reason.

use duet_engine::{ChangeStatus, QueuedChange, ResumeMode};
use duet_maps::{FieldDirection, FieldMapping, Lookup, TableMap, templates};
use serde_json::{Value, json};

use crate::support::{Harness, eventually, harness_with, row};

/// The demo customers map with the customer group, a lookup into the customer groups map.
fn customers_with_group() -> TableMap {
    let mut map = TableMap::customers();
    map.fields.push(FieldMapping {
        finance_operations: Some("CustomerGroupId".to_owned()),
        direction: FieldDirection::TwoWay,
        dataverse: Some("msdyn_customergroupid.msdyn_groupid".to_owned()),
        transform: None,
        note: None,
        null_policy: None,
        lookup: Some(Lookup {
            target_map: "customer-groups".to_owned(),
            self_reference: false,
        }),
    });
    map
}

/// A harness with both maps stored and running.
async fn two_maps() -> Harness {
    let harness = harness_with(customers_with_group()).await;
    let groups = templates()
        .into_iter()
        .find(|map| map.name == "customer-groups")
        .expect("the customer groups template");
    harness
        .store
        .ensure_map(&groups.name, &serde_json::to_value(&groups).unwrap(), "t0")
        .unwrap();
    for map in ["customer-groups", "customers"] {
        harness.engine.run(map).await.unwrap();
        harness.wait_map_state(map, "running").await;
    }
    harness
}

impl Harness {
    /// The queued changes of the customer `key` once one is held back for its parent, after
    /// queue position `after` (each retry sends it behind the queue, to a later position).
    async fn held_back(&self, key: &str, after: i64) -> Vec<QueuedChange> {
        eventually(&format!("{key} held back after {after}"), || async {
            let changes = self.engine.queued("customers", Some(key), 100).unwrap();
            changes
                .iter()
                .any(|change| {
                    change.status == ChangeStatus::Queued
                        && change.seq > after
                        && change
                            .error
                            .as_deref()
                            .is_some_and(|error| error.starts_with("held back until"))
                })
                .then_some(changes)
        })
        .await
    }

    /// The group id the account `number` is in, read through its lookup.
    async fn group_of_account(&self, number: &str) -> Option<String> {
        let account = self.account(number).await?;
        let id = account
            .get("_msdyn_customergroupid_value")?
            .as_str()?
            .to_owned();
        let group = self
            .dataverse
            .query(
                "msdyn_customergroups",
                &[
                    ("$select", "msdyn_groupid"),
                    ("$filter", &format!("msdyn_customergroupid eq {id}")),
                ],
            )
            .await
            .expect("groups can be queried")
            .into_iter()
            .next()?;
        group["msdyn_groupid"].as_str().map(str::to_owned)
    }

    fn error_lines(&self, key: &str) -> Vec<duet_store::ActivityRecord> {
        self.store
            .activity(1000)
            .unwrap()
            .into_iter()
            .filter(|line| line.entry.kind == "error" && line.entry.key.as_deref() == Some(key))
            .collect()
    }

    async fn create_grouped_customer(&self, account: &str, group: &str) {
        self.finops
            .create(
                "CustomersV3",
                &row(json!({"dataAreaId": "DAT", "CustomerAccount": account,
                    "OrganizationName": "First name", "CustomerGroupId": group})),
            )
            .await
            .expect("customer is created in finance and operations");
    }

    async fn create_group_in_finops(&self, group: &str) {
        self.finops
            .create(
                "CustomerGroups",
                &row(json!({"dataAreaId": "DAT", "CustomerGroupId": group,
                    "Description": format!("Group {group}")})),
            )
            .await
            .expect("group is created in finance and operations");
    }
}

#[tokio::test]
async fn a_customer_waits_for_its_group_and_keeps_its_changes_in_order() {
    // GIVEN the customer groups map paused (it keeps capturing) and the customers map running.
    let harness = two_maps().await;
    harness.engine.pause("customer-groups").await.unwrap();

    // WHEN a new group and a customer in it are created in finance and operations, and the
    // customer is renamed while its group has not reached Dataverse.
    harness.create_group_in_finops("PG-1").await;
    harness.create_grouped_customer("PAR-1", "PG-1").await;
    let first = harness.held_back("DAT|PAR-1", 0).await[0].seq;
    harness
        .finops
        .update(
            "CustomersV3",
            &[("dataAreaId", "DAT"), ("CustomerAccount", "PAR-1")],
            &row(json!({"OrganizationName": "Renamed"})),
        )
        .await
        .unwrap();

    // THEN the customer waits: still queued (not failed), retried, not written, not logged
    // as an error, and the rename waits behind it.
    // Retried again and again (a patient wait: the group waits in its own map's queue, so
    // the attempts are not counted against a limit).
    let again = harness.held_back("DAT|PAR-1", first).await[0].clone();
    let changes = harness.held_back("DAT|PAR-1", again.seq).await;
    assert_eq!(
        changes[0].attempts, again.attempts,
        "patient waits are not counted"
    );
    let reason = changes[0].error.clone().unwrap();
    assert!(
        reason.contains("customer-groups row DAT|PG-1") && reason.contains("Dataverse"),
        "the reason names the parent and the side it is missing on: {reason}"
    );
    assert!(
        changes
            .iter()
            .all(|change| change.status == ChangeStatus::Queued)
    );
    assert!(
        harness.account("PAR-1").await.is_none(),
        "nothing written yet"
    );
    assert!(harness.error_lines("DAT|PAR-1").is_empty());
    eventually("the rename queued behind", || async {
        let names: Vec<String> = harness
            .engine
            .queued("customers", Some("DAT|PAR-1"), 100)
            .unwrap()
            .iter()
            .filter_map(|change| {
                change.change.row["OrganizationName"]
                    .as_str()
                    .map(str::to_owned)
            })
            .collect();
        names.ends_with(&["Renamed".to_owned()]).then_some(())
    })
    .await;

    // WHEN the groups map catches up.
    harness
        .engine
        .resume("customer-groups", ResumeMode::CatchUp)
        .await
        .unwrap();

    // THEN the group reaches Dataverse, then the customer with its group and its last name;
    // the changes were applied in the order they were captured, and nothing failed.
    let group = eventually("PAR-1 in its group in Dataverse", || async {
        harness.group_of_account("PAR-1").await
    })
    .await;
    assert_eq!(group, "PG-1");
    let account = eventually("the rename in Dataverse", || async {
        harness
            .account("PAR-1")
            .await
            .filter(|account| account["name"] == "Renamed")
    })
    .await;
    assert_eq!(account["accountnumber"], "PAR-1");
    let names: Vec<String> = harness
        .row_lines()
        .iter()
        .rev()
        .filter(|line| line.entry.map == "customers")
        .filter(|line| line.entry.key.as_deref() == Some("DAT|PAR-1"))
        .filter(|line| line.entry.direction.as_deref() == Some("toDataverse"))
        .filter_map(|line| {
            line.entry.payload.as_ref()?["name"]
                .as_str()
                .map(str::to_owned)
        })
        .collect();
    assert_eq!(names.last().map(String::as_str), Some("Renamed"));
    // The rename may have been captured together with the create (one poll read both);
    // when the first name was written on its own, it came first.
    if let Some(first) = names.iter().position(|name| name == "First name") {
        let renamed = names.iter().position(|name| name == "Renamed").unwrap();
        assert!(first < renamed, "applied in capture order: {names:?}");
    }
    assert!(harness.error_lines("DAT|PAR-1").is_empty());
    eventually("an empty customers queue", || async {
        harness
            .engine
            .queued("customers", Some("DAT|PAR-1"), 100)
            .unwrap()
            .is_empty()
            .then_some(())
    })
    .await;
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn an_account_waits_for_its_group_to_reach_finance_and_operations() {
    // GIVEN the customer groups map paused and the customers map running.
    let harness = two_maps().await;
    harness.engine.pause("customer-groups").await.unwrap();

    // WHEN a group and an account in it are created in Dataverse.
    harness
        .dataverse
        .create_by_key(
            "msdyn_customergroups",
            &[("msdyn_groupid", "PGD-1")],
            &row(json!({"msdyn_description": "Made in Dataverse",
                "msdyn_company@odata.bind": "/cdm_companies(cdm_companycode='DAT')"})),
        )
        .await
        .unwrap();
    harness
        .dataverse
        .create_by_key(
            "accounts",
            &[("accountnumber", "PARD-1")],
            &row(json!({"name": "Account in a new group",
                "msdyn_company@odata.bind": "/cdm_companies(cdm_companycode='DAT')",
                "msdyn_customergroupid@odata.bind": "/msdyn_customergroups(msdyn_groupid='PGD-1')"})),
        )
        .await
        .unwrap();

    // THEN the account waits for the group, with the group it waits for named.
    let first = harness.held_back("DAT|PARD-1", 0).await[0].seq;
    let changes = harness.held_back("DAT|PARD-1", first).await;
    let reason = changes[0].error.clone().unwrap();
    assert!(
        reason.contains("customer-groups row DAT|PGD-1")
            && reason.contains("finance and operations"),
        "{reason}"
    );
    assert!(harness.customer("DAT", "PARD-1").await.is_none());

    // WHEN the groups map catches up.
    harness
        .engine
        .resume("customer-groups", ResumeMode::CatchUp)
        .await
        .unwrap();

    // THEN the group, then the customer in it, reach finance and operations.
    let customer = eventually("PARD-1 in finance and operations", || {
        harness.customer("DAT", "PARD-1")
    })
    .await;
    assert_eq!(customer["CustomerGroupId"], "PGD-1");
    assert!(harness.error_lines("DAT|PARD-1").is_empty());
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_parent_that_nothing_brings_leaves_the_child_failed_with_its_reason() {
    // GIVEN both maps running.
    let harness = two_maps().await;

    // WHEN a customer refers to a group that exists nowhere.
    harness.create_grouped_customer("PARX-1", "NOWHERE").await;

    // THEN it is refused at once: failed (kept for retry), in the error log with its row.
    let failed = eventually("PARX-1 kept as failed", || async {
        harness.failed_changes("DAT|PARX-1").into_iter().next()
    })
    .await;
    let reason = failed.error.unwrap();
    assert!(
        reason.contains("customer-groups row DAT|NOWHERE") && reason.contains("exists neither"),
        "{reason}"
    );
    let errors = harness.error_lines("DAT|PARX-1");
    assert_eq!(errors.len(), 1, "logged once");
    assert_eq!(errors[0].entry.operation.as_deref(), Some("lookup"));
    assert_eq!(
        errors[0].entry.payload.as_ref().unwrap()["CustomerGroupId"],
        Value::from("NOWHERE")
    );

    // WHEN the groups map is stopped and a group exists only in finance and operations.
    harness.engine.stop("customer-groups").await.unwrap();
    harness.wait_map_state("customer-groups", "stopped").await;
    harness.create_group_in_finops("PGS-1").await;
    harness.create_grouped_customer("PARS-1", "PGS-1").await;

    // THEN the customer waits a few times, then is kept as failed with the fix named.
    let failed = eventually("PARS-1 kept as failed", || async {
        harness.failed_changes("DAT|PARS-1").into_iter().next()
    })
    .await;
    let reason = failed.error.unwrap();
    assert!(
        reason.contains("the map customer-groups is stopped") && reason.contains("run that map"),
        "{reason}"
    );
    assert!(
        failed.attempts >= 10,
        "it waited first: {}",
        failed.attempts
    );
    assert!(harness.account("PARS-1").await.is_none());

    // WHEN the groups map runs again (its initial sync carries the group) and the failed
    // change is retried.
    harness.engine.run("customer-groups").await.unwrap();
    harness.wait_map_state("customer-groups", "running").await;
    harness.engine.retry("customers", None).await.unwrap();

    // THEN the customer reaches Dataverse in its group.
    let group = eventually("PARS-1 in its group", || async {
        harness.group_of_account("PARS-1").await
    })
    .await;
    assert_eq!(group, "PGS-1");
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}

#[tokio::test]
async fn a_child_deleted_while_it_waits_for_its_parent_is_not_brought_back() {
    // GIVEN the customer groups map paused and a new customer waiting for its new group.
    let harness = two_maps().await;
    harness.engine.pause("customer-groups").await.unwrap();
    harness.create_group_in_finops("PGX-1").await;
    harness.create_grouped_customer("PARDEL-1", "PGX-1").await;
    harness.held_back("DAT|PARDEL-1", 0).await;

    // WHEN the customer is deleted in finance and operations, then the group arrives.
    harness
        .finops
        .delete(
            "CustomersV3",
            &[("dataAreaId", "DAT"), ("CustomerAccount", "PARDEL-1")],
        )
        .await
        .unwrap();
    harness
        .engine
        .resume("customer-groups", ResumeMode::CatchUp)
        .await
        .unwrap();
    eventually("the group in Dataverse", || async {
        harness
            .dataverse
            .query(
                "msdyn_customergroups",
                &[("$filter", "msdyn_groupid eq 'PGX-1'")],
            )
            .await
            .unwrap()
            .into_iter()
            .next()
    })
    .await;

    // THEN the waiting change is settled without writing: no account appears, and the skip
    // is logged.
    eventually("the held-back change settled", || async {
        harness
            .engine
            .queued("customers", Some("DAT|PARDEL-1"), 100)
            .unwrap()
            .is_empty()
            .then_some(())
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(
        harness.account("PARDEL-1").await.is_none(),
        "not brought back"
    );
    let skipped = harness
        .row_lines()
        .into_iter()
        .filter(|line| line.entry.key.as_deref() == Some("DAT|PARDEL-1"))
        .any(|line| line.entry.status == "skipped");
    assert!(skipped, "the skip is logged");
    harness.engine.shutdown().await;
    harness.sandbox.shutdown().await;
}
