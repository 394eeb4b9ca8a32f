//! Import checks: what importing a package into a directory would add, replace or leave
//! alone, and every problem that blocks it.

use std::collections::HashSet;

use serde::Serialize;
use serde_json::Value;

use super::parse::{parse_document, under};
use super::problem;
use crate::map::TableMap;
use crate::validate::{Problem, validate_all};

/// What an import would do, or why it cannot.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportPlan {
    /// Every map of the package that parsed, in package order.
    pub maps: Vec<TableMap>,
    /// Maps that do not exist yet.
    pub added: Vec<String>,
    /// Maps that exist with another definition and are replaced (only with `replace`).
    pub replaced: Vec<String>,
    /// Maps that exist with the same definition; importing leaves them alone.
    pub unchanged: Vec<String>,
    /// Everything wrong; when not empty, nothing may be imported.
    pub problems: Vec<Problem>,
}

impl ImportPlan {
    pub fn can_import(&self) -> bool {
        self.problems.is_empty()
    }

    /// The maps to write: added and replaced ones.
    pub fn to_write(&self) -> impl Iterator<Item = &TableMap> {
        self.maps
            .iter()
            .filter(|map| self.added.contains(&map.name) || self.replaced.contains(&map.name))
    }
}

/// Checks a package (or a single map) against the maps that exist, given as their stored
/// definitions. Nothing is written; the plan says what an import would do.
///
/// Every problem blocks the import. A map that exists with a different definition is a
/// conflict unless `replace` is set.
pub fn check_import(document: &Value, existing: &[(String, Value)], replace: bool) -> ImportPlan {
    let mut problems = Vec::new();
    let parsed = parse_document(document, &mut problems);

    let mut seen = HashSet::new();
    for (prefix, map) in &parsed {
        if !seen.insert(map.name.as_str()) {
            problems.push(problem(
                crate::package_code::DUPLICATE_NAME,
                format!("{prefix}.name"),
                format!("another map in the package is also named '{}'", map.name),
                "give every map in the package its own name",
            ));
        }
    }

    // Lookups resolve against the package and the maps that stay as they are.
    let mut together: Vec<TableMap> = parsed.iter().map(|(_, map)| map.clone()).collect();
    together.extend(
        existing
            .iter()
            .filter(|(name, _)| !seen.contains(name.as_str()))
            .filter_map(|(_, definition)| serde_json::from_value(definition.clone()).ok()),
    );
    let found = validate_all(&together);
    for (prefix, map) in &parsed {
        problems.extend(
            found
                .iter()
                .filter(|(name, _)| *name == map.name)
                .map(|(_, found)| under(prefix, found.clone())),
        );
    }
    // validate_all reports a duplicated name's problems under each copy: keep each once.
    let mut unique = HashSet::new();
    problems.retain(|found| unique.insert((found.code, found.path.clone(), found.message.clone())));

    let mut plan = ImportPlan::default();
    for (prefix, map) in &parsed {
        let current = existing.iter().find(|(name, _)| *name == map.name);
        match current {
            None => plan.added.push(map.name.clone()),
            Some((_, definition)) => {
                let same = serde_json::from_value::<TableMap>(definition.clone())
                    .is_ok_and(|stored| stored == *map);
                if same {
                    plan.unchanged.push(map.name.clone());
                } else if replace {
                    plan.replaced.push(map.name.clone());
                } else {
                    problems.push(problem(
                        crate::package_code::CONFLICT,
                        format!("{prefix}.name"),
                        format!(
                            "a map named '{}' exists with a different definition",
                            map.name
                        ),
                        "import with replace to overwrite it (its history is kept), or rename \
                         the map in the package",
                    ));
                }
            }
        }
    }
    plan.maps = parsed.into_iter().map(|(_, map)| map).collect();
    plan.problems = problems;
    plan
}
