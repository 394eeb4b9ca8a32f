//! Service metadata generated from the catalog: the CSDL helpers both emulators share and the
//! F&O `$metadata` document. Dataverse's document and metadata API are in
//! `dataverse/metadata`.

use std::fmt::Write as _;

use crate::catalog::{Catalog, FoType};

pub(crate) const FO_NAMESPACE: &str = "Microsoft.Dynamics.DataEntities";

/// Escapes text for an XML attribute value.
pub(crate) fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub(crate) fn edmx(namespace: &str, body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\">\
<edmx:DataServices><Schema Namespace=\"{namespace}\" Alias=\"mscrm\" \
xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">{body}</Schema></edmx:DataServices></edmx:Edmx>"
    )
}

fn fo_edm_type(kind: &FoType) -> String {
    match kind {
        FoType::String => "Edm.String".into(),
        FoType::Integer => "Edm.Int32".into(),
        FoType::Decimal => "Edm.Decimal".into(),
        FoType::Datetime => "Edm.DateTimeOffset".into(),
        FoType::Enum { r#enum, .. } => format!("{FO_NAMESPACE}.{enum}"),
    }
}

/// The F&O `$metadata` document: enum types with their members, one entity type per entity
/// with its key fields, and one entity set each.
pub(crate) fn fo_csdl(cat: &Catalog) -> String {
    let mut body = String::new();
    let mut seen = std::collections::BTreeMap::new();
    for e in &cat.finops {
        for f in &e.fields {
            if let FoType::Enum { r#enum, members } = &f.kind {
                seen.entry(r#enum.clone())
                    .or_insert_with(|| members.clone());
            }
        }
    }
    for (name, members) in &seen {
        let _ = write!(body, "<EnumType Name=\"{}\">", xml(name));
        for (i, m) in members.iter().enumerate() {
            let _ = write!(body, "<Member Name=\"{}\" Value=\"{i}\"/>", xml(m));
        }
        body.push_str("</EnumType>");
    }
    for e in &cat.finops {
        let _ = write!(body, "<EntityType Name=\"{}\"><Key>", xml(&e.entity_type));
        for k in &e.keys {
            let _ = write!(body, "<PropertyRef Name=\"{}\"/>", xml(k));
        }
        body.push_str("</Key>");
        for f in &e.fields {
            let nullable = if e.keys.contains(&f.name) {
                " Nullable=\"false\""
            } else {
                ""
            };
            // A field the server maintains carries the OData Core `Computed` term, which
            // is how a client learns not to write it.
            let computed = if f.read_only {
                "<Annotation Term=\"Org.OData.Core.V1.Computed\" Bool=\"true\"/>"
            } else {
                ""
            };
            let _ = write!(
                body,
                "<Property Name=\"{}\" Type=\"{}\"{nullable}>{computed}</Property>",
                xml(&f.name),
                fo_edm_type(&f.kind)
            );
        }
        for n in &e.navigations {
            let target = cat
                .fo_entity(&n.target)
                .map_or(n.target.as_str(), |t| t.entity_type.as_str());
            let ty = format!("{FO_NAMESPACE}.{}", xml(target));
            let ty = if n.collection {
                format!("Collection({ty})")
            } else {
                ty
            };
            let _ = write!(
                body,
                "<NavigationProperty Name=\"{}\" Type=\"{ty}\">",
                xml(&n.name)
            );
            // CSDL allows a referential constraint only on the single-valued side.
            for c in n.constraints.iter().filter(|_| !n.collection) {
                let _ = write!(
                    body,
                    "<ReferentialConstraint Property=\"{}\" ReferencedProperty=\"{}\"/>",
                    xml(&c.field),
                    xml(&c.target_field)
                );
            }
            body.push_str("</NavigationProperty>");
        }
        body.push_str("</EntityType>");
    }
    body.push_str("<EntityContainer Name=\"Resources\">");
    for e in &cat.finops {
        let _ = write!(
            body,
            "<EntitySet Name=\"{}\" EntityType=\"{FO_NAMESPACE}.{}\"/>",
            xml(&e.entity_set),
            xml(&e.entity_type)
        );
    }
    body.push_str("</EntityContainer>");
    edmx(FO_NAMESPACE, &body)
}

/// A response carrying a CSDL document.
pub(crate) fn xml_reply(body: String) -> axum::response::Response {
    let mut resp = crate::odata::reply(axum::http::StatusCode::OK, Some(body), &[]);
    resp.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/xml"),
    );
    resp
}
