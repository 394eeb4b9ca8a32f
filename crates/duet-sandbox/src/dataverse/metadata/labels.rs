//! The small shapes every metadata item is made of: stable `MetadataId`s, labels in one
//! language, managed properties, and the display names of tables and columns.

use serde_json::{Value, json};

/// The only language the emulator has labels in.
const LANGUAGE: i64 = 1033;

/// A stable id for a metadata item, so repeated reads and restarts agree (`MetadataId`).
pub(crate) fn metadata_id(parts: &[&str]) -> String {
    // FNV-1a over the parts, spread into 128 bits; stable across runs and platforms.
    let mut a: u64 = 0xcbf2_9ce4_8422_2325;
    let mut b: u64 = 0x8422_2325_cbf2_9ce4;
    for p in parts {
        for byte in p.bytes().chain(std::iter::once(0)) {
            a = (a ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
            b = (b ^ u64::from(byte))
                .wrapping_mul(0x0000_0100_0000_01b3)
                .rotate_left(7);
        }
    }
    uuid::Uuid::from_u64_pair(a, b).to_string()
}

/// The languages a request asked labels in (`LabelLanguages=1033`); all when unset.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Languages(pub(crate) Option<i64>);

impl Languages {
    fn includes(self, code: i64) -> bool {
        self.0.is_none_or(|wanted| wanted == code)
    }
}

/// A `Label` in the emulator's one language, or the empty label when the request asked for
/// another language. `owner` makes the label's `MetadataId` stable.
pub(crate) fn label(text: &str, languages: Languages, owner: &[&str]) -> Value {
    if !languages.includes(LANGUAGE) || text.is_empty() {
        return json!({"LocalizedLabels": [], "UserLocalizedLabel": null});
    }
    let mut parts = owner.to_vec();
    parts.push(text);
    let localized = json!({
        "Label": text,
        "LanguageCode": LANGUAGE,
        "IsManaged": true,
        "MetadataId": metadata_id(&parts),
        "HasChanged": null,
    });
    json!({"LocalizedLabels": [localized.clone()], "UserLocalizedLabel": localized})
}

/// A managed property: a setting and whether a customizer may change it.
pub(crate) fn managed(value: bool, can_be_changed: bool, logical_name: &str) -> Value {
    json!({
        "Value": value,
        "CanBeChanged": can_be_changed,
        "ManagedPropertyLogicalName": logical_name,
    })
}

/// Display names of the catalog's tables: singular and collection.
const TABLE_NAMES: &[(&str, &str, &str)] = &[
    ("account", "Account", "Accounts"),
    ("contact", "Contact", "Contacts"),
    ("lead", "Lead", "Leads"),
    ("product", "Product", "Products"),
    ("invoice", "Invoice", "Invoices"),
    ("invoicedetail", "Invoice Product", "Invoice Products"),
    ("salesorder", "Order", "Orders"),
    ("salesorderdetail", "Order Product", "Order Products"),
    ("quote", "Quote", "Quotes"),
    ("transactioncurrency", "Currency", "Currencies"),
    ("uom", "Unit", "Units"),
    ("cdm_company", "Company", "Companies"),
    ("cdm_job", "Job", "Jobs"),
    ("cdm_worker", "Worker", "Workers"),
    (
        "msdyn_chartofaccounts",
        "Chart of Accounts",
        "Charts of Accounts",
    ),
    ("msdyn_customergroup", "Customer Group", "Customer Groups"),
    (
        "msdyn_customerpaymentmethod",
        "Customer Payment Method",
        "Customer Payment Methods",
    ),
    (
        "msdyn_exchangeratetype",
        "Exchange Rate Type",
        "Exchange Rate Types",
    ),
    ("msdyn_globalproduct", "Global Product", "Global Products"),
    ("msdyn_nameaffix", "Name Affix", "Name Affixes"),
    (
        "msdyn_operationalsite",
        "Operational Site",
        "Operational Sites",
    ),
    ("msdyn_paymentday", "Payment Day", "Payment Days"),
    (
        "msdyn_paymentschedule",
        "Payment Schedule",
        "Payment Schedules",
    ),
    ("msdyn_paymentterm", "Payment Term", "Payment Terms"),
    (
        "msdyn_pricecustomergroup",
        "Price Customer Group",
        "Price Customer Groups",
    ),
    (
        "msdyn_salesorderorigin",
        "Sales Order Origin",
        "Sales Order Origins",
    ),
    (
        "msdyn_sharedproductdetail",
        "Product Detail",
        "Product Details",
    ),
    ("msdyn_shipvia", "Mode of Delivery", "Modes of Delivery"),
    ("msdyn_taxcode", "Sales Tax Code", "Sales Tax Codes"),
    ("msdyn_taxgroup", "Sales Tax Group", "Sales Tax Groups"),
    (
        "msdyn_termsofdelivery",
        "Terms of Delivery",
        "Terms of Delivery",
    ),
    ("msdyn_vendor", "Vendor", "Vendors"),
    ("msdyn_vendorgroup", "Vendor Group", "Vendor Groups"),
    (
        "msdyn_vendorpaymentmethod",
        "Vendor Payment Method",
        "Vendor Payment Methods",
    ),
    ("msdyn_warehouse", "Warehouse", "Warehouses"),
];

/// A table's display name and collection name.
pub(crate) fn table_names(logical: &str) -> (String, String) {
    match TABLE_NAMES.iter().find(|(l, _, _)| *l == logical) {
        Some((_, one, many)) => ((*one).to_string(), (*many).to_string()),
        None => {
            let one = humanize(logical);
            let many = format!("{one}s");
            (one, many)
        }
    }
}

/// Display names of the system columns, as Dataverse labels them.
const COLUMN_NAMES: &[(&str, &str)] = &[
    ("createdon", "Created On"),
    ("modifiedon", "Modified On"),
    ("createdby", "Created By"),
    ("modifiedby", "Modified By"),
    ("createdonbehalfby", "Created By (Delegate)"),
    ("modifiedonbehalfby", "Modified By (Delegate)"),
    ("ownerid", "Owner"),
    ("owningbusinessunit", "Owning Business Unit"),
    ("owninguser", "Owning User"),
    ("owningteam", "Owning Team"),
    ("organizationid", "Organization"),
    ("statecode", "Status"),
    ("statuscode", "Status Reason"),
    ("versionnumber", "Version Number"),
    ("overriddencreatedon", "Record Created On"),
    ("importsequencenumber", "Import Sequence Number"),
    ("timezoneruleversionnumber", "Time Zone Rule Version Number"),
    ("utcconversiontimezonecode", "UTC Conversion Time Zone Code"),
    ("exchangerate", "Exchange Rate"),
    ("transactioncurrencyid", "Currency"),
];

/// A column's display name: Dataverse's for system columns, else one made from its name.
pub(crate) fn column_name(logical: &str) -> String {
    COLUMN_NAMES
        .iter()
        .find(|(l, _)| *l == logical)
        .map_or_else(|| humanize(logical), |(_, name)| (*name).to_string())
}

/// `msdyn_paymentterm` → `Paymentterm`: the name without its publisher prefix, capitalised.
fn humanize(logical: &str) -> String {
    let bare = logical
        .strip_prefix("msdyn_")
        .or_else(|| logical.strip_prefix("cdm_"))
        .unwrap_or(logical);
    let mut chars = bare.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_follow_the_requested_language() {
        let all = label("Account", Languages::default(), &["account"]);
        assert_eq!(all["UserLocalizedLabel"]["Label"], "Account");
        assert_eq!(all["LocalizedLabels"][0]["LanguageCode"], 1033);
        let german = label("Account", Languages(Some(1031)), &["account"]);
        assert_eq!(german["LocalizedLabels"], json!([]));
        assert!(german["UserLocalizedLabel"].is_null());
        assert_eq!(metadata_id(&["a"]), metadata_id(&["a"]), "ids are stable");
        assert_eq!(column_name("msdyn_paymentterm"), "Paymentterm");
    }
}
