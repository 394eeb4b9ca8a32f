//! Reading a finance and operations entity's columns from the service's CSDL `$metadata`
//! document: the entity set names its entity type, whose properties are the columns, and
//! enum-typed properties take their members from the document's enum types.

use std::collections::HashMap;

use duet_maps::{Column, ColumnType};
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

/// The OData Core term a service puts on a property it maintains itself.
const COMPUTED: &str = "Org.OData.Core.V1.Computed";

#[derive(Default)]
struct Property {
    name: String,
    type_name: String,
    nullable: bool,
    computed: bool,
}

#[derive(Default)]
struct Document {
    enums: HashMap<String, Vec<String>>,
    entity_types: HashMap<String, Vec<Property>>,
    /// Entity set name → entity type name (without its namespace).
    entity_sets: HashMap<String, String>,
}

fn attribute(element: &BytesStart<'_>, name: &str) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|attribute| attribute.key.local_name().as_ref() == name)
        .and_then(|attribute| {
            attribute
                .normalized_value(XmlVersion::Implicit1_0)
                .ok()
                .map(|value| value.into_owned())
        })
}

/// The part of a qualified name after its namespace: `NoYes` of
/// `Microsoft.Dynamics.DataEntities.NoYes`.
fn unqualified(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}

/// Where the reader is, so a member or property lands in the element around it.
enum Open {
    Nothing,
    Enum(String),
    Entity(String),
}

fn read_document(text: &str) -> Result<Document, String> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut document = Document::default();
    let mut open = Open::Nothing;
    loop {
        let event = reader
            .read_event()
            .map_err(|error| format!("the $metadata document is not XML: {error}"))?;
        let (element, empty) = match &event {
            Event::Start(element) => (element, false),
            Event::Empty(element) => (element, true),
            Event::End(element) => {
                if matches!(element.local_name().as_ref(), "EnumType" | "EntityType") {
                    open = Open::Nothing;
                }
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        read_element(&mut document, &mut open, element, empty);
    }
    Ok(document)
}

fn read_element(document: &mut Document, open: &mut Open, element: &BytesStart<'_>, empty: bool) {
    let name = attribute(element, "Name").unwrap_or_default();
    match (element.local_name().as_ref(), &*open) {
        ("EnumType", _) if !empty => {
            document.enums.insert(name.clone(), Vec::new());
            *open = Open::Enum(name);
        }
        ("Member", Open::Enum(owner)) => {
            if let Some(members) = document.enums.get_mut(owner) {
                members.push(name);
            }
        }
        ("EntityType", _) if !empty => {
            document.entity_types.insert(name.clone(), Vec::new());
            *open = Open::Entity(name);
        }
        ("Property", Open::Entity(owner)) => {
            if let Some(properties) = document.entity_types.get_mut(owner) {
                properties.push(Property {
                    name,
                    type_name: attribute(element, "Type").unwrap_or_default(),
                    nullable: attribute(element, "Nullable").as_deref() != Some("false"),
                    computed: false,
                });
            }
        }
        ("Annotation", Open::Entity(owner)) => {
            let computed = attribute(element, "Term").as_deref() == Some(COMPUTED)
                && attribute(element, "Bool").as_deref() != Some("false");
            if let Some(last) = document
                .entity_types
                .get_mut(owner)
                .and_then(|properties| properties.last_mut())
            {
                last.computed |= computed;
            }
        }
        ("EntitySet", _) => {
            let entity_type = attribute(element, "EntityType").unwrap_or_default();
            document
                .entity_sets
                .insert(name, unqualified(&entity_type).to_owned());
        }
        _ => {}
    }
}

fn column_type(type_name: &str, enums: &HashMap<String, Vec<String>>) -> ColumnType {
    match type_name {
        "Edm.String" => ColumnType::Text,
        "Edm.Int16" | "Edm.Int32" | "Edm.Int64" | "Edm.Byte" => ColumnType::Integer,
        "Edm.Decimal" | "Edm.Double" | "Edm.Single" => ColumnType::Decimal,
        "Edm.Boolean" => ColumnType::Boolean,
        "Edm.Date" => ColumnType::Date,
        "Edm.DateTimeOffset" => ColumnType::DateTime,
        "Edm.Guid" => ColumnType::Guid,
        other if enums.contains_key(unqualified(other)) => ColumnType::Enum,
        _ => ColumnType::Text,
    }
}

/// The columns of `entity_set` as the document describes them; `None` when the service has
/// no such entity set.
pub fn entity_columns(text: &str, entity_set: &str) -> Result<Option<Vec<Column>>, String> {
    let document = read_document(text)?;
    let Some(entity_type) = document.entity_sets.get(entity_set) else {
        return Ok(None);
    };
    let properties = document
        .entity_types
        .get(entity_type)
        .map(Vec::as_slice)
        .unwrap_or_default();
    Ok(Some(
        properties
            .iter()
            .map(|property| {
                let column_type = column_type(&property.type_name, &document.enums);
                let members = match column_type {
                    ColumnType::Enum => document.enums[unqualified(&property.type_name)].clone(),
                    _ => Vec::new(),
                };
                Column {
                    name: property.name.clone(),
                    column_type,
                    mandatory: !property.nullable,
                    read_only: property.computed,
                    members,
                    labels: Vec::new(),
                }
            })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOCUMENT: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>
<Schema Namespace="Microsoft.Dynamics.DataEntities" xmlns="http://docs.oasis-open.org/odata/ns/edm">
<EnumType Name="NoYes"><Member Name="No" Value="0"/><Member Name="Yes" Value="1"/></EnumType>
<EntityType Name="CustomerV3"><Key><PropertyRef Name="dataAreaId"/></Key>
<Property Name="dataAreaId" Type="Edm.String" Nullable="false"/>
<Property Name="CreditLimit" Type="Edm.Decimal"/>
<Property Name="IsOneTimeCustomer" Type="Microsoft.Dynamics.DataEntities.NoYes"></Property>
<Property Name="ModifiedDateTime" Type="Edm.DateTimeOffset"><Annotation Term="Org.OData.Core.V1.Computed" Bool="true"/></Property>
</EntityType>
<EntityContainer Name="Resources"><EntitySet Name="CustomersV3" EntityType="Microsoft.Dynamics.DataEntities.CustomerV3"/></EntityContainer>
</Schema></edmx:DataServices></edmx:Edmx>"#;

    #[test]
    fn an_entity_set_reads_as_its_typed_columns() {
        // GIVEN a CSDL document with an enum, a computed property and a key.
        // WHEN the columns of its entity set are read.
        let columns = entity_columns(DOCUMENT, "CustomersV3").unwrap().unwrap();
        // THEN each property is a column with its type, and the flags come from the document.
        let by_name = |name: &str| columns.iter().find(|c| c.name == name).unwrap();
        assert!(
            by_name("dataAreaId").mandatory,
            "Nullable=false is mandatory"
        );
        assert_eq!(by_name("CreditLimit").column_type, ColumnType::Decimal);
        assert_eq!(by_name("IsOneTimeCustomer").members, ["No", "Yes"]);
        assert!(
            by_name("ModifiedDateTime").read_only,
            "Computed is read-only"
        );
        assert!(!by_name("CreditLimit").read_only && !by_name("CreditLimit").mandatory);
        assert_eq!(entity_columns(DOCUMENT, "Nope").unwrap(), None);
        assert!(
            entity_columns("<a><b></a>", "CustomersV3").is_err(),
            "broken XML is an error"
        );
    }
}
