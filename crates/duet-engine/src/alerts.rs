//! Alert rules: N errors of one class within M minutes fire an alert and its action.
//! Time is passed in, so the window logic is tested without waiting.

use std::collections::{HashMap, VecDeque};

use chrono::{DateTime, Duration, Utc};
use duet_store::AlertRule;

/// The longest window any rule may look back, which bounds the memory kept per class.
const LONGEST_WINDOW: Duration = Duration::hours(24);

/// Errors seen recently per (map, class), and when each rule last fired.
#[derive(Default)]
pub(crate) struct AlertMonitor {
    recent: HashMap<(String, String), VecDeque<DateTime<Utc>>>,
    last_fired: HashMap<i64, DateTime<Utc>>,
}

/// A rule that fired, with what to tell the admin.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FiredAlert {
    pub rule: AlertRule,
    pub count: usize,
}

impl AlertMonitor {
    /// Records one error of `class` on `map` at `now` and returns the rules it makes fire.
    /// A rule fires once per window: it does not fire again until its window has passed.
    pub(crate) fn observe(
        &mut self,
        map: &str,
        class: &str,
        now: DateTime<Utc>,
        rules: &[AlertRule],
    ) -> Vec<FiredAlert> {
        let seen = self
            .recent
            .entry((map.to_owned(), class.to_owned()))
            .or_default();
        seen.push_back(now);
        while seen
            .front()
            .is_some_and(|first| now - *first > LONGEST_WINDOW)
        {
            seen.pop_front();
        }
        let mut fired = Vec::new();
        for rule in rules {
            let applies = rule.enabled
                && rule.class == class
                && rule.map.as_deref().is_none_or(|watched| watched == map);
            let Some(id) = rule.id.filter(|_| applies) else {
                continue;
            };
            let window = Duration::minutes(i64::from(rule.window_minutes)).min(LONGEST_WINDOW);
            let count = seen.iter().filter(|at| now - **at <= window).count();
            let quiet = self
                .last_fired
                .get(&id)
                .is_none_or(|last| now - *last > window);
            if count >= rule.threshold as usize && quiet {
                self.last_fired.insert(id, now);
                fired.push(FiredAlert {
                    rule: rule.clone(),
                    count,
                });
            }
        }
        fired
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(id: i64, map: Option<&str>, class: &str, threshold: u32, minutes: u32) -> AlertRule {
        AlertRule {
            id: Some(id),
            map: map.map(str::to_owned),
            class: class.to_owned(),
            threshold,
            window_minutes: minutes,
            action: duet_store::AlertAction::Pause,
            enabled: true,
        }
    }

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).expect("a valid time")
    }

    #[test]
    fn fires_when_the_threshold_is_reached_within_the_window_and_only_once() {
        // GIVEN a rule of 3 errors of class 503 within 5 minutes.
        let rules = [rule(1, None, "503", 3, 5)];
        let mut monitor = AlertMonitor::default();
        // WHEN three 503s arrive within five minutes.
        assert!(
            monitor
                .observe("customers", "503", at(0), &rules)
                .is_empty()
        );
        assert!(
            monitor
                .observe("customers", "503", at(60), &rules)
                .is_empty()
        );
        let fired = monitor.observe("customers", "503", at(120), &rules);
        // THEN the rule fires with the count, and not again within its window.
        assert_eq!(fired.len(), 1);
        assert_eq!(fired[0].count, 3);
        assert!(
            monitor
                .observe("customers", "503", at(180), &rules)
                .is_empty(),
            "one alert per window, not one per error"
        );
        assert!(
            monitor
                .observe("customers", "503", at(500), &rules)
                .is_empty()
        );
        assert!(
            monitor
                .observe("customers", "503", at(510), &rules)
                .is_empty()
        );
        assert_eq!(
            monitor.observe("customers", "503", at(520), &rules).len(),
            1,
            "after the window passed, a fresh burst of three fires again"
        );
    }

    #[test]
    fn errors_outside_the_window_other_classes_and_other_maps_do_not_count() {
        let rules = [
            rule(1, Some("customers"), "429", 2, 1),
            rule(2, None, "400", 1, 1),
        ];
        let mut monitor = AlertMonitor::default();
        assert!(
            monitor
                .observe("customers", "429", at(0), &rules)
                .is_empty()
        );
        assert!(
            monitor
                .observe("customers", "429", at(120), &rules)
                .is_empty(),
            "two minutes apart is outside a one-minute window"
        );
        assert!(
            monitor
                .observe("vendors", "429", at(121), &rules)
                .is_empty(),
            "the rule watches customers only"
        );
        let fired = monitor.observe("vendors", "400", at(122), &rules);
        assert_eq!(fired.len(), 1, "a rule without a map watches every map");
        assert_eq!(fired[0].rule.id, Some(2));
    }

    #[test]
    fn disabled_rules_never_fire() {
        let mut disabled = rule(1, None, "503", 1, 5);
        disabled.enabled = false;
        let mut monitor = AlertMonitor::default();
        assert!(monitor.observe("m", "503", at(0), &[disabled]).is_empty());
    }
}
