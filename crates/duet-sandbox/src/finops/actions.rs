//! The OData actions bound to `DataManagementEntities` and `SystemNotifications` that clients
//! call on connect to learn the environment's versions and installed modules, e.g.
//! `POST /data/DataManagementEntities/Microsoft.Dynamics.DataEntities.GetApplicationVersion`
//! with `{}`.

use axum::body::Bytes;
use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use crate::odata::{ApiError, reply};

use super::errors::plain_error;
use super::state::FoState;

/// The namespace bound actions are called through.
const ACTION_PREFIX: &str = "Microsoft.Dynamics.DataEntities.";

/// The emulated release; illustrative numbers in the shapes real environments report.
const APPLICATION_VERSION: &str = "10.0.34";
const APPLICATION_BUILD: &str = "10.34.2105.34092";
const PLATFORM_BUILD: &str = "7.0.7521.60";

/// The installed modules: (name, version, display name).
const MODULES: &[(&str, &str, &str)] = &[
    (
        "ApplicationPlatform",
        PLATFORM_BUILD,
        "Application Platform",
    ),
    (
        "ApplicationFoundation",
        PLATFORM_BUILD,
        "Application Foundation",
    ),
    ("ApplicationCommon", APPLICATION_BUILD, "Application Common"),
    ("ApplicationSuite", APPLICATION_BUILD, "Application Suite"),
    ("Directory", APPLICATION_BUILD, "Directory"),
    ("Dimensions", APPLICATION_BUILD, "Dimensions"),
];

/// An action the emulator answers, bound to its entity set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BoundAction {
    ApplicationVersion,
    PlatformBuildVersion,
    ApplicationBuildVersion,
    InstalledModules,
}

impl BoundAction {
    const ALL: [BoundAction; 4] = [
        BoundAction::ApplicationVersion,
        BoundAction::PlatformBuildVersion,
        BoundAction::ApplicationBuildVersion,
        BoundAction::InstalledModules,
    ];

    pub(super) fn name(self) -> &'static str {
        match self {
            BoundAction::ApplicationVersion => "GetApplicationVersion",
            BoundAction::PlatformBuildVersion => "GetPlatformBuildVersion",
            BoundAction::ApplicationBuildVersion => "GetApplicationBuildVersion",
            BoundAction::InstalledModules => "GetInstalledModules",
        }
    }

    fn set(self) -> &'static str {
        match self {
            BoundAction::InstalledModules => "SystemNotifications",
            _ => "DataManagementEntities",
        }
    }

    /// Whether the action returns a collection of strings rather than one string.
    pub(super) fn returns_collection(self) -> bool {
        self == BoundAction::InstalledModules
    }

    fn result(self) -> Value {
        match self {
            BoundAction::ApplicationVersion => Value::from(APPLICATION_VERSION),
            BoundAction::PlatformBuildVersion => Value::from(PLATFORM_BUILD),
            BoundAction::ApplicationBuildVersion => Value::from(APPLICATION_BUILD),
            BoundAction::InstalledModules => MODULES
                .iter()
                .map(|(name, version, display)| {
                    format!(
                        "Name: {name} | Version: {version} | Module: {name} | Publisher: Microsoft Corporation | DisplayName: {display}"
                    )
                })
                .collect(),
        }
    }
}

/// An entity set described in the metadata service only for the actions bound to it; its
/// rows are not served.
pub(super) struct ServiceEntity {
    pub(super) set: &'static str,
    pub(super) name: &'static str,
    pub(super) table: &'static str,
    pub(super) keys: &'static [&'static str],
    pub(super) actions: &'static [BoundAction],
}

pub(super) fn service_entities() -> &'static [ServiceEntity] {
    const ALL: &[ServiceEntity] = &[
        ServiceEntity {
            set: "DataManagementEntities",
            name: "DataManagementEntity",
            table: "DataManagementEntity",
            keys: &["EntityName"],
            actions: &[
                BoundAction::ApplicationVersion,
                BoundAction::PlatformBuildVersion,
                BoundAction::ApplicationBuildVersion,
            ],
        },
        ServiceEntity {
            set: "SystemNotifications",
            name: "SystemNotification",
            table: "SystemNotificationEntity",
            keys: &["Id"],
            actions: &[BoundAction::InstalledModules],
        },
    ];
    ALL
}

/// The action a path names: `<set>/Microsoft.Dynamics.DataEntities.<action>`.
pub(super) fn find(set: &str, tail: &str) -> Option<BoundAction> {
    let name = tail.strip_prefix(ACTION_PREFIX)?;
    BoundAction::ALL
        .into_iter()
        .find(|a| a.set() == set && a.name() == name)
}

/// Runs an action: `POST` with no body or a JSON object without parameters.
pub(super) fn invoke(
    st: &FoState,
    method: &Method,
    action: BoundAction,
    body: &Bytes,
) -> Result<Response, ApiError> {
    if *method != Method::POST {
        return Err(plain_error(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("The requested resource does not support http method '{method}'."),
        ));
    }
    if !body.iter().all(u8::is_ascii_whitespace) {
        let parsed: Value = serde_json::from_slice(body).map_err(|e| {
            plain_error(
                StatusCode::BAD_REQUEST,
                format!("The request body is not valid JSON: {e}."),
            )
        })?;
        let Value::Object(params) = parsed else {
            return Err(plain_error(
                StatusCode::BAD_REQUEST,
                "The request body must be a JSON object.",
            ));
        };
        if let Some(name) = params.keys().find(|k| !k.starts_with('@')) {
            return Err(plain_error(
                StatusCode::BAD_REQUEST,
                format!(
                    "The parameter '{name}' in the request payload is not a valid parameter for the operation '{}'.",
                    action.name()
                ),
            ));
        }
    }
    let kind = if action.returns_collection() {
        "Collection(Edm.String)"
    } else {
        "Edm.String"
    };
    let body = json!({
        "@odata.context": format!("{}/data/$metadata#{kind}", st.url),
        "value": action.result(),
    });
    Ok(reply(StatusCode::OK, Some(body.to_string()), &[]))
}
