//! How a step waits: until a map finished its initial sync and runs (following the engine's
//! events for the map), and until both sides agree (comparing their rows, which no event
//! announces).

use std::time::Duration;

use crate::model::MapState;
use crate::{Api, ApiError, Code};

/// How long an initial sync may take before the step gives up waiting (it keeps running).
const INITIAL_SYNC_WAIT: Duration = Duration::from_secs(30 * 60);
/// How long a setup step lets a map in Error retry before it reports the error.
const ERROR_PATIENCE: Duration = Duration::from_secs(60);

impl Api {
    /// Waits until the map finished its initial sync and runs, following the engine's events
    /// for it. A map in Error retries by itself (a target down for a moment): the step fails
    /// only when the error lasts.
    pub(super) async fn wait_running(&self, name: &str) -> Result<(), ApiError> {
        let deadline = tokio::time::Instant::now() + INITIAL_SYNC_WAIT;
        let mut watch = self.engine().await?.watch_map(name);
        let mut errored_since: Option<tokio::time::Instant> = None;
        loop {
            // While in Error, the wait also ends when the patience runs out.
            let wake =
                errored_since.map_or(deadline, |since| (since + ERROR_PATIENCE).min(deadline));
            let map = match tokio::time::timeout_at(wake, watch.next()).await {
                Ok(map) => map?,
                Err(_) if tokio::time::Instant::now() >= deadline => {
                    return Err(ApiError::new(
                        Code::Timeout,
                        format!(
                            "Map '{name}' did not finish its initial sync in time; it keeps running — run the scenario again to resume."
                        ),
                    ));
                }
                Err(_) => self.store.map(name)?.ok_or_else(|| {
                    ApiError::new(Code::NotFound, format!("there is no map '{name}'"))
                })?,
            };
            match map.state {
                MapState::Error => {
                    errored_since.get_or_insert_with(tokio::time::Instant::now);
                }
                _ => errored_since = None,
            }
            let lasting = errored_since.is_some_and(|since| since.elapsed() >= ERROR_PATIENCE);
            match map.state {
                MapState::Running if map.reason.is_none() => return Ok(()),
                MapState::Error if !lasting => {}
                MapState::Error | MapState::Stopped => {
                    return Err(ApiError::new(
                        Code::MapFailed,
                        format!(
                            "Map '{name}' is {}: {}",
                            map.state,
                            map.reason.unwrap_or_default()
                        ),
                    ));
                }
                _ => {}
            }
        }
    }

    /// Compares both sides until they agree or live sync has had time to settle.
    pub(super) async fn wait_agreement(
        &self,
        name: &str,
    ) -> Result<duet_engine::Agreement, ApiError> {
        let link = self.store.link()?.ok_or_else(ApiError::not_linked)?;
        let (map, _) = self.stored_map(name)?;
        let (finops, dataverse) = self.clients().await?;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let agreement = duet_engine::compare(&finops, &dataverse, &map, &link.companies)
                .await
                .map_err(ApiError::remote)?;
            if agreement.agrees() || tokio::time::Instant::now() > deadline {
                return Ok(agreement);
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
}
