//! Reading a Dataverse table's columns from `EntityDefinitions`: the attributes with their
//! type, requirement level and whether they can be written, and the options of each choice
//! column from the picklist cast (Dataverse returns `OptionSet` only through a cast).

use duet_maps::{Column, ColumnType};
use serde_json::Value;

/// The query options of the attribute read.
pub const ATTRIBUTES_SELECT: &str =
    "LogicalName,AttributeType,AttributeOf,RequiredLevel,IsValidForCreate,IsValidForUpdate";

/// The path and options of the picklist cast that carries each choice's options.
pub fn picklist_path(logical_name: &str) -> String {
    format!(
        "EntityDefinitions(LogicalName='{}')/Attributes/Microsoft.Dynamics.CRM.PicklistAttributeMetadata",
        logical_name.replace('\'', "''")
    )
}

fn column_type(attribute_type: &str) -> Option<ColumnType> {
    Some(match attribute_type {
        "String" | "Memo" | "EntityName" => ColumnType::Text,
        "Integer" | "BigInt" => ColumnType::Integer,
        "Decimal" | "Double" | "Money" => ColumnType::Decimal,
        "Boolean" => ColumnType::Boolean,
        "DateTime" => ColumnType::DateTime,
        "Picklist" | "State" | "Status" => ColumnType::Enum,
        "Lookup" | "Customer" | "Owner" => ColumnType::Lookup,
        "Uniqueidentifier" => ColumnType::Guid,
        // Virtual, calculated and image attributes hold nothing a map can carry.
        _ => return None,
    })
}

fn flag(attribute: &Value, name: &str) -> bool {
    attribute.get(name).and_then(Value::as_bool).unwrap_or(true)
}

/// The label Dataverse shows for an option: the user's, else the first localized one.
fn label(option: &Value) -> String {
    let label = &option["Label"];
    label["UserLocalizedLabel"]["Label"]
        .as_str()
        .or_else(|| label["LocalizedLabels"][0]["Label"].as_str())
        .unwrap_or_default()
        .to_owned()
}

/// The options of every choice column, by logical name, from the picklist cast's answer.
fn options(picklists: &Value) -> Vec<(String, Vec<(String, String)>)> {
    picklists["value"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|attribute| {
            let name = attribute["LogicalName"].as_str()?;
            let options = attribute["OptionSet"]["Options"]
                .as_array()?
                .iter()
                .filter_map(|option| {
                    let value = option["Value"].as_i64()?;
                    Some((value.to_string(), label(option)))
                })
                .collect();
            Some((name.to_owned(), options))
        })
        .collect()
}

/// The table's columns from `definition` (an `EntityDefinitions` entry with `Attributes`
/// expanded) and `picklists` (the picklist cast's answer).
pub fn table_columns(definition: &Value, picklists: &Value) -> Vec<Column> {
    let options = options(picklists);
    let mut columns: Vec<Column> = definition["Attributes"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter(|attribute| attribute["AttributeOf"].as_str().is_none_or(str::is_empty))
        .filter_map(|attribute| {
            let name = attribute["LogicalName"].as_str()?.to_owned();
            let attribute_type = attribute["AttributeType"].as_str()?;
            let column_type = column_type(attribute_type)?;
            let required = attribute["RequiredLevel"]["Value"]
                .as_str()
                .unwrap_or("None");
            // Dataverse fills some required columns itself when a row is created: the owner
            // defaults to the caller, and a column not valid for create (`statecode`) gets its
            // default. A map need not carry a value into those.
            let filled_by_service =
                attribute_type == "Owner" || !flag(attribute, "IsValidForCreate");
            let (members, labels) = options
                .iter()
                .find(|(column, _)| *column == name)
                .map(|(_, options)| options.iter().cloned().unzip())
                .unwrap_or_default();
            Some(Column {
                mandatory: matches!(required, "SystemRequired" | "ApplicationRequired")
                    && !filled_by_service,
                read_only: !flag(attribute, "IsValidForCreate")
                    && !flag(attribute, "IsValidForUpdate"),
                name,
                column_type,
                members,
                labels,
            })
        })
        .collect();
    columns.sort_by(|a, b| a.name.cmp(&b.name));
    columns
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn attributes_read_as_columns_with_their_options() {
        // GIVEN a definition with a choice, a calculated helper and system columns.
        let definition = json!({"Attributes": [
            {"LogicalName": "accountnumber", "AttributeType": "String",
             "RequiredLevel": {"Value": "ApplicationRequired"}},
            {"LogicalName": "customertypecode", "AttributeType": "Picklist",
             "RequiredLevel": {"Value": "None"}},
            {"LogicalName": "customertypecodename", "AttributeType": "Virtual",
             "AttributeOf": "customertypecode"},
            {"LogicalName": "createdon", "AttributeType": "DateTime",
             "IsValidForCreate": false, "IsValidForUpdate": false},
            {"LogicalName": "ownerid", "AttributeType": "Owner",
             "RequiredLevel": {"Value": "SystemRequired"}},
            {"LogicalName": "statecode", "AttributeType": "State",
             "RequiredLevel": {"Value": "SystemRequired"},
             "IsValidForCreate": false, "IsValidForUpdate": true}
        ]});
        let picklists = json!({"value": [{"LogicalName": "customertypecode", "OptionSet": {
            "Options": [{"Value": 3, "Label": {"LocalizedLabels": [{"Label": "Customer"}],
                                               "UserLocalizedLabel": null}}]}}]});
        // WHEN they are read.
        let columns = table_columns(&definition, &picklists);
        // THEN the helper is left out, and flags and options come from the metadata.
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "accountnumber",
                "createdon",
                "customertypecode",
                "ownerid",
                "statecode"
            ]
        );
        assert!(columns[0].mandatory, "ApplicationRequired is mandatory");
        assert!(
            columns[1].read_only,
            "neither creatable nor updatable is read-only"
        );
        assert_eq!(columns[2].members, ["3"]);
        assert_eq!(columns[2].labels, ["Customer"]);
        assert!(
            !columns[3].mandatory && !columns[4].mandatory,
            "the owner and the state are filled in by Dataverse on create"
        );
        assert!(!columns[4].read_only, "the state can be updated");
    }
}
