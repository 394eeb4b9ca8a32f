//! Company striping checks: a company-specific map keeps companies out of its key, and both
//! sides agree on whether rows belong to a company.

use super::{Problem, code, problem};
use crate::map::{CompanyStriping, Side, TableMap};
use crate::schema::Schema;

impl TableMap {
    pub(super) fn check_company(&self, schema: Option<&Schema>, problems: &mut Vec<Problem>) {
        match &self.company {
            Some(striping) => self.check_striping(striping, schema, problems),
            None => self.check_cross_company(schema, problems),
        }
    }

    /// A company-specific map: striping names all its columns, the key leaves the company
    /// to striping, and (with a schema) both tables have the striping columns.
    fn check_striping(
        &self,
        striping: &CompanyStriping,
        schema: Option<&Schema>,
        problems: &mut Vec<Problem>,
    ) {
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
        if self.key_names_company() {
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

    /// A cross-company map: its key names no company and (with a schema) neither table
    /// has a company column.
    fn check_cross_company(&self, schema: Option<&Schema>, problems: &mut Vec<Problem>) {
        if self.key_names_company() {
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
                    "a side is company-specific but the map has no company striping".to_owned(),
                    "add company striping so rows of different companies stay apart",
                ));
            }
        }
    }

    fn key_names_company(&self) -> bool {
        self.key
            .finance_operations
            .iter()
            .chain(&self.key.dataverse)
            .any(|name| names_company(name))
    }
}

/// Whether a key field is the company itself: `dataAreaId` in finance and operations, the
/// company lookup or a path to its company code in Dataverse.
fn names_company(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "dataareaid"
        || lower.starts_with("msdyn_company")
        || lower.ends_with(".cdm_companycode")
}

fn mismatch(message: String, fix: &str) -> Problem {
    problem(code::COMPANY_MISMATCH, "$.company".to_owned(), message, fix)
}
