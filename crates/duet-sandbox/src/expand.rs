//! The `$expand` query option as both emulators accept it: a comma-separated list of
//! navigation properties, each with an optional nested `$select`. Each emulator checks the
//! properties and selected fields against its own tables.

/// One `$expand` item: a navigation property and its nested `$select`.
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

/// Parses `$expand`; `is_navigation` says whether a name is a navigation property of the
/// entity type `entity_type`. Errors are messages for a 400.
pub(crate) fn parse_expand(
    text: &str,
    entity_type: &str,
    is_navigation: &dyn Fn(&str) -> bool,
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
        if !is_navigation(&nav) {
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

#[cfg(test)]
mod tests {
    use super::*;

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
            "a name that is not a navigation property is refused"
        );
    }
}
