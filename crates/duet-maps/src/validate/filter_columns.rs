//! Source filters checked against the table's columns: a filter that names a column the
//! table lacks parses, but matches nothing (or fails when the service reads it), so it is
//! reported at its position with the closest existing name.

use super::suggest::closest;
use super::{Problem, code};
use crate::filter::{dataverse, finance_operations};
use crate::map::{Side, TableMap};
use crate::schema::Schema;

/// A column a filter names that its table does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownFilterColumn {
    pub name: String,
    /// 1-based character position of its first mention in the filter text.
    pub position: usize,
    pub suggestion: Option<String>,
}

impl UnknownFilterColumn {
    pub fn message(&self, table: &str) -> String {
        format!(
            "'{}' at position {} is not a column of '{table}'",
            self.name, self.position
        )
    }

    pub fn fix(&self) -> String {
        match &self.suggestion {
            Some(name) => format!("did you mean '{name}'?"),
            None => "name a column of the table (the list beside the filter shows them)".to_owned(),
        }
    }
}

fn is_word(character: char) -> bool {
    character.is_alphanumeric() || character == '_'
}

/// The 1-based character position of the first whole-word mention of `name` in `text`.
fn position_of(text: &str, name: &str) -> Option<usize> {
    let characters: Vec<char> = text.chars().collect();
    let wanted: Vec<char> = name.chars().collect();
    (0..characters.len()).find_map(|start| {
        let end = start + wanted.len();
        let matches = end <= characters.len()
            && characters[start..end]
                .iter()
                .zip(&wanted)
                .all(|(a, b)| a.eq_ignore_ascii_case(b));
        let bounded = (start == 0 || !is_word(characters[start - 1]))
            && characters.get(end).is_none_or(|next| !is_word(*next));
        (matches && bounded).then_some(start + 1)
    })
}

/// The column a Dataverse path starts at: a lookup's navigation property or its
/// `_<name>_value` form both stand for the lookup column.
fn dataverse_column(segment: &str) -> &str {
    segment
        .strip_prefix('_')
        .and_then(|rest| rest.strip_suffix("_value"))
        .unwrap_or(segment)
}

/// The first column `text` (a `side` filter) names that the schema's table lacks; none when
/// the filter does not parse (that is its own problem) or the schema lists no columns.
pub fn unknown_filter_column(
    side: Side,
    text: &str,
    schema: &Schema,
) -> Option<UnknownFilterColumn> {
    let columns = schema.columns(side);
    if columns.is_empty() {
        return None;
    }
    let names: Vec<String> = match side {
        Side::FinanceOperations => finance_operations::parse(text)
            .ok()?
            .fields()
            .into_iter()
            .map(str::to_owned)
            .collect(),
        Side::Dataverse => dataverse::parse(text)
            .ok()?
            .columns()
            .into_iter()
            .filter_map(|path| path.segments.first())
            .cloned()
            .collect(),
    };
    names.into_iter().find_map(|name| {
        let column = match side {
            Side::FinanceOperations => name.as_str(),
            Side::Dataverse => dataverse_column(&name),
        };
        if schema.column(side, column).is_some() {
            return None;
        }
        Some(UnknownFilterColumn {
            position: position_of(text, &name).unwrap_or(1),
            suggestion: closest(column, columns.iter().map(|c| c.name.as_str())).map(str::to_owned),
            name,
        })
    })
}

impl TableMap {
    pub(super) fn check_filter_columns(&self, schema: &Schema, problems: &mut Vec<Problem>) {
        let filters = [
            (
                Side::FinanceOperations,
                self.filter_finance_operations.as_deref(),
                "$.filterFinanceOperations",
                self.finance_operations_entity.as_str(),
            ),
            (
                Side::Dataverse,
                self.filter_dataverse.as_deref(),
                "$.filterDataverse",
                self.dataverse_entity_set.as_str(),
            ),
        ];
        for (side, text, path, table) in filters {
            let Some(unknown) = text.and_then(|text| unknown_filter_column(side, text, schema))
            else {
                continue;
            };
            problems.push(Problem {
                code: code::UNKNOWN_COLUMN,
                path: path.to_owned(),
                message: unknown.message(table),
                fix: unknown.fix(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Column, ColumnType};

    fn column(name: &str) -> Column {
        Column {
            name: name.to_owned(),
            column_type: ColumnType::Text,
            mandatory: false,
            read_only: false,
            members: Vec::new(),
            labels: Vec::new(),
        }
    }

    #[test]
    fn a_misspelled_column_is_found_at_its_position_with_a_suggestion() {
        // GIVEN a table's columns on both sides.
        let schema = Schema {
            finance_operations: vec![column("CreditLimit"), column("PartyType")],
            dataverse: vec![column("name"), column("msdyn_company")],
        };
        // WHEN filters name a column the table lacks.
        let fo = unknown_filter_column(
            Side::FinanceOperations,
            "((PartyType == \"Person\") && (CreditLimt > 5))",
            &schema,
        )
        .expect("CreditLimt is not a column");
        let dv = unknown_filter_column(Side::Dataverse, "nmae eq 'x'", &schema).unwrap();
        // THEN each is found where it is written, with the close name.
        assert_eq!((fo.name.as_str(), fo.position), ("CreditLimt", 30));
        assert_eq!(fo.suggestion.as_deref(), Some("CreditLimit"));
        assert_eq!((dv.position, dv.suggestion.as_deref()), (1, Some("name")));
        assert_eq!(
            unknown_filter_column(
                Side::Dataverse,
                "_msdyn_company_value ne null and name eq 'x'",
                &schema
            ),
            None,
            "a lookup's value form names the lookup column"
        );
        assert_eq!(
            unknown_filter_column(Side::Dataverse, "name eq", &schema),
            None
        );
    }
}
