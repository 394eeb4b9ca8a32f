//! Alert rules (N errors of a class within M minutes) and the test alert that shows an admin
//! where alerts reach them.

use duet_store::NewActivity;

use crate::model::{ActivityEntry, AlertAction, AlertRuleView, DuetEvent};
use crate::{Api, ApiError, Code, views};

/// The error classes alert rules can watch, as the engine classifies failures.
const ALERT_CLASSES: [&str; 10] = [
    "application",
    "400",
    "401/403",
    "404",
    "412",
    "429",
    "502",
    "503",
    "timeout",
    "other",
];

impl Api {
    /// Every alert rule, enabled or not.
    pub fn alert_rules(&self) -> Result<Vec<AlertRuleView>, ApiError> {
        Ok(self
            .store
            .alert_rules()?
            .into_iter()
            .map(views::alert_rule_view)
            .collect())
    }

    /// Adds a rule (no id) or replaces one (with its id), after checking it makes sense.
    pub fn save_alert_rule(&self, rule: AlertRuleView) -> Result<AlertRuleView, ApiError> {
        if !ALERT_CLASSES.contains(&rule.class.as_str()) {
            return Err(ApiError::new(
                Code::InvalidAlertRule,
                format!(
                    "'{}' is not an error class; use one of: {}",
                    rule.class,
                    ALERT_CLASSES.join(", ")
                ),
            ));
        }
        if rule.threshold == 0 || rule.window_minutes == 0 || rule.window_minutes > 24 * 60 {
            return Err(ApiError::new(
                Code::InvalidAlertRule,
                "The threshold must be at least 1 and the window between 1 minute and 24 hours.",
            ));
        }
        if let Some(map) = &rule.map
            && self.store.map(map)?.is_none()
        {
            return Err(ApiError::new(
                Code::NotFound,
                format!("there is no map named '{map}'"),
            ));
        }
        let id = self
            .store
            .save_alert_rule(&views::alert_rule_record(&rule))?;
        Ok(AlertRuleView {
            id: Some(id),
            ..rule
        })
    }

    pub fn delete_alert_rule(&self, id: i64) -> Result<(), ApiError> {
        Ok(self.store.delete_alert_rule(id)?)
    }

    /// Raises an alert that changes nothing, so an admin can see where alerts reach them
    /// (in-app toast, desktop notification); it is logged like a real one.
    pub fn send_test_alert(&self) -> Result<ActivityEntry, ApiError> {
        let message =
            "Test alert: if this shows as a desktop notification, alerts will reach you there."
                .to_owned();
        let record = self.store.add_activity(&NewActivity {
            at: self.clock.stamp(),
            map: "alerts".to_owned(),
            kind: "lifecycle".to_owned(),
            direction: None,
            key: None,
            operation: None,
            status: "alert".to_owned(),
            message: message.clone(),
            latency_ms: None,
            payload: None,
            error_class: None,
        })?;
        let entry = views::activity_entry(record);
        let _ = self.events.send(DuetEvent::Activity {
            entry: entry.clone(),
        });
        let _ = self.events.send(DuetEvent::Alert {
            map: "alerts".to_owned(),
            message,
            action: AlertAction::None,
        });
        Ok(entry)
    }
}
