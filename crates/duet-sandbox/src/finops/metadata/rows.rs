//! The JSON of each metadata entity set, built once from the model: `DataEntities`,
//! `PublicEntities` (properties, navigation properties, property groups and actions inline)
//! and `PublicEnumerations`.

use std::sync::OnceLock;

use serde_json::{Map, Value, json};

use super::MetaSet;
use super::labels::LabelOf;
use super::model::{
    Enumeration, Navigation, Property, PublicEntity, enumerations, public_entities,
};

/// The rows of a set, in the order the model lists them.
pub(super) fn rows(set: MetaSet) -> &'static [Map<String, Value>] {
    static DATA: OnceLock<Vec<Map<String, Value>>> = OnceLock::new();
    static PUBLIC: OnceLock<Vec<Map<String, Value>>> = OnceLock::new();
    static ENUMS: OnceLock<Vec<Map<String, Value>>> = OnceLock::new();
    match set {
        MetaSet::DataEntities => {
            DATA.get_or_init(|| public_entities().iter().map(data_entity).collect())
        }
        MetaSet::PublicEntities => {
            PUBLIC.get_or_init(|| public_entities().iter().map(public_entity).collect())
        }
        MetaSet::PublicEnumerations => {
            ENUMS.get_or_init(|| enumerations().iter().map(enumeration).collect())
        }
        MetaSet::Labels => &[],
    }
}

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn entity_label(e: &PublicEntity) -> String {
    LabelOf::Entity {
        name: e.name,
        collection: e.set,
    }
    .id()
}

fn data_entity(e: &PublicEntity) -> Map<String, Value> {
    object(json!({
        "Name": e.table,
        "PublicEntityName": e.name,
        "PublicCollectionName": e.set,
        "LabelId": entity_label(e),
        "EntityCategory": e.category.name(),
        "DataServiceEnabled": true,
        "DataManagementEnabled": e.data_management,
        "IsReadOnly": e.read_only,
    }))
}

fn public_entity(e: &PublicEntity) -> Map<String, Value> {
    let actions: Vec<Value> = e
        .actions
        .iter()
        .map(|a| {
            json!({
                "Name": a.name(),
                "BindingKind": "BoundToEntitySet",
                "Parameters": [],
                "ReturnType": {"TypeName": "Edm.String", "IsCollection": a.returns_collection()},
            })
        })
        .collect();
    object(json!({
        "Name": e.name,
        "EntitySetName": e.set,
        "LabelId": entity_label(e),
        "IsReadOnly": e.read_only,
        "ConfigurationEnabled": true,
        "Properties": e.properties.iter().map(property).collect::<Vec<_>>(),
        "NavigationProperties": e.navigations.iter().map(navigation).collect::<Vec<_>>(),
        "PropertyGroups": [],
        "Actions": actions,
    }))
}

fn property(p: &Property) -> Value {
    json!({
        "Name": p.name,
        "TypeName": p.type_name,
        "DataType": p.data_type.name(),
        "LabelId": LabelOf::Field(p.name).id(),
        "IsKey": p.is_key,
        "IsMandatory": p.is_key,
        "ConfigurationEnabled": true,
        "AllowEdit": !p.is_key && !p.read_only,
        "AllowEditOnCreate": !p.read_only,
        "IsDimension": false,
        "DimensionRelation": null,
        "IsDynamicDimension": false,
        "DimensionLegalEntityProperty": null,
        "DimensionTypeProperty": null,
    })
}

fn navigation(n: &Navigation) -> Value {
    let constraints: Vec<Value> = n
        .constraints
        .iter()
        .map(|(property, referenced)| {
            json!({
                "@odata.type": "#Microsoft.Dynamics.Metadata.ReferentialConstraint",
                "Property": property,
                "ReferencedProperty": referenced,
            })
        })
        .collect();
    json!({
        "Name": n.name,
        "RelatedEntity": n.related_entity,
        "RelatedRelationName": n.related_relation,
        "Cardinality": n.cardinality.name(),
        "Constraints": constraints,
    })
}

fn enumeration(e: &Enumeration) -> Map<String, Value> {
    let members: Vec<Value> = e
        .members
        .iter()
        .enumerate()
        .map(|(value, member)| {
            json!({
                "Name": member,
                "LabelId": LabelOf::Member { r#enum: e.name, member }.id(),
                "Value": value,
                "ConfigurationEnabled": true,
            })
        })
        .collect();
    object(json!({
        "Name": e.name,
        "LabelId": LabelOf::Enum(e.name).id(),
        "Members": members,
    }))
}
