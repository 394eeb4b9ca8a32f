//! Whether both sides of a map hold the same rows: the check that ends a setup scenario and
//! that an admin can run after any sync.

use std::collections::{BTreeMap, HashMap};

use duet_connect::{ConnectError, DataverseClient, FinOpsClient};
use duet_maps::{Row, Side, TableMap, same_values};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Examples kept per kind of difference; the counts are always complete.
const EXAMPLES: usize = 20;

/// How the two sides of a map compare, over the link's companies.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Agreement {
    pub map: String,
    pub finance_operations_rows: usize,
    pub dataverse_rows: usize,
    /// Rows on both sides with the same mapped values.
    pub matched: usize,
    pub missing_in_dataverse: usize,
    pub missing_in_finance_operations: usize,
    pub differing: usize,
    /// Dataverse rows with no company of the link, which the map cannot sync.
    pub without_company: usize,
    /// Up to 20 keys of each kind of difference, as `kind: key`.
    pub examples: Vec<String>,
}

impl Agreement {
    pub fn agrees(&self) -> bool {
        self.missing_in_dataverse == 0
            && self.missing_in_finance_operations == 0
            && self.differing == 0
    }

    fn example(&mut self, kind: &str, key: &str) {
        if self.examples.len() < EXAMPLES * 3 {
            self.examples.push(format!("{kind}: {key}"));
        }
    }
}

/// Reads every row of the map on both sides (for `companies`) and compares them by
/// integration key and mapped values.
pub async fn compare(
    finops: &FinOpsClient,
    dataverse: &DataverseClient,
    map: &TableMap,
    companies: &[String],
) -> Result<Agreement, ConnectError> {
    let in_link = |code: &str| companies.iter().any(|c| c.eq_ignore_ascii_case(code));
    let mut agreement = Agreement {
        map: map.name.clone(),
        ..Agreement::default()
    };

    let finops_rows = finops
        .query(&map.finance_operations_entity, &[("cross-company", "true")])
        .await?;
    let mut expected: BTreeMap<String, Row> = BTreeMap::new();
    for row in &finops_rows {
        let Ok(key) = map.key_of_finance_operations(row) else {
            continue;
        };
        if key.company.as_deref().is_some_and(|code| !in_link(code)) {
            continue;
        }
        if let Ok(payload) = map.transform(Side::FinanceOperations, row) {
            expected.insert(key.to_string(), payload);
        }
    }
    agreement.finance_operations_rows = expected.len();

    let codes = company_codes(dataverse, map).await?;
    let mut dataverse_rows = dataverse.query(&map.dataverse_entity_set, &[]).await?;
    resolve_self_references(map, &mut dataverse_rows);
    let mut seen: BTreeMap<String, Row> = BTreeMap::new();
    for row in &dataverse_rows {
        let company = map.company.as_ref().and_then(|striping| {
            let id = row
                .get(&format!("_{}_value", striping.dataverse_lookup))?
                .as_str()?;
            codes.get(&id.to_lowercase()).cloned()
        });
        let Ok(key) = map.key_of_dataverse(row, company.as_deref()) else {
            agreement.without_company += 1;
            continue;
        };
        if key.company.as_deref().is_some_and(|code| !in_link(code)) {
            continue;
        }
        seen.insert(key.to_string(), row.clone());
    }
    agreement.dataverse_rows = seen.len();

    compare_rows(&mut agreement, &expected, &seen);
    for key in seen.keys().filter(|key| !expected.contains_key(*key)) {
        agreement.missing_in_finance_operations += 1;
        agreement.example("missing in finance and operations", key);
    }
    Ok(agreement)
}

/// Dataverse company ids (lower case) and their codes, for a company-striped map.
async fn company_codes(
    dataverse: &DataverseClient,
    map: &TableMap,
) -> Result<HashMap<String, String>, ConnectError> {
    Ok(match &map.company {
        Some(striping) => dataverse
            .query(
                &striping.company_entity_set,
                &[(
                    "$select",
                    &format!("cdm_companyid,{}", striping.company_code_column),
                )],
            )
            .await?
            .iter()
            .filter_map(|row| {
                let id = row.get("cdm_companyid")?.as_str()?.to_lowercase();
                let code = row.get(&striping.company_code_column)?.as_str()?;
                Some((id, code.to_uppercase()))
            })
            .collect(),
        None => HashMap::new(),
    })
}

/// Counts the rows finance and operations expects in Dataverse as matched, differing or missing.
fn compare_rows(
    agreement: &mut Agreement,
    expected: &BTreeMap<String, Row>,
    seen: &BTreeMap<String, Row>,
) {
    for (key, payload) in expected {
        match seen.get(key) {
            None => {
                agreement.missing_in_dataverse += 1;
                agreement.example("missing in Dataverse", key);
            }
            Some(row) if same_values(payload, row) => agreement.matched += 1,
            Some(row) => {
                agreement.differing += 1;
                let fields: Vec<&str> = payload
                    .iter()
                    .filter(|(name, value)| {
                        duet_maps::normalize(value)
                            != duet_maps::normalize(row.get(*name).unwrap_or(&Value::Null))
                    })
                    .map(|(name, _)| name.as_str())
                    .collect();
                agreement.example("differs", &format!("{key} ({})", fields.join(", ")));
            }
        }
    }
}

/// Sets each self-reference path (`msdyn_billingaccount.accountnumber`) of the Dataverse rows
/// from the lookup's id, by the key column of the row it points at among the same rows, so
/// that they compare with the finance and operations value (the key of the referenced row).
fn resolve_self_references(map: &TableMap, rows: &mut [Row]) {
    let fields = map.self_reference_fields();
    if fields.is_empty() {
        return;
    }
    let by_id: HashMap<String, Row> = rows
        .iter()
        .filter_map(|row| {
            let id = row.get(&map.dataverse_id)?.as_str()?;
            Some((id.to_lowercase(), row.clone()))
        })
        .collect();
    for row in rows.iter_mut() {
        for field in &fields {
            let value = match row.get(&field.value_property()) {
                Some(Value::String(id)) => by_id
                    .get(&id.to_lowercase())
                    .and_then(|target| target.get(&field.column))
                    .cloned()
                    .unwrap_or(Value::Null),
                _ => Value::Null,
            };
            row.insert(field.path.clone(), value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use duet_maps::{FieldDirection, FieldMapping, Lookup};
    use serde_json::json;

    #[test]
    fn self_references_read_as_the_key_of_the_row_they_point_at() {
        // GIVEN the demo map with invoice accounts, and accounts billed to each other, to
        // nothing, and to an id that is not among the rows.
        let mut map = TableMap::customers();
        map.fields.push(FieldMapping {
            finance_operations: Some("InvoiceAccount".to_owned()),
            direction: FieldDirection::TwoWay,
            dataverse: Some("msdyn_billingaccount.accountnumber".to_owned()),
            transform: None,
            note: None,
            null_policy: None,
            lookup: Some(Lookup {
                target_map: "customers".to_owned(),
                self_reference: true,
            }),
        });
        let mut rows: Vec<Row> = [
            json!({"accountid": "a1", "accountnumber": "C1", "_msdyn_billingaccount_value": "A2"}),
            json!({"accountid": "a2", "accountnumber": "C2", "_msdyn_billingaccount_value": null}),
            json!({"accountid": "a3", "accountnumber": "C3", "_msdyn_billingaccount_value": "gone"}),
        ]
        .into_iter()
        .map(|row| row.as_object().cloned().unwrap())
        .collect();
        // WHEN they are resolved for comparison.
        resolve_self_references(&map, &mut rows);
        // THEN each carries the referenced account number (ids compare without case), or null.
        let path = "msdyn_billingaccount.accountnumber";
        assert_eq!(rows[0][path], "C2");
        assert_eq!(rows[1][path], Value::Null);
        assert_eq!(
            rows[2][path],
            Value::Null,
            "a reference outside the rows cannot equal a key, so the row differs"
        );
    }
}
