//! The per-map supervisor: runs rounds, restarts a failed one with growing waits, starts one
//! with the newest definition when the map was edited (`definition.rs`), shows the failure on
//! the map, and counts errors against the alert rules.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use duet_connect::{Backoff, ErrorClass};
use duet_maps::TableMap;
use duet_store::{AlertAction, MapState};
use tokio::sync::{Mutex, Notify, watch};

use crate::run::capture::DELTA_CURSOR;
use crate::run::companies::CompanyCodes;
use crate::run::context::Context;
use crate::run::definition::Edits;
use crate::run::engine::EngineEvent;
use crate::run::error::RoundError;
use crate::run::initial::Signals;
use crate::run::initial::skip::SKIP_INITIAL;
use crate::run::session::Session;
use crate::run::state::CATCH_UP_MARK;

impl Context {
    /// Counts an error against the alert rules and carries out what fires.
    pub(in crate::run) fn observe_error(&self, map: &str, class: ErrorClass) {
        let rules = match self.store.alert_rules() {
            Ok(rules) => rules,
            Err(error) => {
                tracing::error!(map = %map, error = %error, "alert rules could not be read");
                return;
            }
        };
        let fired = self
            .alerts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .observe(map, class.as_str(), self.clock.now(), &rules);
        for alert in fired {
            let action = alert.rule.action;
            let message = format!(
                "Alert: {} errors of class {} within {} minutes (threshold {}); action: {}",
                alert.count,
                alert.rule.class,
                alert.rule.window_minutes,
                alert.rule.threshold,
                action
            );
            self.lifecycle(map, "alert", &message);
            let _ = self.events.send(EngineEvent::Alert {
                map: map.to_owned(),
                message,
                action,
            });
            if action != AlertAction::None {
                let _ = self.actions.send((map.to_owned(), action));
            }
        }
    }

    pub(in crate::run) async fn drive(
        self: Arc<Self>,
        mut map: TableMap,
        mut stopped: watch::Receiver<bool>,
        applying: watch::Receiver<bool>,
        mut edits: Edits,
    ) {
        let mut last_failure: Option<String> = None;
        // Grows after each failed round in a row, up to 64 times the failure pause.
        let pause = self.settings.failure_pause;
        let mut backoff = Backoff::new(pause, pause * 64);
        loop {
            if *stopped.borrow() {
                return;
            }
            if edits.pending() {
                map = self.newest_definition(map, &mut edits);
            }
            let outcome = self
                .clone()
                .run_round(&map, &stopped, applying.clone(), &edits)
                .await;
            let message = match outcome {
                // An edit ended the round at a safe point: the next one starts at once with
                // the new definition, which is no failure.
                Ok(()) if edits.pending() && !*stopped.borrow() => continue,
                Ok(()) => return,
                Err(error) => error.to_string(),
            };
            // The map is in Error, with the reason (and its fix) shown, until a round works; a
            // paused map stays paused (a restart must not unpause it) and shows the reason.
            if *applying.borrow() {
                if let Err(error) = self.set_state(&map.name, MapState::Error, Some(&message)) {
                    tracing::error!(map = %map.name, error = %error, "map state write failed");
                }
            } else {
                self.set_reason(&map.name, Some(&message));
            }
            if last_failure.as_deref() != Some(message.as_str()) {
                tracing::warn!(map = %map.name, error = %message, "sync round failed");
                self.lifecycle(
                    &map.name,
                    "failed",
                    &format!(
                        "{message} (the map starts again by itself, waiting longer each time)"
                    ),
                );
                last_failure = Some(message);
                backoff.reset();
            }
            // An edit may be what the failing round needs: it starts the next round at once.
            tokio::select! {
                _ = tokio::time::sleep(backoff.next_wait()) => {}
                _ = stopped.changed() => return,
                () = edits.arrived() => {}
            }
        }
    }

    /// Initial sync when needed, then capture and apply until stopped. An error ends the
    /// round; `drive` waits and starts another from the stored cursors and queue.
    pub(in crate::run) async fn run_once(
        self: Arc<Self>,
        map: &TableMap,
        stopped: watch::Receiver<bool>,
        applying: watch::Receiver<bool>,
    ) -> Result<(), RoundError> {
        let companies = self.store.link()?.ok_or(RoundError::NotLinked)?.companies;
        let mut codes = CompanyCodes::default();
        codes
            .refresh(&self.dataverse, map)
            .await
            .map_err(|error| RoundError::remote("reading the Dataverse companies", error))?;
        let lookups = self.lookups_of(map)?;
        let names = self.name_lookups_of(map)?;
        let session = Arc::new(Session {
            context: self.clone(),
            map: map.clone(),
            lookups,
            companies,
            codes: Mutex::new(codes),
            captured: Notify::new(),
            capture_failing: std::sync::Mutex::new(HashSet::new()),
            lookup_values: std::sync::Mutex::new(HashMap::new()),
            names,
            name_ids: std::sync::Mutex::new(HashMap::new()),
            settled_early: std::sync::Mutex::new(HashSet::new()),
        });
        if self.store.cursor(&map.name, DELTA_CURSOR)?.is_none() {
            if self.store.cursor(&map.name, SKIP_INITIAL)?.is_some() {
                session.go_live_without_initial_sync().await?;
            } else {
                let mut applying = applying.clone();
                let mut stopped = stopped.clone();
                let signals = Signals {
                    applying: &mut applying,
                    stopped: &mut stopped,
                };
                if !session.initial_sync(signals).await? {
                    return Ok(());
                }
            }
        }
        let catching_up = self.store.cursor(&map.name, CATCH_UP_MARK)?.is_some();
        let state = match (*applying.borrow(), catching_up) {
            (true, false) => MapState::Running,
            (true, true) => MapState::Resuming,
            (false, _) => MapState::Paused,
        };
        self.set_state(&map.name, state, None)?;
        let dataverse = session.clone().capture_dataverse(stopped.clone());
        let finops = session.clone().capture_finops(stopped.clone());
        let apply = session.clone().apply_queue(stopped, applying);
        tokio::try_join!(dataverse, finops, apply).map(|_| ())
    }
}
