//! Custom JSON services under `/api/services`: the discovery tree (`GET` of a group, service
//! or operation) and `POST …/UserSessionService/AifUserSessionService/GetUserSessionInfo`,
//! with no body or `{}`. Names compare ignoring case, as X++ names do.

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};

use crate::odata::ApiError;

use super::entities::DEFAULT_COMPANY;
use super::errors::plain_error;

/// An operation the emulator runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operation {
    GetUserSessionInfo,
}

impl Operation {
    fn name(self) -> &'static str {
        match self {
            Operation::GetUserSessionInfo => "GetUserSessionInfo",
        }
    }

    /// The operation's description: its parameters and return type.
    fn signature(self) -> Value {
        match self {
            Operation::GetUserSessionInfo => json!({
                "Parameters": [],
                "Return": {"Name": "return", "Type": "UserSessionInfo"},
            }),
        }
    }

    /// The result, in Json.NET's shape with `$id` markers.
    fn run(self) -> Value {
        match self {
            Operation::GetUserSessionInfo => json!({
                "$id": "1",
                "AOSLocaleName": "en-US",
                "AXLanguage": "EN-US",
                "Company": DEFAULT_COMPANY,
                "CompanyTimeZone": 58,
                "CurrencyInfo": {
                    "$id": "2",
                    "CurrencyCode": "USD",
                    "Description": "US Dollar",
                    "ExchangeRate": 100.0,
                    "ISOCurrencyCode": "USD",
                    "Prefix": "",
                    "Suffix": "",
                },
                "IsSysAdmin": true,
                "UserId": "Admin",
                "UserPreferredCalendar": 0,
                "UserPreferredTimeZone": 58,
            }),
        }
    }
}

/// A group's services, each with its operations.
type Services = &'static [(&'static str, &'static [Operation])];

/// Service groups and their services.
const GROUPS: &[(&str, Services)] = &[(
    "UserSessionService",
    &[("AifUserSessionService", &[Operation::GetUserSessionInfo])],
)];

/// The part of `path` after `/api/services` (any case), or `None` for other paths.
pub(super) fn services_rest(path: &str) -> Option<&str> {
    const ROOT: &str = "/api/services";
    let head = path.get(..ROOT.len())?;
    let rest = &path[ROOT.len()..];
    (head.eq_ignore_ascii_case(ROOT) && (rest.is_empty() || rest.starts_with('/'))).then_some(rest)
}

fn json_reply(body: &Value) -> Response {
    let mut resp = Response::new(Body::from(body.to_string()));
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    resp
}

fn names<T>(items: &[(&str, T)]) -> Vec<Value> {
    items.iter().map(|(n, _)| json!({"Name": n})).collect()
}

fn find<'a, T>(items: &'a [(&'static str, T)], name: &str) -> Option<&'a T> {
    items
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, t)| t)
}

/// Serves one request under `/api/services`; `rest` is the decoded path after it.
pub(super) fn handle(
    method: &Method,
    path: &str,
    rest: &str,
    body: &Bytes,
) -> Result<Response, ApiError> {
    let no_route = || {
        plain_error(
            StatusCode::NOT_FOUND,
            format!("No HTTP resource was found that matches the request URI '{path}'."),
        )
    };
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let get = *method == Method::GET;
    let found = match segments.as_slice() {
        [] if get => json!({"ServiceGroups": names(GROUPS)}),
        [g] if get => json!({"Services": names(find(GROUPS, g).ok_or_else(no_route)?)}),
        [g, s] if get => {
            let services = find(GROUPS, g).ok_or_else(no_route)?;
            let ops = find(services, s).ok_or_else(no_route)?;
            let ops: Vec<Value> = ops.iter().map(|o| json!({"Name": o.name()})).collect();
            json!({"Operations": ops})
        }
        [g, s, op] => {
            let services = find(GROUPS, g).ok_or_else(no_route)?;
            let ops = find(services, s).ok_or_else(no_route)?;
            let op = ops
                .iter()
                .find(|o| o.name().eq_ignore_ascii_case(op))
                .ok_or_else(no_route)?;
            match *method {
                Method::GET => op.signature(),
                Method::POST => {
                    check_body(body)?;
                    op.run()
                }
                _ => return Err(not_allowed(method)),
            }
        }
        [] | [_] | [_, _] => return Err(not_allowed(method)),
        _ => return Err(no_route()),
    };
    Ok(json_reply(&found))
}

fn not_allowed(method: &Method) -> ApiError {
    plain_error(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("The requested resource does not support http method '{method}'."),
    )
}

/// An operation without parameters takes no body or a JSON object.
fn check_body(body: &Bytes) -> Result<(), ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(_)) => Ok(()),
        _ => Err(plain_error(
            StatusCode::BAD_REQUEST,
            "The request body must be empty or a JSON object.",
        )),
    }
}
