//! Clients for stored environments, signed in with the secret the OS keyring holds for each.

use std::sync::Arc;

use duet_connect::{Credentials, DataverseClient, FinOpsClient, TokenProvider, Trust};
use duet_store::EnvironmentRecord;

use crate::{Api, ApiError, Code};

/// The HTTP client for one environment. A sandbox with its own certificate authority is
/// trusted through that authority alone; every other environment through the system's.
fn http_client(record: &EnvironmentRecord) -> Result<reqwest::Client, ApiError> {
    let trust = match (&record.ca_certificate, record.sandbox) {
        (Some(pem), true) => Trust::Only(pem.clone()),
        _ => Trust::System,
    };
    duet_connect::http_client(&trust).map_err(|error| {
        ApiError::new(
            Code::InvalidEnvironment,
            format!("environment '{}': {error}", record.name),
        )
    })
}

impl Api {
    /// Clients for both sides of the link.
    pub(crate) async fn clients(&self) -> Result<(FinOpsClient, DataverseClient), ApiError> {
        let link = self.store.link()?.ok_or_else(ApiError::not_linked)?;
        Ok((
            self.finops_client(link.finance_operations_id).await?,
            self.dataverse_client(link.dataverse_id).await?,
        ))
    }

    /// Clients for a stored environment, with its secret from the keyring.
    pub(crate) async fn finops_client(&self, id: i64) -> Result<FinOpsClient, ApiError> {
        let record = self.environment_record(id)?;
        let http = http_client(&record)?;
        let tokens = self.tokens(&record, http.clone()).await?;
        Ok(FinOpsClient::new(http, tokens, &record.url))
    }

    pub(crate) async fn dataverse_client(&self, id: i64) -> Result<DataverseClient, ApiError> {
        let record = self.environment_record(id)?;
        let http = http_client(&record)?;
        let tokens = self.tokens(&record, http.clone()).await?;
        Ok(DataverseClient::new(http, tokens, &record.url))
    }

    async fn tokens(
        &self,
        record: &EnvironmentRecord,
        http: reqwest::Client,
    ) -> Result<Arc<TokenProvider>, ApiError> {
        let secret = self.load_secret(record).await?;
        Ok(Arc::new(TokenProvider::new(
            http,
            Credentials {
                token_url: record.token_url.clone(),
                client_id: record.client_id.clone(),
                client_secret: secret,
            },
        )))
    }
}
