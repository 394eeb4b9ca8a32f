//! An adaptive concurrency limit per environment: requests in flight are capped; the cap is
//! halved when the service answers 429 and grows by about one per round of successes, so a
//! client finds the service's budget instead of hammering it.

use std::sync::Mutex;

use tokio::sync::Notify;

/// Bounds and start of the limit.
#[derive(Debug, Clone, Copy)]
pub struct ConcurrencySettings {
    pub initial: usize,
    pub min: usize,
    pub max: usize,
}

impl Default for ConcurrencySettings {
    fn default() -> Self {
        ConcurrencySettings {
            initial: 8,
            min: 1,
            max: 32,
        }
    }
}

/// A snapshot for metrics and tests.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConcurrencyState {
    /// Requests allowed in flight now.
    pub limit: usize,
    /// Requests in flight now.
    pub in_flight: usize,
    /// The lowest limit since the client was made.
    pub lowest: usize,
    /// 429 answers seen.
    pub throttled: u64,
    /// Answers other than 429 seen: requests the service took.
    pub answered: u64,
    /// The parallelism the service advised last (`x-ms-dop-hint`). Callers that fan out
    /// (the initial sync's bulk writes) stay under it; the limit itself does not, since a
    /// long-polling change-tracking read holds its place for seconds.
    pub advised: Option<usize>,
}

struct State {
    limit: f64,
    in_flight: usize,
    lowest: usize,
    throttled: u64,
    answered: u64,
    advised: Option<usize>,
}

impl State {
    fn allowed(&self) -> usize {
        self.limit.floor() as usize
    }
}

pub(crate) struct Limiter {
    settings: ConcurrencySettings,
    state: Mutex<State>,
    freed: Notify,
}

/// A place in flight; gives it back when dropped.
pub(crate) struct Permit<'a> {
    limiter: &'a Limiter,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if let Ok(mut state) = self.limiter.state.lock() {
            state.in_flight = state.in_flight.saturating_sub(1);
        }
        self.limiter.freed.notify_waiters();
    }
}

impl Limiter {
    pub(crate) fn new(settings: ConcurrencySettings) -> Limiter {
        let min = settings.min.max(1);
        let max = settings.max.max(min);
        let initial = settings.initial.clamp(min, max);
        Limiter {
            settings: ConcurrencySettings { initial, min, max },
            state: Mutex::new(State {
                limit: initial as f64,
                in_flight: 0,
                lowest: initial,
                throttled: 0,
                answered: 0,
                advised: None,
            }),
            freed: Notify::new(),
        }
    }

    /// Waits for a place under the current limit.
    pub(crate) async fn acquire(&self) -> Permit<'_> {
        loop {
            let freed = self.freed.notified();
            {
                let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
                if state.in_flight < state.allowed() {
                    state.in_flight += 1;
                    return Permit { limiter: self };
                }
            }
            freed.await;
        }
    }

    /// A request succeeded: additive increase, about +1 per `limit` successes.
    pub(crate) fn succeeded(&self) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.limit = (state.limit + 1.0 / state.limit).min(self.settings.max as f64);
        state.answered += 1;
        drop(state);
        self.freed.notify_waiters();
    }

    /// The service said 429: multiplicative decrease.
    pub(crate) fn throttled(&self) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.throttled += 1;
        state.limit = (state.limit / 2.0).max(self.settings.min as f64);
        state.lowest = state.lowest.min(state.limit.floor() as usize);
    }

    /// The service advised keeping at most `hint` requests in flight.
    pub(crate) fn advise(&self, hint: usize) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.advised = Some(hint);
    }

    pub(crate) fn state(&self) -> ConcurrencyState {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        ConcurrencyState {
            limit: state.allowed(),
            in_flight: state.in_flight,
            lowest: state.lowest,
            throttled: state.throttled,
            answered: state.answered,
            advised: state.advised,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttling_halves_the_limit_and_successes_grow_it_back() {
        let limiter = Limiter::new(ConcurrencySettings {
            initial: 8,
            min: 1,
            max: 16,
        });
        limiter.throttled();
        assert_eq!(limiter.state().limit, 4);
        limiter.throttled();
        limiter.throttled();
        limiter.throttled();
        assert_eq!(limiter.state().limit, 1, "never below the minimum");
        assert_eq!(limiter.state().lowest, 1);
        for _ in 0..100 {
            limiter.succeeded();
        }
        let grown = limiter.state().limit;
        assert!((10..=16).contains(&grown), "grew back to {grown}");
        for _ in 0..10_000 {
            limiter.succeeded();
        }
        assert_eq!(limiter.state().limit, 16, "never above the maximum");
        assert_eq!(limiter.state().throttled, 4);
        assert_eq!(limiter.state().answered, 10_100);
    }

    #[test]
    fn the_services_advice_is_kept_beside_the_limit() {
        let limiter = Limiter::new(ConcurrencySettings {
            initial: 8,
            min: 1,
            max: 16,
        });
        assert_eq!(limiter.state().advised, None);
        limiter.advise(2);
        let state = limiter.state();
        assert_eq!(state.advised, Some(2));
        assert_eq!(
            state.limit, 8,
            "long polls hold places, so the advice does not cap the limit"
        );
    }

    #[tokio::test]
    async fn no_more_than_the_limit_are_in_flight() {
        let limiter = Limiter::new(ConcurrencySettings {
            initial: 2,
            min: 1,
            max: 2,
        });
        let first = limiter.acquire().await;
        let _second = limiter.acquire().await;
        assert_eq!(limiter.state().in_flight, 2);
        let third = tokio::time::timeout(std::time::Duration::from_millis(50), limiter.acquire());
        assert!(third.await.is_err(), "a third request waits");
        drop(first);
        let third = tokio::time::timeout(std::time::Duration::from_millis(500), limiter.acquire());
        assert!(third.await.is_ok(), "and goes once a place is free");
    }
}
