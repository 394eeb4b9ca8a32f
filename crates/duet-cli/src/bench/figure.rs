//! One measured figure beside its limit: the ratio says how far from the goal it is, and
//! whether the goal is met depends on which way the figure should go.

use serde_json::{Value, json};

/// Which side of its limit a figure should be on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Goal {
    /// Rates and budget use: at or above the limit.
    AtLeast,
    /// Latencies, times and memory growth: at or below the limit.
    AtMost,
}

/// A measured value, its limit (measured in the same run where the goal is relative) and
/// what it measures.
#[derive(Debug, Clone)]
pub struct Figure {
    /// A stable camelCase id, the key in `--json`.
    pub id: &'static str,
    pub title: String,
    pub value: f64,
    pub unit: &'static str,
    pub limit: Option<f64>,
    pub goal: Goal,
    /// How the limit was found, or why there is none.
    pub note: String,
}

impl Figure {
    /// `value / limit`: at or above 1 meets an at-least goal, at or below 1 an at-most goal.
    pub fn ratio(&self) -> Option<f64> {
        self.limit
            .filter(|limit| *limit > 0.0)
            .map(|limit| self.value / limit)
    }

    pub fn met(&self) -> Option<bool> {
        self.ratio().map(|ratio| match self.goal {
            Goal::AtLeast => ratio >= 1.0,
            Goal::AtMost => ratio <= 1.0,
        })
    }

    pub fn to_json(&self) -> Value {
        json!({
            "title": self.title,
            "value": round(self.value),
            "unit": self.unit,
            "limit": self.limit.map(round),
            "ratio": self.ratio().map(|ratio| round(ratio * 1000.0) / 1000.0),
            "goal": match self.goal { Goal::AtLeast => "atLeast", Goal::AtMost => "atMost" },
            "met": self.met(),
            "note": self.note,
        })
    }

    /// One line of the text table: title, value, limit, ratio and verdict.
    pub fn line(&self) -> String {
        let limit = self.limit.map_or("—".to_owned(), |limit| {
            let sign = match self.goal {
                Goal::AtLeast => "≥",
                Goal::AtMost => "≤",
            };
            format!("{sign} {}", amount(limit, self.unit))
        });
        let ratio = self
            .ratio()
            .map_or("—".to_owned(), |ratio| format!("{ratio:.2}"));
        let verdict = match self.met() {
            Some(true) => "met",
            Some(false) => "SHORT",
            None => "",
        };
        format!(
            "{:<58} {:>16} {:>18} {:>6}  {verdict}",
            self.title,
            amount(self.value, self.unit),
            limit,
            ratio
        )
    }
}

fn round(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// A value with its unit, with as many decimals as its size needs.
fn amount(value: f64, unit: &str) -> String {
    let digits = if value.abs() >= 100.0 {
        0
    } else if value.abs() >= 1.0 {
        2
    } else {
        3
    };
    format!("{value:.digits$} {unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figure(value: f64, limit: Option<f64>, goal: Goal) -> Figure {
        Figure {
            id: "x",
            title: "x".to_owned(),
            value,
            unit: "rows/s",
            limit,
            goal,
            note: String::new(),
        }
    }

    #[test]
    fn the_ratio_meets_a_goal_from_the_side_the_goal_names() {
        assert_eq!(
            figure(900.0, Some(1000.0), Goal::AtLeast).met(),
            Some(false)
        );
        assert_eq!(
            figure(1100.0, Some(1000.0), Goal::AtLeast).met(),
            Some(true)
        );
        assert_eq!(figure(0.4, Some(1.0), Goal::AtMost).met(), Some(true));
        assert_eq!(figure(6.5, Some(1.0), Goal::AtMost).met(), Some(false));
        assert_eq!(figure(5.0, None, Goal::AtMost).met(), None);
        let json = figure(1100.0, Some(1000.0), Goal::AtLeast).to_json();
        assert_eq!(json["ratio"], 1.1);
        assert_eq!(json["limit"], 1000.0);
        assert_eq!(json["met"], true);
    }
}
