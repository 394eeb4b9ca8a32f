//! Validation across a set of maps: every lookup resolves to a map of the set, by a column
//! of that map's key.

use std::collections::HashMap;

use super::{Problem, code, problem};
use crate::map::TableMap;
use crate::schema::Schema;

/// Validates a set of maps together: each map on its own, and every lookup against the maps
/// in the set. Each problem comes with the name of its map.
pub fn validate_all(maps: &[TableMap]) -> Vec<(String, Problem)> {
    let by_name: HashMap<&str, &TableMap> =
        maps.iter().map(|map| (map.name.as_str(), map)).collect();
    maps.iter()
        .flat_map(|map| {
            map.validate(None)
                .into_iter()
                .chain(lookup_problems(map, &by_name))
                .map(|problem| (map.name.clone(), problem))
        })
        .collect()
}

/// Validates one map as the product runs it: on its own, with the two tables' columns when
/// `schema` is known, and its lookups against `others` (the other stored maps).
pub fn validate_with(map: &TableMap, others: &[TableMap], schema: Option<&Schema>) -> Vec<Problem> {
    let mut by_name: HashMap<&str, &TableMap> = others
        .iter()
        .map(|other| (other.name.as_str(), other))
        .collect();
    by_name.insert(map.name.as_str(), map);
    let mut problems = map.validate(schema);
    problems.extend(lookup_problems(map, &by_name));
    problems
}

fn lookup_problems(map: &TableMap, by_name: &HashMap<&str, &TableMap>) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (index, field) in map.fields.iter().enumerate() {
        let Some(lookup) = &field.lookup else {
            continue;
        };
        let path = format!("$.fields[{index}].lookup.targetMap");
        let Some(target) = by_name.get(lookup.target_map.as_str()) else {
            problems.push(problem(
                code::UNRESOLVED_LOOKUP,
                path,
                format!("no map is named '{}'", lookup.target_map),
                "add the target map (the template gallery offers it), or correct its name",
            ));
            continue;
        };
        // A dotted path names the column of the target that identifies the row; it must
        // be part of the target's key or the lookup cannot be resolved to one row.
        // Polymorphic paths name a column per table and are left to the engine.
        let column = field
            .dataverse
            .as_deref()
            .filter(|path| !path.contains('('))
            .and_then(|path| path.rsplit_once('.'))
            .map(|(_, column)| column)
            .filter(|column| !target.key.dataverse.iter().any(|key| key == column));
        if let Some(column) = column {
            problems.push(problem(
                code::UNRESOLVED_LOOKUP,
                path,
                format!("'{column}' is not a key column of map '{}'", target.name),
                "look the row up by the target map's integration key",
            ));
        }
    }
    problems
}
