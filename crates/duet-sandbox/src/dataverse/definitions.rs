//! `EntityDefinitions`: the table definitions Dataverse serves, built from the catalog.

use axum::http::{StatusCode, Uri};
use axum::response::Response;
use serde_json::{Value, json};

use crate::catalog::catalog;
use crate::metadata;
use crate::odata::{self, ApiError, KeyPart, KeyValue, Query, reply};

use super::errors::{CODE_BAD_QUERY, CODE_NOT_FOUND, bad_request, err};
use super::state::DvState;

/// `GET EntityDefinitions` and `GET EntityDefinitions(LogicalName='x')`, with `$select` and
/// `$expand=Attributes` (optionally with a nested `$select`).
pub(super) fn entity_definitions(
    st: &DvState,
    key: Option<&str>,
    tail: Option<&str>,
    uri: &Uri,
) -> Result<Response, ApiError> {
    let query = Query::parse(uri.query());
    for (name, _) in &query.pairs {
        if !matches!(name.as_str(), "$select" | "$expand") {
            return Err(bad_request(format!(
                "The query option '{name}' is not supported on EntityDefinitions by the sandbox."
            )));
        }
    }
    let cast = match tail {
        None => None,
        Some(tail)
            if key.is_some() && (tail == "Attributes" || tail.starts_with("Attributes/")) =>
        {
            Some(
                tail.strip_prefix("Attributes")
                    .unwrap_or_default()
                    .trim_start_matches('/'),
            )
        }
        Some(_) => {
            return Err(err(
                StatusCode::NOT_FOUND,
                CODE_BAD_QUERY,
                "Resource not found for the segment after EntityDefinitions.",
            ));
        }
    };
    let (select, expand) = (query.get("$select"), query.get("$expand"));
    let cat = catalog();
    let context = format!("{}/$metadata#EntityDefinitions", st.root);
    let Some(key) = key else {
        let mut items = Vec::new();
        for t in &cat.dataverse {
            let d = metadata::entity_definition(cat, t, select, expand).map_err(bad_request)?;
            items.push(Value::Object(d));
        }
        let body = json!({"@odata.context": context, "value": items});
        return Ok(reply(StatusCode::OK, Some(body.to_string()), &[]));
    };
    let parts = odata::parse_key_predicate(key).map_err(bad_request)?;
    let logical = match parts.as_slice() {
        [
            KeyPart {
                name: Some(n),
                value: KeyValue::Quoted(v),
            },
        ] if n == "LogicalName" => v.clone(),
        _ => {
            return Err(bad_request(format!(
                "The key '{key}' is not supported; use EntityDefinitions(LogicalName='name')."
            )));
        }
    };
    let table = cat.dv_table_by_logical(&logical).ok_or_else(|| {
        err(
            StatusCode::NOT_FOUND,
            CODE_NOT_FOUND,
            format!("Could not find an entity with LogicalName = '{logical}'."),
        )
    })?;
    if let Some(cast) = cast {
        let cast = (!cast.is_empty()).then_some(cast);
        let items = metadata::attributes(cat, table, cast, select, expand).map_err(bad_request)?;
        let body = json!({
            "@odata.context": format!("{context}('{logical}')/Attributes"),
            "value": items,
        });
        return Ok(reply(StatusCode::OK, Some(body.to_string()), &[]));
    }
    let mut d = metadata::entity_definition(cat, table, select, expand).map_err(bad_request)?;
    d.insert(
        "@odata.context".into(),
        Value::from(format!("{context}/$entity")),
    );
    Ok(reply(
        StatusCode::OK,
        Some(Value::Object(d).to_string()),
        &[],
    ))
}
