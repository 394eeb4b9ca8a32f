//! The annotations a client asks for with `Prefer: odata.include-annotations`:
//! `FormattedValue` for columns and lookups, and the lookup's logical name and navigation
//! property.

use serde_json::{Map, Value};

use crate::catalog::{DvTable, DvType, catalog};

use super::metadata::system_choice_label;

const FORMATTED: &str = "OData.Community.Display.V1.FormattedValue";
const LOOKUP_LOGICAL: &str = "Microsoft.Dynamics.CRM.lookuplogicalname";
const ASSOCIATED_NAV: &str = "Microsoft.Dynamics.CRM.associatednavigationproperty";

/// Which annotations a `Prefer: odata.include-annotations` value asks for.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Annotations {
    pub(super) formatted: bool,
    pub(super) lookup: bool,
}

fn wants(patterns: &str, term: &str) -> bool {
    patterns
        .split(',')
        .map(str::trim)
        .any(|p| match p.strip_suffix('*') {
            Some(prefix) => term.starts_with(prefix),
            None => p == term,
        })
}

impl Annotations {
    pub(super) fn from_prefer(value: Option<&str>) -> Self {
        match value {
            None => Annotations::default(),
            Some(v) => Annotations {
                formatted: wants(v, FORMATTED),
                lookup: wants(v, LOOKUP_LOGICAL),
            },
        }
    }

    pub(super) fn any(self) -> bool {
        self.formatted || self.lookup
    }
}

/// Formats a number with two decimals and thousands separators, e.g. `12,500.00`.
fn money_text(n: f64) -> String {
    let text = format!("{:.2}", n.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, "00"));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if n < 0.0 { "-" } else { "" };
    format!("{sign}{grouped}.{frac}")
}

/// A display name for a row: its first name-like column, else its alternate key value.
pub(super) fn display_name(set: &str, row: &Map<String, Value>) -> Option<String> {
    let table = catalog().dv_table(set)?;
    let mut candidates = vec!["name", "msdyn_name", "cdm_name", "fullname", "currencyname"];
    if let Some(k) = table.alternate_keys.first().and_then(|k| k.first()) {
        candidates.push(k);
    }
    candidates
        .into_iter()
        .find_map(|c| row.get(c).and_then(Value::as_str).filter(|s| !s.is_empty()))
        .map(str::to_string)
}

/// Adds annotations to one projected row of table `set`. `names` maps a lookup's target set
/// and `_x_value` id to the target row's display name; its errors are returned.
pub(super) fn annotate<E, F>(
    set: &str,
    out: &mut Map<String, Value>,
    wanted: Annotations,
    names: &F,
) -> Result<(), E>
where
    F: Fn(&str, &str) -> Result<Option<String>, E>,
{
    let Some(table) = catalog().dv_table(set) else {
        return Ok(());
    };
    let cat = catalog();
    let mut extra = Vec::new();
    for c in &table.columns {
        match &c.kind {
            DvType::Lookup { target } => {
                let value_name = format!("_{}_value", c.name);
                let Some(id) = out.get(&value_name).and_then(Value::as_str) else {
                    continue;
                };
                if wanted.formatted
                    && let Some(name) = names(target, id)?
                {
                    extra.push((format!("{value_name}@{FORMATTED}"), Value::from(name)));
                }
                if wanted.lookup {
                    let logical = cat
                        .dv_table(target)
                        .map_or(target.clone(), |t| t.logical_name.clone());
                    extra.push((
                        format!("{value_name}@{LOOKUP_LOGICAL}"),
                        Value::from(logical),
                    ));
                    extra.push((
                        format!("{value_name}@{ASSOCIATED_NAV}"),
                        Value::from(c.name.clone()),
                    ));
                }
            }
            kind if wanted.formatted => {
                let Some(v) = out.get(&c.name).filter(|v| !v.is_null()) else {
                    continue;
                };
                let text = match kind {
                    DvType::Boolean => v
                        .as_bool()
                        .map(|b| if b { "Yes" } else { "No" }.to_string()),
                    DvType::Choice { options } => v
                        .as_i64()
                        .and_then(|n| options.iter().find(|o| o.value == n))
                        .map(|o| o.label.clone()),
                    DvType::Money => v.as_f64().map(money_text),
                    DvType::Integer | DvType::Decimal => v.as_f64().map(|n| n.to_string()),
                    _ => None,
                };
                if let Some(t) = text {
                    extra.push((format!("{}@{FORMATTED}", c.name), Value::from(t)));
                }
            }
            _ => {}
        }
    }
    if wanted.formatted {
        extra.extend(state_labels(table, out));
    }
    for (k, v) in extra {
        out.insert(k, v);
    }
    Ok(())
}

/// Formatted values of the state and status every table has, where the catalog does not
/// define them.
fn state_labels(table: &DvTable, row: &Map<String, Value>) -> Vec<(String, Value)> {
    ["statecode", "statuscode"]
        .into_iter()
        .filter(|column| table.column(column).is_none())
        .filter_map(|column| {
            let value = row.get(column).and_then(Value::as_i64)?;
            let label = system_choice_label(table, column, value)?;
            Some((format!("{column}@{FORMATTED}"), Value::from(label)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_grouped_with_two_decimals() {
        assert_eq!(money_text(1_234_567.5), "1,234,567.50");
        assert_eq!(money_text(100.0), "100.00");
        assert_eq!(money_text(-2500.0), "-2,500.00");
    }

    #[test]
    fn annotation_preferences_accept_wildcards() {
        let a = Annotations::from_prefer(Some("*"));
        assert!(a.formatted && a.lookup);
        let b = Annotations::from_prefer(Some("OData.Community.Display.V1.FormattedValue"));
        assert!(b.formatted && !b.lookup);
        let c = Annotations::from_prefer(Some("Microsoft.Dynamics.CRM.*"));
        assert!(!c.formatted && c.lookup);
    }
}
