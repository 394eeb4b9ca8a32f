//! The demo map the engine, API and UI run: Customers V3 ↔ accounts.

use serde_json::Value;

use super::{
    CompanyStriping, FieldDirection, FieldMapping, IntegrationKey, NumberSequencePrefixes, Side,
    TableMap,
};
use crate::transform::Transform;

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
            number_sequence_ranges: None,
            key_entered_by_hand: false,
            note: None,
        }
    }
}
