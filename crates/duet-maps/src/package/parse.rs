//! Reading maps from JSON: one map, or a package envelope and its maps, with a problem and
//! its JSON path for every value of the wrong shape.

use serde_json::Value;

use super::{FORMAT, VERSION, problem};
use crate::map::{FieldMapping, TableMap};
use crate::validate::Problem;

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
pub(super) fn under(prefix: &str, mut problem: Problem) -> Problem {
    problem.path = match problem.path.strip_prefix('$') {
        Some(rest) => format!("{prefix}{rest}"),
        None => format!("{prefix}.{}", problem.path),
    };
    problem
}

/// Parses the maps of a package (or a single map when the document has no `format`),
/// reporting shape problems. Each map comes with its path prefix.
pub(super) fn parse_document(
    document: &Value,
    problems: &mut Vec<Problem>,
) -> Vec<(String, TableMap)> {
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
