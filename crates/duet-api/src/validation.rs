//! Validation as the product runs it: a map checked with the other stored maps (so lookups
//! resolve) and with its two tables' columns read from the linked environments (so the
//! schema-dependent checks run), and Run refused while a map has errors.

use duet_maps::{Severity, TableMap, validate_with};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::{Api, ApiError, Code};

/// One thing wrong with a map or a package, at a JSON path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MapProblemView {
    /// `DW-V…` for map checks, `DW-P…` for package checks.
    pub code: String,
    /// An error keeps the map from running; a warning is shown only.
    pub severity: Severity,
    /// Such as `$.maps[1].fields[3].direction`.
    pub path: String,
    pub message: String,
    pub fix: String,
}

impl From<duet_maps::Problem> for MapProblemView {
    fn from(problem: duet_maps::Problem) -> MapProblemView {
        MapProblemView {
            code: problem.code.to_owned(),
            severity: problem.severity(),
            path: problem.path,
            message: problem.message,
            fix: problem.fix,
        }
    }
}

/// What validation found in a map, and whether it could check the columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ValidationView {
    pub problems: Vec<MapProblemView>,
    /// The schema-dependent checks ran on columns read from both environments.
    pub schema_checked: bool,
    /// Why they did not, when they did not.
    pub schema_error: Option<String>,
}

impl ValidationView {
    pub fn errors(&self) -> impl Iterator<Item = &MapProblemView> {
        self.problems
            .iter()
            .filter(|problem| problem.severity == Severity::Error)
    }

    /// The codes of the errors, each once, in the order first found: what a refusal names.
    pub fn error_codes(&self) -> Vec<&str> {
        let mut codes: Vec<&str> = Vec::new();
        for problem in self.errors() {
            if !codes.contains(&problem.code.as_str()) {
                codes.push(&problem.code);
            }
        }
        codes
    }
}

impl Api {
    /// Validates `map` (saved or an unsaved edit) as Run would.
    pub async fn validate_map(&self, map: &Value) -> Result<ValidationView, ApiError> {
        let map = duet_maps::parse_map(map, "$").map_err(crate::maps_alm::invalid_map)?;
        self.validation_of(&map).await
    }

    pub(crate) async fn validation_of(&self, map: &TableMap) -> Result<ValidationView, ApiError> {
        let stored = self.stored_maps()?;
        Ok(self.validation_among(map, &stored).await)
    }

    /// Validates `map` with the stored maps `stored` (read once by the caller, however many
    /// maps it validates); the map's own stored copy among them is left out.
    pub(crate) async fn validation_among(
        &self,
        map: &TableMap,
        stored: &[TableMap],
    ) -> ValidationView {
        let others: Vec<TableMap> = stored
            .iter()
            .filter(|other| other.name != map.name)
            .cloned()
            .collect();
        let schema = self.schema_of(map).await;
        let problems = validate_with(map, &others, schema.as_ref().ok());
        ValidationView {
            problems: problems.into_iter().map(Into::into).collect(),
            schema_checked: schema.is_ok(),
            schema_error: schema.err(),
        }
    }

    /// Refuses to run maps that have validation errors, naming each map and its codes.
    pub(crate) async fn guard_runnable(&self, names: &[&str]) -> Result<(), ApiError> {
        let stored = self.stored_maps()?;
        let mut refused = Vec::new();
        for name in names {
            let Some(map) = stored.iter().find(|map| map.name == *name) else {
                continue;
            };
            let validation = self.validation_among(map, &stored).await;
            let codes = validation.error_codes();
            if !codes.is_empty() {
                refused.push(format!("'{name}' has {}", codes.join(", ")));
            }
        }
        if refused.is_empty() {
            return Ok(());
        }
        Err(ApiError::new(
            Code::ValidationFailed,
            format!(
                "a map with validation errors cannot run: {}; open the map's Validation panel for each problem and its fix",
                refused.join("; ")
            ),
        ))
    }
}
