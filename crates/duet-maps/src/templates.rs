//! The standard table maps, one JSON file each under `templates/`, embedded at build time
//! so the tool ships them without reading files.

use crate::map::TableMap;

/// The template files. Their order carries no meaning; [`crate::start_order`] computes the
/// order maps start in.
const TEMPLATES: &[&str] = &[
    include_str!("../templates/customers-v3-accounts.json"),
    include_str!("../templates/customers-v3-contacts.json"),
    include_str!("../templates/vendors-v2.json"),
    include_str!("../templates/customer-groups.json"),
    include_str!("../templates/vendor-groups.json"),
    include_str!("../templates/customer-payment-methods.json"),
    include_str!("../templates/vendor-payment-methods.json"),
    include_str!("../templates/payment-terms.json"),
    include_str!("../templates/payment-days.json"),
    include_str!("../templates/payment-schedules.json"),
    include_str!("../templates/currencies.json"),
    include_str!("../templates/exchange-rate-types.json"),
    include_str!("../templates/legal-entities.json"),
    include_str!("../templates/units.json"),
    include_str!("../templates/sites.json"),
    include_str!("../templates/warehouses.json"),
    include_str!("../templates/modes-of-delivery.json"),
    include_str!("../templates/terms-of-delivery.json"),
    include_str!("../templates/sales-tax-codes.json"),
    include_str!("../templates/sales-tax-groups.json"),
    include_str!("../templates/released-distinct-products.json"),
    include_str!("../templates/all-products.json"),
    include_str!("../templates/released-products-v2.json"),
    include_str!("../templates/sales-order-headers.json"),
    include_str!("../templates/sales-order-lines.json"),
    include_str!("../templates/sales-quotation-headers.json"),
    include_str!("../templates/sales-invoice-headers.json"),
    include_str!("../templates/sales-invoice-lines.json"),
    include_str!("../templates/prospects-leads.json"),
    include_str!("../templates/workers.json"),
    include_str!("../templates/jobs.json"),
    include_str!("../templates/name-affixes.json"),
    include_str!("../templates/sales-order-origins.json"),
    include_str!("../templates/price-customer-groups.json"),
    include_str!("../templates/chart-of-accounts.json"),
];

/// The standard map templates from the dual-write mapping reference.
pub fn templates() -> Vec<TableMap> {
    TEMPLATES
        .iter()
        .map(|text| {
            // The files are part of the crate and a test loads every one, so a file that
            // does not parse is a build defect, not a runtime condition.
            serde_json::from_str(text).expect("embedded template files are valid table maps")
        })
        .collect()
}
