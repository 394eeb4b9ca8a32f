//! Local HTTP emulators of a Dynamics 365 finance and operations environment and a Dataverse
//! environment, so the real HTTP clients (same URLs, OAuth token flow and headers) can run
//! offline.
//!
//! [`Sandbox::start`] binds two servers on 127.0.0.1 inside the caller's tokio runtime. Both
//! serve the Entra ID token endpoint; each keeps its data in its own SQLite file in the
//! configured directory, next to `sandbox.json` with the demo application user's credentials.
//!
//! The F&O port also serves `/_sandbox/dataevents`, where webhook endpoints are registered
//! for data events (create, update, delete) on an entity.
//!
//! Each port also serves `/_sandbox/faults` (see [`Faults`]) so tests can take an emulator
//! down, slow it or make its writes fail, and each can enforce per-client
//! [`ServiceLimits`] that answer 429 like the real services.

mod answers;
mod auth;
mod batch;
mod catalog;
mod dataverse;
mod events;
mod expand;
mod filter;
mod finops;
mod identity;
mod metadata;
mod odata;
mod protection;
mod sample;
mod samples;
mod seeding;
mod store;
mod tls;

use duet_odata::multipart;

pub use catalog::{
    Catalog, CatalogPair, ChoiceOption, DvColumn, DvTable, DvType, FoConstraint, FoEntity, FoField,
    FoNavigation, FoType, catalog,
};
pub use events::EventRetry;
pub use protection::{FailWrites, Faults, FaultsError, ServiceLimits, Side, Spoil};
pub use tls::server_config_from_pem;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::{any, get, post};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use identity::Identity;

/// Failures while starting a sandbox.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("sandbox I/O failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("sandbox database failed: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("sandbox state file {path} is invalid: {source}")]
    State {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("sandbox start-up task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
    #[error("the sandbox's certificates could not be made or read: {0}")]
    Tls(String),
}

/// Where and how to run the sandbox.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Directory for `finops.sqlite`, `dataverse.sqlite` and `sandbox.json`; created if missing.
    pub dir: PathBuf,
    /// F&O port on 127.0.0.1; 0 picks a free port.
    pub fo_port: u16,
    /// Dataverse port on 127.0.0.1; 0 picks a free port.
    pub dv_port: u16,
    /// Server-driven page size of the F&O emulator.
    pub fo_page_size: usize,
    /// Lifetime of issued access tokens.
    pub token_lifetime: Duration,
    /// Sample customers to generate into a fresh F&O store; 0 generates none.
    pub rows: usize,
    /// Seed of the sample generator; the same seed gives the same customers.
    pub seed: u64,
    /// Per-client service protection limits of the F&O emulator.
    pub fo_limits: ServiceLimits,
    /// Per-client service protection limits of the Dataverse emulator.
    pub dv_limits: ServiceLimits,
    /// What a fresh F&O store starts with; default [`FoProfile::WithData`].
    pub fo_profile: FoProfile,
    /// What a fresh Dataverse store starts with; default [`DvProfile::Linked`].
    pub dv_profile: DvProfile,
    /// Accounts to generate under [`DvProfile::Existing`]; ignored by the other profiles.
    pub dv_existing_rows: usize,
    /// Sample rows for every entity and table a standard map template pairs, per company for
    /// company-specific ones; 0 (the default) generates none. F&O gets them under
    /// [`FoProfile::WithData`], Dataverse its own rows under [`DvProfile::Linked`].
    pub template_rows: usize,
    /// How F&O data events are retried when an endpoint fails.
    pub event_retry: EventRetry,
    /// Serve HTTPS with a certificate from the sandbox's own certificate authority (the
    /// default); `false` serves plain HTTP, for debugging with tools that cannot be told about
    /// that authority.
    pub https: bool,
}

/// Starting content of the F&O emulator. Profiles only decide what a fresh store is seeded
/// with; a directory that already holds data keeps it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FoProfile {
    /// Legal entities (`DAT`, `USMF`) only: no customers, whatever `rows` says.
    New,
    /// Legal entities plus `rows` generated customers (from `seed`).
    #[default]
    WithData,
}

/// Starting content of the Dataverse emulator. Like [`FoProfile`], it only affects a fresh
/// store.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DvProfile {
    /// Already linked to F&O: `cdm_companies` holds `DAT` and `USMF`; no accounts.
    #[default]
    Linked,
    /// An empty environment: no `cdm_companies` rows and no accounts.
    New,
    /// An environment that predates the link: no `cdm_companies` rows, and
    /// `dv_existing_rows` accounts without `msdyn_company`, deterministic from `seed`. The
    /// first half (rounded down) carry the `accountnumber`s the F&O generator gives its first
    /// customers for the same `seed` and `rows` (with the same names), so they match by natural
    /// key; the rest carry `EX-`-prefixed numbers that F&O never generates.
    Existing,
}

impl SandboxConfig {
    /// Defaults: free ports, F&O page size 10,000, tokens valid for 3,599 seconds, no sample
    /// rows (seed 1), no service protection limits, profiles [`FoProfile::WithData`] and
    /// [`DvProfile::Linked`], no existing Dataverse accounts and no template sample rows.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        SandboxConfig {
            dir: dir.into(),
            fo_port: 0,
            dv_port: 0,
            fo_page_size: 10_000,
            token_lifetime: Duration::from_secs(3599),
            rows: 0,
            seed: 1,
            fo_limits: ServiceLimits::off(),
            dv_limits: ServiceLimits::off(),
            fo_profile: FoProfile::WithData,
            dv_profile: DvProfile::Linked,
            dv_existing_rows: 0,
            template_rows: 0,
            event_retry: EventRetry::default(),
            https: true,
        }
    }
}

/// Makes the certificate authority a sandbox started on `dir` will use, unless the directory
/// has one, and answers where its certificate is: a way to trust a sandbox before its first
/// start.
pub fn ensure_authority(dir: &Path) -> Result<PathBuf, SandboxError> {
    std::fs::create_dir_all(dir)?;
    tls::authority(dir)?;
    Ok(dir.join("ca.pem"))
}

/// A running pair of emulators.
pub struct Sandbox {
    fo_url: String,
    dv_url: String,
    identity: Identity,
    generated_rows: usize,
    ca: Option<(PathBuf, String)>,
    auth: Arc<auth::Auth>,
    fo_guard: Arc<protection::Guard>,
    dv_guard: Arc<protection::Guard>,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

/// Serves `router` on `listener` (non-blocking), over TLS when a configuration is given,
/// until `stop` turns true; in-flight requests then get a few seconds to finish. Each
/// emulator is served so, and `duet serve` too.
pub fn serve(
    listener: std::net::TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
    router: Router,
    mut stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    let handle = axum_server::Handle::new();
    let shutdown = handle.clone();
    tokio::spawn(async move {
        // An error means the sender is gone, which is also a reason to stop.
        let _ = stop.wait_for(|v| *v).await;
        shutdown.graceful_shutdown(Some(Duration::from_secs(5)));
    });
    tokio::spawn(async move {
        let app = router.into_make_service();
        let served = match tls {
            Some(config) => {
                let config = axum_server::tls_rustls::RustlsConfig::from_config(config);
                axum_server::from_tcp_rustls(listener, config)
                    .handle(handle)
                    .serve(app)
                    .await
            }
            None => {
                axum_server::from_tcp(listener)
                    .handle(handle)
                    .serve(app)
                    .await
            }
        };
        if let Err(e) = served {
            tracing::error!(error = %e, "a server stopped with an error");
        }
    })
}

/// Binds a loopback port (0 picks a free one) for a server that takes it over.
fn bind(port: u16) -> std::io::Result<std::net::TcpListener> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", port))?;
    listener.set_nonblocking(true)?;
    Ok(listener)
}

impl Sandbox {
    /// Starts both emulators, creating the directory, credentials and databases on first use.
    pub async fn start(config: SandboxConfig) -> Result<Sandbox, SandboxError> {
        std::fs::create_dir_all(&config.dir)?;
        let identity = Identity::load_or_create(&config.dir)?;

        let tls = match config.https {
            true => Some(tls::Tls::load_or_create(&config.dir)?),
            false => None,
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        let fo_listener = bind(config.fo_port)?;
        let dv_listener = bind(config.dv_port)?;
        let fo_url = format!("{scheme}://{}", fo_listener.local_addr()?);
        let dv_url = format!("{scheme}://{}", dv_listener.local_addr()?);

        let stores = seeding::Stores::of(&config);
        let (fo_db, dv_db, generated_rows, template_rows) =
            tokio::task::spawn_blocking(move || stores.open()).await??;
        if generated_rows > 0 {
            tracing::info!(
                rows = generated_rows,
                seed = config.seed,
                "generated sample customers"
            );
        }
        if template_rows > 0 {
            tracing::info!(
                rows = template_rows,
                seed = config.seed,
                "generated template sample rows"
            );
        }

        let auth = Arc::new(auth::Auth::new(
            identity.tenant.clone(),
            identity.client_id.clone(),
            identity.client_secret.clone(),
            fo_url.clone(),
            dv_url.clone(),
            config.token_lifetime,
        ));
        let (shutdown, stop) = watch::channel(false);

        let token_routes = Router::new()
            .route("/{tenant}/oauth2/v2.0/token", post(auth::token_endpoint))
            .route(
                "/{tenant}/v2.0/.well-known/openid-configuration",
                get(auth::openid_configuration),
            )
            .with_state(auth.clone());

        let fo_guard = Arc::new(protection::Guard::new(Side::FinOps, config.fo_limits));
        let dv_guard = Arc::new(protection::Guard::new(Side::Dataverse, config.dv_limits));
        let admin_routes = |guard: &Arc<protection::Guard>, audience: &str| {
            Router::new()
                .route("/_sandbox/faults", any(protection::faults_endpoint))
                .with_state(protection::Admin {
                    guard: guard.clone(),
                    auth: auth.clone(),
                    audience: audience.to_string(),
                })
        };
        let fo_admin = admin_routes(&fo_guard, &fo_url);
        let dv_admin = admin_routes(&dv_guard, &dv_url);

        let events = Arc::new(events::DataEvents::load(&fo_db, config.event_retry)?);
        let fo_events_admin = Router::new()
            .route("/_sandbox/dataevents", any(events::endpoint))
            .route("/_sandbox/dataevents/{id}", any(events::endpoint_one))
            .route("/_sandbox/dataevents/{id}/errors", any(events::errors))
            .route(
                "/_sandbox/dataevents/{id}/errors/resend",
                any(events::resend),
            )
            .with_state(events::EventsAdmin {
                events: events.clone(),
                db: fo_db.clone(),
                auth: auth.clone(),
                audience: fo_url.clone(),
            });
        let dispatcher = events::spawn_dispatcher(fo_db.clone(), events.clone(), stop.clone());
        let fo_state = Arc::new(finops::FoState {
            events,
            db: fo_db,
            url: fo_url.clone(),
            page_size: config.fo_page_size.max(1),
            auth: auth.clone(),
            guard: fo_guard.clone(),
        });
        let fo_router = token_routes
            .clone()
            .merge(fo_admin)
            .merge(fo_events_admin)
            .merge(Router::new().fallback(finops::handle).with_state(fo_state));

        let who = dataverse::Who {
            user_id: identity.user_id.clone(),
            business_unit_id: identity.business_unit_id.clone(),
            organization_id: identity.organization_id.clone(),
        };
        let dv_state = Arc::new(dataverse::DvState::new(
            dv_db,
            dv_url.clone(),
            auth.clone(),
            who,
            dv_guard.clone(),
            stop.clone(),
        ));
        let dv_router = token_routes.merge(dv_admin).merge(
            Router::new()
                .fallback(dataverse::handle)
                .with_state(dv_state),
        );

        let server_tls = tls.as_ref().map(|tls| tls.server.clone());
        let tasks = vec![
            serve(fo_listener, server_tls.clone(), fo_router, stop.clone()),
            serve(dv_listener, server_tls, dv_router, stop),
            dispatcher,
        ];
        tracing::info!(%fo_url, %dv_url, "sandbox started");
        Ok(Sandbox {
            fo_url,
            dv_url,
            identity,
            generated_rows,
            ca: tls.map(|tls| (tls.ca_file, tls.ca_pem)),
            auth,
            fo_guard,
            dv_guard,
            shutdown,
            tasks,
        })
    }

    fn guard(&self, side: Side) -> &protection::Guard {
        match side {
            Side::FinOps => &self.fo_guard,
            Side::Dataverse => &self.dv_guard,
        }
    }

    /// Replaces the faults injected into one emulator; [`Faults::default`] clears them. Same
    /// effect as `POST /_sandbox/faults` on that emulator's port.
    pub fn set_faults(&self, side: Side, faults: Faults) -> Result<(), FaultsError> {
        self.guard(side).set_faults(faults)
    }

    /// Makes the token endpoint answer 503 (`down`) or sign clients in again; tokens already
    /// issued stay valid until they expire.
    pub fn set_sign_in_down(&self, down: bool) {
        self.auth
            .sign_in_down
            .store(down, std::sync::atomic::Ordering::SeqCst);
    }

    /// The faults currently injected into one emulator.
    pub fn faults(&self, side: Side) -> Faults {
        self.guard(side).faults()
    }

    /// F&O environment URL, e.g. `http://127.0.0.1:PORT`; the service root is this plus `/data`.
    pub fn fo_url(&self) -> &str {
        &self.fo_url
    }

    /// Dataverse environment URL; the service root is this plus `/api/data/v9.2`.
    pub fn dv_url(&self) -> &str {
        &self.dv_url
    }

    /// Token endpoint for the demo tenant (served on both ports; this one is on the DV port).
    pub fn token_url(&self) -> String {
        format!("{}/{}/oauth2/v2.0/token", self.dv_url, self.identity.tenant)
    }

    /// Sample customers this start generated; 0 when the store already held customers.
    pub fn generated_rows(&self) -> usize {
        self.generated_rows
    }

    pub fn tenant(&self) -> &str {
        &self.identity.tenant
    }

    pub fn client_id(&self) -> &str {
        &self.identity.client_id
    }

    pub fn client_secret(&self) -> &str {
        &self.identity.client_secret
    }

    /// The certificate authority (PEM) whose server certificates both emulators present;
    /// `None` when they serve plain HTTP.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca.as_ref().map(|(_, pem)| pem.as_str())
    }

    /// Where that authority's certificate is kept (`ca.pem` in the sandbox directory).
    pub fn ca_file(&self) -> Option<&Path> {
        self.ca.as_ref().map(|(path, _)| path.as_path())
    }

    /// Environment variables describing the sandbox, for shells and child processes;
    /// `DUET_CA_FILE` names the certificate authority to trust when it serves HTTPS. The
    /// client secret comes last, so a script can read up to it.
    pub fn env_lines(&self) -> Vec<(String, String)> {
        let ca = self
            .ca_file()
            .map(|path| ("DUET_CA_FILE", path.display().to_string()));
        [
            ("DUET_FO_URL", self.fo_url.clone()),
            ("DUET_DV_URL", self.dv_url.clone()),
            ("DUET_TOKEN_URL", self.token_url()),
            ("DUET_TENANT", self.identity.tenant.clone()),
            ("DUET_CLIENT_ID", self.identity.client_id.clone()),
        ]
        .into_iter()
        .chain(ca)
        .chain([("DUET_CLIENT_SECRET", self.identity.client_secret.clone())])
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    /// Stops both servers, letting in-flight requests finish (long polls end early).
    pub async fn shutdown(mut self) {
        self.shutdown.send_replace(true);
        for task in std::mem::take(&mut self.tasks) {
            let abort = task.abort_handle();
            // Open keep-alive connections could hold graceful shutdown forever; cap the wait.
            if tokio::time::timeout(Duration::from_secs(5), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        // Dropping without `shutdown` still stops the servers instead of leaking them.
        self.shutdown.send_replace(true);
    }
}
