//! The standard table maps, one JSON file each under `templates/`, embedded at build time
//! so the tool ships them without reading files.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::map::{Side, TableMap};

/// The template files. Their order carries no meaning; [`crate::start_order`] computes the
/// order maps start in.
const TEMPLATES: &[(Area, &str)] = &[
    (
        Area::Customers,
        include_str!("../templates/customers-v3-accounts.json"),
    ),
    (
        Area::Customers,
        include_str!("../templates/customers-v3-contacts.json"),
    ),
    (Area::Vendors, include_str!("../templates/vendors-v2.json")),
    (
        Area::Customers,
        include_str!("../templates/customer-groups.json"),
    ),
    (
        Area::Vendors,
        include_str!("../templates/vendor-groups.json"),
    ),
    (
        Area::Customers,
        include_str!("../templates/customer-payment-methods.json"),
    ),
    (
        Area::Vendors,
        include_str!("../templates/vendor-payment-methods.json"),
    ),
    (
        Area::Finance,
        include_str!("../templates/payment-terms.json"),
    ),
    (
        Area::Finance,
        include_str!("../templates/payment-days.json"),
    ),
    (
        Area::Finance,
        include_str!("../templates/payment-schedules.json"),
    ),
    (Area::Finance, include_str!("../templates/currencies.json")),
    (
        Area::Finance,
        include_str!("../templates/exchange-rate-types.json"),
    ),
    (
        Area::Organization,
        include_str!("../templates/legal-entities.json"),
    ),
    (Area::Products, include_str!("../templates/units.json")),
    (Area::Organization, include_str!("../templates/sites.json")),
    (
        Area::Organization,
        include_str!("../templates/warehouses.json"),
    ),
    (
        Area::Sales,
        include_str!("../templates/modes-of-delivery.json"),
    ),
    (
        Area::Sales,
        include_str!("../templates/terms-of-delivery.json"),
    ),
    (
        Area::Finance,
        include_str!("../templates/sales-tax-codes.json"),
    ),
    (
        Area::Finance,
        include_str!("../templates/sales-tax-groups.json"),
    ),
    (
        Area::Products,
        include_str!("../templates/released-distinct-products.json"),
    ),
    (
        Area::Products,
        include_str!("../templates/all-products.json"),
    ),
    (
        Area::Products,
        include_str!("../templates/released-products-v2.json"),
    ),
    (
        Area::Sales,
        include_str!("../templates/sales-order-headers.json"),
    ),
    (
        Area::Sales,
        include_str!("../templates/sales-order-lines.json"),
    ),
    (
        Area::Sales,
        include_str!("../templates/sales-quotation-headers.json"),
    ),
    (
        Area::Sales,
        include_str!("../templates/sales-invoice-headers.json"),
    ),
    (
        Area::Sales,
        include_str!("../templates/sales-invoice-lines.json"),
    ),
    (
        Area::Customers,
        include_str!("../templates/prospects-leads.json"),
    ),
    (Area::Workforce, include_str!("../templates/workers.json")),
    (Area::Workforce, include_str!("../templates/jobs.json")),
    (
        Area::Reference,
        include_str!("../templates/name-affixes.json"),
    ),
    (
        Area::Sales,
        include_str!("../templates/sales-order-origins.json"),
    ),
    (
        Area::Sales,
        include_str!("../templates/price-customer-groups.json"),
    ),
    (
        Area::Finance,
        include_str!("../templates/chart-of-accounts.json"),
    ),
];

/// The business area a template belongs to, as the template gallery groups them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Area {
    Customers,
    Vendors,
    Products,
    Sales,
    Finance,
    Organization,
    Workforce,
    Reference,
}

/// Which ways a template's fields carry changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Flow {
    Both,
    ToDataverse,
    ToFinanceOperations,
}

/// A standard map and what the gallery shows about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub area: Area,
    pub map: TableMap,
}

impl Template {
    /// The maps this template's lookups need, in the order its fields name them.
    pub fn looks_up(&self) -> Vec<String> {
        self.map
            .lookup_targets()
            .into_iter()
            .filter(|name| *name != self.map.name)
            .map(str::to_owned)
            .collect()
    }

    pub fn flow(&self) -> Flow {
        let reads = |side: Side| {
            self.map
                .fields
                .iter()
                .any(|field| field.direction.flows_from(side))
        };
        match (reads(Side::FinanceOperations), reads(Side::Dataverse)) {
            (true, false) => Flow::ToDataverse,
            (false, true) => Flow::ToFinanceOperations,
            _ => Flow::Both,
        }
    }
}

fn parse(text: &str) -> TableMap {
    // The files are part of the crate and a test loads every one, so a file that does not
    // parse is a build defect, not a runtime condition.
    serde_json::from_str(text).expect("embedded template files are valid table maps")
}

/// The standard map templates from the dual-write mapping reference.
pub fn templates() -> Vec<TableMap> {
    TEMPLATES.iter().map(|(_, text)| parse(text)).collect()
}

/// The standard templates with their gallery areas.
pub fn template_catalog() -> Vec<Template> {
    TEMPLATES
        .iter()
        .map(|(area, text)| Template {
            area: *area,
            map: parse(text),
        })
        .collect()
}
