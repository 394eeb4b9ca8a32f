//! Service metadata generated from the catalog: CSDL `$metadata` documents for both
//! emulators, and Dataverse `EntityDefinitions` in the Web API's JSON shape.

use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use crate::catalog::{Catalog, DvColumn, DvTable, DvType, FoType};

const DV_NAMESPACE: &str = "Microsoft.Dynamics.CRM";
pub(crate) const FO_NAMESPACE: &str = "Microsoft.Dynamics.DataEntities";

/// Escapes text for an XML attribute value.
fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn edmx(namespace: &str, body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\">\
<edmx:DataServices><Schema Namespace=\"{namespace}\" Alias=\"mscrm\" \
xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">{body}</Schema></edmx:DataServices></edmx:Edmx>"
    )
}

fn dv_edm_type(kind: &DvType) -> &'static str {
    match kind {
        DvType::String => "Edm.String",
        DvType::Integer | DvType::Choice { .. } => "Edm.Int32",
        DvType::Decimal | DvType::Money => "Edm.Decimal",
        DvType::Boolean => "Edm.Boolean",
        DvType::Datetime => "Edm.DateTimeOffset",
        DvType::Uniqueidentifier | DvType::Lookup { .. } => "Edm.Guid",
    }
}

/// The Dataverse `$metadata` document: one entity type per table with its key, columns,
/// `_x_value` properties and single-valued navigation properties, and one entity set each.
pub(crate) fn dv_csdl(cat: &Catalog) -> String {
    let mut body = String::new();
    for t in &cat.dataverse {
        let _ = write!(
            body,
            "<EntityType Name=\"{}\"><Key><PropertyRef Name=\"{}\"/></Key>",
            xml(&t.logical_name),
            xml(&t.primary_id)
        );
        for c in &t.columns {
            match &c.kind {
                DvType::Lookup { .. } => {
                    let _ = write!(
                        body,
                        "<Property Name=\"_{}_value\" Type=\"Edm.Guid\"/>",
                        xml(&c.name)
                    );
                }
                kind => {
                    let _ = write!(
                        body,
                        "<Property Name=\"{}\" Type=\"{}\"/>",
                        xml(&c.name),
                        dv_edm_type(kind)
                    );
                }
            }
        }
        for name in ["createdon", "modifiedon"] {
            let _ = write!(
                body,
                "<Property Name=\"{name}\" Type=\"Edm.DateTimeOffset\"/>"
            );
        }
        body.push_str("<Property Name=\"versionnumber\" Type=\"Edm.Int64\"/>");
        for c in &t.columns {
            if let DvType::Lookup { target } = &c.kind {
                let logical = cat
                    .dv_table(target)
                    .map_or(target.as_str(), |t| t.logical_name.as_str());
                let _ = write!(
                    body,
                    "<NavigationProperty Name=\"{}\" Type=\"{DV_NAMESPACE}.{}\" Nullable=\"false\">\
<ReferentialConstraint Property=\"_{}_value\" ReferencedProperty=\"{}\"/></NavigationProperty>",
                    xml(&c.name),
                    xml(logical),
                    xml(&c.name),
                    xml(cat.dv_table(target).map_or("", |t| t.primary_id.as_str()))
                );
            }
        }
        body.push_str("</EntityType>");
    }
    body.push_str("<EntityContainer Name=\"System\">");
    for t in &cat.dataverse {
        let _ = write!(
            body,
            "<EntitySet Name=\"{}\" EntityType=\"{DV_NAMESPACE}.{}\"/>",
            xml(&t.entity_set),
            xml(&t.logical_name)
        );
    }
    body.push_str("</EntityContainer>");
    edmx(DV_NAMESPACE, &body)
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

/// A stable id for a metadata item, so repeated reads agree (Dataverse `MetadataId`).
fn metadata_id(parts: &[&str]) -> String {
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

fn attribute_type(kind: &DvType) -> (&'static str, &'static str) {
    match kind {
        DvType::String => ("String", "StringType"),
        DvType::Integer => ("Integer", "IntegerType"),
        DvType::Decimal => ("Decimal", "DecimalType"),
        DvType::Money => ("Money", "MoneyType"),
        DvType::Boolean => ("Boolean", "BooleanType"),
        DvType::Choice { .. } => ("Picklist", "PicklistType"),
        DvType::Lookup { .. } => ("Lookup", "LookupType"),
        DvType::Datetime => ("DateTime", "DateTimeType"),
        DvType::Uniqueidentifier => ("Uniqueidentifier", "UniqueidentifierType"),
    }
}

fn attribute(cat: &Catalog, table: &DvTable, c: &DvColumn) -> Map<String, Value> {
    let (kind, type_name) = attribute_type(&c.kind);
    let mut a = Map::new();
    a.insert(
        "@odata.type".into(),
        Value::from(format!("#Microsoft.Dynamics.CRM.{kind}AttributeMetadata")),
    );
    a.insert("LogicalName".into(), Value::from(c.name.clone()));
    a.insert("SchemaName".into(), Value::from(c.name.clone()));
    a.insert("AttributeType".into(), Value::from(kind));
    a.insert("AttributeTypeName".into(), json!({"Value": type_name}));
    a.insert(
        "EntityLogicalName".into(),
        Value::from(table.logical_name.clone()),
    );
    a.insert(
        "IsPrimaryId".into(),
        Value::from(c.name == table.primary_id),
    );
    // The primary id is the system's; alternate-key columns must be filled by whoever
    // creates a row, so the sandbox marks them required as an app maker would.
    let required = if c.name == table.primary_id {
        "SystemRequired"
    } else if table.alternate_keys.iter().flatten().any(|k| *k == c.name) {
        "ApplicationRequired"
    } else {
        "None"
    };
    a.insert(
        "RequiredLevel".into(),
        json!({"Value": required, "CanBeChanged": true,
               "ManagedPropertyLogicalName": "canmodifyrequirementlevelsettings"}),
    );
    a.insert("IsValidForRead".into(), Value::from(true));
    // A row may be created with its id chosen by the caller, but the id never changes.
    a.insert("IsValidForCreate".into(), Value::from(true));
    a.insert(
        "IsValidForUpdate".into(),
        Value::from(c.name != table.primary_id),
    );
    a.insert(
        "MetadataId".into(),
        Value::from(metadata_id(&[&table.logical_name, &c.name])),
    );
    match &c.kind {
        DvType::Lookup { target } => {
            let logical = cat
                .dv_table(target)
                .map_or(target.clone(), |t| t.logical_name.clone());
            a.insert("Targets".into(), json!([logical]));
        }
        DvType::Choice { options } => {
            let options: Vec<Value> = options
                .iter()
                .map(|o| {
                    json!({"Value": o.value, "Label": {"LocalizedLabels": [
                        {"Label": o.label, "LanguageCode": 1033}
                    ]}})
                })
                .collect();
            a.insert("OptionSet".into(), json!({"Options": options}));
        }
        _ => {}
    }
    a
}

fn select_fields(
    mut obj: Map<String, Value>,
    select: Option<&str>,
    keep: &[&str],
) -> Map<String, Value> {
    let Some(select) = select else {
        return obj;
    };
    let wanted: Vec<&str> = select.split(',').map(str::trim).collect();
    obj.retain(|k, _| {
        k.starts_with('@') || keep.contains(&k.as_str()) || wanted.contains(&k.as_str())
    });
    obj
}

/// Splits `Attributes($select=LogicalName,AttributeType)` into the navigation name and the
/// nested `$select`, if any.
fn parse_expand(expand: &str) -> Result<(String, Option<String>), String> {
    let expand = expand.trim();
    match expand.split_once('(') {
        None => Ok((expand.to_string(), None)),
        Some((name, rest)) => {
            let inner = rest
                .strip_suffix(')')
                .ok_or_else(|| format!("The $expand '{expand}' is malformed."))?;
            let mut select = None;
            for opt in inner.split(';') {
                match opt.split_once('=') {
                    Some(("$select", v)) => select = Some(v.to_string()),
                    _ => return Err(format!("The option '{opt}' is not supported in $expand.")),
                }
            }
            Ok((name.trim().to_string(), select))
        }
    }
}

/// One `EntityDefinitions` entry: the table's definition, restricted to `select` (plus
/// `MetadataId`, which Dataverse always returns), with `Attributes` when `expand` asks.
pub(crate) fn entity_definition(
    cat: &Catalog,
    table: &DvTable,
    select: Option<&str>,
    expand: Option<&str>,
) -> Result<Map<String, Value>, String> {
    let mut d = Map::new();
    d.insert(
        "LogicalName".into(),
        Value::from(table.logical_name.clone()),
    );
    d.insert("SchemaName".into(), Value::from(table.logical_name.clone()));
    d.insert(
        "EntitySetName".into(),
        Value::from(table.entity_set.clone()),
    );
    d.insert(
        "LogicalCollectionName".into(),
        Value::from(table.entity_set.clone()),
    );
    d.insert(
        "PrimaryIdAttribute".into(),
        Value::from(table.primary_id.clone()),
    );
    d.insert("ChangeTrackingEnabled".into(), Value::from(true));
    d.insert("IsActivity".into(), Value::from(false));
    d.insert(
        "IsCustomEntity".into(),
        Value::from(table.logical_name.contains('_')),
    );
    d.insert(
        "Keys".into(),
        Value::Array(
            table
                .alternate_keys
                .iter()
                .map(|k| json!({"KeyAttributes": k}))
                .collect(),
        ),
    );
    d.insert(
        "MetadataId".into(),
        Value::from(metadata_id(&[&table.logical_name])),
    );
    let mut d = select_fields(d, select, &["MetadataId"]);
    if let Some(expand) = expand {
        let (nav, inner) = parse_expand(expand)?;
        if nav != "Attributes" {
            return Err(format!(
                "Could not find a property named '{nav}' on type 'Microsoft.Dynamics.CRM.EntityMetadata'."
            ));
        }
        let mut columns: Vec<&DvColumn> = table.columns.iter().collect();
        columns.sort_by(|a, b| a.name.cmp(&b.name));
        let attrs: Vec<Value> = columns
            .into_iter()
            .map(|c| {
                Value::Object(select_fields(
                    attribute(cat, table, c),
                    inner.as_deref(),
                    &["MetadataId"],
                ))
            })
            .collect();
        d.insert("Attributes".into(), Value::Array(attrs));
    }
    Ok(d)
}

/// A table's attributes as `…/Attributes` or a cast such as
/// `…/Attributes/Microsoft.Dynamics.CRM.PicklistAttributeMetadata` serves them. Only a cast
/// carries `OptionSet`, and only when `$expand` asks for it, as in Dataverse.
pub(crate) fn attributes(
    cat: &Catalog,
    table: &DvTable,
    cast: Option<&str>,
    select: Option<&str>,
    expand: Option<&str>,
) -> Result<Vec<Value>, String> {
    let wanted = match cast {
        None => None,
        Some("Microsoft.Dynamics.CRM.PicklistAttributeMetadata") => Some("Picklist"),
        Some("Microsoft.Dynamics.CRM.EnumAttributeMetadata") => {
            return Err("The type 'Microsoft.Dynamics.CRM.EnumAttributeMetadata' is abstract and cannot be used in a cast.".into());
        }
        Some(other) => {
            return Err(format!(
                "The cast to '{other}' is not supported by the sandbox."
            ));
        }
    };
    let option_set = match expand.map(parse_expand).transpose()? {
        None => false,
        Some((nav, _)) if nav == "OptionSet" && wanted.is_some() => true,
        Some((nav, _)) => {
            return Err(format!(
                "Could not find a property named '{nav}' on type 'Microsoft.Dynamics.CRM.AttributeMetadata'."
            ));
        }
    };
    let mut columns: Vec<&DvColumn> = table.columns.iter().collect();
    columns.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(columns
        .into_iter()
        .filter(|c| wanted.is_none_or(|kind| attribute_type(&c.kind).0 == kind))
        .map(|c| {
            let mut a = attribute(cat, table, c);
            let options = a.remove("OptionSet");
            let mut a = select_fields(a, select, &["MetadataId"]);
            if let (true, Some(options)) = (option_set, options) {
                a.insert("OptionSet".into(), options);
            }
            Value::Object(a)
        })
        .collect())
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
