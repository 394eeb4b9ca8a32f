//! How often, and how patiently, a delivery is tried: the attempts and the doubling delays
//! between them.

use std::time::Duration;

/// How often, and how patiently, a delivery is tried before it is parked as failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventRetry {
    /// Attempts in all, the first included; at least 1.
    pub attempts: u32,
    /// Wait after the first failed attempt; doubled after each further one.
    pub first_delay: Duration,
    /// Longest wait between two attempts.
    pub max_delay: Duration,
    /// How long one attempt may take.
    pub timeout: Duration,
}

impl Default for EventRetry {
    /// Six attempts over about a minute (1, 2, 4, 8 and 16 s apart), 10 s per attempt.
    fn default() -> Self {
        EventRetry {
            attempts: 6,
            first_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
            timeout: Duration::from_secs(10),
        }
    }
}

impl EventRetry {
    /// The wait after `failures` failed attempts (1 for the first failure).
    pub(super) fn delay(&self, failures: u32) -> Duration {
        let doubled = self
            .first_delay
            .saturating_mul(1u32 << failures.saturating_sub(1).min(20));
        doubled.min(self.max_delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_the_cap() {
        let retry = EventRetry {
            attempts: 10,
            first_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(500),
            timeout: Duration::from_secs(1),
        };
        let delays: Vec<u128> = (1..=5).map(|n| retry.delay(n).as_millis()).collect();
        assert_eq!(delays, vec![100, 200, 400, 500, 500]);
    }
}
