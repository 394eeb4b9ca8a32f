//! Every standard map template validates against the sandbox's own schemas: the columns,
//! types, enum members and read-only flags the emulators serve.

use duet_maps::{Column, ColumnType, Schema, templates};
use duet_sandbox::{DvType, FoType, catalog};

fn schema(finops_set: &str, dataverse_set: &str) -> Schema {
    let catalog = catalog();
    let finops = catalog
        .fo_entity(finops_set)
        .unwrap_or_else(|| panic!("the catalog has no entity {finops_set}"));
    let dataverse = catalog
        .dv_table(dataverse_set)
        .unwrap_or_else(|| panic!("the catalog has no table {dataverse_set}"));
    Schema {
        finance_operations: finops
            .fields
            .iter()
            .map(|field| {
                let (column_type, members) = match &field.kind {
                    FoType::String => (ColumnType::Text, Vec::new()),
                    FoType::Integer => (ColumnType::Integer, Vec::new()),
                    FoType::Decimal => (ColumnType::Decimal, Vec::new()),
                    FoType::Datetime => (ColumnType::DateTime, Vec::new()),
                    FoType::Enum { members, .. } => (ColumnType::Enum, members.clone()),
                };
                Column {
                    name: field.name.clone(),
                    column_type,
                    mandatory: false,
                    read_only: field.read_only,
                    members,
                    labels: Vec::new(),
                }
            })
            .collect(),
        dataverse: dataverse
            .columns
            .iter()
            .map(|column| {
                let (column_type, members) = match &column.kind {
                    DvType::String => (ColumnType::Text, Vec::new()),
                    DvType::Integer => (ColumnType::Integer, Vec::new()),
                    DvType::Decimal | DvType::Money => (ColumnType::Decimal, Vec::new()),
                    DvType::Boolean => (ColumnType::Boolean, Vec::new()),
                    DvType::Choice { options } => (
                        ColumnType::Enum,
                        options.iter().map(|o| o.value.to_string()).collect(),
                    ),
                    DvType::Lookup { .. } => (ColumnType::Lookup, Vec::new()),
                    DvType::Datetime => (ColumnType::DateTime, Vec::new()),
                    DvType::Uniqueidentifier => (ColumnType::Guid, Vec::new()),
                };
                Column {
                    name: column.name.clone(),
                    column_type,
                    mandatory: false,
                    read_only: false,
                    members,
                    labels: Vec::new(),
                }
            })
            .collect(),
    }
}

#[test]
fn every_template_validates_against_the_sandbox_schemas() {
    let templates = templates();
    assert!(templates.len() >= 30, "{} templates", templates.len());
    let mut failures = Vec::new();
    for template in &templates {
        let schema = schema(
            &template.finance_operations_entity,
            &template.dataverse_entity_set,
        );
        for problem in template.validate(Some(&schema)) {
            failures.push(format!("{}: {problem}", template.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // The check has teeth: a mapped column the side refuses to write is reported.
    let template = &templates[0];
    let mut schema = schema(
        &template.finance_operations_entity,
        &template.dataverse_entity_set,
    );
    let written = template
        .fields
        .iter()
        .find(|field| {
            field
                .direction
                .flows_from(duet_maps::Side::FinanceOperations)
                && field.dataverse.is_some()
        })
        .and_then(|field| field.dataverse.clone())
        .expect("a field written to Dataverse");
    for column in &mut schema.dataverse {
        if column.name == written {
            column.read_only = true;
        }
    }
    let problems = template.validate(Some(&schema));
    assert!(
        problems.iter().any(|p| p.message.contains(&written)),
        "{written}: {problems:?}"
    );

    // And a mapped column the table does not have is reported with the closest name.
    let mut without = self::schema(
        &template.finance_operations_entity,
        &template.dataverse_entity_set,
    );
    without.dataverse.retain(|column| column.name != written);
    let problems = template.validate(Some(&without));
    assert!(
        problems
            .iter()
            .any(|p| p.code == duet_maps::code::UNKNOWN_COLUMN && p.message.contains(&written)),
        "{written}: {problems:?}"
    );
}
