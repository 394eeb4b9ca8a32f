//! The template gallery: the standard maps as cards, and adding them as stopped maps
//! together with the maps they look up.

use std::collections::HashSet;

use duet_maps::{Area, Flow, TableMap, Template, template_catalog};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{Api, ApiError, Code};

/// A standard map as the gallery shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TemplateView {
    pub name: String,
    pub title: String,
    pub area: Area,
    pub company_specific: bool,
    pub finance_operations_entity: String,
    pub dataverse_table: String,
    pub dataverse_entity_set: String,
    pub flow: Flow,
    /// The maps its lookups need, by name.
    pub looks_up: Vec<String>,
    pub field_count: usize,
    pub note: Option<String>,
    /// A map of this name is stored already.
    pub added: bool,
    /// The whole definition, as `add_templates` would store it.
    pub definition: TableMap,
}

/// What adding templates did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AddedTemplates {
    /// Added as new, stopped maps.
    pub added: Vec<String>,
    /// Named but already stored; left as they are.
    pub existing: Vec<String>,
    /// Maps the stored maps look up that are still missing (templates the gallery offers).
    pub missing_lookups: Vec<String>,
}

fn view(template: Template, stored: &HashSet<String>) -> TemplateView {
    TemplateView {
        looks_up: template.looks_up(),
        flow: template.flow(),
        added: stored.contains(&template.map.name),
        name: template.map.name.clone(),
        title: template.map.title.clone(),
        area: template.area,
        company_specific: template.map.company.is_some(),
        finance_operations_entity: template.map.finance_operations_entity.clone(),
        dataverse_table: template.map.dataverse_table.clone(),
        dataverse_entity_set: template.map.dataverse_entity_set.clone(),
        field_count: template.map.fields.len(),
        note: template.map.note.clone(),
        definition: template.map,
    }
}

impl Api {
    fn stored_names(&self) -> Result<HashSet<String>, ApiError> {
        Ok(self
            .store
            .maps()?
            .into_iter()
            .map(|record| record.name)
            .collect())
    }

    /// Every standard template, with whether it is stored.
    pub fn map_templates(&self) -> Result<Vec<TemplateView>, ApiError> {
        let stored = self.stored_names()?;
        Ok(template_catalog()
            .into_iter()
            .map(|template| view(template, &stored))
            .collect())
    }

    /// Adds the named templates as stopped maps (version 1, noted as added from the
    /// gallery); a name already stored is left alone. Answers which lookups of the stored
    /// maps are still missing, so the window can offer them.
    pub fn add_templates(&self, names: &[String]) -> Result<AddedTemplates, ApiError> {
        if names.is_empty() {
            return Err(ApiError::new(
                Code::BadArguments,
                "name at least one template",
            ));
        }
        let catalog = template_catalog();
        let mut report = AddedTemplates {
            added: Vec::new(),
            existing: Vec::new(),
            missing_lookups: Vec::new(),
        };
        let stored = self.stored_names()?;
        for name in names {
            let template = catalog
                .iter()
                .find(|template| template.map.name == *name)
                .ok_or_else(|| {
                    ApiError::new(
                        Code::NotFound,
                        format!("there is no template named '{name}'"),
                    )
                })?;
            if stored.contains(name) || report.added.contains(name) {
                report.existing.push(name.clone());
                continue;
            }
            let definition = serde_json::to_value(&template.map)
                .map_err(|error| ApiError::new(Code::Internal, error.to_string()))?;
            self.save_definition(&definition, Some("added from the template gallery"))?;
            report.added.push(name.clone());
        }
        report.missing_lookups = self.missing_lookups()?;
        Ok(report)
    }

    /// Lookup targets of stored maps that are not stored, in the order first named.
    fn missing_lookups(&self) -> Result<Vec<String>, ApiError> {
        let stored = self.stored_maps()?;
        let names: HashSet<&str> = stored.iter().map(|map| map.name.as_str()).collect();
        let mut missing: Vec<String> = Vec::new();
        for map in &stored {
            for target in map.lookup_targets() {
                if !names.contains(target) && !missing.iter().any(|name| name == target) {
                    missing.push(target.to_owned());
                }
            }
        }
        Ok(missing)
    }
}
