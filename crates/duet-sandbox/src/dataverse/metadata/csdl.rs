//! The Dataverse `$metadata` document: one entity type per table with its key, every
//! attribute (system columns included; lookups as `_x_value`), single-valued navigation
//! properties for lookups to catalog tables, and one entity set each.

use std::fmt::Write as _;

use crate::catalog::Catalog;
use crate::metadata::{edmx, xml};

use super::attributes::NAMESPACE;
use super::columns::table_attributes;

pub(crate) fn dv_csdl(cat: &Catalog) -> String {
    let mut body = String::new();
    for t in &cat.dataverse {
        let _ = write!(
            body,
            "<EntityType Name=\"{}\"><Key><PropertyRef Name=\"{}\"/></Key>",
            xml(&t.logical_name),
            xml(&t.primary_id)
        );
        let attributes = table_attributes(cat, t);
        for a in &attributes {
            let _ = write!(
                body,
                "<Property Name=\"{}\" Type=\"{}\"/>",
                xml(&a.row_property()),
                a.kind.edm_type()
            );
        }
        // Lookups to tables the emulator does not serve (users, teams, business units) have
        // their `_x_value` property but no navigation property, so the document stays whole.
        for a in attributes.iter().filter(|a| a.kind.is_lookup()) {
            let [target] = a.targets.as_slice() else {
                continue;
            };
            let Some(target) = cat.dv_table_by_logical(target) else {
                continue;
            };
            let _ = write!(
                body,
                "<NavigationProperty Name=\"{}\" Type=\"{NAMESPACE}.{}\">\
<ReferentialConstraint Property=\"{}\" ReferencedProperty=\"{}\"/></NavigationProperty>",
                xml(&a.name),
                xml(&target.logical_name),
                xml(&a.row_property()),
                xml(&target.primary_id)
            );
        }
        body.push_str("</EntityType>");
    }
    body.push_str("<EntityContainer Name=\"System\">");
    for t in &cat.dataverse {
        let _ = write!(
            body,
            "<EntitySet Name=\"{}\" EntityType=\"{NAMESPACE}.{}\"/>",
            xml(&t.entity_set),
            xml(&t.logical_name)
        );
    }
    body.push_str("</EntityContainer>");
    edmx(NAMESPACE, &body)
}
