//! A synced row's values are the customer's data: log lines at INFO and above (what `duet
//! serve` and the window print with `DUET_LOG=info`) never carry them. The activity log is
//! where rows belong: a refused change keeps what was sent there.

use duet_api::{Api, LogQuery};
use serde_json::{Map, Value};

use crate::capture::{canary, logs};
use crate::support::{demo_dataverse, demo_finops, eventually, options, running};

#[tokio::test]
async fn row_values_stay_out_of_info_logs_and_a_failure_keeps_its_payload() {
    let (_, info) = logs();
    let written = canary("RowValue-written");
    let refused = canary("RowValue-refused");
    let dir = tempfile::tempdir().unwrap();
    let api = Api::open(dir.path(), options("leaks-rows")).await.unwrap();
    api.start_sandbox_demo().await.unwrap();
    running(&api).await;

    // GIVEN a customer created in finance and operations with a distinctive name, which the
    // demo map writes to Dataverse.
    let finops = demo_finops(&api, dir.path()).await;
    let account = canary("LEAK")
        .replace('-', "")
        .chars()
        .take(20)
        .collect::<String>();
    let mut customer = Map::new();
    customer.insert("dataAreaId".to_owned(), "DAT".into());
    customer.insert("CustomerAccount".to_owned(), account.clone().into());
    customer.insert("OrganizationName".to_owned(), written.clone().into());
    customer.insert("CreditLimit".to_owned(), 1000.into());
    finops.create("CustomersV3", &customer).await.unwrap();
    let dataverse = demo_dataverse(&api, dir.path()).await;
    eventually("the customer in Dataverse", || async {
        let filter = format!("accountnumber eq '{account}'");
        let rows = dataverse
            .query("accounts", &[("$filter", filter.as_str())])
            .await
            .ok()?;
        rows.iter()
            .any(|row| row.get("name") == Some(&Value::from(written.as_str())))
            .then_some(())
    })
    .await;

    // AND a Dataverse account without a company, which the map refuses and keeps as failed
    // (the run's only failure).
    let mut account_row = Map::new();
    account_row.insert("name".to_owned(), refused.clone().into());
    dataverse
        .upsert(
            "accounts",
            &[("accountnumber", "LEAK-REFUSED")],
            &account_row,
        )
        .await
        .unwrap();
    let failure = eventually("the refused change in the activity log", || async {
        let query = LogQuery {
            status: Some("failed".to_owned()),
            ..LogQuery::default()
        };
        api.log_page(&query, 10).ok()?.entries.into_iter().next()
    })
    .await;

    // THEN the failure's line keeps the row it was given, as the product means it to.
    let payload = serde_json::to_string(&failure.payload).unwrap();
    assert!(payload.contains(&refused), "{payload}");
    api.shutdown().await;
    // AND no log line at INFO or above names either row's values, though the capture saw
    // the run (the sandbox and the engine log at INFO).
    let lines = info.text();
    assert!(!lines.is_empty(), "nothing was logged at INFO");
    for value in [&written, &refused] {
        if let Some(line) = lines.lines().find(|line| line.contains(value.as_str())) {
            panic!("a row value was logged at INFO or above: {line}");
        }
    }
}
