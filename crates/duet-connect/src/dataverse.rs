//! Dataverse Web API client (`{environment}/api/data/v9.2`).

use std::sync::Arc;
use std::time::Duration;

use duet_odata::page::{read_change_page, read_page};
use reqwest::Method;
use serde_json::Value;

use crate::auth::TokenProvider;
use crate::error::{ConnectError, ErrorClass};
use crate::finops::Row;
use crate::odata::key_predicate;
use crate::transport::{RetrySettings, Transport};

pub struct DataverseClient {
    transport: Transport,
    page_size: u32,
}

/// Where a query read a page at a time stands: the link of its next page.
#[derive(Debug, Clone)]
pub struct Pages {
    next: Option<String>,
}

/// One answer of change tracking: rows created or updated, ids deleted, and where to ask next.
#[derive(Debug, Clone, Default)]
pub struct DeltaPage {
    pub changed: Vec<Row>,
    pub deleted: Vec<String>,
    pub delta_link: String,
}

impl DataverseClient {
    pub fn new(http: reqwest::Client, tokens: Arc<TokenProvider>, url: &str) -> DataverseClient {
        DataverseClient {
            transport: Transport::new(http, tokens, url),
            page_size: 5000,
        }
    }

    pub fn with_retry(mut self, retry: RetrySettings) -> DataverseClient {
        self.transport.retry = retry;
        self
    }

    pub fn url(&self) -> &str {
        &self.transport.resource
    }

    /// Bounds of the adaptive limit on requests in flight (see [`ConcurrencySettings`]).
    pub fn with_concurrency(mut self, settings: crate::ConcurrencySettings) -> DataverseClient {
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
        crate::batch::send(&self.transport, &self.root(), items, continue_on_error).await
    }

    /// The adaptive concurrency limit as it stands.
    pub fn concurrency(&self) -> crate::ConcurrencyState {
        self.transport.concurrency()
    }

    /// The server's clock minus ours, as of the last answer; `None` before any answer.
    pub fn clock_skew(&self) -> Option<chrono::Duration> {
        self.transport.clock_skew()
    }

    fn root(&self) -> String {
        format!("{}/api/data/v9.2", self.transport.resource)
    }

    pub async fn who_am_i(&self) -> Result<Value, ConnectError> {
        let url = format!("{}/WhoAmI", self.root());
        Ok(self
            .transport
            .send(Method::GET, &url, None, &[], true, None)
            .await?
            .body)
    }

    /// Reads a metadata resource below the service root, such as
    /// `EntityDefinitions(LogicalName='account')`, with its query options.
    pub async fn metadata(
        &self,
        path: &str,
        params: &[(&str, &str)],
    ) -> Result<Value, ConnectError> {
        let url = url::Url::parse_with_params(&format!("{}/{path}", self.root()), params)
            .map_err(|error| ConnectError::invalid("GET", path, error.to_string()))?;
        Ok(self
            .transport
            .send(Method::GET, url.as_str(), None, &[], true, None)
            .await?
            .body)
    }

    /// How many rows a query matches (`$count=true` with no rows read). Dataverse counts at
    /// most 5,000 rows this way, so a larger answer is capped at that number.
    pub async fn count(
        &self,
        entity_set: &str,
        params: &[(&str, &str)],
    ) -> Result<u64, ConnectError> {
        let mut all: Vec<(&str, &str)> = params.to_vec();
        all.push(("$count", "true"));
        all.push(("$top", "1"));
        let body = self.metadata(entity_set, &all).await?;
        body.get("@odata.count")
            .and_then(Value::as_u64)
            .ok_or_else(|| {
                ConnectError::invalid(
                    "GET",
                    entity_set,
                    "the answer has no @odata.count".to_owned(),
                )
            })
    }

    /// Reads every row of a query, following `@odata.nextLink` verbatim.
    pub async fn query(
        &self,
        entity_set: &str,
        params: &[(&str, &str)],
    ) -> Result<Vec<Row>, ConnectError> {
        let mut pages = self.pages(entity_set, params)?;
        let mut rows = Vec::new();
        while let Some(page) = self.next_page(&mut pages).await? {
            rows.extend(page);
        }
        Ok(rows)
    }

    /// A query read a page at a time with [`Self::next_page`], so a caller holds one page of
    /// a large table, not all of it.
    pub fn pages(&self, entity_set: &str, params: &[(&str, &str)]) -> Result<Pages, ConnectError> {
        let first = url::Url::parse_with_params(&format!("{}/{entity_set}", self.root()), params)
            .map_err(|error| ConnectError::invalid("GET", entity_set, error.to_string()))?;
        Ok(Pages {
            next: Some(first.to_string()),
        })
    }

    /// The next page of a query (following `@odata.nextLink` verbatim), or `None` after the
    /// last.
    pub async fn next_page(&self, pages: &mut Pages) -> Result<Option<Vec<Row>>, ConnectError> {
        let Some(url) = pages.next.take() else {
            return Ok(None);
        };
        let prefer = [("Prefer", format!("odata.maxpagesize={}", self.page_size))];
        let reply = self
            .transport
            .send(Method::GET, &url, None, &prefer, true, None)
            .await?;
        let page = read_page(&reply.body).map_err(|error| ConnectError::page(&url, error))?;
        pages.next = page.next_link;
        Ok(Some(page.rows))
    }

    /// Creates or updates the row with this (alternate) key; returns the row's `OData-EntityId`.
    pub async fn upsert(
        &self,
        entity_set: &str,
        key: &[(&str, &str)],
        body: &Row,
    ) -> Result<String, ConnectError> {
        self.patch(entity_set, key, body, None).await
    }

    /// `PATCH` by key, with an optional precondition header; returns the row's entity URL.
    async fn patch(
        &self,
        entity_set: &str,
        key: &[(&str, &str)],
        body: &Row,
        condition: impl Into<Option<(&str, &str)>>,
    ) -> Result<String, ConnectError> {
        let url = format!("{}/{entity_set}{}", self.root(), key_predicate(key));
        let headers: Vec<(&str, String)> = condition
            .into()
            .map(|(name, value)| (name, value.to_owned()))
            .into_iter()
            .collect();
        let reply = self
            .transport
            .send(
                Method::PATCH,
                &url,
                Some(&Value::Object(body.clone())),
                &headers,
                true,
                None,
            )
            .await?;
        Ok(reply
            .headers
            .get("OData-EntityId")
            .and_then(|value| value.to_str().ok())
            .unwrap_or(&url)
            .to_owned())
    }

    /// Updates an existing row only if it is still at `etag` (`If-Match`): a row changed
    /// since answers 412 (conflict), a missing row 404; neither is written.
    pub async fn update_if_match(
        &self,
        entity_set: &str,
        key: &[(&str, &str)],
        body: &Row,
        etag: &str,
    ) -> Result<(), ConnectError> {
        self.patch(entity_set, key, body, ("If-Match", etag))
            .await
            .map(|_| ())
    }

    /// Updates the existing row with primary id `id` (`PATCH set(<id>)` with `If-Match: *`):
    /// a row that is gone answers 404 and is not created again.
    pub async fn update_by_id(
        &self,
        entity_set: &str,
        id: &str,
        body: &Row,
    ) -> Result<(), ConnectError> {
        let url = format!("{}/{entity_set}({id})", self.root());
        self.transport
            .send(
                Method::PATCH,
                &url,
                Some(&Value::Object(body.clone())),
                &[("If-Match", "*".to_owned())],
                true,
                None,
            )
            .await
            .map(|_| ())
    }

    /// Creates a row by key only if none exists (`If-None-Match: *`); an existing row
    /// answers 412 (conflict) and is left alone.
    pub async fn create_by_key(
        &self,
        entity_set: &str,
        key: &[(&str, &str)],
        body: &Row,
    ) -> Result<(), ConnectError> {
        self.patch(entity_set, key, body, ("If-None-Match", "*"))
            .await
            .map(|_| ())
    }

    /// Creates or updates many rows in one request (`UpsertMultiple`), all or nothing. Each
    /// target carries its own key columns; `logical_name` types the targets (`account`).
    pub async fn upsert_multiple(
        &self,
        entity_set: &str,
        logical_name: &str,
        targets: &[Row],
    ) -> Result<(), ConnectError> {
        let url = format!(
            "{}/{entity_set}/Microsoft.Dynamics.CRM.UpsertMultiple",
            self.root()
        );
        let entity_type = format!("Microsoft.Dynamics.CRM.{logical_name}");
        let targets: Vec<Value> = targets
            .iter()
            .map(|target| {
                let mut target = target.clone();
                target.insert("@odata.type".to_owned(), Value::from(entity_type.clone()));
                Value::Object(target)
            })
            .collect();
        let body = serde_json::json!({ "Targets": targets });
        self.transport
            .send(Method::POST, &url, Some(&body), &[], true, None)
            .await?;
        Ok(())
    }

    /// Deletes by primary id or key. Returns false when it was already gone.
    pub async fn delete(
        &self,
        entity_set: &str,
        key: &[(&str, &str)],
    ) -> Result<bool, ConnectError> {
        let url = format!("{}/{entity_set}{}", self.root(), key_predicate(key));
        match self
            .transport
            .send(Method::DELETE, &url, None, &[], true, None)
            .await
        {
            Ok(_) => Ok(true),
            Err(error) if error.class == ErrorClass::NotFound => Ok(false),
            Err(error) => Err(error),
        }
    }

    /// Starts change tracking: every current row, and the delta link for what comes next.
    pub async fn track_changes(
        &self,
        entity_set: &str,
        select: &[&str],
    ) -> Result<DeltaPage, ConnectError> {
        let select = select.join(",");
        let url = url::Url::parse_with_params(
            &format!("{}/{entity_set}", self.root()),
            &[("$select", select.as_str())],
        )
        .map_err(|error| ConnectError::invalid("GET", entity_set, error.to_string()))?;
        self.follow_delta(url.to_string(), None).await
    }

    /// The changes since a delta link. With `wait`, a server that supports it holds the
    /// answer until a change arrives; the cloud ignores it and answers at once.
    pub async fn delta(
        &self,
        delta_link: &str,
        wait: Option<Duration>,
    ) -> Result<DeltaPage, ConnectError> {
        self.follow_delta(self.rebase(delta_link), wait).await
    }

    /// A stored link keeps its path and query but is sent to this environment's current URL,
    /// so a link saved before the environment moved (a sandbox on a new port, a renamed host)
    /// still resumes where it stopped.
    fn rebase(&self, link: &str) -> String {
        const SERVICE_ROOT: &str = "/api/data/v9.2/";
        match link.find(SERVICE_ROOT) {
            Some(start) => format!("{}{}", self.transport.resource, &link[start..]),
            None => link.to_owned(),
        }
    }

    async fn follow_delta(
        &self,
        first: String,
        wait: Option<Duration>,
    ) -> Result<DeltaPage, ConnectError> {
        let mut prefer = format!("odata.track-changes,odata.maxpagesize={}", self.page_size);
        if let Some(wait) = wait {
            prefer.push_str(&format!(",wait={}", wait.as_secs()));
        }
        let timeout = wait.map(|wait| wait + Duration::from_secs(30));
        let headers = [("Prefer", prefer)];
        let mut page = DeltaPage::default();
        let mut next = Some(first);
        while let Some(url) = next.take() {
            let reply = self
                .transport
                .send(Method::GET, &url, None, &headers, true, timeout)
                .await?;
            let read =
                read_change_page(&reply.body).map_err(|error| ConnectError::page(&url, error))?;
            page.changed.extend(read.changed);
            page.deleted.extend(read.deleted);
            next = read.next_link;
            if let Some(link) = read.delta_link {
                page.delta_link = link;
            }
        }
        if page.delta_link.is_empty() {
            return Err(ConnectError::invalid(
                "GET",
                "delta",
                "change tracking answered without an @odata.deltaLink; is change tracking enabled on the table?".to_owned(),
            ));
        }
        Ok(page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_links_follow_the_environment_to_its_current_url() {
        let http = reqwest::Client::new();
        let tokens = Arc::new(TokenProvider::new(
            http.clone(),
            crate::Credentials {
                token_url: "http://127.0.0.1:9/t".to_owned(),
                client_id: "c".to_owned(),
                client_secret: "s".to_owned(),
            },
        ));
        let client = DataverseClient::new(http, tokens, "http://127.0.0.1:5001/");
        assert_eq!(
            client.rebase("http://127.0.0.1:4000/api/data/v9.2/accounts?$deltatoken=9%2101"),
            "http://127.0.0.1:5001/api/data/v9.2/accounts?$deltatoken=9%2101",
            "a delta link saved before a restart must reach the environment where it is now"
        );
    }
}
