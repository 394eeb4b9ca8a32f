//! The error every command answers with: a closed set of codes the UI branches on, and a
//! message it shows.

use duet_engine::EngineError;
use duet_store::StoreError;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What went wrong, as the UI and scripts branch on it. The JSON spelling of each code is a
/// contract with the UI: a code can be added, but never renamed. docs/ARCHITECTURE.md says
/// when each is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    BadArguments,
    Conflict,
    ConfirmationMismatch,
    DataDir,
    DataDirInUse,
    DemoRunning,
    Disagreement,
    DiskFull,
    Export,
    Health,
    Internal,
    InvalidAlertRule,
    InvalidEnvironment,
    InvalidLink,
    InvalidMap,
    InvalidRetention,
    InvalidScenario,
    KeyringUnavailable,
    MapBusy,
    MapFailed,
    MapRunning,
    NotFound,
    NotLinked,
    PlanCycle,
    PlanOrder,
    PlanRunning,
    Remote,
    Sandbox,
    ScenarioMismatch,
    ScenarioRunning,
    SecretMissing,
    SecretsFile,
    Store,
    StoreBusy,
    StoreCorrupt,
    StoreNewer,
    Timeout,
    Unauthorized,
    UnknownCommand,
    ValidationFailed,
}

impl std::fmt::Display for Code {
    /// Writes the code as the UI receives it. The spelling comes from the serde attribute
    /// alone, so a log line can never show a code the UI would not recognise.
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::String(text)) => formatter.write_str(&text),
            _ => write!(formatter, "{self:?}"),
        }
    }
}

/// A code equals its JSON spelling, so a check such as `error.code == "not_found"` tests
/// exactly what the UI receives.
impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        serde_json::to_value(self).is_ok_and(|text| text == *other)
    }
}

/// An error as the UI sees it: it branches on `code`, and shows `message`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ApiError {
    /// Typed as a plain string in TypeScript because the UI also reports errors of its own
    /// (`network`, `clipboard`, `invalid_json`) as an `ApiError`; the codes the API sends
    /// are the `Code` union.
    #[ts(type = "string")]
    pub code: Code,
    pub message: String,
}

impl ApiError {
    pub fn new(code: Code, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            message: message.into(),
        }
    }

    /// The answer when no environments are linked yet, given by every command that needs
    /// the link.
    pub(crate) fn not_linked() -> ApiError {
        ApiError::new(Code::NotLinked, "No environments are linked yet.")
    }

    /// A linked environment's refusal or failure, as the remote described it.
    pub(crate) fn remote(error: duet_connect::ConnectError) -> ApiError {
        ApiError::new(Code::Remote, error.to_string())
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{} ({})", self.message, self.code)
    }
}

impl std::error::Error for ApiError {}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> ApiError {
        match error {
            StoreError::NotFound(message) => ApiError::new(Code::NotFound, message),
            StoreError::Busy { .. } => ApiError::new(Code::StoreBusy, error.to_string()),
            StoreError::Corrupt { .. } => ApiError::new(Code::StoreCorrupt, error.to_string()),
            StoreError::Full { .. } => ApiError::new(Code::DiskFull, error.to_string()),
            StoreError::NewerSchema { .. } => ApiError::new(Code::StoreNewer, error.to_string()),
            StoreError::InUse { .. } => ApiError::new(Code::DataDirInUse, error.to_string()),
            StoreError::Lock { .. } => ApiError::new(Code::DataDir, error.to_string()),
            other => ApiError::new(Code::Store, other.to_string()),
        }
    }
}

impl From<EngineError> for ApiError {
    fn from(error: EngineError) -> ApiError {
        match error {
            EngineError::Store(error) => error.into(),
            EngineError::UnknownMap(_) => ApiError::new(Code::NotFound, error.to_string()),
            EngineError::NotLinked => ApiError::new(Code::NotLinked, error.to_string()),
            EngineError::InvalidMap { .. } => ApiError::new(Code::InvalidMap, error.to_string()),
            EngineError::ShuttingDown => ApiError::new(Code::Internal, error.to_string()),
        }
    }
}

/// `value` as JSON, for an answer or a stored document; a value that cannot be written as
/// JSON is a bug, so it is an internal error.
pub(crate) fn json<T: Serialize>(value: T) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(value).map_err(|error| ApiError::new(Code::Internal, error.to_string()))
}
