//! Dataverse read extras: `$expand` of single-valued navigation properties (lookups) and the
//! `FormattedValue` / lookup annotations asked for with `Prefer: odata.include-annotations`.

use serde_json::{Map, Value};

use crate::catalog::{DvType, catalog};

pub(crate) const FORMATTED: &str = "OData.Community.Display.V1.FormattedValue";
pub(crate) const LOOKUP_LOGICAL: &str = "Microsoft.Dynamics.CRM.lookuplogicalname";
pub(crate) const ASSOCIATED_NAV: &str = "Microsoft.Dynamics.CRM.associatednavigationproperty";

/// One `$expand` item: a lookup's navigation property and its nested `$select`.
#[derive(Debug, Clone)]
pub(crate) struct Expand {
    pub nav: String,
    pub select: Option<Vec<String>>,
}

/// Splits on commas outside parentheses.
fn split_top(s: &str) -> Vec<String> {
    let (mut out, mut cur, mut depth) = (Vec::new(), String::new(), 0i32);
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
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

/// Parses `$expand`; `is_lookup` says whether a name is a navigation property of the table.
/// Errors are messages for a 400.
pub(crate) fn parse_expand(
    text: &str,
    entity_type: &str,
    is_lookup: &dyn Fn(&str) -> bool,
) -> Result<Vec<Expand>, String> {
    let mut out = Vec::new();
    for item in split_top(text) {
        let (nav, inner) = match item.split_once('(') {
            Some((n, rest)) => (
                n.trim().to_string(),
                Some(
                    rest.strip_suffix(')')
                        .ok_or_else(|| format!("The $expand item '{item}' is malformed."))?
                        .to_string(),
                ),
            ),
            None => (item.clone(), None),
        };
        if !is_lookup(&nav) {
            return Err(format!(
                "Could not find a property named '{nav}' on type '{entity_type}'."
            ));
        }
        let mut select = None;
        if let Some(inner) = inner {
            for opt in inner.split(';').filter(|o| !o.trim().is_empty()) {
                match opt.split_once('=') {
                    Some((k, v)) if k.trim() == "$select" => {
                        select = Some(v.split(',').map(|s| s.trim().to_string()).collect());
                    }
                    _ => {
                        return Err(format!(
                            "The option '{opt}' inside $expand is not supported by the sandbox."
                        ));
                    }
                }
            }
        }
        out.push(Expand { nav, select });
    }
    Ok(out)
}

/// Which annotations a `Prefer: odata.include-annotations` value asks for.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Annotations {
    pub formatted: bool,
    pub lookup: bool,
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
    pub(crate) fn from_prefer(value: Option<&str>) -> Self {
        match value {
            None => Annotations::default(),
            Some(v) => Annotations {
                formatted: wants(v, FORMATTED),
                lookup: wants(v, LOOKUP_LOGICAL),
            },
        }
    }

    pub(crate) fn any(self) -> bool {
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
pub(crate) fn display_name(set: &str, row: &Map<String, Value>) -> Option<String> {
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
pub(crate) fn annotate<E, F>(
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
    for (k, v) in extra {
        out.insert(k, v);
    }
    Ok(())
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
    fn expand_items_split_outside_parentheses() {
        let items = parse_expand(
            "msdyn_company($select=cdm_companycode,cdm_name),transactioncurrencyid",
            "Microsoft.Dynamics.CRM.account",
            &|n| n == "msdyn_company" || n == "transactioncurrencyid",
        )
        .expect("valid");
        assert_eq!(items.len(), 2);
        assert_eq!(
            items[0].select.as_deref(),
            Some(&["cdm_companycode".to_string(), "cdm_name".to_string()][..])
        );
        assert!(
            parse_expand("Account_Tasks", "x", &|_| false).is_err(),
            "collection navigation is not a lookup"
        );
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
