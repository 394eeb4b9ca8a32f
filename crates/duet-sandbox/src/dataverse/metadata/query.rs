//! The query options metadata requests accept: `$select`, `$filter`, `$expand` (with nested
//! `$select` and `$filter`) and `LabelLanguages`. Metadata has no paging, ordering or
//! counting, so `$top`, `$skip`, `$orderby` and `$count` are refused by name.

use axum::http::StatusCode;
use serde_json::{Map, Value};

use crate::filter::{Dialect, Expr};
use crate::odata::{ApiError, Query};

use super::super::errors::{CODE_BAD_QUERY, bad_request, err};
use super::filter::{self, MetaFilterError, filterable};
use super::labels::Languages;

/// A function metadata filters do not support.
const CODE_UNSUPPORTED_FUNCTION: &str = "0x8006088a";

/// One `$expand` item with its nested options.
#[derive(Debug, Clone, Default)]
pub(crate) struct Expansion {
    pub(crate) nav: String,
    pub(crate) options: Options,
}

/// The options of one metadata read, or of one expanded navigation inside it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Options {
    pub(crate) select: Option<Vec<String>>,
    pub(crate) filter: Option<String>,
    pub(crate) expand: Vec<Expansion>,
}

/// A metadata request's options.
#[derive(Debug, Clone, Default)]
pub(crate) struct MetaQuery {
    pub(crate) options: Options,
    pub(crate) languages: Languages,
}

impl MetaQuery {
    pub(crate) fn parse(q: &Query) -> Result<MetaQuery, ApiError> {
        let mut out = MetaQuery::default();
        for (name, value) in &q.pairs {
            match name.as_str() {
                "$select" => out.options.select = Some(split_list(value)),
                "$filter" => out.options.filter = Some(value.clone()),
                "$expand" => out.options.expand = parse_expand(value)?,
                "LabelLanguages" => {
                    let code = value.trim().parse::<i64>().map_err(|_| {
                        bad_request(format!(
                            "'{value}' is not a valid value for LabelLanguages."
                        ))
                    })?;
                    out.languages = Languages(Some(code));
                }
                option if option.starts_with('$') => return Err(unsupported_option(option)),
                // Parameter aliases and unknown names are left alone, as OData allows.
                _ => {}
            }
        }
        Ok(out)
    }
}

fn unsupported_option(option: &str) -> ApiError {
    bad_request(format!("The query parameter {option} is not supported"))
}

fn split_list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Splits on `sep` outside parentheses and quotes.
fn split_top(text: &str, sep: char) -> Vec<String> {
    let (mut out, mut cur, mut depth, mut quoted) = (Vec::new(), String::new(), 0i32, false);
    for c in text.chars() {
        match c {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth -= 1,
            c if c == sep && depth == 0 && !quoted => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out.into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Parses `Attributes($select=LogicalName;$filter=…),Keys`.
pub(crate) fn parse_expand(text: &str) -> Result<Vec<Expansion>, ApiError> {
    split_top(text, ',')
        .into_iter()
        .map(|item| {
            let Some((nav, rest)) = item.split_once('(') else {
                return Ok(Expansion {
                    nav: item,
                    options: Options::default(),
                });
            };
            let inner = rest
                .strip_suffix(')')
                .ok_or_else(|| bad_request(format!("The $expand item '{item}' is malformed.")))?;
            let mut options = Options::default();
            for option in split_top(inner, ';') {
                let (name, value) = option.split_once('=').unwrap_or((&option, ""));
                match name.trim() {
                    "$select" => options.select = Some(split_list(value)),
                    "$filter" => options.filter = Some(value.to_string()),
                    "$expand" => options.expand = parse_expand(value)?,
                    other => return Err(unsupported_option(other)),
                }
            }
            Ok(Expansion {
                nav: nav.trim().to_string(),
                options,
            })
        })
        .collect()
}

/// The error for a property `type_name` does not have.
pub(crate) fn unknown_property(name: &str, type_name: &str) -> ApiError {
    bad_request(format!(
        "Could not find a property named '{name}' on type 'Microsoft.Dynamics.CRM.{type_name}'."
    ))
}

/// A compiled `$filter` over items of one type.
pub(crate) struct ItemFilter(Option<Expr>);

impl ItemFilter {
    /// Compiles `text` against `sample`, an item carrying every property of the type.
    pub(crate) fn new(
        text: Option<&str>,
        sample: Option<&Map<String, Value>>,
        type_name: &str,
    ) -> Result<ItemFilter, ApiError> {
        let Some(text) = text else {
            return Ok(ItemFilter(None));
        };
        let known = sample.map(filterable).unwrap_or_default();
        let expr = filter::parse(text, &|p| known.contains_key(p) || sample.is_none()).map_err(
            |e| match e {
                MetaFilterError::Function(name) => err(
                    StatusCode::NOT_IMPLEMENTED,
                    CODE_UNSUPPORTED_FUNCTION,
                    format!("The \"{name}\" function isn't supported for Metadata Entities."),
                ),
                MetaFilterError::UnknownProperty(p) => unknown_property(&p, type_name),
                MetaFilterError::Syntax(detail) => err(
                    StatusCode::BAD_REQUEST,
                    CODE_BAD_QUERY,
                    format!("Invalid $filter: {detail}"),
                ),
            },
        )?;
        Ok(ItemFilter(Some(expr)))
    }

    pub(crate) fn keeps(&self, item: &Map<String, Value>) -> bool {
        self.0
            .as_ref()
            .is_none_or(|e| e.matches(&filterable(item), Dialect { wildcard_eq: false }))
    }
}

/// Refuses a selected name the addressed type does not declare.
pub(crate) fn check_selectable(
    select: Option<&[String]>,
    declared: &Map<String, Value>,
    type_name: &str,
) -> Result<(), ApiError> {
    match select
        .unwrap_or_default()
        .iter()
        .find(|s| !declared.contains_key(s.as_str()))
    {
        Some(missing) => Err(unknown_property(missing, type_name)),
        None => Ok(()),
    }
}

/// Narrows `item` to `select` (plus `MetadataId` and annotations, which are always sent),
/// refusing a name the type does not have.
pub(crate) fn select(
    mut item: Map<String, Value>,
    select: Option<&[String]>,
    type_name: &str,
) -> Result<Map<String, Value>, ApiError> {
    let Some(select) = select else {
        return Ok(item);
    };
    if let Some(missing) = select.iter().find(|s| !item.contains_key(s.as_str())) {
        return Err(unknown_property(missing, type_name));
    }
    item.retain(|k, _| k.starts_with('@') || k == "MetadataId" || select.contains(k));
    Ok(item)
}
