//! Finance and operations OData client (`{environment}/data`).

use std::sync::Arc;

use duet_odata::page::read_page;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::auth::TokenProvider;
use crate::error::{ConnectError, ErrorClass};
use crate::odata::key_predicate;
use crate::transport::{RetrySettings, Transport};

pub use duet_odata::page::Row;

pub struct FinOpsClient {
    transport: Transport,
}

impl FinOpsClient {
    pub fn new(http: reqwest::Client, tokens: Arc<TokenProvider>, url: &str) -> FinOpsClient {
        FinOpsClient {
            transport: Transport::new(http, tokens, url),
        }
    }

    pub fn with_retry(mut self, retry: RetrySettings) -> FinOpsClient {
        self.transport.retry = retry;
        self
    }

    pub fn url(&self) -> &str {
        &self.transport.resource
    }

    /// Bounds of the adaptive limit on requests in flight (see [`ConcurrencySettings`]).
    pub fn with_concurrency(mut self, settings: crate::ConcurrencySettings) -> FinOpsClient {
        self.transport.set_concurrency(settings);
        self
    }

    /// Sends many requests in one `$batch`; change sets apply all or nothing. With
    /// `continue_on_error`, a failed request does not stop the ones after it.
    pub async fn batch(
        &self,
        items: &[crate::BatchItem],
        continue_on_error: bool,
    ) -> Result<Vec<crate::BatchResult>, ConnectError> {
        crate::batch::send(
            &self.transport,
            &format!("{}/data", self.transport.resource),
            items,
            continue_on_error,
        )
        .await
    }

    /// The adaptive concurrency limit as it stands.
    pub fn concurrency(&self) -> crate::ConcurrencyState {
        self.transport.concurrency()
    }

    /// The server's clock minus ours, as of the last answer; `None` before any answer.
    pub fn clock_skew(&self) -> Option<chrono::Duration> {
        self.transport.clock_skew()
    }

    fn entity_url(&self, entity: &str) -> String {
        format!("{}/data/{entity}", self.transport.resource)
    }

    /// Reads every row of a query, following server-driven paging to the end.
    pub async fn query(
        &self,
        entity: &str,
        params: &[(&str, &str)],
    ) -> Result<Vec<Row>, ConnectError> {
        let first = url::Url::parse_with_params(&self.entity_url(entity), params)
            .map_err(|error| ConnectError::invalid("GET", entity, error.to_string()))?;
        let mut next = Some(first.to_string());
        let mut rows = Vec::new();
        while let Some(url) = next.take() {
            let reply = self
                .transport
                .send(Method::GET, &url, None, &[], true, None)
                .await?;
            let page = read_page(&reply.body).map_err(|error| ConnectError::page(&url, error))?;
            rows.extend(page.rows);
            next = page.next_link;
        }
        Ok(rows)
    }

    /// The service's CSDL `$metadata` document: every entity type, enum type and entity set.
    pub async fn metadata_document(&self) -> Result<String, ConnectError> {
        let url = format!("{}/data/$metadata", self.transport.resource);
        self.transport.get_text(&url, "application/xml").await
    }

    /// Reads one page of at most `top` rows (no server paging followed): for keyset paging
    /// where the caller resumes from the last key it saw.
    pub async fn query_page(
        &self,
        entity: &str,
        params: &[(&str, &str)],
        top: usize,
    ) -> Result<Vec<Row>, ConnectError> {
        let top = top.to_string();
        let mut all: Vec<(&str, &str)> = params.to_vec();
        all.push(("$top", &top));
        let url = url::Url::parse_with_params(&self.entity_url(entity), &all)
            .map_err(|error| ConnectError::invalid("GET", entity, error.to_string()))?;
        let reply = self
            .transport
            .send(Method::GET, url.as_str(), None, &[], true, None)
            .await?;
        let page =
            read_page(&reply.body).map_err(|error| ConnectError::page(url.as_str(), error))?;
        Ok(page.rows)
    }

    /// How many rows a query matches (`$count=true`), without reading them.
    pub async fn count(&self, entity: &str, params: &[(&str, &str)]) -> Result<u64, ConnectError> {
        let mut all: Vec<(&str, &str)> = params.to_vec();
        all.push(("$count", "true"));
        all.push(("$top", "0"));
        let url = url::Url::parse_with_params(&self.entity_url(entity), &all)
            .map_err(|error| ConnectError::invalid("GET", entity, error.to_string()))?;
        let reply = self
            .transport
            .send(Method::GET, url.as_str(), None, &[], true, None)
            .await?;
        reply
            .body
            .get("@odata.count")
            .and_then(Value::as_u64)
            .ok_or_else(|| {
                ConnectError::invalid(
                    "GET",
                    url.as_str(),
                    "the answer has no @odata.count".to_owned(),
                )
            })
    }

    pub async fn get(
        &self,
        entity: &str,
        key: &[(&str, &str)],
    ) -> Result<Option<Row>, ConnectError> {
        let url = format!("{}{}", self.entity_url(entity), key_predicate(key));
        match self
            .transport
            .send(Method::GET, &url, None, &[], true, None)
            .await
        {
            Ok(reply) => Ok(reply.body.as_object().cloned()),
            Err(error) if error.class == ErrorClass::NotFound => Ok(None),
            Err(error) => Err(error),
        }
    }

    pub async fn create(&self, entity: &str, body: &Row) -> Result<Row, ConnectError> {
        let url = self.entity_url(entity);
        let reply = self
            .transport
            .send(
                Method::POST,
                &url,
                Some(&Value::Object(body.clone())),
                &[],
                false,
                None,
            )
            .await?;
        Ok(reply.body.as_object().cloned().unwrap_or_default())
    }

    pub async fn update(
        &self,
        entity: &str,
        key: &[(&str, &str)],
        body: &Row,
    ) -> Result<(), ConnectError> {
        self.patch(entity, key, body, &[]).await
    }

    /// Updates the row only if it is still at `etag` (as read in `@odata.etag`); a row
    /// changed since answers 412, classified as a conflict, and is not written.
    pub async fn update_if_match(
        &self,
        entity: &str,
        key: &[(&str, &str)],
        body: &Row,
        etag: &str,
    ) -> Result<(), ConnectError> {
        self.patch(entity, key, body, &[("If-Match", etag.to_owned())])
            .await
    }

    async fn patch(
        &self,
        entity: &str,
        key: &[(&str, &str)],
        body: &Row,
        headers: &[(&str, String)],
    ) -> Result<(), ConnectError> {
        let url = format!("{}{}", self.entity_url(entity), key_predicate(key));
        self.transport
            .send(
                Method::PATCH,
                &url,
                Some(&Value::Object(body.clone())),
                headers,
                true,
                None,
            )
            .await?;
        Ok(())
    }

    /// Updates the row with this key, or creates it when there is none. Returns true when created.
    pub async fn upsert(
        &self,
        entity: &str,
        key: &[(&str, &str)],
        body: &Row,
    ) -> Result<bool, ConnectError> {
        match self.update(entity, key, body).await {
            Ok(()) => Ok(false),
            Err(error) if error.class == ErrorClass::NotFound => {
                let mut full = body.clone();
                for (name, value) in key {
                    full.insert((*name).to_owned(), Value::from(*value));
                }
                self.create(entity, &full).await?;
                Ok(true)
            }
            Err(error) => Err(error),
        }
    }

    /// Deletes the row with this key. Returns false when it was already gone.
    pub async fn delete(&self, entity: &str, key: &[(&str, &str)]) -> Result<bool, ConnectError> {
        let url = format!("{}{}", self.entity_url(entity), key_predicate(key));
        match self
            .transport
            .send(Method::DELETE, &url, None, &[], true, None)
            .await
        {
            Ok(reply) => Ok(reply.status == StatusCode::NO_CONTENT || reply.status.is_success()),
            Err(error) if error.class == ErrorClass::NotFound => Ok(false),
            Err(error) => Err(error),
        }
    }
}
