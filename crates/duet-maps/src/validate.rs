//! Map validation: the mistakes dual-write refuses at activation time, found before a map
//! runs, each with a stable code, the JSON path of the offending part and a suggested fix.

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::Serialize;
use serde_json::Value;

use crate::filter::{dataverse, finance_operations};
use crate::map::{FieldDirection, FieldMapping, Side, TableMap};
use crate::schema::{ColumnType, Schema};
use crate::transform::{MAX_DECIMALS, Transform};

/// The stable problem codes. They never change meaning, so the UI and documentation can
/// refer to them.
pub mod code {
    /// The integration key is empty on a side, or the sides have different lengths.
    pub const MISSING_KEY: &str = "DW-V001";
    /// A key field has no field mapping on its side.
    pub const KEY_NOT_MAPPED: &str = "DW-V002";
    /// A map with two-way fields maps a key field one way only.
    pub const KEY_NOT_TWO_WAY: &str = "DW-V003";
    /// A mandatory destination column receives no value and no default.
    pub const MANDATORY_UNMAPPED: &str = "DW-V004";
    /// A field writes into a column the destination refuses to write.
    pub const READ_ONLY_MAPPED: &str = "DW-V005";
    /// The two columns of a field hold different types and no transform converts them.
    pub const TYPE_MISMATCH: &str = "DW-V006";
    /// Two fields write the same destination column.
    pub const DUPLICATE_TARGET: &str = "DW-V007";
    /// One side is company-specific and the other is not, or the key and striping disagree.
    pub const COMPANY_MISMATCH: &str = "DW-V008";
    /// A value map leaves enum members or option values without a pair.
    pub const VALUE_MAP_INCOMPLETE: &str = "DW-V009";
    /// A transform that loses information sits on a field that flows both ways.
    pub const ONE_WAY_TRANSFORM: &str = "DW-V010";
    /// Both sides create rows and nothing keeps their new keys apart.
    pub const NUMBER_SEQUENCE_OVERLAP: &str = "DW-V011";
    /// A lookup names no map, a missing map, or a column that is not the target's key.
    pub const UNRESOLVED_LOOKUP: &str = "DW-V012";
    /// A source filter does not parse.
    pub const FILTER_SYNTAX: &str = "DW-V013";
    /// A transform's own settings make no sense (no fields, ambiguous value map, ...).
    pub const MALFORMED_TRANSFORM: &str = "DW-V014";
    /// A field's direction reads or writes a side the field does not name.
    pub const FIELD_SIDE_MISSING: &str = "DW-V015";
    /// A field names a finance and operations field or Dataverse column its table does not have.
    pub const UNKNOWN_COLUMN: &str = "DW-V016";
}

/// One thing wrong with a map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub code: &'static str,
    /// JSON path into the map as stored, such as `$.fields[3].transform`.
    pub path: String,
    pub message: String,
    pub fix: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "{} at {}: {} ({})",
            self.code, self.path, self.message, self.fix
        )
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

fn side_key(side: Side) -> &'static str {
    side.as_str()
}

fn is_two_way(direction: FieldDirection) -> bool {
    matches!(
        direction,
        FieldDirection::TwoWay | FieldDirection::TwoWayTransform
    )
}

/// The mapping's own column on `side`.
fn column(field: &FieldMapping, side: Side) -> Option<&str> {
    match side {
        Side::FinanceOperations => field.finance_operations.as_deref(),
        Side::Dataverse => field.dataverse.as_deref(),
    }
}

/// The columns a field writes on `side` when the other side changes.
pub(crate) fn targets(field: &FieldMapping, side: Side) -> Vec<&str> {
    if !field.direction.flows_from(side.other()) {
        return Vec::new();
    }
    match &field.transform {
        Some(Transform::Concatenate {
            from,
            fields,
            split,
            ..
        }) if *from == side => {
            if split.is_some() {
                fields.iter().map(String::as_str).collect()
            } else {
                Vec::new()
            }
        }
        _ => column(field, side).into_iter().collect(),
    }
}

impl TableMap {
    /// Everything wrong with this map on its own; with a schema, also what the two tables'
    /// columns rule out. An empty list means the map can run.
    pub fn validate(&self, schema: Option<&Schema>) -> Vec<Problem> {
        let mut problems = Vec::new();
        self.check_key(&mut problems);
        self.check_fields(&mut problems);
        self.check_company(schema, &mut problems);
        self.check_number_sequences(&mut problems);
        self.check_filters(&mut problems);
        if let Some(schema) = schema {
            self.check_schema(schema, &mut problems);
        }
        problems
    }

    fn key_fields(&self, side: Side) -> &[String] {
        match side {
            Side::FinanceOperations => &self.key.finance_operations,
            Side::Dataverse => &self.key.dataverse,
        }
    }

    /// The index and mapping of the field that maps `name` on `side`.
    fn mapping_of(&self, side: Side, name: &str) -> Option<(usize, &FieldMapping)> {
        self.fields
            .iter()
            .enumerate()
            .find(|(_, field)| column(field, side) == Some(name))
    }

    fn is_multi_mastered(&self) -> bool {
        self.fields.iter().any(|field| is_two_way(field.direction))
    }

    fn check_key(&self, problems: &mut Vec<Problem>) {
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

    fn check_fields(&self, problems: &mut Vec<Problem>) {
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

    fn check_company(&self, schema: Option<&Schema>, problems: &mut Vec<Problem>) {
        let mismatch = |message: String, fix: &str| {
            problem(code::COMPANY_MISMATCH, "$.company".to_owned(), message, fix)
        };
        let names_company = |name: &String| {
            let lower = name.to_ascii_lowercase();
            lower == "dataareaid"
                || lower.starts_with("msdyn_company")
                || lower.ends_with(".cdm_companycode")
        };
        match &self.company {
            Some(striping) => {
                let parts = [
                    &striping.finance_operations_field,
                    &striping.dataverse_lookup,
                    &striping.company_entity_set,
                    &striping.company_code_column,
                ];
                if parts.iter().any(|part| part.trim().is_empty()) {
                    problems.push(mismatch(
                        "company striping leaves a column empty".to_owned(),
                        "fill in dataAreaId, the company lookup, cdm_companies and cdm_companycode",
                    ));
                }
                if self
                    .key
                    .finance_operations
                    .iter()
                    .chain(&self.key.dataverse)
                    .any(names_company)
                {
                    problems.push(mismatch(
                        "the key names the company although striping already adds it".to_owned(),
                        "remove the company from the key; striping makes it part of every key",
                    ));
                }
                if let Some(schema) = schema {
                    let fo_lacks = !schema.finance_operations.is_empty()
                        && schema
                            .column(Side::FinanceOperations, &striping.finance_operations_field)
                            .is_none();
                    let dv_lacks = !schema.dataverse.is_empty()
                        && schema
                            .column(Side::Dataverse, &striping.dataverse_lookup)
                            .is_none();
                    if fo_lacks || dv_lacks {
                        let side = if fo_lacks {
                            "finance and operations entity"
                        } else {
                            "Dataverse table"
                        };
                        problems.push(mismatch(
                            format!("the map is company-specific but the {side} is cross-company"),
                            "make both sides company-specific, or remove the company striping",
                        ));
                    }
                }
            }
            None => {
                if self
                    .key
                    .finance_operations
                    .iter()
                    .chain(&self.key.dataverse)
                    .any(names_company)
                {
                    problems.push(mismatch(
                        "the key names a company but the map is cross-company".to_owned(),
                        "add company striping and take the company out of the key",
                    ));
                } else if let Some(schema) = schema {
                    let fo = schema
                        .column(Side::FinanceOperations, "dataAreaId")
                        .is_some();
                    let dv = schema.column(Side::Dataverse, "msdyn_company").is_some();
                    if fo || dv {
                        problems.push(mismatch(
                            "a side is company-specific but the map has no company striping"
                                .to_owned(),
                            "add company striping so rows of different companies stay apart",
                        ));
                    }
                }
            }
        }
    }

    fn check_number_sequences(&self, problems: &mut Vec<Problem>) {
        let key_two_way = self.key.finance_operations.iter().any(|name| {
            self.mapping_of(Side::FinanceOperations, name)
                .is_some_and(|(_, field)| is_two_way(field.direction))
        });
        if !key_two_way || self.key_entered_by_hand {
            return;
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

    fn check_filters(&self, problems: &mut Vec<Problem>) {
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

    fn check_schema(&self, schema: &Schema, problems: &mut Vec<Problem>) {
        for side in [Side::FinanceOperations, Side::Dataverse] {
            self.check_mandatory(schema, side, problems);
        }
        for (index, field) in self.fields.iter().enumerate() {
            self.check_columns_exist(index, field, schema, problems);
            for side in [Side::FinanceOperations, Side::Dataverse] {
                for target in targets(field, side) {
                    if schema
                        .column(side, target)
                        .is_some_and(|column| column.read_only)
                    {
                        problems.push(problem(
                            code::READ_ONLY_MAPPED,
                            format!("$.fields[{index}].{}", side_key(side)),
                            format!("'{target}' is read-only on the {} side", side_key(side)),
                            "make the field flow only away from this side, or map another column",
                        ));
                    }
                }
            }
            check_types(index, field, schema, problems);
        }
    }

    /// Every column a field names exists in its table. A side the schema lists no columns for
    /// is not checked: the schema does not describe it.
    fn check_columns_exist(
        &self,
        index: usize,
        field: &FieldMapping,
        schema: &Schema,
        problems: &mut Vec<Problem>,
    ) {
        let mut named: Vec<(Side, String, &str)> = Vec::new();
        for side in [Side::FinanceOperations, Side::Dataverse] {
            if let Some(name) = column(field, side) {
                named.push((side, format!("$.fields[{index}].{}", side_key(side)), name));
            }
        }
        if let Some(Transform::Concatenate { from, fields, .. }) = &field.transform {
            named.extend(fields.iter().enumerate().map(|(position, name)| {
                (
                    *from,
                    format!("$.fields[{index}].transform.fields[{position}]"),
                    name.as_str(),
                )
            }));
        }
        for (side, path, name) in named {
            let columns = schema.columns(side);
            let own = table_column(side, name);
            if columns.is_empty() || own.is_empty() || schema.column(side, own).is_some() {
                continue;
            }
            let (kind, table) = match side {
                Side::FinanceOperations => (
                    "finance and operations entity",
                    self.finance_operations_entity.as_str(),
                ),
                Side::Dataverse => ("Dataverse table", self.dataverse_entity_set.as_str()),
            };
            let looked_up = if own == name {
                String::new()
            } else {
                format!(" (the lookup column of '{name}')")
            };
            let fix = match closest(own, columns.iter().map(|column| column.name.as_str())) {
                Some(suggestion) => format!(
                    "did you mean '{suggestion}'? Correct the name, or add the column to {table}"
                ),
                None => format!(
                    "name a column {table} has, or add the column to {table} (no existing name is close)"
                ),
            };
            problems.push(Problem {
                code: code::UNKNOWN_COLUMN,
                path,
                message: format!("'{own}'{looked_up} is not a column of {kind} '{table}'"),
                fix,
            });
        }
    }

    fn check_mandatory(&self, schema: &Schema, side: Side, problems: &mut Vec<Problem>) {
        let exempt: Vec<&str> = self
            .key_fields(side)
            .iter()
            .map(String::as_str)
            .chain(self.company.as_ref().map(|striping| match side {
                Side::FinanceOperations => striping.finance_operations_field.as_str(),
                Side::Dataverse => striping.dataverse_lookup.as_str(),
            }))
            .chain((side == Side::Dataverse).then_some(self.dataverse_id.as_str()))
            .collect();
        let written: HashSet<String> = self
            .fields
            .iter()
            .flat_map(|field| targets(field, side))
            .map(str::to_ascii_lowercase)
            .collect();
        for column in schema
            .columns(side)
            .iter()
            .filter(|column| column.mandatory)
        {
            let name = column.name.as_str();
            if exempt
                .iter()
                .any(|exempt| exempt.eq_ignore_ascii_case(name))
                || written.contains(&name.to_ascii_lowercase())
            {
                continue;
            }
            problems.push(problem(
                code::MANDATORY_UNMAPPED,
                "$.fields".to_owned(),
                format!(
                    "mandatory {} column '{name}' receives no value",
                    side_key(side)
                ),
                "map a field into it, or add one with a default transform",
            ));
        }
    }
}

/// The column of `side`'s table a field name stands for: a Dataverse lookup path such as
/// `msdyn_company.cdm_companycode` or `customerid.Account(accountnumber)` names the lookup
/// column before the first dot.
fn table_column(side: Side, name: &str) -> &str {
    match side {
        Side::Dataverse => name.split('.').next().unwrap_or(name).trim(),
        Side::FinanceOperations => name.trim(),
    }
}

/// The existing name closest to `name` by edit distance (ignoring case), when it is close
/// enough to be a likely typo: at most a third of the longer name's length, and at least two
/// edits are always allowed.
fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let wanted = name.to_lowercase();
    candidates
        .map(|candidate| (edit_distance(&wanted, &candidate.to_lowercase()), candidate))
        .filter(|(distance, candidate)| {
            let longer = wanted.chars().count().max(candidate.chars().count());
            *distance <= (longer / 3).max(2)
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance: the fewest single-character insertions, deletions and
/// substitutions that turn `a` into `b`.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, left) in a.chars().enumerate() {
        let mut current = Vec::with_capacity(b.len() + 1);
        current.push(i + 1);
        for (j, right) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(left != *right);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
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

/// The option text a value-map value stands for, as schema members spell it.
fn option_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn check_types(index: usize, field: &FieldMapping, schema: &Schema, problems: &mut Vec<Problem>) {
    let path = format!("$.fields[{index}]");
    let fo = field
        .finance_operations
        .as_deref()
        .and_then(|name| schema.column(Side::FinanceOperations, name));
    let dv = field
        .dataverse
        .as_deref()
        .and_then(|name| schema.column(Side::Dataverse, name));
    if let Some(Transform::ValueMap { pairs }) = &field.transform {
        let mut missing: Vec<String> = Vec::new();
        if let Some(fo) = fo {
            missing.extend(
                fo.members
                    .iter()
                    .filter(|member| !pairs.iter().any(|(name, _)| name == *member))
                    .cloned(),
            );
        }
        if let Some(dv) = dv {
            missing.extend(
                dv.members
                    .iter()
                    .filter(|member| {
                        !pairs
                            .iter()
                            .any(|(_, value)| option_text(value) == **member)
                    })
                    .cloned(),
            );
        }
        if !missing.is_empty() {
            problems.push(problem(
                code::VALUE_MAP_INCOMPLETE,
                format!("{path}.transform"),
                format!("no pair for {}", missing.join(", ")),
                "add a pair for every enum member and option value",
            ));
        }
    }
    let (Some(fo), Some(dv)) = (fo, dv) else {
        return;
    };
    let (a, b) = (fo.column_type, dv.column_type);
    let fits = match &field.transform {
        None => a.copies_to(b),
        Some(Transform::ValueMap { .. })
        | Some(Transform::Default { .. })
        | Some(Transform::Constant { .. }) => true,
        Some(Transform::Case { .. }) | Some(Transform::Trim) => {
            a == ColumnType::Text && b == ColumnType::Text
        }
        Some(Transform::NumberFormat { .. }) => a.is_number() && b.is_number(),
        Some(Transform::DateFormat { .. }) => a.is_date() && b.is_date(),
        Some(Transform::LookupByName { .. }) => {
            a == ColumnType::Text && matches!(b, ColumnType::Lookup | ColumnType::Text)
        }
        Some(Transform::Concatenate { from, .. }) => match from {
            Side::FinanceOperations => b == ColumnType::Text,
            Side::Dataverse => a == ColumnType::Text,
        },
    };
    if !fits {
        problems.push(problem(
            code::TYPE_MISMATCH,
            path,
            format!("'{}' is {a:?} and '{}' is {b:?}", fo.name, dv.name),
            "map columns of the same type, or add a transform that converts between them",
        ));
    }
}

/// Validates a set of maps together: each map on its own, and every lookup against the maps
/// in the set. Each problem comes with the name of its map.
pub fn validate_all(maps: &[TableMap]) -> Vec<(String, Problem)> {
    let by_name: HashMap<&str, &TableMap> =
        maps.iter().map(|map| (map.name.as_str(), map)).collect();
    let mut problems = Vec::new();
    for map in maps {
        problems.extend(
            map.validate(None)
                .into_iter()
                .map(|problem| (map.name.clone(), problem)),
        );
        for (index, field) in map.fields.iter().enumerate() {
            let Some(lookup) = &field.lookup else {
                continue;
            };
            let path = format!("$.fields[{index}].lookup.targetMap");
            let Some(target) = by_name.get(lookup.target_map.as_str()) else {
                problems.push((
                    map.name.clone(),
                    problem(
                        code::UNRESOLVED_LOOKUP,
                        path,
                        format!("no map is named '{}'", lookup.target_map),
                        "add the target map, or correct its name",
                    ),
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
                problems.push((
                    map.name.clone(),
                    problem(
                        code::UNRESOLVED_LOOKUP,
                        path,
                        format!("'{column}' is not a key column of map '{}'", target.name),
                        "look the row up by the target map's integration key",
                    ),
                ));
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_single_character_edits() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("name", "name"), 0);
        assert_eq!(edit_distance("emailaddres1", "emailaddress1"), 1);
    }

    #[test]
    fn closest_suggests_only_likely_typos() {
        let names = ["name", "emailaddress1", "telephone1"];
        assert_eq!(
            closest("emailadress1", names.into_iter()),
            Some("emailaddress1")
        );
        assert_eq!(closest("TELEPHONE2", names.into_iter()), Some("telephone1"));
        assert_eq!(closest("msdyn_region", names.into_iter()), None);
    }

    #[test]
    fn lookup_paths_name_their_lookup_column() {
        assert_eq!(
            table_column(Side::Dataverse, "msdyn_company.cdm_companycode"),
            "msdyn_company"
        );
        assert_eq!(
            table_column(Side::Dataverse, "customerid.Account(accountnumber)"),
            "customerid"
        );
        assert_eq!(
            table_column(Side::FinanceOperations, "InvoiceAccount"),
            "InvoiceAccount"
        );
    }
}
