//! The table map model and its row transforms.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::transform::{self, NullPolicy, Transform};
use crate::value::Row;

/// One of the two environments in a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Side {
    FinanceOperations,
    Dataverse,
}

impl Side {
    pub fn other(self) -> Side {
        match self {
            Side::FinanceOperations => Side::Dataverse,
            Side::Dataverse => Side::FinanceOperations,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Side::FinanceOperations => "financeOperations",
            Side::Dataverse => "dataverse",
        }
    }
}

/// The six dual-write direction symbols.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FieldDirection {
    /// `=`: two-way, values copied as they are.
    #[serde(alias = "=")]
    TwoWay,
    /// `><`: two-way through a value map.
    #[serde(alias = "><")]
    TwoWayTransform,
    /// `>`: finance and operations to Dataverse only.
    #[serde(alias = ">")]
    ToDataverse,
    /// `<`: Dataverse to finance and operations only.
    #[serde(alias = "<")]
    ToFinanceOperations,
    /// `>>`: Dataverse receives a default; nothing is read from finance and operations.
    #[serde(alias = ">>")]
    DefaultToDataverse,
    /// `<<`: finance and operations receives a default; nothing is read from Dataverse.
    #[serde(alias = "<<")]
    DefaultToFinanceOperations,
}

impl FieldDirection {
    pub fn symbol(self) -> &'static str {
        match self {
            FieldDirection::TwoWay => "=",
            FieldDirection::TwoWayTransform => "><",
            FieldDirection::ToDataverse => ">",
            FieldDirection::ToFinanceOperations => "<",
            FieldDirection::DefaultToDataverse => ">>",
            FieldDirection::DefaultToFinanceOperations => "<<",
        }
    }

    /// Whether a change on `from` is written to the other side through this field.
    pub fn flows_from(self, from: Side) -> bool {
        match (self, from) {
            (FieldDirection::TwoWay | FieldDirection::TwoWayTransform, _) => true,
            (FieldDirection::ToDataverse | FieldDirection::DefaultToDataverse, side) => {
                side == Side::FinanceOperations
            }
            (
                FieldDirection::ToFinanceOperations | FieldDirection::DefaultToFinanceOperations,
                side,
            ) => side == Side::Dataverse,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldMapping {
    pub finance_operations: Option<String>,
    pub direction: FieldDirection,
    pub dataverse: Option<String>,
    pub transform: Option<Transform>,
    pub note: Option<String>,
    /// What the field writes when its source is null or empty; none keeps the null.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub null_policy: Option<NullPolicy>,
    /// The map that owns the row this field looks up, when the field is a lookup.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lookup: Option<Lookup>,
}

/// A lookup: the field's value identifies a row of another map (or of this one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Lookup {
    pub target_map: String,
    /// The row refers to a row of the same table, so rows are written in two passes: first
    /// without the lookup, then the lookup once every target exists.
    #[serde(default)]
    pub self_reference: bool,
}

/// Key prefixes that keep rows created on each side apart, because finance and operations
/// number sequences and Dataverse autonumbers are not connected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NumberSequencePrefixes {
    pub finance_operations: String,
    pub dataverse: String,
}

/// Company-specific rows: `dataAreaId` in finance and operations, a `cdm_company` lookup in
/// Dataverse addressed by its three-letter code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompanyStriping {
    pub finance_operations_field: String,
    pub dataverse_lookup: String,
    pub company_entity_set: String,
    pub company_code_column: String,
}

/// The integration key: the fields that identify the same row on both sides, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntegrationKey {
    pub finance_operations: Vec<String>,
    pub dataverse: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TableMap {
    pub name: String,
    pub title: String,
    pub finance_operations_entity: String,
    pub dataverse_table: String,
    pub dataverse_entity_set: String,
    pub dataverse_id: String,
    pub key: IntegrationKey,
    pub company: Option<CompanyStriping>,
    pub fields: Vec<FieldMapping>,
    /// The side whose change wins when both sides changed the same row before either change
    /// was applied.
    #[serde(default = "default_master")]
    pub master: Side,
    /// Query-range expression that selects the finance and operations rows to sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_finance_operations: Option<String>,
    /// OData `$filter` that selects the Dataverse rows to sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_dataverse: Option<String>,
    /// How keys created on each side stay distinct when both sides create rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_sequence_prefixes: Option<NumberSequencePrefixes>,
    /// Keys are codes people type (groups, terms), not numbers drawn from a sequence, so
    /// two sides cannot hand out the same key by accident.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub key_entered_by_hand: bool,
    /// What a reader of the map should know, such as fields a template leaves out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

fn default_master() -> Side {
    Side::FinanceOperations
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MapError {
    #[error("the {side} row has no value for key field '{field}'")]
    MissingKey { side: &'static str, field: String },
    #[error("value '{value}' of '{field}' has no entry in the value map")]
    UnmappedValue { field: String, value: String },
    #[error("value {value} of '{field}' is not {expected}")]
    InvalidValue {
        field: String,
        value: String,
        expected: &'static str,
    },
}

impl TableMap {
    /// The demo map: Customers V3 ↔ accounts, company-striped, keyed by account number.
    pub fn customers() -> TableMap {
        let two_way = |fo: &str, dv: &str| FieldMapping {
            finance_operations: Some(fo.to_owned()),
            direction: FieldDirection::TwoWay,
            dataverse: Some(dv.to_owned()),
            transform: None,
            note: None,
            null_policy: None,
            lookup: None,
        };
        TableMap {
            name: "customers".to_owned(),
            title: "Customers V3 ↔ accounts".to_owned(),
            finance_operations_entity: "CustomersV3".to_owned(),
            dataverse_table: "account".to_owned(),
            dataverse_entity_set: "accounts".to_owned(),
            dataverse_id: "accountid".to_owned(),
            key: IntegrationKey {
                finance_operations: vec!["CustomerAccount".to_owned()],
                dataverse: vec!["accountnumber".to_owned()],
            },
            company: Some(CompanyStriping {
                finance_operations_field: "dataAreaId".to_owned(),
                dataverse_lookup: "msdyn_company".to_owned(),
                company_entity_set: "cdm_companies".to_owned(),
                company_code_column: "cdm_companycode".to_owned(),
            }),
            fields: vec![
                FieldMapping {
                    note: Some("integration key".to_owned()),
                    ..two_way("CustomerAccount", "accountnumber")
                },
                two_way("OrganizationName", "name"),
                two_way("CreditLimit", "creditlimit"),
                two_way("PrimaryContactEmail", "emailaddress1"),
                two_way("PrimaryContactPhone", "telephone1"),
                two_way("SalesMemo", "description"),
                FieldMapping {
                    finance_operations: None,
                    direction: FieldDirection::DefaultToDataverse,
                    dataverse: Some("customertypecode".to_owned()),
                    transform: Some(Transform::Default {
                        value: Value::from(3),
                    }),
                    note: Some("customer type: Customer".to_owned()),
                    null_policy: None,
                    lookup: None,
                },
                FieldMapping {
                    finance_operations: Some("PartyType".to_owned()),
                    direction: FieldDirection::DefaultToFinanceOperations,
                    dataverse: None,
                    transform: Some(Transform::Default {
                        value: Value::from("Organization"),
                    }),
                    note: Some("party type of new customers".to_owned()),
                    null_policy: None,
                    lookup: None,
                },
            ],
            master: Side::FinanceOperations,
            filter_finance_operations: None,
            filter_dataverse: None,
            // Customers are created on both sides, and the finance and operations number
            // sequence and the Dataverse autonumber are not connected: each side numbers new
            // customers under its own prefix, as the standard template does.
            number_sequence_prefixes: Some(NumberSequencePrefixes {
                finance_operations: "FO-".to_owned(),
                dataverse: "CE-".to_owned(),
            }),
            key_entered_by_hand: false,
            note: None,
        }
    }

    /// The key of a finance and operations row: its company (when striped) and key values.
    pub fn key_of_finance_operations(&self, row: &Row) -> Result<RowKey, MapError> {
        let company = match &self.company {
            Some(striping) => Some(
                key_text(row, &striping.finance_operations_field)
                    .ok_or_else(|| MapError::MissingKey {
                        side: "finance and operations",
                        field: striping.finance_operations_field.clone(),
                    })?
                    .to_uppercase(),
            ),
            None => None,
        };
        let values = key_values(row, &self.key.finance_operations, "finance and operations")?;
        Ok(RowKey { company, values })
    }

    /// The key of a Dataverse row; the company code comes from the resolved company lookup.
    pub fn key_of_dataverse(&self, row: &Row, company: Option<&str>) -> Result<RowKey, MapError> {
        if let (Some(striping), None) = (&self.company, company) {
            return Err(MapError::MissingKey {
                side: "Dataverse",
                field: striping.dataverse_lookup.clone(),
            });
        }
        let values = key_values(row, &self.key.dataverse, "Dataverse")?;
        Ok(RowKey {
            company: company.map(str::to_uppercase),
            values,
        })
    }

    /// The properties a change on `from` writes to the other side, named as that side names them.
    pub fn transform(&self, from: Side, row: &Row) -> Result<Row, MapError> {
        let mut out = Row::new();
        for field in self
            .fields
            .iter()
            .filter(|field| field.direction.flows_from(from))
        {
            if let Some(Transform::Concatenate {
                from: joined_side,
                fields,
                separator,
                split,
            }) = &field.transform
            {
                self.concatenate(field, from, row, *joined_side, fields, separator, *split)
                    .into_iter()
                    .for_each(|(target, value)| {
                        out.insert(target, value);
                    });
                continue;
            }
            let (source, target) = match from {
                Side::FinanceOperations => (&field.finance_operations, &field.dataverse),
                Side::Dataverse => (&field.dataverse, &field.finance_operations),
            };
            let Some(target) = target else { continue };
            if self.is_key_field(from.other(), target) {
                continue;
            }
            let raw = match (&field.transform, source) {
                (Some(Transform::Default { value } | Transform::Constant { value }), _) => {
                    out.insert(target.clone(), value.clone());
                    continue;
                }
                (_, Some(source)) => row.get(source).cloned().unwrap_or(Value::Null),
                (_, None) => continue,
            };
            let source = source.as_deref().unwrap_or_default();
            // A null policy other than keeping the null decides before any transform runs,
            // so transforms never see a value the policy has already replaced.
            match (&field.null_policy, transform::is_absent(&raw)) {
                (Some(NullPolicy::Skip), true) => continue,
                (Some(NullPolicy::UseDefault { value }), true) => {
                    out.insert(target.clone(), value.clone());
                    continue;
                }
                _ => {}
            }
            let value = apply(field.transform.as_ref(), from, source, raw)?;
            out.insert(target.clone(), value);
        }
        Ok(out)
    }

    /// The writes of a concatenated field: the joined column one way, the split fields back.
    #[allow(clippy::too_many_arguments)]
    fn concatenate(
        &self,
        field: &FieldMapping,
        from: Side,
        row: &Row,
        joined_side: Side,
        fields: &[String],
        separator: &str,
        split: Option<transform::SplitRule>,
    ) -> Vec<(String, Value)> {
        let get = |name: &str| row.get(name).cloned().unwrap_or(Value::Null);
        if from == joined_side {
            let target = match from {
                Side::FinanceOperations => &field.dataverse,
                Side::Dataverse => &field.finance_operations,
            };
            let Some(target) = target
                .as_ref()
                .filter(|t| !self.is_key_field(from.other(), t))
            else {
                return Vec::new();
            };
            let parts: Vec<Value> = fields.iter().map(|name| get(name)).collect();
            let joined = transform::join(&parts, separator);
            return match (&field.null_policy, joined.is_null()) {
                (Some(NullPolicy::Skip), true) => Vec::new(),
                (Some(NullPolicy::UseDefault { value }), true) => {
                    vec![(target.clone(), value.clone())]
                }
                _ => vec![(target.clone(), joined)],
            };
        }
        let (Some(rule), Some(source)) = (
            split,
            match from {
                Side::FinanceOperations => &field.finance_operations,
                Side::Dataverse => &field.dataverse,
            },
        ) else {
            return Vec::new();
        };
        let parts = transform::split(&get(source), separator, fields.len(), rule);
        fields
            .iter()
            .cloned()
            .zip(parts)
            .filter(|(name, _)| !self.is_key_field(joined_side, name))
            .collect()
    }

    /// The mapped, non-key properties of a row on `side`: what Duet remembers as that side's state.
    pub fn projection(&self, side: Side, row: &Row) -> Row {
        self.fields
            .iter()
            .flat_map(|field| {
                let own = match side {
                    Side::FinanceOperations => field.finance_operations.as_ref(),
                    Side::Dataverse => field.dataverse.as_ref(),
                };
                // Joined fields are part of the side's state: a change to any of them
                // changes the joined column.
                let joined = match &field.transform {
                    Some(Transform::Concatenate { from, fields, .. }) if *from == side => {
                        fields.as_slice()
                    }
                    _ => &[],
                };
                own.into_iter().chain(joined)
            })
            .filter(|name| !self.is_key_field(side, name))
            .filter_map(|name| row.get(name).map(|value| (name.clone(), value.clone())))
            .collect()
    }

    fn is_key_field(&self, side: Side, name: &str) -> bool {
        let keys = match side {
            Side::FinanceOperations => &self.key.finance_operations,
            Side::Dataverse => &self.key.dataverse,
        };
        keys.iter().any(|key| key == name)
    }
}

/// A row's identity on both sides: company code (for striped maps) and key values in order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RowKey {
    pub company: Option<String>,
    pub values: Vec<String>,
}

impl std::fmt::Display for RowKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(company) = &self.company {
            write!(formatter, "{company}|")?;
        }
        write!(formatter, "{}", self.values.join("|"))
    }
}

fn key_text<'a>(row: &'a Row, field: &str) -> Option<&'a str> {
    row.get(field)
        .and_then(Value::as_str)
        .filter(|text| !text.is_empty())
}

fn key_values(row: &Row, fields: &[String], side: &'static str) -> Result<Vec<String>, MapError> {
    fields
        .iter()
        .map(|field| {
            key_text(row, field)
                .map(str::to_owned)
                .ok_or_else(|| MapError::MissingKey {
                    side,
                    field: field.clone(),
                })
        })
        .collect()
}

/// Applies a single-source transform to a value read from `from`.
fn apply(
    transform: Option<&Transform>,
    from: Side,
    field: &str,
    raw: Value,
) -> Result<Value, MapError> {
    match transform {
        None | Some(Transform::LookupByName { .. }) => Ok(raw),
        Some(Transform::ValueMap { pairs }) => map_value(pairs, from, field, &raw),
        Some(Transform::Default { value } | Transform::Constant { value }) => Ok(value.clone()),
        Some(Transform::Case { case }) => Ok(transform::change_case(&raw, *case)),
        Some(Transform::Trim) => Ok(transform::trim(&raw)),
        Some(Transform::NumberFormat { decimals, rounding }) => {
            transform::round(&raw, *decimals, *rounding, field)
        }
        Some(Transform::DateFormat {
            finance_operations,
            dataverse,
            null_date,
        }) => transform::convert_date(
            &raw,
            from,
            *finance_operations,
            *dataverse,
            *null_date,
            field,
        ),
        // Concatenation reads several fields and is handled before single-source transforms.
        Some(Transform::Concatenate { .. }) => Ok(raw),
    }
}

fn map_value(
    pairs: &[(String, Value)],
    from: Side,
    field: &str,
    raw: &Value,
) -> Result<Value, MapError> {
    if raw.is_null() {
        return Ok(Value::Null);
    }
    let found = match from {
        Side::FinanceOperations => pairs
            .iter()
            .find(|(member, _)| Some(member.as_str()) == raw.as_str())
            .map(|(_, option)| option.clone()),
        Side::Dataverse => pairs
            .iter()
            .find(|(_, option)| option == raw)
            .map(|(member, _)| Value::from(member.clone())),
    };
    found.ok_or_else(|| MapError::UnmappedValue {
        field: field.to_owned(),
        value: raw.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(value: Value) -> Row {
        value.as_object().cloned().expect("test rows are objects")
    }

    #[test]
    fn the_demo_map_validates_with_no_problems() {
        // GIVEN the demo map the engine, API and UI run.
        let map = TableMap::customers();
        // WHEN it is validated on its own and as a set.
        let alone = map.validate(None);
        let together = crate::validate_all(std::slice::from_ref(&map));
        // THEN nothing is reported: customers are created on both sides, and its
        // number-sequence prefixes keep their new account numbers apart.
        assert!(alone.is_empty(), "{alone:#?}");
        assert!(together.is_empty(), "{together:#?}");
        let prefixes = map
            .number_sequence_prefixes
            .as_ref()
            .expect("a multi-mastered map with sequence keys needs prefixes");
        assert!(
            !prefixes.finance_operations.starts_with(&prefixes.dataverse)
                && !prefixes.dataverse.starts_with(&prefixes.finance_operations),
            "{prefixes:?}"
        );
    }

    #[test]
    fn customer_becomes_account_without_key_columns() {
        // GIVEN a finance and operations customer.
        let map = TableMap::customers();
        let customer = row(json!({
            "dataAreaId": "dat", "CustomerAccount": "C0001", "OrganizationName": "Fabrikam",
            "CreditLimit": 1000, "PrimaryContactEmail": "a@fabrikam.example",
            "PrimaryContactPhone": "555", "SalesMemo": "", "PartyType": "Organization"
        }));
        // WHEN it is transformed for Dataverse.
        let account = map.transform(Side::FinanceOperations, &customer).unwrap();
        // THEN mapped columns and the default are present, and the key is left to the URL.
        assert_eq!(account["name"], "Fabrikam");
        assert_eq!(account["creditlimit"], 1000);
        assert_eq!(
            account["customertypecode"], 3,
            ">> fields write their default"
        );
        assert!(
            !account.contains_key("accountnumber"),
            "key columns travel in the alternate-key URL, not the body"
        );
        assert!(
            !account.contains_key("PartyType"),
            "<< fields never flow to Dataverse"
        );
        assert_eq!(
            map.key_of_finance_operations(&customer)
                .unwrap()
                .to_string(),
            "DAT|C0001",
            "company codes compare upper-case"
        );
    }

    #[test]
    fn account_becomes_customer_with_party_type_default() {
        let map = TableMap::customers();
        let account = row(
            json!({"accountnumber": "C0002", "name": "Contoso", "creditlimit": 5.5,
            "emailaddress1": null, "telephone1": null, "description": null, "customertypecode": 3}),
        );
        let customer = map.transform(Side::Dataverse, &account).unwrap();
        assert_eq!(customer["OrganizationName"], "Contoso");
        assert_eq!(customer["PartyType"], "Organization");
        assert!(
            !customer.contains_key("customertypecode"),
            "a Dataverse-only column has no finance and operations field"
        );
        let key = map.key_of_dataverse(&account, Some("usmf")).unwrap();
        assert_eq!(key.to_string(), "USMF|C0002");
    }

    #[test]
    fn striped_dataverse_row_without_company_is_refused() {
        let map = TableMap::customers();
        let account = row(json!({"accountnumber": "C0003"}));
        assert_eq!(
            map.key_of_dataverse(&account, None),
            Err(MapError::MissingKey {
                side: "Dataverse",
                field: "msdyn_company".to_owned()
            }),
            "a company-specific map cannot place a row without a company"
        );
    }

    #[test]
    fn missing_key_value_names_the_field() {
        let map = TableMap::customers();
        let customer = row(json!({"dataAreaId": "DAT", "CustomerAccount": ""}));
        let error = map.key_of_finance_operations(&customer).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the finance and operations row has no value for key field 'CustomerAccount'"
        );
    }

    #[test]
    fn value_maps_translate_both_ways_and_refuse_unknown_members() {
        let mut map = TableMap::customers();
        map.fields.push(FieldMapping {
            finance_operations: Some("OnHoldStatus".to_owned()),
            direction: FieldDirection::TwoWayTransform,
            dataverse: Some("msdyn_onholdstatus".to_owned()),
            transform: Some(Transform::ValueMap {
                pairs: vec![
                    ("No".to_owned(), json!(806380000)),
                    ("Invoice".to_owned(), json!(806380001)),
                ],
            }),
            note: None,
            null_policy: None,
            lookup: None,
        });
        let out = map
            .transform(
                Side::FinanceOperations,
                &row(json!({"OnHoldStatus": "Invoice"})),
            )
            .unwrap();
        assert_eq!(out["msdyn_onholdstatus"], 806380001);
        let back = map
            .transform(
                Side::Dataverse,
                &row(json!({"msdyn_onholdstatus": 806380000})),
            )
            .unwrap();
        assert_eq!(back["OnHoldStatus"], "No");
        let error = map
            .transform(
                Side::FinanceOperations,
                &row(json!({"OnHoldStatus": "All"})),
            )
            .unwrap_err();
        assert!(
            matches!(error, MapError::UnmappedValue { .. }),
            "an enum member without a pair must fail loudly, not write null"
        );
    }

    #[test]
    fn projection_keeps_mapped_non_key_fields_only() {
        let map = TableMap::customers();
        let account =
            row(json!({"accountid": "x", "accountnumber": "C1", "name": "N", "revenue": 9}));
        let projection = map.projection(Side::Dataverse, &account);
        assert_eq!(projection, row(json!({"name": "N"})));
    }

    #[test]
    fn direction_symbols_match_dual_write() {
        let symbols: Vec<_> = [
            FieldDirection::TwoWay,
            FieldDirection::TwoWayTransform,
            FieldDirection::ToDataverse,
            FieldDirection::ToFinanceOperations,
            FieldDirection::DefaultToDataverse,
            FieldDirection::DefaultToFinanceOperations,
        ]
        .into_iter()
        .map(FieldDirection::symbol)
        .collect();
        assert_eq!(symbols, ["=", "><", ">", "<", ">>", "<<"]);
    }
}
