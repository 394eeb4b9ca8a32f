//! Clients for the two environments of a link: finance and operations OData (`/data`) and
//! the Dataverse Web API (`/api/data/v9.2`), authenticated with Entra client credentials.
//!
//! The same code talks to the cloud and to Duet's sandbox; only URLs and credentials differ.

mod auth;
mod backoff;
mod batch;
mod dataverse;
mod error;
mod events;
mod finops;
mod http;
mod limiter;
mod odata;
mod transport;

pub use auth::{Credentials, TokenProvider};
pub use backoff::{Backoff, jittered_delay};
pub use batch::{BatchItem, BatchRequest, BatchResult};
pub use dataverse::{DataverseClient, DeltaPage, Pages};
pub use error::{ConnectError, ErrorClass, RetryPolicy};
pub use events::{DataEvent, DataEventReceiver};
pub use finops::FinOpsClient;
pub use http::{Trust, TrustError, http_client, trusting, with_causes};
pub use limiter::{ConcurrencySettings, ConcurrencyState};
pub use odata::{key_predicate, literal, quote};
pub use transport::RetrySettings;
