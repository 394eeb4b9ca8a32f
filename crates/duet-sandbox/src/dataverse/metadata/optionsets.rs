//! Choices: which option sets are global and which belong to one column, and the
//! `OptionSetMetadata` shape both `GlobalOptionSetDefinitions` and an attribute's `OptionSet`
//! serve.
//!
//! A choice column whose name carries a publisher prefix (`msdyn_ordertype`) uses a global
//! choice of that name, as solution choices do; the two tables with `msdyn_ordertype` share
//! it. The platform's own choice columns (`customertypecode`, `gendercode`) and every
//! `statecode`/`statuscode` have a local option set named `<table>_<column>`.

use serde_json::{Map, Value, json};

use crate::catalog::{Catalog, ChoiceOption, DvTable};

use super::columns::{is_custom_name, table_attributes};
use super::labels::{Languages, label, managed, metadata_id};

/// `OptionSetType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OptionSetKind {
    Picklist,
    State,
    Status,
    /// A yes/no column's two options, served as `TrueOption` and `FalseOption`.
    Boolean,
}

impl OptionSetKind {
    fn name(self) -> &'static str {
        match self {
            OptionSetKind::Picklist => "Picklist",
            OptionSetKind::State => "State",
            OptionSetKind::Status => "Status",
            OptionSetKind::Boolean => "Boolean",
        }
    }
}

/// One option; `state` is the state a status belongs to, `default_status` a state's default.
#[derive(Debug, Clone)]
pub(crate) struct OptionItem {
    pub(crate) value: i64,
    pub(crate) label: String,
    state: Option<i64>,
    default_status: Option<i64>,
}

#[derive(Debug, Clone)]
pub(crate) struct OptionSet {
    pub(crate) name: String,
    pub(crate) global: bool,
    pub(crate) kind: OptionSetKind,
    pub(crate) options: Vec<OptionItem>,
}

fn plain(options: &[ChoiceOption]) -> Vec<OptionItem> {
    options
        .iter()
        .map(|o| OptionItem {
            value: o.value,
            label: o.label.clone(),
            state: None,
            default_status: None,
        })
        .collect()
}

/// The option set of a catalog choice column.
pub(crate) fn local_or_global(
    table: &DvTable,
    column: &str,
    options: &[ChoiceOption],
) -> OptionSet {
    let global = is_custom_name(column);
    OptionSet {
        name: if global {
            column.to_string()
        } else {
            format!("{}_{column}", table.logical_name)
        },
        global,
        kind: OptionSetKind::Picklist,
        options: plain(options),
    }
}

/// A yes/no column's option set, labelled as formatted values show it.
pub(crate) fn boolean_set(table: &DvTable, column: &str) -> OptionSet {
    let option = |value: i64, label: &str| OptionItem {
        value,
        label: label.to_string(),
        state: None,
        default_status: None,
    };
    OptionSet {
        name: format!("{}_{column}", table.logical_name),
        global: false,
        kind: OptionSetKind::Boolean,
        options: vec![option(1, "Yes"), option(0, "No")],
    }
}

/// The states a table's rows may be in: the catalog's, else Active and Inactive.
fn states(catalog: Option<&[ChoiceOption]>) -> Vec<(i64, String)> {
    match catalog {
        Some(options) => options.iter().map(|o| (o.value, o.label.clone())).collect(),
        None => vec![(0, "Active".into()), (1, "Inactive".into())],
    }
}

/// `statecode`'s option set. Each state's default status is the status numbered one above it.
pub(crate) fn state_set(table: &DvTable, catalog: Option<&[ChoiceOption]>) -> OptionSet {
    OptionSet {
        name: format!("{}_statecode", table.logical_name),
        global: false,
        kind: OptionSetKind::State,
        options: states(catalog)
            .into_iter()
            .map(|(value, label)| OptionItem {
                value,
                label,
                state: None,
                default_status: Some(value + 1),
            })
            .collect(),
    }
}

fn catalog_states(table: &DvTable) -> Option<&[ChoiceOption]> {
    match &table.column("statecode")?.kind {
        crate::catalog::DvType::Choice { options } => Some(options),
        _ => None,
    }
}

/// `statuscode`'s option set: one status per state, numbered one above it (Active 1,
/// Inactive 2 for the usual two states).
pub(crate) fn status_set(table: &DvTable) -> OptionSet {
    OptionSet {
        name: format!("{}_statuscode", table.logical_name),
        global: false,
        kind: OptionSetKind::Status,
        options: states(catalog_states(table))
            .into_iter()
            .map(|(state, label)| OptionItem {
                value: state + 1,
                label,
                state: Some(state),
                default_status: None,
            })
            .collect(),
    }
}

/// Every global option set the catalog's columns use, by name.
pub(crate) fn global_option_sets(cat: &Catalog) -> Vec<OptionSet> {
    let mut out: Vec<OptionSet> = Vec::new();
    for table in &cat.dataverse {
        for attribute in table_attributes(cat, table) {
            if let Some(set) = attribute.options.filter(|s| s.global)
                && !out.iter().any(|o| o.name == set.name)
            {
                out.push(set);
            }
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

pub(crate) fn option_set_id(set: &OptionSet) -> String {
    metadata_id(&["optionset", &set.name])
}

fn option_json(set: &OptionSet, o: &OptionItem, languages: Languages) -> Value {
    let value = o.value.to_string();
    let mut m = Map::new();
    m.insert("Value".into(), Value::from(o.value));
    m.insert("Color".into(), Value::Null);
    m.insert("IsManaged".into(), Value::from(true));
    m.insert("ExternalValue".into(), Value::from(""));
    m.insert("ParentValues".into(), json!([]));
    m.insert("Tag".into(), Value::Null);
    m.insert("IsHidden".into(), Value::from(false));
    m.insert("MetadataId".into(), Value::Null);
    m.insert("HasChanged".into(), Value::Null);
    m.insert(
        "Label".into(),
        label(&o.label, languages, &[&set.name, &value]),
    );
    m.insert("Description".into(), label("", languages, &[]));
    if let Some(status) = o.default_status {
        m.insert("DefaultStatus".into(), Value::from(status));
        m.insert("InvariantName".into(), Value::from(o.label.clone()));
    }
    if let Some(state) = o.state {
        m.insert("State".into(), Value::from(state));
        m.insert("TransitionData".into(), Value::Null);
    }
    Value::Object(m)
}

/// `OptionSetMetadata` for `set`.
pub(crate) fn option_set_json(set: &OptionSet, languages: Languages) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("MetadataId".into(), Value::from(option_set_id(set)));
    m.insert("HasChanged".into(), Value::Null);
    m.insert(
        "IsCustomOptionSet".into(),
        Value::from(is_custom_name(&set.name)),
    );
    m.insert("IsGlobal".into(), Value::from(set.global));
    m.insert("IsManaged".into(), Value::from(true));
    m.insert("Name".into(), Value::from(set.name.clone()));
    m.insert("ExternalTypeName".into(), Value::Null);
    m.insert("OptionSetType".into(), Value::from(set.kind.name()));
    m.insert("IntroducedVersion".into(), Value::from("1.0"));
    m.insert("ParentOptionSetName".into(), Value::Null);
    m.insert("Description".into(), label("", languages, &[]));
    m.insert(
        "DisplayName".into(),
        label(&set.name, languages, &["optionset", &set.name]),
    );
    m.insert(
        "IsCustomizable".into(),
        managed(true, true, "iscustomizable"),
    );
    if set.kind == OptionSetKind::Boolean {
        for (name, value) in [("TrueOption", 1), ("FalseOption", 0)] {
            let option = set.options.iter().find(|o| o.value == value);
            let json = option.map_or(Value::Null, |o| option_json(set, o, languages));
            m.insert(name.into(), json);
        }
        return m;
    }
    let options = set
        .options
        .iter()
        .map(|o| option_json(set, o, languages))
        .collect();
    m.insert("Options".into(), Value::Array(options));
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::catalog;

    #[test]
    fn prefixed_choices_are_global_and_shared() {
        let sets = global_option_sets(catalog());
        let names: Vec<&str> = sets.iter().map(|s| s.name.as_str()).collect();
        assert!(names.contains(&"msdyn_ordertype"), "{names:?}");
        assert!(!names.contains(&"account_customertypecode"), "{names:?}");
        let quote = catalog().dv_table_by_logical("quote").expect("quote");
        let status = status_set(quote);
        assert_eq!(status.options.len(), 4, "one status per quote state");
        assert_eq!(status.options[0].value, 1);
    }
}
