//! `EntityKeyMetadata`: a table's alternate keys as `…/Keys` serves them.

use serde_json::{Map, Value};

use crate::catalog::DvTable;

use super::labels::{Languages, label, managed, metadata_id};

/// The columns a catalog key is made of: a lookup path (`salesorderid.msdyn_salesordernumber`,
/// as a template names it) is the lookup column itself.
fn key_attributes(key: &[String]) -> Vec<String> {
    key.iter()
        .map(|part| part.split('.').next().unwrap_or(part).to_string())
        .collect()
}

fn key_name(table: &DvTable, attributes: &[String]) -> String {
    format!("{}_{}", table.logical_name, attributes.join("_"))
}

/// Every alternate key of `table`, in catalog order.
pub(crate) fn keys_json(table: &DvTable, languages: Languages) -> Vec<Map<String, Value>> {
    table
        .alternate_keys
        .iter()
        .map(|key| {
            let attributes = key_attributes(key);
            let name = key_name(table, &attributes);
            let mut m = Map::new();
            m.insert(
                "MetadataId".into(),
                Value::from(metadata_id(&[&table.logical_name, "key", &name])),
            );
            m.insert("HasChanged".into(), Value::Null);
            m.insert("LogicalName".into(), Value::from(name.clone()));
            m.insert("SchemaName".into(), Value::from(name.clone()));
            m.insert(
                "EntityLogicalName".into(),
                Value::from(table.logical_name.clone()),
            );
            m.insert("KeyAttributes".into(), Value::from(attributes));
            m.insert("EntityKeyIndexStatus".into(), Value::from("Active"));
            m.insert("IsManaged".into(), Value::from(true));
            m.insert("IsSynchronous".into(), Value::from(true));
            m.insert("IsExportKey".into(), Value::from(false));
            m.insert("IsSecondaryKey".into(), Value::from(false));
            m.insert("IntroducedVersion".into(), Value::from("1.0.0.0"));
            m.insert("AsyncJob".into(), Value::Null);
            m.insert(
                "IsCustomizable".into(),
                managed(true, true, "iscustomizable"),
            );
            m.insert(
                "DisplayName".into(),
                label(&name, languages, &[&table.logical_name, "key", &name]),
            );
            m
        })
        .collect()
}
