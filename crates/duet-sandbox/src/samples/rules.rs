//! What the template sample rows are made of, entity by entity: the stems their keys are
//! built from, the fields that refer to rows of another entity, and the variants that make
//! some rows pass a standard map's source filter and others fail it.

use serde_json::{Value, json};

/// Key stems by F&O entity set. `AllProducts` and `CDSReleasedDistinctProducts` share one
/// stem because they list the same products.
const STEMS: &[(&str, &str)] = &[
    ("AllProducts", "PRD"),
    ("CDSReleasedDistinctProducts", "PRD"),
    ("ChartOfAccounts", "COA"),
    ("CustomerGroups", "CG"),
    ("CustomerPaymentMethods", "CPM"),
    ("CustomersV3", "CUS"),
    ("ExchangeRateTypes", "ERT"),
    ("Jobs", "JOB"),
    ("ModesOfDelivery", "MOD"),
    ("PaymentDaysCDS", "PD"),
    ("PaymentSchedules", "PS"),
    ("PaymentTerms", "PT"),
    ("PriceCustomerGroups", "PCG"),
    ("Prospects", "PRO"),
    ("ReleasedProductsV2", "ITM"),
    ("SalesInvoiceHeadersV2", "INV"),
    ("CDSSalesOrderHeaders", "SO"),
    ("SalesOrderOrigins", "ORI"),
    ("CDSSalesQuotationHeaders", "QUO"),
    ("SalesTaxCodes", "TC"),
    ("SalesTaxGroups", "TG"),
    ("OperationalSites", "SITE"),
    ("TermsOfDelivery", "TOD"),
    ("VendorGroups", "VG"),
    ("VendorPaymentMethods", "VPM"),
    ("VendorsV2", "VEN"),
    ("Warehouses", "WH"),
    ("Workers", "WRK"),
];

/// Dataverse tables whose own rows need a stem of their own: contacts and accounts both pair
/// with `CustomersV3`, so rows created in each must not end up with the same customer key.
const DATAVERSE_STEMS: &[(&str, &str)] = &[("contacts", "CON"), ("accounts", "ACC")];

/// Entities whose keys are real codes rather than numbered stems: F&O rows take the first
/// codes, rows created in Dataverse the ones after them.
const KEY_LISTS: &[(&str, &[&str])] = &[
    (
        "Currencies",
        &[
            "EUR", "USD", "GBP", "CAD", "JPY", "CHF", "SEK", "NOK", "DKK", "AUD", "NZD", "PLN",
        ],
    ),
    (
        "UnitsOfMeasure",
        &[
            "ea", "kg", "pcs", "box", "m", "l", "dz", "cm", "g", "mm", "ml", "set",
        ],
    ),
    (
        "NameAffixes",
        &[
            "Mr.", "Ms.", "Dr.", "Prof.", "Jr.", "Sr.", "Mx.", "Rev.", "Hon.", "Sir", "Dame", "III",
        ],
    ),
];

/// Dataverse tables whose rows carry the keys of F&O rows: products that were published to
/// Dataverse before, so sales order lines created there refer to products F&O has too.
pub(crate) const MIRRORED: &[&str] = &["products"];

/// The key stem of an F&O entity.
pub(crate) fn stem(entity: &str) -> &'static str {
    STEMS
        .iter()
        .find(|(name, _)| *name == entity)
        .map_or("ROW", |(_, stem)| stem)
}

/// The key stem of rows created in a Dataverse table paired with `entity`.
pub(crate) fn dataverse_stem(table: &str, entity: &str) -> &'static str {
    DATAVERSE_STEMS
        .iter()
        .find(|(name, _)| *name == table)
        .map_or_else(|| stem(entity), |(_, stem)| stem)
}

/// The real codes an entity's keys are drawn from, if it has a list.
pub(crate) fn key_list(entity: &str) -> Option<&'static [&'static str]> {
    KEY_LISTS
        .iter()
        .find(|(name, _)| *name == entity)
        .map(|(_, list)| *list)
}

/// An F&O field that holds the key of a row of another entity (or of its own).
pub(crate) struct Reference {
    pub(crate) entity: &'static str,
    pub(crate) field: &'static str,
    pub(crate) target: &'static str,
    pub(crate) target_field: &'static str,
    /// Only target rows with this field value qualify, e.g. customers synced as accounts.
    pub(crate) only: Option<(&'static str, &'static str)>,
}

const fn reference(
    entity: &'static str,
    field: &'static str,
    target: &'static str,
    target_field: &'static str,
) -> Reference {
    Reference {
        entity,
        field,
        target,
        target_field,
        only: None,
    }
}

const ORGANIZATION: Option<(&str, &str)> = Some(("PartyType", "Organization"));

/// Every lookup-like F&O field of the standard templates.
pub(crate) const REFERENCES: &[Reference] = &[
    reference(
        "CustomersV3",
        "SalesCurrencyCode",
        "Currencies",
        "CurrencyCode",
    ),
    reference(
        "CustomersV3",
        "CustomerGroupId",
        "CustomerGroups",
        "CustomerGroupId",
    ),
    Reference {
        only: ORGANIZATION,
        ..reference(
            "CustomersV3",
            "InvoiceAccount",
            "CustomersV3",
            "CustomerAccount",
        )
    },
    reference("CustomersV3", "PaymentTerms", "PaymentTerms", "Name"),
    reference(
        "CustomersV3",
        "PaymentMethod",
        "CustomerPaymentMethods",
        "Name",
    ),
    reference(
        "CustomersV3",
        "VendorAccount",
        "VendorsV2",
        "VendorAccountNumber",
    ),
    reference(
        "CustomersV3",
        "SalesTaxGroup",
        "SalesTaxGroups",
        "TaxGroupCode",
    ),
    reference(
        "VendorsV2",
        "VendorGroupId",
        "VendorGroups",
        "VendorGroupId",
    ),
    reference("VendorsV2", "CurrencyCode", "Currencies", "CurrencyCode"),
    reference("VendorsV2", "PaymentTermsName", "PaymentTerms", "Name"),
    reference(
        "Warehouses",
        "OperationalSiteId",
        "OperationalSites",
        "SiteId",
    ),
    reference(
        "ReleasedProductsV2",
        "ProductNumber",
        "CDSReleasedDistinctProducts",
        "ProductNumber",
    ),
    reference(
        "SalesInvoiceHeadersV2",
        "SalesOrderNumber",
        "CDSSalesOrderHeaders",
        "SalesOrderNumber",
    ),
    reference(
        "SalesInvoiceHeadersV2",
        "CurrencyCode",
        "Currencies",
        "CurrencyCode",
    ),
    reference(
        "SalesInvoiceLinesV2",
        "InvoiceNumber",
        "SalesInvoiceHeadersV2",
        "InvoiceNumber",
    ),
    reference(
        "SalesInvoiceLinesV2",
        "ProductNumber",
        "CDSReleasedDistinctProducts",
        "ProductNumber",
    ),
    Reference {
        only: ORGANIZATION,
        ..reference(
            "CDSSalesOrderHeaders",
            "OrderingCustomerAccountNumber",
            "CustomersV3",
            "CustomerAccount",
        )
    },
    reference(
        "CDSSalesOrderHeaders",
        "CurrencyCode",
        "Currencies",
        "CurrencyCode",
    ),
    reference(
        "CDSSalesOrderHeaders",
        "PaymentTermsName",
        "PaymentTerms",
        "Name",
    ),
    reference(
        "CDSSalesOrderLines",
        "SalesOrderNumber",
        "CDSSalesOrderHeaders",
        "SalesOrderNumber",
    ),
    reference(
        "CDSSalesOrderLines",
        "ProductNumber",
        "CDSReleasedDistinctProducts",
        "ProductNumber",
    ),
    reference(
        "CDSSalesQuotationHeaders",
        "CurrencyCode",
        "Currencies",
        "CurrencyCode",
    ),
];

/// A kind of row: the values it must hold, and whether a map's source filter drops it. Kept
/// variants get the requested number of rows (per company), dropped ones a single row.
pub(crate) struct Variant {
    pub(crate) values: Value,
    pub(crate) dropped: bool,
}

fn kept(values: Value) -> Variant {
    Variant {
        values,
        dropped: false,
    }
}

fn dropped(values: Value) -> Variant {
    Variant {
        values,
        dropped: true,
    }
}

/// The variants of an F&O entity's rows, after the standard templates' F&O filters.
pub(crate) fn finops_variants(entity: &str) -> Vec<Variant> {
    match entity {
        // Organizations sync as accounts and persons as contacts; each map drops the other.
        "CustomersV3" => vec![
            kept(json!({"PartyType": "Organization"})),
            kept(json!({"PartyType": "Person"})),
        ],
        "Currencies" => vec![
            kept(json!({})),
            dropped(json!({"CurrencyCode": "999", "Name": "Test currency", "Symbol": "¤"})),
        ],
        "VendorsV2" => vec![
            kept(json!({"VendorPartyType": "Organization"})),
            kept(json!({"VendorPartyType": "Person"})),
        ],
        "SalesInvoiceHeadersV2" => vec![kept(json!({})), dropped(json!({"SalesOrderNumber": ""}))],
        "Prospects" => vec![
            kept(json!({"IsB2BProspect": 1})),
            dropped(json!({"IsB2BProspect": 0})),
        ],
        _ => vec![kept(json!({}))],
    }
}

/// The variants of a Dataverse table's rows, after the standard templates' Dataverse filters.
pub(crate) fn dataverse_variants(table: &str) -> Vec<Variant> {
    match table {
        "accounts" => vec![
            kept(json!({"customertypecode": 3})),
            dropped(json!({"customertypecode": 1})),
        ],
        "contacts" => vec![
            kept(json!({"msdyn_sellable": true})),
            dropped(json!({"msdyn_sellable": false})),
        ],
        "quotes" => vec![
            kept(json!({"msdyn_ordertype": 192_350_000, "statecode": 0})),
            dropped(json!({"msdyn_ordertype": 192_350_000, "statecode": 1})),
        ],
        "invoices" => vec![
            kept(json!({"msdyn_ordertype": 192_350_000})),
            dropped(json!({"msdyn_ordertype": 192_350_001})),
        ],
        _ => vec![kept(json!({}))],
    }
}
