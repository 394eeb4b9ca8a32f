//! Request dispatch on the F&O port: sign-in, protection and faults first, then each URL and
//! method handed to the handler that serves it, for single requests and `$batch`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::batch::{self, Flavor};
use crate::catalog::catalog;
use crate::metadata as csdl;
use crate::odata::{ApiError, Query, ResourcePath, decode_path, header_str, reply, split_resource};
use crate::store::Db;

use super::actions;
use super::entities::sets;
use super::errors::{plain_error, unauthenticated};
use super::keys::parse_key;
use super::metadata::{self, metadata_rest};
use super::query::{get_one, list};
use super::services::{self, services_rest};
use super::state::FoState;
use super::write::{create, delete, update};

/// Entry point for every request on the F&O port other than the token endpoint and the admin
/// routes.
pub(crate) async fn handle(
    State(st): State<Arc<FoState>>,
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
    let batch = decode_path(uri.path()) == "/data/$batch";
    let query = method == Method::GET;
    let result = match batch {
        true => batch_entry(&st, &method, headers, body).await,
        false => route(&st, method, &uri, &headers, body).await,
    };
    let answer = result.unwrap_or_else(IntoResponse::into_response);
    crate::answers::as_faults_leave(&st.guard, batch, query, answer).await
}

/// `POST /data/$batch`.
async fn batch_entry(
    st: &Arc<FoState>,
    method: &Method,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    if !st.auth.authorized(&headers, &st.url) {
        return Err(unauthenticated());
    }
    if *method != Method::POST {
        return Err(plain_error(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("The requested resource does not support http method '{method}'."),
        ));
    }
    batch::run(st.clone(), headers, body).await
}

impl batch::Service for Arc<FoState> {
    const FLAVOR: Flavor = Flavor::FinOps;

    fn root_path(&self) -> &'static str {
        "/data"
    }

    fn db(&self) -> &Db {
        &self.db
    }

    fn with_db(&self, db: Db) -> Self {
        Arc::new(FoState {
            db,
            ..FoState::clone(self)
        })
    }

    async fn execute(&self, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
        route(self, method, &uri, &headers, body)
            .await
            .unwrap_or_else(IntoResponse::into_response)
    }

    fn entity_url(&self, headers: &HeaderMap, _body: &[u8]) -> Option<String> {
        header_str(headers, "location").map(str::to_string)
    }

    fn bad_request(&self, message: String) -> ApiError {
        plain_error(StatusCode::BAD_REQUEST, message)
    }
}

async fn route(
    st: &Arc<FoState>,
    method: Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let path = uri.path();
    let decoded = decode_path(path);
    if let Some(rest) = metadata_rest(&decoded) {
        signed_in(st, &method, headers)?;
        return metadata::handle(&st.url, &method, path, rest, uri.query());
    }
    if let Some(rest) = services_rest(&decoded) {
        signed_in(st, &method, headers)?;
        return services::handle(&method, path, rest, &body);
    }
    let rest = match path.strip_prefix("/data") {
        Some(r) if r.is_empty() || r.starts_with('/') => r,
        _ => {
            return Err(plain_error(
                StatusCode::NOT_FOUND,
                format!("No HTTP resource was found that matches the request URI '{path}'."),
            ));
        }
    };
    signed_in(st, &method, headers)?;
    let rest = decode_path(rest);
    if rest.is_empty() || rest == "/" {
        return Ok(service_document(st));
    }
    let res = split_resource(&rest).map_err(|e| plain_error(StatusCode::BAD_REQUEST, e))?;
    if res.set == "$batch" {
        return Err(plain_error(
            StatusCode::BAD_REQUEST,
            "A batch cannot contain another batch.",
        ));
    }
    if res.set == "$metadata" && res.key.is_none() && res.tail.is_none() {
        if method != Method::GET {
            return Err(plain_error(
                StatusCode::METHOD_NOT_ALLOWED,
                "The metadata document is read-only.",
            ));
        }
        return Ok(csdl::xml_reply(csdl::fo_csdl(catalog())));
    }
    let action = res.key.is_none().then_some(res.tail.as_deref()).flatten();
    if let Some(action) = action.and_then(|tail| actions::find(&res.set, tail)) {
        return actions::invoke(st, &method, action, &body);
    }
    entity_route(st, method, res, uri, headers, body).await
}

/// A request needs the F&O audience's token, then may meet an injected write failure.
fn signed_in(st: &FoState, method: &Method, headers: &HeaderMap) -> Result<(), ApiError> {
    if !st.auth.authorized(headers, &st.url) {
        return Err(unauthenticated());
    }
    match st.guard.write_fault(method) {
        Some(fault) => Err(fault),
        None => Ok(()),
    }
}

/// The service document: every entity set.
fn service_document(st: &FoState) -> Response {
    let sets: Vec<Value> = sets()
        .iter()
        .map(|s| json!({"name": s.name, "kind": "EntitySet", "url": s.name}))
        .collect();
    let body = json!({"@odata.context": format!("{}/data/$metadata", st.url), "value": sets});
    reply(StatusCode::OK, Some(body.to_string()), &[])
}

/// Requests on an entity set's URL: its collection, `$count`, or one row by key. Writes are
/// only routed for writable entities, so read-only ones answer 405.
async fn entity_route(
    st: &Arc<FoState>,
    method: Method,
    res: ResourcePath,
    uri: &Uri,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let path = uri.path();
    let set = sets().iter().find(|s| s.name == res.set).ok_or_else(|| {
        plain_error(
            StatusCode::NOT_FOUND,
            format!("No HTTP resource was found that matches the request URI '{path}'."),
        )
    })?;
    let query = Query::parse(uri.query());
    let method_not_allowed = || {
        plain_error(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("The requested resource does not support http method '{method}'."),
        )
    };
    match (res.key, res.tail.as_deref()) {
        (None, None) => match method {
            Method::GET => list(st, set, &query, false).await,
            Method::POST if set.writable => create(st, set, &body).await,
            _ => Err(method_not_allowed()),
        },
        (None, Some("$count")) if method == Method::GET => list(st, set, &query, true).await,
        (Some(key), None) => {
            let values = parse_key(set, &key)?;
            match method {
                Method::GET => get_one(st, set, values, &query).await,
                Method::PATCH if set.writable => {
                    update(st, set, values, headers, &body, true).await
                }
                Method::PUT if set.writable => update(st, set, values, headers, &body, false).await,
                Method::DELETE if set.writable => delete(st, set, values, headers).await,
                _ => Err(method_not_allowed()),
            }
        }
        _ => Err(plain_error(
            StatusCode::NOT_FOUND,
            format!("No HTTP resource was found that matches the request URI '{path}'."),
        )),
    }
}
