//! Every remote failure is classified once; the class decides what happens next.

use serde::{Deserialize, Serialize};

/// The classes an admin alerts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ErrorClass {
    Application,
    BadRequest,
    Unauthorized,
    NotFound,
    Conflict,
    Throttled,
    BadGateway,
    Unavailable,
    Timeout,
    Other,
}

/// What to do about a failure of a class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RetryPolicy {
    /// Retry by itself after a delay.
    Timed,
    /// Needs a person: fix what the message says, then retry.
    Manual,
    /// Retrying cannot help.
    None,
}

impl ErrorClass {
    pub fn from_status(status: u16) -> ErrorClass {
        match status {
            400 => ErrorClass::BadRequest,
            401 | 403 => ErrorClass::Unauthorized,
            404 => ErrorClass::NotFound,
            409 | 412 => ErrorClass::Conflict,
            429 => ErrorClass::Throttled,
            500 => ErrorClass::Application,
            502 => ErrorClass::BadGateway,
            503 => ErrorClass::Unavailable,
            504 => ErrorClass::Timeout,
            _ => ErrorClass::Other,
        }
    }

    pub fn retry_policy(self) -> RetryPolicy {
        match self {
            ErrorClass::Throttled
            | ErrorClass::BadGateway
            | ErrorClass::Unavailable
            | ErrorClass::Timeout => RetryPolicy::Timed,
            ErrorClass::Unauthorized | ErrorClass::BadRequest | ErrorClass::Application => {
                RetryPolicy::Manual
            }
            ErrorClass::Conflict | ErrorClass::NotFound | ErrorClass::Other => RetryPolicy::None,
        }
    }

    /// What an admin does about a failure of this class; the error log shows it.
    pub fn solution(self) -> &'static str {
        match self {
            ErrorClass::Application => {
                "The target's business logic refused the row: read the message, correct the row or the map, then retry it."
            }
            ErrorClass::BadRequest => {
                "The request does not fit the target's schema: check the map's fields, types and value maps, then retry."
            }
            ErrorClass::Unauthorized => {
                "Check the app registration's secret and its security role in the environment, then retry."
            }
            ErrorClass::NotFound => {
                "The row or table is gone on the target: check the map's table and key; retrying alone will not help."
            }
            ErrorClass::Conflict => {
                "The row changed on the target since it was read; the next change of the row carries it again."
            }
            ErrorClass::Throttled => {
                "The service's protection limits were reached; Duet waits as told by Retry-After and retries by itself."
            }
            ErrorClass::BadGateway | ErrorClass::Unavailable | ErrorClass::Timeout => {
                "The environment is not answering; Duet retries by itself with backoff until it does."
            }
            ErrorClass::Other => "Read the remote message; retrying alone will not help.",
        }
    }

    /// The class [`ErrorClass::as_str`] names.
    pub fn from_label(label: &str) -> Option<ErrorClass> {
        [
            ErrorClass::Application,
            ErrorClass::BadRequest,
            ErrorClass::Unauthorized,
            ErrorClass::NotFound,
            ErrorClass::Conflict,
            ErrorClass::Throttled,
            ErrorClass::BadGateway,
            ErrorClass::Unavailable,
            ErrorClass::Timeout,
            ErrorClass::Other,
        ]
        .into_iter()
        .find(|class| class.as_str() == label)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorClass::Application => "application",
            ErrorClass::BadRequest => "400",
            ErrorClass::Unauthorized => "401/403",
            ErrorClass::NotFound => "404",
            ErrorClass::Conflict => "412",
            ErrorClass::Throttled => "429",
            ErrorClass::BadGateway => "502",
            ErrorClass::Unavailable => "503",
            ErrorClass::Timeout => "timeout",
            ErrorClass::Other => "other",
        }
    }
}

/// A failed call, with what the remote said.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{method} {url} failed ({}): {message}", class.as_str())]
pub struct ConnectError {
    pub class: ErrorClass,
    pub status: Option<u16>,
    pub method: String,
    pub url: String,
    /// The most useful text: the OData error message, the inner error, or the transport error.
    pub message: String,
    /// The remote body as received, for the error log.
    pub body: Option<String>,
}

impl ConnectError {
    /// A failure of `class` with no answer from the remote behind it (no status, no body):
    /// a transport failure, or one a test double reports.
    pub fn new(
        class: ErrorClass,
        method: &str,
        url: &str,
        message: impl Into<String>,
    ) -> ConnectError {
        ConnectError {
            class,
            status: None,
            method: method.to_owned(),
            url: url.to_owned(),
            message: message.into(),
            body: None,
        }
    }

    /// The failure an HTTP answer of `status` with `body` is: classed by its status, with the
    /// readable message pulled out of an OData or Entra error body.
    pub fn from_response(method: &str, url: &str, status: u16, body: String) -> ConnectError {
        ConnectError {
            class: ErrorClass::from_status(status),
            status: Some(status),
            method: method.to_owned(),
            url: url.to_owned(),
            message: error_message(&body).unwrap_or_else(|| format!("HTTP {status}")),
            body: Some(body),
        }
    }

    pub(crate) fn transport(method: &str, url: &str, error: &reqwest::Error) -> ConnectError {
        let class = if error.is_timeout() {
            ErrorClass::Timeout
        } else {
            ErrorClass::Unavailable
        };
        ConnectError::new(class, method, url, crate::http::describe(error))
    }

    pub(crate) fn invalid(method: &str, url: &str, message: String) -> ConnectError {
        ConnectError::new(ErrorClass::Other, method, url, message)
    }

    /// An answer to a read that is not a page (duet-odata's `page` says why).
    pub(crate) fn page(url: &str, error: duet_odata::page::PageError) -> ConnectError {
        ConnectError::invalid("GET", url, error.to_string())
    }
}

/// Pulls the readable message out of OData and Entra error bodies.
fn error_message(body: &str) -> Option<String> {
    let json: serde_json::Value = serde_json::from_str(body).ok()?;
    if let Some(error) = json.get("error").filter(|error| error.is_object()) {
        let inner = error
            .pointer("/innererror/message")
            .and_then(|message| message.as_str());
        let outer = error.get("message").and_then(|message| message.as_str());
        let code = error
            .get("code")
            .and_then(|code| code.as_str())
            .filter(|code| !code.is_empty());
        let text = inner.or(outer)?;
        return Some(match code {
            Some(code) => format!("{text} ({code})"),
            None => text.to_owned(),
        });
    }
    json.get("error_description")
        .and_then(|description| description.as_str())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_fall_into_the_alert_classes() {
        assert_eq!(ErrorClass::from_status(429), ErrorClass::Throttled);
        assert_eq!(ErrorClass::from_status(403), ErrorClass::Unauthorized);
        assert_eq!(ErrorClass::from_status(412), ErrorClass::Conflict);
        assert_eq!(ErrorClass::from_status(418), ErrorClass::Other);
        assert_eq!(ErrorClass::Throttled.retry_policy(), RetryPolicy::Timed);
        assert_eq!(ErrorClass::Unauthorized.retry_policy(), RetryPolicy::Manual);
    }

    #[test]
    fn every_class_has_a_policy_and_a_written_solution() {
        let classes = [
            (500, ErrorClass::Application, RetryPolicy::Manual),
            (400, ErrorClass::BadRequest, RetryPolicy::Manual),
            (401, ErrorClass::Unauthorized, RetryPolicy::Manual),
            (404, ErrorClass::NotFound, RetryPolicy::None),
            (412, ErrorClass::Conflict, RetryPolicy::None),
            (429, ErrorClass::Throttled, RetryPolicy::Timed),
            (502, ErrorClass::BadGateway, RetryPolicy::Timed),
            (503, ErrorClass::Unavailable, RetryPolicy::Timed),
            (504, ErrorClass::Timeout, RetryPolicy::Timed),
            (418, ErrorClass::Other, RetryPolicy::None),
        ];
        let mut solutions = std::collections::HashSet::new();
        for (status, class, policy) in classes {
            assert_eq!(ErrorClass::from_status(status), class, "{status}");
            assert_eq!(class.retry_policy(), policy, "{status}");
            assert!(
                class.solution().len() > 40,
                "{status}: {}",
                class.solution()
            );
            solutions.insert(class.solution());
        }
        assert!(solutions.len() >= 7, "solutions say different things");
    }

    #[test]
    fn finance_operations_inner_error_wins_over_generic_message() {
        let body = r#"{"error":{"code":"","message":"An error has occurred.","innererror":{"message":"Write failed for table row of type 'CustCustomerV3Entity'. Infolog: Error: The record already exists.","type":"x"}}}"#;
        let error = ConnectError::from_response("POST", "u", 400, body.to_owned());
        assert!(
            error.message.starts_with("Write failed"),
            "the Infolog text is what tells an admin what went wrong: {}",
            error.message
        );
        assert_eq!(
            error.body.as_deref(),
            Some(body),
            "the payload is kept for the error log"
        );
    }

    #[test]
    fn dataverse_code_and_entra_description_are_kept() {
        let dataverse = ConnectError::from_response(
            "PATCH",
            "u",
            412,
            r#"{"error":{"code":"0x80040237","message":"A record with matching key values already exists."}}"#.to_owned(),
        );
        assert_eq!(
            dataverse.message,
            "A record with matching key values already exists. (0x80040237)"
        );
        let entra = ConnectError::from_response(
            "POST",
            "u",
            401,
            r#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided."}"#.to_owned(),
        );
        assert_eq!(
            entra.message,
            "AADSTS7000215: Invalid client secret provided."
        );
        assert_eq!(entra.class, ErrorClass::Unauthorized);
    }
}
