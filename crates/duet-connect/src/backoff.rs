//! Waits that grow after each failure in a row: exponential from a base delay, capped, with
//! full jitter (a random wait between zero and the exponential ceiling), so many clients that
//! failed together do not all retry together. The one backoff rule of Duet: the clients'
//! request retries and the engine's rounds, captures and apply loop use it.

use std::time::Duration;

/// The wait before retry number `attempt` (1 for the first retry): a random duration up to
/// `base × 2^(attempt-1)`, never above `cap`.
pub fn jittered_delay(base: Duration, cap: Duration, attempt: u32) -> Duration {
    let exponential = base
        .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)))
        .min(cap);
    exponential.mul_f64(jitter_fraction())
}

/// A fraction in [0, 1) from the clock's low bits: enough spread for retry jitter without
/// pulling a random number generator into the client.
fn jitter_fraction() -> f64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.subsec_nanos())
        .unwrap_or(0);
    f64::from(nanos % 1_000_000) / 1_000_000.0
}

/// The failures in a row of one loop, and the wait each calls for.
#[derive(Debug, Clone)]
pub struct Backoff {
    base: Duration,
    cap: Duration,
    failures: u32,
}

impl Backoff {
    pub fn new(base: Duration, cap: Duration) -> Backoff {
        Backoff {
            base,
            cap,
            failures: 0,
        }
    }

    /// Counts one more failure and returns how long to wait before trying again.
    pub fn next_wait(&mut self) -> Duration {
        self.failures = self.failures.saturating_add(1);
        jittered_delay(self.base, self.cap, self.failures)
    }

    /// A success: the next failure waits the shortest again.
    pub fn reset(&mut self) {
        self.failures = 0;
    }

    /// How many failures in a row were counted.
    pub fn failures(&self) -> u32 {
        self.failures
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_stay_under_the_exponential_ceiling_and_the_cap() {
        let (base, cap) = (Duration::from_millis(100), Duration::from_secs(2));
        for attempt in 1..12 {
            let ceiling = Duration::from_millis(100 * 2u64.pow(attempt - 1)).min(cap);
            assert!(
                jittered_delay(base, cap, attempt) <= ceiling,
                "attempt {attempt} must wait at most {ceiling:?}"
            );
        }
    }

    #[test]
    fn a_backoff_grows_with_failures_in_a_row_and_starts_over_after_a_success() {
        let mut backoff = Backoff::new(Duration::from_millis(10), Duration::from_secs(1));
        let ceilings: Vec<Duration> = (0..4)
            .map(|_| {
                backoff.next_wait();
                Duration::from_millis(10 * 2u64.pow(backoff.failures() - 1))
            })
            .collect();
        assert_eq!(backoff.failures(), 4);
        assert_eq!(ceilings.last(), Some(&Duration::from_millis(80)));
        backoff.reset();
        assert!(
            backoff.next_wait() <= Duration::from_millis(10),
            "after a success the first failure waits at most the base delay"
        );
    }
}
