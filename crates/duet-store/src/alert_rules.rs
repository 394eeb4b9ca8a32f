//! Alert rules: how many errors of a class within how many minutes call for an action on a
//! map (or on every map).

use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::{Result, Store, StoreError, eq_by_name, parse_name};

/// What happens to the map when an alert rule fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum AlertAction {
    None,
    Pause,
    Stop,
}

impl AlertAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertAction::None => "none",
            AlertAction::Pause => "pause",
            AlertAction::Stop => "stop",
        }
    }

    fn parse(text: &str) -> Result<AlertAction> {
        parse_name(text, "an alert rule has an unknown action")
    }
}

impl std::fmt::Display for AlertAction {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.as_str())
    }
}

eq_by_name!(AlertAction);

/// An alert rule: N errors of a class within M minutes, and what to do then.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertRule {
    /// Assigned by the store; `None` for a rule not saved yet.
    pub id: Option<i64>,
    /// The map it watches; `None` watches every map.
    pub map: Option<String>,
    /// An error class: application, 400, 401/403, 404, 412, 429, 502, 503, timeout, other.
    pub class: String,
    pub threshold: u32,
    pub window_minutes: u32,
    pub action: AlertAction,
    pub enabled: bool,
}

impl Store {
    /// Adds a rule, or replaces the one with the same id. Returns the rule's id.
    pub fn save_alert_rule(&self, rule: &AlertRule) -> Result<i64> {
        let db = self.db();
        db.execute(
            "INSERT INTO alert_rule (id, map, class, threshold, window_minutes, action, enabled)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (id) DO UPDATE SET map = ?2, class = ?3, threshold = ?4,
                 window_minutes = ?5, action = ?6, enabled = ?7",
            params![
                rule.id,
                rule.map,
                rule.class,
                rule.threshold,
                rule.window_minutes,
                rule.action.as_str(),
                rule.enabled
            ],
        )?;
        Ok(rule.id.unwrap_or_else(|| db.last_insert_rowid()))
    }

    pub fn alert_rules(&self) -> Result<Vec<AlertRule>> {
        let db = self.db();
        let mut statement = db.prepare_cached(
            "SELECT id, map, class, threshold, window_minutes, action, enabled FROM alert_rule ORDER BY id",
        )?;
        let rules = statement.query_map([], |row| {
            let action: String = row.get(5)?;
            Ok((
                action,
                AlertRule {
                    id: row.get(0)?,
                    map: row.get(1)?,
                    class: row.get(2)?,
                    threshold: row.get(3)?,
                    window_minutes: row.get(4)?,
                    action: AlertAction::None,
                    enabled: row.get(6)?,
                },
            ))
        })?;
        rules
            .map(|row| {
                let (action, rule) = row?;
                Ok(AlertRule {
                    action: AlertAction::parse(&action)?,
                    ..rule
                })
            })
            .collect()
    }

    pub fn delete_alert_rule(&self, id: i64) -> Result<()> {
        let deleted = self
            .db()
            .execute("DELETE FROM alert_rule WHERE id = ?1", params![id])?;
        if deleted == 0 {
            return Err(StoreError::NotFound(format!("there is no alert rule {id}")));
        }
        Ok(())
    }
}
