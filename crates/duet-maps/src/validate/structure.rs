//! The checks a map needs nothing else for: its key, each field's sides, transforms and
//! lookups, number sequences and the syntax of its source filters.

use std::collections::{HashMap, HashSet};

use super::{Problem, code, column, is_two_way, problem, side_key, targets};
use crate::filter::{dataverse, finance_operations};
use crate::map::{FieldMapping, Side, TableMap};
use crate::transform::{MAX_DECIMALS, Transform};

impl TableMap {
    pub(super) fn check_key(&self, problems: &mut Vec<Problem>) {
        let (fo, dv) = (&self.key.finance_operations, &self.key.dataverse);
        if fo.is_empty() || dv.is_empty() || fo.len() != dv.len() {
            problems.push(problem(
                code::MISSING_KEY,
                "$.key".to_owned(),
                format!(
                    "the integration key has {} finance and operations and {} Dataverse fields",
                    fo.len(),
                    dv.len()
                ),
                "name the fields that identify a row, the same number on each side, in order",
            ));
        }
        for side in [Side::FinanceOperations, Side::Dataverse] {
            for (index, name) in self.key_fields(side).iter().enumerate() {
                let path = format!("$.key.{}[{index}]", side_key(side));
                match self.mapping_of(side, name) {
                    None => problems.push(problem(
                        code::KEY_NOT_MAPPED,
                        path,
                        format!("key field '{name}' has no field mapping"),
                        "add a field mapping for every key field",
                    )),
                    Some((field_index, field))
                        if side == Side::FinanceOperations
                            && self.is_multi_mastered()
                            && !is_two_way(field.direction) =>
                    {
                        problems.push(problem(
                            code::KEY_NOT_TWO_WAY,
                            format!("$.fields[{field_index}].direction"),
                            format!(
                                "key field '{name}' flows '{}' in a map with two-way fields",
                                field.direction.symbol()
                            ),
                            "map key fields with '=' when any field of the map is two-way",
                        ));
                    }
                    Some(_) => {}
                }
            }
        }
    }

    pub(super) fn check_fields(&self, problems: &mut Vec<Problem>) {
        let mut written: HashMap<(Side, String), usize> = HashMap::new();
        for (index, field) in self.fields.iter().enumerate() {
            let path = format!("$.fields[{index}]");
            self.check_sides(index, field, problems);
            if let Some(transform) = &field.transform {
                if is_two_way(field.direction) && !transform.round_trips() {
                    problems.push(problem(
                        code::ONE_WAY_TRANSFORM,
                        format!("{path}.transform"),
                        format!(
                            "a {} transform does not give back the original value, but the field flows '{}'",
                            transform.kind(),
                            field.direction.symbol()
                        ),
                        "make the field one-way ('>' or '<'), or use a transform that round-trips",
                    ));
                }
                check_transform_settings(&path, transform, problems);
            }
            self.check_lookup(index, field, problems);
            for side in [Side::FinanceOperations, Side::Dataverse] {
                for target in targets(field, side) {
                    let slot = (side, target.to_ascii_lowercase());
                    if let Some(first) = written.get(&slot) {
                        problems.push(problem(
                            code::DUPLICATE_TARGET,
                            path.clone(),
                            format!(
                                "'{target}' on the {} side is already written by $.fields[{first}]",
                                side_key(side)
                            ),
                            "remove one of the two mappings, or send one to another column",
                        ));
                    } else {
                        written.insert(slot, index);
                    }
                }
            }
        }
    }

    fn check_sides(&self, index: usize, field: &FieldMapping, problems: &mut Vec<Problem>) {
        for from in [Side::FinanceOperations, Side::Dataverse] {
            if !field.direction.flows_from(from) {
                continue;
            }
            let concatenated_from = match &field.transform {
                Some(Transform::Concatenate { from: joined, .. }) => Some(*joined),
                _ => None,
            };
            let writes_constant = matches!(
                field.transform,
                Some(Transform::Default { .. } | Transform::Constant { .. })
            );
            let source_missing = column(field, from).is_none()
                && !writes_constant
                && concatenated_from != Some(from);
            let target_missing =
                column(field, from.other()).is_none() && concatenated_from != Some(from.other());
            if source_missing || target_missing {
                let missing = if source_missing { from } else { from.other() };
                problems.push(problem(
                    code::FIELD_SIDE_MISSING,
                    format!("$.fields[{index}].{}", side_key(missing)),
                    format!(
                        "the field flows '{}' but names no {} column",
                        field.direction.symbol(),
                        side_key(missing)
                    ),
                    "name the column, or change the direction to one that does not use it",
                ));
                return;
            }
        }
    }

    fn check_lookup(&self, index: usize, field: &FieldMapping, problems: &mut Vec<Problem>) {
        let path = format!("$.fields[{index}].lookup");
        let mut unresolved = |message: String, fix: &str| {
            problems.push(problem(code::UNRESOLVED_LOOKUP, path.clone(), message, fix));
        };
        let dotted = field
            .dataverse
            .as_deref()
            .is_some_and(|name| name.contains('.') && !name.contains('('));
        match &field.lookup {
            None if dotted => unresolved(
                format!(
                    "'{}' is a lookup path but names no target map",
                    field.dataverse.as_deref().unwrap_or_default()
                ),
                "set lookup.targetMap to the map that owns the looked-up table",
            ),
            None => {}
            Some(lookup) if lookup.target_map.trim().is_empty() => unresolved(
                "the lookup's target map is empty".to_owned(),
                "set lookup.targetMap to the map that owns the looked-up table",
            ),
            Some(lookup) if lookup.self_reference != (lookup.target_map == self.name) => {
                unresolved(
                    format!(
                        "the lookup targets '{}' but selfReference is {}",
                        lookup.target_map, lookup.self_reference
                    ),
                    "set selfReference exactly when the target map is this map",
                )
            }
            Some(_) => {}
        }
        if let Some(Transform::LookupByName { target_map, .. }) = &field.transform {
            let declared = field.lookup.as_ref().map(|lookup| &lookup.target_map);
            if target_map.trim().is_empty() || declared.is_some_and(|map| map != target_map) {
                problems.push(problem(
                    code::UNRESOLVED_LOOKUP,
                    format!("$.fields[{index}].transform.targetMap"),
                    format!("lookup by name targets '{target_map}', which does not match the field's lookup"),
                    "name the same target map in the transform and in lookup.targetMap",
                ));
            }
        }
    }

    pub(super) fn check_number_sequences(&self, problems: &mut Vec<Problem>) {
        let key_two_way = self.key.finance_operations.iter().any(|name| {
            self.mapping_of(Side::FinanceOperations, name)
                .is_some_and(|(_, field)| is_two_way(field.direction))
        });
        if !key_two_way || self.key_entered_by_hand {
            return;
        }
        if let Some(ranges) = &self.number_sequence_ranges {
            check_ranges(ranges, problems);
            if self.number_sequence_prefixes.is_none() {
                return;
            }
        }
        match &self.number_sequence_prefixes {
            None => problems.push(problem(
                code::NUMBER_SEQUENCE_OVERLAP,
                "$.numberSequencePrefixes".to_owned(),
                "both sides create rows, and their number sequences may hand out the same key"
                    .to_owned(),
                "give each side its own key prefix, or mark the key as entered by hand",
            )),
            Some(prefixes) => {
                let (fo, dv) = (
                    prefixes.finance_operations.to_lowercase(),
                    prefixes.dataverse.to_lowercase(),
                );
                if fo.is_empty() || dv.is_empty() || fo.starts_with(&dv) || dv.starts_with(&fo) {
                    problems.push(problem(
                        code::NUMBER_SEQUENCE_OVERLAP,
                        "$.numberSequencePrefixes".to_owned(),
                        format!("prefixes '{fo}' and '{dv}' can produce the same key"),
                        "use two non-empty prefixes where neither starts the other",
                    ));
                }
            }
        }
    }

    pub(super) fn check_filters(&self, problems: &mut Vec<Problem>) {
        let finance_operations = self
            .filter_finance_operations
            .as_deref()
            .map(finance_operations::parse);
        if let Some(Err(error)) = finance_operations {
            problems.push(problem(
                code::FILTER_SYNTAX,
                "$.filterFinanceOperations".to_owned(),
                error.to_string(),
                "write a query range such as ((PartyType == \"Organization\"))",
            ));
        }
        if let Some(Err(error)) = self.filter_dataverse.as_deref().map(dataverse::parse) {
            problems.push(problem(
                code::FILTER_SYNTAX,
                "$.filterDataverse".to_owned(),
                error.to_string(),
                "write an OData $filter such as customertypecode eq 3",
            ));
        }
    }
}

fn check_transform_settings(path: &str, transform: &Transform, problems: &mut Vec<Problem>) {
    let mut malformed = |message: String, fix: &str| {
        problems.push(problem(
            code::MALFORMED_TRANSFORM,
            format!("{path}.transform"),
            message,
            fix,
        ));
    };
    match transform {
        Transform::ValueMap { pairs } => {
            let members: HashSet<&str> = pairs.iter().map(|(member, _)| member.as_str()).collect();
            let options: HashSet<String> =
                pairs.iter().map(|(_, value)| value.to_string()).collect();
            if pairs.is_empty() || members.len() != pairs.len() || options.len() != pairs.len() {
                malformed(
                    "the value map is empty or pairs a member or option twice".to_owned(),
                    "pair each enum member with exactly one option value",
                );
            }
        }
        Transform::Concatenate {
            fields, separator, ..
        } if fields.is_empty() || separator.is_empty() => malformed(
            "concatenation needs fields and a non-empty separator".to_owned(),
            "list the fields to join and the text between them",
        ),
        Transform::NumberFormat { decimals, .. } if *decimals > MAX_DECIMALS => malformed(
            format!("{decimals} decimals is more than Dataverse keeps ({MAX_DECIMALS})"),
            "round to at most ten decimals",
        ),
        Transform::LookupByName {
            target_map,
            name_column,
        } if target_map.trim().is_empty() || name_column.trim().is_empty() => malformed(
            "lookup by name needs a target map and a name column".to_owned(),
            "name the map of the referenced rows and the column that holds their name",
        ),
        _ => {}
    }
}

/// Ranges keep created keys apart only when each is a real range and they do not meet.
fn check_ranges(ranges: &crate::map::NumberSequenceRanges, problems: &mut Vec<Problem>) {
    let sides = [
        ("financeOperations", &ranges.finance_operations),
        ("dataverse", &ranges.dataverse),
    ];
    for (side, range) in sides {
        if !range.is_ordered() {
            problems.push(problem(
                code::NUMBER_SEQUENCE_OVERLAP,
                format!("$.numberSequenceRanges.{side}"),
                format!(
                    "the range '{}' to '{}' is empty or its ends differ in length",
                    range.from, range.to
                ),
                "write both ends in the key's format, the first no later than the last",
            ));
        }
    }
    if ranges.finance_operations.overlaps(&ranges.dataverse) {
        problems.push(problem(
            code::NUMBER_SEQUENCE_OVERLAP,
            "$.numberSequenceRanges".to_owned(),
            format!(
                "ranges '{}'–'{}' and '{}'–'{}' share keys",
                ranges.finance_operations.from,
                ranges.finance_operations.to,
                ranges.dataverse.from,
                ranges.dataverse.to
            ),
            "give each side a range the other does not reach",
        ));
    }
}
