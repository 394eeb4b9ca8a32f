//! Clients for stored environments, signed in with the secret the OS keyring holds for each.

use std::sync::Arc;

use duet_connect::{Credentials, DataverseClient, FinOpsClient, TokenProvider};
use duet_store::EnvironmentRecord;

use crate::environments::secret_scope;
use crate::{Api, ApiError};

/// One HTTP client setup for every environment: a connection must open within 10 seconds and
/// an answer arrive within two minutes.
fn reqwest_client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(10))
        .timeout(std::time::Duration::from_secs(120))
        .build()
        .unwrap_or_default()
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
        let tokens = self.tokens(&record).await?;
        Ok(FinOpsClient::new(reqwest_client(), tokens, &record.url))
    }

    pub(crate) async fn dataverse_client(&self, id: i64) -> Result<DataverseClient, ApiError> {
        let record = self.environment_record(id)?;
        let tokens = self.tokens(&record).await?;
        Ok(DataverseClient::new(reqwest_client(), tokens, &record.url))
    }

    async fn tokens(&self, record: &EnvironmentRecord) -> Result<Arc<TokenProvider>, ApiError> {
        let secret = self
            .secrets
            .load(&secret_scope(record.id), &record.client_id)
            .await?;
        Ok(Arc::new(TokenProvider::new(
            reqwest_client(),
            Credentials {
                token_url: record.token_url.clone(),
                client_id: record.client_id.clone(),
                client_secret: secret,
            },
        )))
    }
}
