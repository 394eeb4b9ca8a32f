//! Clients of a sandbox process and the raw `$batch` ingest each service manages: change
//! sets of 1,000 creates, one request at a time, the rate Duet's own writes are held to.

use std::sync::Arc;
use std::time::Instant;

use anyhow::bail;
use duet_connect::{
    BatchItem, BatchRequest, Credentials, DataverseClient, FinOpsClient, TokenProvider,
};
use reqwest::Method;
use serde_json::{Value, json};

use super::sandbox::SandboxProcess;

/// Creates per change set, as the sandbox's own ingest benchmark sends them.
const PER_BATCH: usize = 1_000;

/// Both services' clients with the sandbox's demo application user.
pub struct Clients {
    pub finops: FinOpsClient,
    pub dataverse: DataverseClient,
}

impl Clients {
    pub fn of(sandbox: &SandboxProcess) -> anyhow::Result<Clients> {
        let http = sandbox.http()?;
        let tokens = Arc::new(TokenProvider::new(
            http.clone(),
            Credentials {
                token_url: sandbox.var("DUET_TOKEN_URL").to_owned(),
                client_id: sandbox.var("DUET_CLIENT_ID").to_owned(),
                client_secret: sandbox.var("DUET_CLIENT_SECRET").to_owned(),
            },
        ));
        Ok(Clients {
            finops: FinOpsClient::new(http.clone(), tokens.clone(), sandbox.var("DUET_FO_URL")),
            dataverse: DataverseClient::new(http, tokens, sandbox.var("DUET_DV_URL")),
        })
    }
}

/// A finance and operations customer of company DAT numbered `n` with `prefix`.
pub fn customer(prefix: &str, n: usize) -> Value {
    json!({
        "dataAreaId": "DAT",
        "CustomerAccount": format!("{prefix}-{n:07}"),
        "OrganizationName": format!("Bench customer {n}"),
    })
}

/// A Dataverse account of company DAT numbered `n` with `prefix`, as Duet writes them.
pub fn account(prefix: &str, n: usize) -> Value {
    json!({
        "accountnumber": format!("{prefix}-{n:07}"),
        "name": format!("Bench account {n}"),
        "msdyn_company@odata.bind": "/cdm_companies(cdm_companycode='DAT')",
    })
}

/// Which service a batch goes to.
#[derive(Debug, Clone, Copy)]
pub enum Service {
    FinanceOperations,
    Dataverse,
}

/// Creates `rows` rows (`make(n)`) in change sets of 1,000, one request at a time. Returns
/// the rows per second.
pub async fn ingest(
    clients: &Clients,
    service: Service,
    rows: usize,
    make: impl Fn(usize) -> Value,
) -> anyhow::Result<f64> {
    let started = Instant::now();
    let mut n = 0;
    while n < rows {
        let end = rows.min(n + PER_BATCH);
        let set = match service {
            Service::FinanceOperations => "CustomersV3",
            Service::Dataverse => "accounts",
        };
        let requests: Vec<BatchRequest> = (n..end)
            .map(|i| {
                BatchRequest::new(Method::POST, set, Some(make(i)))
                    .with_content_id((i - n + 1).to_string())
            })
            .collect();
        let items = [BatchItem::ChangeSet(requests)];
        let results = match service {
            Service::FinanceOperations => clients.finops.batch(&items, false).await?,
            Service::Dataverse => clients.dataverse.batch(&items, false).await?,
        };
        if let Some(failed) = results.iter().find(|result| !result.succeeded()) {
            bail!(
                "a create of the ingest failed ({}): {:?}",
                failed.status,
                failed.body
            );
        }
        n = end;
    }
    Ok(rows as f64 / started.elapsed().as_secs_f64())
}
