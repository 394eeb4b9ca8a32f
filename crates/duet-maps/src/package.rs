//! Map packages: a set of maps in one JSON document, to move maps between data
//! directories. Import checks everything before anything is written and reports each
//! problem with the JSON path of the value at fault.
//!
//! ```json
//! {"format": "duet.maps", "version": 1, "maps": [ ... ]}
//! ```

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::graph::start_order;
use crate::map::{FieldMapping, TableMap};
use crate::validate::{Problem, validate_all};

/// The `format` of a package.
pub const FORMAT: &str = "duet.maps";
/// The package version this build writes and reads.
pub const VERSION: u64 = 1;

/// Codes of the problems only packages have; the map checks keep their `DW-V` codes.
pub mod package_code {
    /// The document is not a package: wrong `format`, `version`, or no `maps` list.
    pub const NOT_A_PACKAGE: &str = "DW-P001";
    /// A value has the wrong type or shape for its place in a map.
    pub const WRONG_SHAPE: &str = "DW-P002";
    /// A field's direction is not one of the six direction symbols.
    pub const UNKNOWN_DIRECTION: &str = "DW-P003";
    /// A map of the same name exists with a different definition.
    pub const CONFLICT: &str = "DW-P004";
    /// Two maps in the package have the same name.
    pub const DUPLICATE_NAME: &str = "DW-P005";
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Package {
    pub format: String,
    pub version: u64,
    pub maps: Vec<TableMap>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PackageError {
    #[error("there is no map named '{0}'")]
    UnknownMap(String),
}

/// A package of the maps named (all of them when `names` is empty) and, transitively, the
/// maps they look rows up in, in start order when the lookups allow one.
pub fn export(available: &[TableMap], names: &[String]) -> Result<Package, PackageError> {
    let find = |name: &str| available.iter().find(|map| map.name == name);
    let mut wanted: Vec<&str> = if names.is_empty() {
        available.iter().map(|map| map.name.as_str()).collect()
    } else {
        names.iter().map(String::as_str).collect()
    };
    if let Some(missing) = wanted.iter().find(|name| find(name).is_none()) {
        return Err(PackageError::UnknownMap((*missing).to_owned()));
    }
    let mut index = 0;
    while index < wanted.len() {
        if let Some(map) = find(wanted[index]) {
            for target in map.lookup_targets() {
                // A lookup into a map this directory does not have stays unresolved; the
                // importer reports it against the maps there.
                if !wanted.contains(&target) && find(target).is_some() {
                    wanted.push(target);
                }
            }
        }
        index += 1;
    }
    let mut maps: Vec<TableMap> = wanted
        .iter()
        .filter_map(|name| find(name).cloned())
        .collect();
    if let Ok(order) = start_order(&maps) {
        maps.sort_by_key(|map| order.iter().position(|name| *name == map.name));
    }
    Ok(Package {
        format: FORMAT.to_owned(),
        version: VERSION,
        maps,
    })
}

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

fn problem(code: &'static str, path: String, message: String, fix: &str) -> Problem {
    Problem {
        code,
        path,
        message,
        fix: fix.to_owned(),
    }
}

/// `prefix` followed by a serde path such as `fields[3].direction`.
fn join(prefix: &str, path: &serde_path_to_error::Path) -> String {
    let text = path.to_string();
    if text == "." {
        prefix.to_owned()
    } else if text.starts_with('[') {
        format!("{prefix}{text}")
    } else {
        format!("{prefix}.{text}")
    }
}

/// A problem for a value that does not deserialize as `T`.
fn shape_problem(prefix: &str, error: serde_path_to_error::Error<serde_json::Error>) -> Problem {
    let path = join(prefix, error.path());
    let message = error.inner().to_string();
    if path.ends_with(".direction") {
        return problem(
            crate::package_code::UNKNOWN_DIRECTION,
            path,
            message,
            "use one of = >< > < >> << (or twoWay, twoWayTransform, toDataverse, \
             toFinanceOperations, defaultToDataverse, defaultToFinanceOperations)",
        );
    }
    problem(
        crate::package_code::WRONG_SHAPE,
        path,
        message,
        "give the value the type the map format expects",
    )
}

/// Parses one map from JSON, reporting each shape problem with a path under `prefix`
/// (`$` for a map on its own): the map's own properties, and each field mapping apart, so a
/// broken field does not hide problems in the others.
pub fn parse_map(value: &Value, prefix: &str) -> Result<TableMap, Vec<Problem>> {
    let Some(object) = value.as_object() else {
        return Err(vec![problem(
            crate::package_code::WRONG_SHAPE,
            prefix.to_owned(),
            format!("a map is a JSON object, not {}", kind(value)),
            "write the map as an object with name, title, entity, table, key and fields",
        )]);
    };
    let mut problems = Vec::new();
    let mut fields = Vec::new();
    match object.get("fields") {
        Some(Value::Array(items)) => {
            for (index, item) in items.iter().enumerate() {
                let field_prefix = format!("{prefix}.fields[{index}]");
                match serde_path_to_error::deserialize::<_, FieldMapping>(item) {
                    Ok(field) => fields.push(field),
                    Err(error) => problems.push(shape_problem(&field_prefix, error)),
                }
            }
        }
        Some(other) => problems.push(problem(
            crate::package_code::WRONG_SHAPE,
            format!("{prefix}.fields"),
            format!("fields is a list of field mappings, not {}", kind(other)),
            "write fields as a JSON array",
        )),
        None => problems.push(problem(
            crate::package_code::WRONG_SHAPE,
            format!("{prefix}.fields"),
            "the map has no fields".to_owned(),
            "add the list of field mappings",
        )),
    }
    let mut shell = object.clone();
    shell.insert("fields".to_owned(), Value::Array(Vec::new()));
    let shell = Value::Object(shell);
    match serde_path_to_error::deserialize::<_, TableMap>(&shell) {
        Ok(mut map) if problems.is_empty() => {
            map.fields = fields;
            Ok(map)
        }
        Ok(shell) => {
            // The map's own checks need its fields, but filters stand alone: report theirs
            // too, so one pass shows them.
            problems.extend(
                shell
                    .validate(None)
                    .into_iter()
                    .filter(|found| found.code == crate::validate::code::FILTER_SYNTAX)
                    .map(|found| under(prefix, found)),
            );
            Err(problems)
        }
        Err(error) => {
            problems.insert(0, shape_problem(prefix, error));
            Err(problems)
        }
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Re-roots a map problem's path (`$.fields[2]`) under the map's place in the package.
fn under(prefix: &str, mut problem: Problem) -> Problem {
    problem.path = match problem.path.strip_prefix('$') {
        Some(rest) => format!("{prefix}{rest}"),
        None => format!("{prefix}.{}", problem.path),
    };
    problem
}

/// Parses the maps of a package (or a single map when the document has no `format`),
/// reporting shape problems. Each map comes with its path prefix.
fn parse_document(document: &Value, problems: &mut Vec<Problem>) -> Vec<(String, TableMap)> {
    let Some(object) = document.as_object() else {
        problems.push(problem(
            crate::package_code::NOT_A_PACKAGE,
            "$".to_owned(),
            format!("a package is a JSON object, not {}", kind(document)),
            "write {\"format\": \"duet.maps\", \"version\": 1, \"maps\": [...]}",
        ));
        return Vec::new();
    };
    if !object.contains_key("format") {
        return match parse_map(document, "$") {
            Ok(map) => vec![("$".to_owned(), map)],
            Err(found) => {
                problems.extend(found);
                Vec::new()
            }
        };
    }
    if object.get("format").and_then(Value::as_str) != Some(FORMAT) {
        problems.push(problem(
            crate::package_code::NOT_A_PACKAGE,
            "$.format".to_owned(),
            format!("the format is {}, not \"{FORMAT}\"", object["format"]),
            "export the package from Duet, or set format to \"duet.maps\"",
        ));
    }
    match object.get("version").and_then(Value::as_u64) {
        Some(VERSION) => {}
        _ => problems.push(problem(
            crate::package_code::NOT_A_PACKAGE,
            "$.version".to_owned(),
            format!(
                "the package version is {}, and this Duet reads version {VERSION}",
                object.get("version").unwrap_or(&Value::Null)
            ),
            "export the package again with this version of Duet",
        )),
    }
    let Some(items) = object.get("maps").and_then(Value::as_array) else {
        problems.push(problem(
            crate::package_code::NOT_A_PACKAGE,
            "$.maps".to_owned(),
            "the package has no list of maps".to_owned(),
            "put the maps in a JSON array named maps",
        ));
        return Vec::new();
    };
    let mut maps = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let prefix = format!("$.maps[{index}]");
        match parse_map(item, &prefix) {
            Ok(map) => maps.push((prefix, map)),
            Err(found) => problems.extend(found),
        }
    }
    maps
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::package_code;
    use crate::templates;
    use crate::validate::code;
    use serde_json::json;

    /// The demo map, which passes every check as it is.
    fn clean() -> TableMap {
        TableMap::customers()
    }

    fn stored(maps: &[TableMap]) -> Vec<(String, Value)> {
        maps.iter()
            .map(|map| (map.name.clone(), serde_json::to_value(map).expect("json")))
            .collect()
    }

    fn codes_and_paths(plan: &ImportPlan) -> Vec<(&str, &str)> {
        plan.problems
            .iter()
            .map(|found| (found.code, found.path.as_str()))
            .collect()
    }

    #[test]
    fn export_brings_lookup_targets_along_in_start_order() {
        let all = templates();
        let with_lookups = all
            .iter()
            .find(|map| {
                map.lookup_targets()
                    .iter()
                    .any(|target| *target != map.name)
            })
            .expect("a template with a lookup into another map");
        let package = export(&all, std::slice::from_ref(&with_lookups.name)).expect("export");
        assert_eq!(package.format, "duet.maps");
        assert_eq!(package.version, 1);
        let names: Vec<&str> = package.maps.iter().map(|map| map.name.as_str()).collect();
        assert!(names.len() > 1, "{names:?}");
        for target in with_lookups.lookup_targets() {
            if all.iter().any(|map| map.name == target) {
                let target_at = names
                    .iter()
                    .position(|name| *name == target)
                    .expect("target");
                let map_at = names.iter().position(|name| *name == with_lookups.name);
                assert!(target == with_lookups.name || Some(target_at) < map_at);
            }
        }
        assert_eq!(
            export(&all, &["nope".to_owned()]),
            Err(PackageError::UnknownMap("nope".to_owned()))
        );
    }

    #[test]
    fn an_exported_package_imports_cleanly_into_an_empty_directory_and_is_unchanged_after() {
        let all = templates();
        let package = serde_json::to_value(export(&all, &[]).expect("export")).expect("json");
        let plan = check_import(&package, &[], false);
        assert!(plan.can_import(), "{:#?}", plan.problems);
        assert_eq!(plan.added.len(), all.len());
        let again = check_import(&package, &stored(&plan.maps), false);
        assert!(again.can_import());
        assert_eq!(again.unchanged.len(), all.len());
        assert_eq!(again.to_write().count(), 0);
    }

    #[test]
    fn the_demo_map_exports_and_imports_cleanly() {
        // GIVEN a package exported from a directory holding the demo map.
        let customers = TableMap::customers();
        let package = export(std::slice::from_ref(&customers), &[]).expect("export");
        let document = serde_json::to_value(&package).expect("json");
        // WHEN it is imported into an empty directory, and again into the one it came from.
        let plan = check_import(&document, &[], false);
        let again = check_import(&document, &stored(std::slice::from_ref(&customers)), false);
        // THEN the first import adds it unchanged and the second leaves it alone.
        assert!(plan.can_import(), "{:#?}", plan.problems);
        assert_eq!(plan.added, ["customers"]);
        assert_eq!(plan.maps, [customers]);
        assert!(again.can_import(), "{:#?}", again.problems);
        assert_eq!(again.unchanged, ["customers"]);
        assert_eq!(again.to_write().count(), 0);
    }

    #[test]
    fn every_shape_problem_is_reported_with_its_path() {
        let mut customers = serde_json::to_value(clean()).expect("json");
        customers["fields"][3]["direction"] = json!("<>");
        customers["fields"][1]["financeOperations"] = json!(42);
        customers["filterDataverse"] = json!("name eq");
        let broken = json!({"name": "broken", "title": 7, "fields": []});
        let package = json!({"format": "duet.maps", "version": 1, "maps": [
            serde_json::to_value(clean()).expect("json"),
            customers,
            broken,
            "not a map",
        ]});
        let plan = check_import(&package, &[], false);
        assert!(!plan.can_import());
        let found = codes_and_paths(&plan);
        assert!(
            found.contains(&(
                package_code::WRONG_SHAPE,
                "$.maps[1].fields[1].financeOperations"
            )),
            "{found:?}"
        );
        assert!(
            found.contains(&(
                package_code::UNKNOWN_DIRECTION,
                "$.maps[1].fields[3].direction"
            )),
            "{found:?}"
        );
        assert!(
            found.contains(&(package_code::WRONG_SHAPE, "$.maps[2].title")),
            "{found:?}"
        );
        assert!(
            found.contains(&(package_code::WRONG_SHAPE, "$.maps[3]")),
            "{found:?}"
        );
        // The second map's filter is checked although its fields do not parse.
        assert!(
            found.contains(&(code::FILTER_SYNTAX, "$.maps[1].filterDataverse")),
            "{found:?}"
        );
        assert_eq!(plan.maps.len(), 1);
        assert!(
            plan.problems
                .iter()
                .all(|found| found.path.starts_with("$.maps["))
        );
        assert!(plan.problems.iter().all(|found| !found.fix.is_empty()));
    }

    #[test]
    fn validation_codes_come_back_under_the_map_path() {
        let mut customers = serde_json::to_value(clean()).expect("json");
        customers["filterDataverse"] = json!("name eq");
        customers["fields"][2]["direction"] = json!(">");
        let package = json!({"format": "duet.maps", "version": 1, "maps": [customers]});
        let plan = check_import(&package, &[], false);
        let found = codes_and_paths(&plan);
        assert!(
            found.contains(&(code::FILTER_SYNTAX, "$.maps[0].filterDataverse")),
            "{found:?}"
        );
        assert!(!plan.can_import());
    }

    #[test]
    fn a_different_map_of_the_same_name_conflicts_unless_replaced() {
        let mut existing = clean();
        existing.title = "Customers as they are".to_owned();
        let package = json!({"format": "duet.maps", "version": 1,
            "maps": [serde_json::to_value(clean()).expect("json")]});
        let plan = check_import(&package, &stored(&[existing.clone()]), false);
        assert_eq!(
            codes_and_paths(&plan),
            [(package_code::CONFLICT, "$.maps[0].name")]
        );
        let plan = check_import(&package, &stored(&[existing]), true);
        assert!(plan.can_import());
        assert_eq!(plan.replaced, ["customers"]);
        assert_eq!(plan.to_write().count(), 1);
    }

    #[test]
    fn the_envelope_is_checked_and_duplicates_are_named() {
        let plan = check_import(&json!([1, 2]), &[], false);
        assert_eq!(codes_and_paths(&plan), [(package_code::NOT_A_PACKAGE, "$")]);
        let plan = check_import(&json!({"format": "other", "version": 2}), &[], false);
        assert_eq!(
            codes_and_paths(&plan),
            [
                (package_code::NOT_A_PACKAGE, "$.format"),
                (package_code::NOT_A_PACKAGE, "$.version"),
                (package_code::NOT_A_PACKAGE, "$.maps"),
            ]
        );
        let customers = serde_json::to_value(clean()).expect("json");
        let plan = check_import(
            &json!({"format": "duet.maps", "version": 1, "maps": [customers, customers]}),
            &[],
            false,
        );
        assert_eq!(
            codes_and_paths(&plan),
            [(package_code::DUPLICATE_NAME, "$.maps[1].name")]
        );
    }

    #[test]
    fn a_single_map_is_checked_at_the_root_and_symbols_are_read_as_directions() {
        let mut customers = serde_json::to_value(clean()).expect("json");
        customers["fields"][1]["direction"] = json!("=");
        let plan = check_import(&customers, &[], false);
        assert!(plan.can_import(), "{:?}", plan.problems);
        customers["fields"][1]["direction"] = json!("=>");
        let plan = check_import(&customers, &[], false);
        assert_eq!(
            codes_and_paths(&plan),
            [(package_code::UNKNOWN_DIRECTION, "$.fields[1].direction")]
        );
    }

    #[test]
    fn an_unresolved_lookup_is_reported_and_resolves_against_existing_maps() {
        let all = templates();
        let map = all
            .iter()
            .find(|map| {
                map.fields.iter().any(|field| {
                    field
                        .lookup
                        .as_ref()
                        .is_some_and(|lookup| lookup.target_map != map.name)
                })
            })
            .expect("a template with a declared lookup");
        let package = json!({"format": "duet.maps", "version": 1,
            "maps": [serde_json::to_value(map).expect("json")]});
        let plan = check_import(&package, &[], false);
        assert!(
            plan.problems
                .iter()
                .any(|found| found.code == code::UNRESOLVED_LOOKUP
                    && found.path.starts_with("$.maps[0].fields["))
        );
        let others: Vec<TableMap> = all
            .iter()
            .filter(|other| other.name != map.name)
            .cloned()
            .collect();
        let plan = check_import(&package, &stored(&others), false);
        assert!(plan.can_import(), "{:?}", plan.problems);
    }
}
