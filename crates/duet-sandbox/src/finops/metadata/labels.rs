//! Label ids the metadata service hands out, their English texts, and the keyed
//! `Labels(Id='…',Language='…')` read. Every id in an entity, property, enumeration or member
//! resolves; the collection itself cannot be listed.

use std::collections::HashMap;
use std::sync::OnceLock;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use crate::odata::{ApiError, KeyValue, reply};

use super::model::{enumerations, public_entities};
use super::not_found;

/// The label file the emulator's ids name, as in `@Sandbox:Field_CustomerAccount`.
const LABEL_FILE: &str = "@Sandbox:";

/// What a label describes.
#[derive(Debug, Clone, Copy)]
pub(super) enum LabelOf<'a> {
    /// An entity, by its public entity name; the text comes from its collection name.
    Entity { name: &'a str, collection: &'a str },
    /// A field name; fields of the same name share a label, as fields of one extended data
    /// type do.
    Field(&'a str),
    /// An enumeration.
    Enum(&'a str),
    /// One member of an enumeration.
    Member { r#enum: &'a str, member: &'a str },
}

impl LabelOf<'_> {
    pub(super) fn id(self) -> String {
        match self {
            LabelOf::Entity { name, .. } => format!("{LABEL_FILE}Entity_{name}"),
            LabelOf::Field(f) => format!("{LABEL_FILE}Field_{f}"),
            LabelOf::Enum(e) => format!("{LABEL_FILE}Enum_{e}"),
            LabelOf::Member { r#enum, member } => format!("{LABEL_FILE}Enum_{enum}_{member}"),
        }
    }

    fn text(self) -> String {
        match self {
            LabelOf::Entity { collection, .. } => words(collection),
            LabelOf::Field(name) | LabelOf::Enum(name) => words(name),
            LabelOf::Member { member, .. } => words(member),
        }
    }
}

/// A readable label from an identifier: `SalesInvoiceHeadersV2` gives "Sales invoice headers
/// V2", `CDSSalesOrderLines` "CDS sales order lines".
pub(super) fn words(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut parts: Vec<String> = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        let boundary = match prev {
            None => false,
            Some(p) if c == '_' || p == '_' => true,
            Some(p) => {
                (p.is_lowercase() && c.is_uppercase())
                    || (p.is_uppercase()
                        && c.is_uppercase()
                        && next.is_some_and(char::is_lowercase))
            }
        };
        if boundary && !current.is_empty() {
            parts.push(std::mem::take(&mut current));
        }
        if c != '_' {
            current.push(c);
        }
    }
    parts.push(current);
    let mut out = Vec::new();
    for (i, part) in parts.iter().filter(|p| !p.is_empty()).enumerate() {
        let acronym = part.chars().all(|c| c.is_uppercase() || c.is_ascii_digit());
        out.push(if i == 0 {
            let mut cs = part.chars();
            cs.next()
                .map(|f| f.to_uppercase().chain(cs).collect())
                .unwrap_or_default()
        } else if acronym {
            part.clone()
        } else {
            part.to_lowercase()
        });
    }
    out.join(" ")
}

/// Every label id handed out, with its text: the entities' and their properties', the
/// enumerations' and their members'.
fn table() -> &'static HashMap<String, String> {
    static TABLE: OnceLock<HashMap<String, String>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut all: Vec<LabelOf> = Vec::new();
        for e in public_entities() {
            all.push(LabelOf::Entity {
                name: e.name,
                collection: e.set,
            });
            all.extend(e.properties.iter().map(|p| LabelOf::Field(p.name)));
        }
        for e in enumerations() {
            all.push(LabelOf::Enum(e.name));
            all.extend(e.members.iter().map(|m| LabelOf::Member {
                r#enum: e.name,
                member: m,
            }));
        }
        all.into_iter().map(|l| (l.id(), l.text())).collect()
    })
}

/// `GET Labels(Id='…',Language='…')`: the label's text in the asked language. Only English
/// texts exist; every language gets them.
pub(super) fn read(base: &str, key: &str) -> Result<Response, ApiError> {
    let parts = super::key_parts(key)?;
    let mut id = None;
    let mut language = None;
    for part in &parts {
        let value = match &part.value {
            KeyValue::Quoted(v) => v.clone(),
            KeyValue::Bare(v) => v.clone(),
        };
        match part.name.as_deref() {
            Some("Id") if id.is_none() => id = Some(value),
            Some("Language") if language.is_none() => language = Some(value),
            _ => return Err(key_mismatch()),
        }
    }
    let (Some(id), Some(language)) = (id, language) else {
        return Err(key_mismatch());
    };
    let value = table()
        .get(&id)
        .ok_or_else(|| not_found(&format!("Labels(Id='{id}',Language='{language}')")))?;
    let body = json!({
        "@odata.context": format!("{base}/Metadata/$metadata#Labels/$entity"),
        "Id": id,
        "Language": language,
        "Value": value,
    });
    Ok(reply(StatusCode::OK, Some(body.to_string()), &[]))
}

fn key_mismatch() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "",
        "The number of keys specified in the URI does not match number of key properties for the resource 'Microsoft.Dynamics.Metadata.Label'.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_camel_case_and_keep_acronyms() {
        assert_eq!(words("SalesInvoiceHeadersV2"), "Sales invoice headers V2");
        assert_eq!(words("CDSSalesOrderLines"), "CDS sales order lines");
        assert_eq!(words("dataAreaId"), "Data area id");
        assert_eq!(words("CustomersV3"), "Customers V3");
    }

    #[test]
    fn every_label_of_an_entity_resolves() {
        let customer = public_entities()
            .iter()
            .find(|e| e.name == "CustomerV3")
            .expect("customer entity");
        let id = LabelOf::Entity {
            name: customer.name,
            collection: customer.set,
        }
        .id();
        assert_eq!(table().get(&id).map(String::as_str), Some("Customers V3"));
        for p in &customer.properties {
            assert!(
                table().contains_key(&LabelOf::Field(p.name).id()),
                "{}",
                p.name
            );
        }
    }
}
