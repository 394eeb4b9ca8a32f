//! Request dispatch on the Dataverse port: sign-in, protection and faults first, then each
//! URL and method handed to the handler that serves it, for single requests and `$batch`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::batch::{self, Flavor};
use crate::catalog::catalog;
use crate::metadata::xml_reply;
use crate::odata::{
    ApiError, Query, ResourcePath, decode_path, header_str, parse_prefer, reply, split_resource,
};
use crate::store::Db;

use super::bulk::{Bulk, bulk_write};
use super::errors::{CODE_BAD_QUERY, bad_request, err, unauthenticated};
use super::keys::{RowKey, key_url, parse_row_key};
use super::metadata;
use super::query::{count, get_one, list};
use super::state::DvState;
use super::tables::{table_by_set, tables};
use super::write::{create, delete, upsert};

pub(super) const ROOT_PATH: &str = "/api/data/v9.2";

/// Entry point for every request on the Dataverse port other than the token endpoint and the
/// admin routes.
pub(crate) async fn handle(
    State(st): State<Arc<DvState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let client = st.auth.client_of(&headers, &st.url);
    let _permit = match st.guard.admit(client).await {
        Ok(p) => p,
        Err(refused) => return refused,
    };
    let batch = decode_path(uri.path()) == format!("{ROOT_PATH}/$batch");
    let query = method == Method::GET;
    let result = match batch {
        true => batch_entry(&st, &method, headers, body).await,
        false => route(&st, method, &uri, &headers, body).await,
    };
    let answer = result.unwrap_or_else(IntoResponse::into_response);
    let mut response = crate::answers::as_faults_leave(&st.guard, batch, query, answer).await;
    // Dataverse advises clients how many requests to keep in flight on every answer.
    response.headers_mut().insert(
        "x-ms-dop-hint",
        axum::http::HeaderValue::from_static(DOP_HINT),
    );
    response
}

/// The parallelism this emulator advises: as many requests as it serves at once on a
/// small machine (the cloud commonly advises 4 to 8 per web server).
const DOP_HINT: &str = "4";

/// `POST /api/data/v9.2/$batch`.
async fn batch_entry(
    st: &Arc<DvState>,
    method: &Method,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    if !st.auth.authorized(&headers, &st.url) {
        return Err(unauthenticated());
    }
    if *method != Method::POST {
        return Err(err(
            StatusCode::METHOD_NOT_ALLOWED,
            CODE_BAD_QUERY,
            format!("The requested resource does not support http method '{method}'."),
        ));
    }
    batch::run(st.clone(), headers, body).await
}

impl batch::Service for Arc<DvState> {
    const FLAVOR: Flavor = Flavor::Dataverse;

    fn root_path(&self) -> &'static str {
        ROOT_PATH
    }

    fn db(&self) -> &Db {
        &self.db
    }

    fn with_db(&self, db: Db) -> Self {
        Arc::new(DvState {
            db,
            ..DvState::clone(self)
        })
    }

    async fn execute(&self, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
        route(self, method, &uri, &headers, body)
            .await
            .unwrap_or_else(IntoResponse::into_response)
    }

    fn entity_url(&self, headers: &HeaderMap, body: &[u8]) -> Option<String> {
        if let Some(url) = header_str(headers, "odata-entityid").or(header_str(headers, "location"))
        {
            return Some(url.to_string());
        }
        // With `return=representation` the URL is not sent, so rebuild it from the body.
        let body: Value = serde_json::from_slice(body).ok()?;
        let context = body.get("@odata.context")?.as_str()?;
        let after = &context[context.find("$metadata#")? + "$metadata#".len()..];
        let set = &after[..after.find(['(', '/']).unwrap_or(after.len())];
        let table = table_by_set(set)?;
        let id = body.get(table.id)?.as_str()?;
        Some(key_url(&self.root, table, &RowKey::Id(id.to_string())))
    }

    fn bad_request(&self, message: String) -> ApiError {
        bad_request(message)
    }
}

async fn route(
    st: &Arc<DvState>,
    method: Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let path = uri.path();
    let rest = match path.strip_prefix(ROOT_PATH) {
        Some(r) if r.is_empty() || r.starts_with('/') => r,
        _ => {
            return Err(err(
                StatusCode::NOT_FOUND,
                "",
                format!("No resource was found at '{path}'."),
            ));
        }
    };
    if !st.auth.authorized(headers, &st.url) {
        return Err(unauthenticated());
    }
    if let Some(fault) = st.guard.write_fault(&method) {
        return Err(fault);
    }
    let rest = decode_path(rest);
    if rest.is_empty() || rest == "/" {
        return Ok(service_document(st));
    }
    let res = split_resource(&rest).map_err(bad_request)?;
    if res.set == "$batch" {
        return Err(bad_request("A batch cannot contain another batch."));
    }
    if res.set == "WhoAmI" && method == Method::GET && res.tail.is_none() {
        return Ok(who_am_i(st));
    }
    if res.set == "$metadata" && res.key.is_none() && res.tail.is_none() {
        if method != Method::GET {
            return Err(bad_request("The metadata document is read-only."));
        }
        return Ok(xml_reply(metadata::dv_csdl(catalog())));
    }
    if let Some(set) = metadata::MetadataSet::parse(&res.set) {
        if method != Method::GET {
            return Err(bad_request(
                "The sandbox serves table definitions read-only.",
            ));
        }
        return metadata::serve(st, set, &res, &Query::parse(uri.query()));
    }
    table_route(st, method, res, &rest, uri, headers, body).await
}

/// The service document: every table's entity set.
fn service_document(st: &DvState) -> Response {
    let sets: Vec<Value> = tables()
        .iter()
        .map(|t| json!({"name": t.set, "kind": "EntitySet", "url": t.set}))
        .collect();
    let body = json!({"@odata.context": format!("{}/$metadata", st.root), "value": sets});
    reply(StatusCode::OK, Some(body.to_string()), &[])
}

/// `GET WhoAmI`.
fn who_am_i(st: &DvState) -> Response {
    let body = json!({
        "@odata.context": format!("{}/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse", st.root),
        "BusinessUnitId": st.who.business_unit_id,
        "UserId": st.who.user_id,
        "OrganizationId": st.who.organization_id,
    });
    reply(StatusCode::OK, Some(body.to_string()), &[])
}

/// Requests on a table's URL: its collection, `$count`, a bulk message, or one row by key.
async fn table_route(
    st: &Arc<DvState>,
    method: Method,
    res: ResourcePath,
    rest: &str,
    uri: &Uri,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let table = table_by_set(&res.set).ok_or_else(|| {
        err(
            StatusCode::NOT_FOUND,
            CODE_BAD_QUERY,
            format!("Resource not found for the segment '{}'.", res.set),
        )
    })?;
    let query = Query::parse(uri.query());
    let prefer = parse_prefer(headers);
    let method_not_allowed = || {
        err(
            StatusCode::METHOD_NOT_ALLOWED,
            CODE_BAD_QUERY,
            format!("The requested resource does not support http method '{method}'."),
        )
    };
    match (res.key, res.tail.as_deref()) {
        (None, None) => match method {
            Method::GET => list(st, table, &query, &prefer).await,
            Method::POST => create(st, table, &query, &prefer, &body).await,
            _ => Err(method_not_allowed()),
        },
        (None, Some("$count")) if method == Method::GET => count(st, table, &query).await,
        (None, Some(action)) if action.starts_with("Microsoft.Dynamics.CRM.") => {
            let bulk = bulk_action(&action["Microsoft.Dynamics.CRM.".len()..])?;
            if method != Method::POST {
                return Err(method_not_allowed());
            }
            bulk_write(st, table, bulk, &body).await
        }
        (Some(key), None) => {
            let key = parse_row_key(table, &key)?;
            match method {
                Method::GET => {
                    let if_none_match = header_str(headers, "if-none-match")
                        .filter(|v| !v.eq_ignore_ascii_case("null"));
                    get_one(st, table, key, &query, &prefer, if_none_match).await
                }
                Method::PATCH => upsert(st, table, key, &query, &prefer, headers, &body).await,
                Method::DELETE => delete(st, table, key, headers).await,
                _ => Err(method_not_allowed()),
            }
        }
        _ => Err(err(
            StatusCode::NOT_FOUND,
            CODE_BAD_QUERY,
            format!("Resource not found for the segment '{rest}'."),
        )),
    }
}

/// The bulk message a bound action name asks for.
fn bulk_action(name: &str) -> Result<Bulk, ApiError> {
    match name {
        "CreateMultiple" => Ok(Bulk::Create),
        "UpdateMultiple" => Ok(Bulk::Update),
        "UpsertMultiple" => Ok(Bulk::Upsert),
        other => Err(err(
            StatusCode::NOT_FOUND,
            CODE_BAD_QUERY,
            format!("Resource not found for the segment '{other}'."),
        )),
    }
}
