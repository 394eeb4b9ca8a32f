//! The read-only OData metadata service at `/Metadata` (any case): `DataEntities`,
//! `PublicEntities` and `PublicEnumerations` built from the catalog, keyed by `Name`, with
//! their query options in one page, and `Labels` read by `(Id,Language)`. Only `GET` is served.

mod csdl;
mod labels;
mod model;
mod query;
mod rows;

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use crate::metadata::xml_reply;
use crate::odata::{self, ApiError, KeyValue, Query, reply, split_resource};

/// The metadata service's entity sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum MetaSet {
    DataEntities,
    PublicEntities,
    PublicEnumerations,
    Labels,
}

impl MetaSet {
    const ALL: [MetaSet; 4] = [
        MetaSet::DataEntities,
        MetaSet::PublicEntities,
        MetaSet::PublicEnumerations,
        MetaSet::Labels,
    ];

    fn name(self) -> &'static str {
        match self {
            MetaSet::DataEntities => "DataEntities",
            MetaSet::PublicEntities => "PublicEntities",
            MetaSet::PublicEnumerations => "PublicEnumerations",
            MetaSet::Labels => "Labels",
        }
    }

    /// The entity type in `Microsoft.Dynamics.Metadata`.
    fn type_name(self) -> &'static str {
        match self {
            MetaSet::DataEntities => "DataEntity",
            MetaSet::PublicEntities => "PublicEntity",
            MetaSet::PublicEnumerations => "PublicEnumeration",
            MetaSet::Labels => "Label",
        }
    }

    /// The properties a query may name.
    fn properties(self) -> &'static [&'static str] {
        match self {
            MetaSet::DataEntities => &[
                "Name",
                "PublicEntityName",
                "PublicCollectionName",
                "LabelId",
                "EntityCategory",
                "DataServiceEnabled",
                "DataManagementEnabled",
                "IsReadOnly",
            ],
            MetaSet::PublicEntities => &[
                "Name",
                "EntitySetName",
                "LabelId",
                "IsReadOnly",
                "ConfigurationEnabled",
                "Properties",
                "NavigationProperties",
                "PropertyGroups",
                "Actions",
            ],
            MetaSet::PublicEnumerations => &["Name", "LabelId", "Members"],
            MetaSet::Labels => &["Id", "Language", "Value"],
        }
    }
}

/// The part of `path` after a `/Metadata` root in any case, or `None` for other paths.
pub(super) fn metadata_rest(path: &str) -> Option<&str> {
    const ROOT: &str = "/metadata";
    let head = path.get(..ROOT.len())?;
    let rest = &path[ROOT.len()..];
    (head.eq_ignore_ascii_case(ROOT) && (rest.is_empty() || rest.starts_with('/'))).then_some(rest)
}

pub(super) fn not_found(what: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "",
        format!("No resource was found for {what}."),
    )
}

/// The parts of a key predicate, or the 400 a malformed one gets.
pub(super) fn key_parts(key: &str) -> Result<Vec<odata::KeyPart>, ApiError> {
    odata::parse_key_predicate(key).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "",
            format!("The key '{key}' is not valid: {e}."),
        )
    })
}

fn no_route(path: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "",
        format!("No HTTP resource was found that matches the request URI '{path}'."),
    )
}

/// Serves one request under `/Metadata`; `rest` is the decoded path after the root. `base`
/// is the environment URL.
pub(super) fn handle(
    base: &str,
    method: &Method,
    path: &str,
    rest: &str,
    raw_query: Option<&str>,
) -> Result<Response, ApiError> {
    if *method != Method::GET {
        return Err(ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "",
            format!("The requested resource does not support http method '{method}'."),
        ));
    }
    if rest.is_empty() || rest == "/" {
        return Ok(service_document(base));
    }
    if rest == "/$metadata" {
        return Ok(xml_reply(csdl::document().to_string()));
    }
    let res = split_resource(rest).map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "", e))?;
    let set = MetaSet::ALL
        .into_iter()
        .find(|s| s.name() == res.set)
        .ok_or_else(|| no_route(path))?;
    let q = Query::parse(raw_query);
    match (res.key, res.tail, set) {
        (None, None, MetaSet::Labels) => Err(no_route(path)),
        (None, None, _) => query::list(base, set, &q),
        (Some(key), None, MetaSet::Labels) => labels::read(base, &key),
        (Some(key), None, _) => by_name(base, set, &key, &q),
        _ => Err(no_route(path)),
    }
}

/// `GET /Metadata`: the service document.
fn service_document(base: &str) -> Response {
    let sets: Vec<Value> = MetaSet::ALL
        .iter()
        .map(|s| json!({"name": s.name(), "kind": "EntitySet", "url": s.name()}))
        .collect();
    let body = json!({"@odata.context": format!("{base}/Metadata/$metadata"), "value": sets});
    reply(StatusCode::OK, Some(body.to_string()), &[])
}

/// `GET /Metadata/<set>('<Name>')` or `(Name='<Name>')`; names compare ignoring case.
fn by_name(base: &str, set: MetaSet, key: &str, q: &Query) -> Result<Response, ApiError> {
    let select = query::parse_select(set, q)?;
    let parts = key_parts(key)?;
    let name = match parts.as_slice() {
        [part] if part.name.as_deref().is_none_or(|n| n == "Name") => match &part.value {
            KeyValue::Quoted(v) | KeyValue::Bare(v) => v.as_str(),
        },
        _ => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "",
                format!(
                    "The number of keys specified in the URI does not match number of key properties for the resource 'Microsoft.Dynamics.Metadata.{}'.",
                    set.type_name()
                ),
            ));
        }
    };
    let row = rows::rows(set)
        .iter()
        .find(|r| {
            r.get("Name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
        .ok_or_else(|| not_found(&format!("{}('{name}')", set.name())))?;
    let mut body = query::project(row, select.as_deref());
    if let Some(obj) = body.as_object_mut() {
        obj.insert(
            "@odata.context".into(),
            Value::from(format!("{base}/Metadata/$metadata#{}/$entity", set.name())),
        );
    }
    Ok(reply(StatusCode::OK, Some(body.to_string()), &[]))
}
