//! `duet serve`: the same API as the desktop window, over HTTP and server-sent events, for a
//! browser on this machine, or over HTTPS for browsers elsewhere (`--listen` with
//! `--tls-cert` and `--tls-key`). It only translates HTTP into `Api` calls.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use axum::Json;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use duet_api::{Api, ApiError, ApiOptions, Code, LogQuery, SecretsAt};
use futures::Stream;
use serde::Deserialize;
use serde_json::Value;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::{BroadcastStream, ReceiverStream};
use tower_http::services::{ServeDir, ServeFile};

use crate::serve_access::{self, Access, PublicName, Scheme};
use crate::serve_guard;

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Duet's data directory (SQLite store, sandbox files); by default `duet` in the OS's
    /// application data directory (`~/.local/share/duet` on Linux). It is printed as
    /// DUET_DATA_DIR.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Port on 127.0.0.1 (0 picks a free one); --listen names another address.
    #[arg(long, default_value_t = 0, conflicts_with = "listen")]
    port: u16,
    /// Address and port to listen on (`0.0.0.0:8443`, `[::]:8443`). Beyond loopback only
    /// with --tls-cert and --tls-key.
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,
    /// The server's certificate chain (PEM, its own certificate first): serve HTTPS.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// A name browsers reach this server by (`duet.example.com`, or `duet.example.com:443`
    /// when a port in front of it is mapped to --listen's); repeatable, or comma-separated in
    /// DUET_PUBLIC_NAMES. Requests addressed to any other name are refused. The first is the
    /// one DUET_UI_URL shows.
    #[arg(
        long = "public-name",
        value_name = "HOST",
        env = "DUET_PUBLIC_NAMES",
        value_delimiter = ','
    )]
    public_names: Vec<PublicName>,
    /// A file keeping the access token across restarts (created owner-only with a new token
    /// when missing; refused when others may read it). DUET_ACCESS_TOKEN gives one instead.
    /// Without either, each start makes a new token.
    #[arg(long, value_name = "PATH", env = "DUET_TOKEN_FILE")]
    token_file: Option<PathBuf>,
    /// Keep client secrets in this JSON file instead of the OS keyring (created owner-only
    /// when missing; refused when others may read it). DUET_SECRET_<ENVIRONMENT NAME>
    /// variables come first either way.
    #[arg(long, value_name = "PATH", env = "DUET_SECRETS_FILE")]
    secrets_file: Option<PathBuf>,
    /// Also start the sandbox pair, linked, with the demo map running.
    #[arg(long)]
    sandbox: bool,
    /// A built UI on disk to serve instead of the one built into this binary (for working
    /// on the UI: `npm run build` in ui/, then `--ui ui/dist`).
    #[arg(long, env = "DUET_UI_DIR")]
    ui: Option<PathBuf>,
}

#[derive(Clone)]
pub(crate) struct AppState {
    api: Arc<Api>,
    pub(crate) token: Arc<str>,
    /// The names requests must be addressed to.
    pub(crate) access: Arc<Access>,
}

/// API options for a command-line Duet: `DUET_KEYRING_SERVICE` picks the keyring service
/// (tests use their own); `secrets_file` keeps secrets in that file instead of the keyring.
pub(crate) fn api_options(secrets_file: Option<PathBuf>) -> ApiOptions {
    let mut options = ApiOptions::default();
    if let Ok(service) = std::env::var("DUET_KEYRING_SERVICE") {
        options.keyring_service = service;
    }
    if let Some(path) = secrets_file {
        options.secrets = SecretsAt::File(path);
    }
    options
}

pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let listen = args
        .listen
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], args.port)));
    let tls = tls_config(args.tls_cert.as_deref(), args.tls_key.as_deref())?;
    serve_access::check_listen(listen, tls.is_some())?;
    let token: Arc<str> = serve_access::access_token(args.token_file.as_deref())?.into();
    let ui = ui(args.ui)?;
    let data = args.data.unwrap_or_else(default_data_dir);
    let api = Api::open(&data, api_options(args.secrets_file))
        .await
        .map_err(anyhow::Error::new)?;
    let mut lines = if args.sandbox {
        api.start_sandbox_demo().await.map_err(anyhow::Error::new)?
    } else {
        api.resume().await.map_err(anyhow::Error::new)?;
        Vec::new()
    };
    let listener = std::net::TcpListener::bind(listen)
        .and_then(|listener| listener.set_nonblocking(true).map(|()| listener))
        .with_context(|| format!("listening on {listen}"))?;
    let scheme = if tls.is_some() {
        Scheme::Https
    } else {
        Scheme::Http
    };
    let access = Access::new(scheme, listener.local_addr()?, &args.public_names);
    lines.push(("DUET_DATA_DIR".to_owned(), data.display().to_string()));
    lines.push((
        "DUET_UI_URL".to_owned(),
        format!("{}/?token={token}", access.origin()),
    ));
    let state = AppState {
        api: api.clone(),
        token,
        access: Arc::new(access),
    };
    crate::print_lines(&lines);

    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        until_stopped().await;
        let _ = stop.send(true);
    });
    duet_sandbox::serve(listener, tls, router(state, ui), stopped).await?;
    api.shutdown().await;
    Ok(())
}

/// The rustls configuration of `--tls-cert` and `--tls-key`, when given.
fn tls_config(
    cert: Option<&std::path::Path>,
    key: Option<&std::path::Path>,
) -> anyhow::Result<Option<Arc<rustls::ServerConfig>>> {
    let (Some(cert), Some(key)) = (cert, key) else {
        return Ok(None);
    };
    let read = |path: &std::path::Path| {
        std::fs::read(path).with_context(|| format!("reading {}", path.display()))
    };
    let config = duet_sandbox::server_config_from_pem(&read(cert)?, &read(key)?)
        .with_context(|| format!("--tls-cert {} --tls-key {}", cert.display(), key.display()))?;
    Ok(Some(config))
}

/// Waits for Ctrl+C, or for SIGTERM where there is one (how systemd and container runtimes
/// stop a service; a process that is a container's first one would otherwise ignore it).
async fn until_stopped() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut terminate) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Where the UI comes from: `--ui DIR`, or the one built into this binary.
fn ui(dir: Option<PathBuf>) -> anyhow::Result<Ui> {
    match dir {
        Some(dir) if dir.join("index.html").exists() => Ok(Ui::Dir(dir)),
        Some(dir) => anyhow::bail!(
            "there is no built UI at {} (run `npm run build` in ui/, or leave out --ui)",
            dir.display()
        ),
        None if crate::bundled_ui::present() => Ok(Ui::Bundled),
        None => anyhow::bail!(
            "this duet was built before its UI: run `npm run build` in ui/ and build it again, or pass --ui DIR"
        ),
    }
}

/// Where the UI's files come from.
enum Ui {
    /// The UI built into this binary.
    Bundled,
    /// A built UI on disk (`--ui`), for working on the UI.
    Dir(PathBuf),
}

fn router(state: AppState, ui: Ui) -> Router {
    let api_routes = Router::new()
        .route("/api/events", get(events))
        .route("/api/logs.csv", get(log_csv))
        .route("/api/{command}", post(command))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            serve_guard::require_token,
        ))
        .with_state(state.clone());
    let routes = match ui {
        Ui::Bundled => api_routes.fallback(crate::bundled_ui::file),
        Ui::Dir(dir) => {
            let index = dir.join("index.html");
            api_routes.fallback_service(ServeDir::new(dir).fallback(ServeFile::new(index)))
        }
    };
    routes.layer(middleware::from_fn_with_state(
        state,
        serve_guard::require_own_host,
    ))
}

async fn command(
    State(state): State<AppState>,
    Path(command): Path<String>,
    body: Option<Json<Value>>,
) -> Response {
    let args = body
        .map(|Json(args)| args)
        .unwrap_or(Value::Object(Default::default()));
    match state.api.call(&command, args).await {
        Ok(value) => Json(value).into_response(),
        Err(error) => {
            let status = match error.code {
                Code::NotFound | Code::UnknownCommand => StatusCode::NOT_FOUND,
                Code::BadArguments => StatusCode::BAD_REQUEST,
                Code::NotLinked => StatusCode::CONFLICT,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            };
            error_response(status, error)
        }
    }
}

async fn events(
    State(state): State<AppState>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let stream = BroadcastStream::new(state.api.subscribe()).filter_map(|event| {
        let event = event.ok()?;
        let data = serde_json::to_string(&event).ok()?;
        Some(Ok(Event::default().data(data)))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

#[derive(Deserialize)]
struct CsvLimit {
    /// Only the newest this many lines of the view.
    limit: Option<u64>,
}

/// `GET /api/logs.csv?<LogQuery fields>[&limit=N][&token=…]`: the filtered log as a CSV
/// download. A blocking task writes it a page at a time into a channel that is the response
/// body, so a million lines never sit in memory; a client that goes away ends the task at
/// its next write. The token may be in the URL, because a browser's download link cannot
/// send a header.
async fn log_csv(
    State(state): State<AppState>,
    query: Result<Query<LogQuery>, QueryRejection>,
    limit: Result<Query<CsvLimit>, QueryRejection>,
) -> Response {
    let (query, limit) = match (query, limit) {
        (Ok(Query(query)), Ok(Query(limit))) => (query, limit.limit),
        (Err(rejection), _) | (_, Err(rejection)) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                ApiError::new(
                    Code::BadArguments,
                    format!("the log query is invalid: {rejection}"),
                ),
            );
        }
    };
    let csv = state.api.log_csv(&query, limit);
    let (sender, receiver) = tokio::sync::mpsc::channel::<std::io::Result<Bytes>>(8);
    tokio::task::spawn_blocking(move || {
        let mut out = std::io::BufWriter::with_capacity(1 << 16, ChannelWriter(sender.clone()));
        if let Err(error) = csv.write_to(&mut out) {
            // The headers are sent already: failing the body tells the client it is cut short.
            let _ = sender.blocking_send(Err(std::io::Error::other(error.message)));
        }
    });
    let file_name = format!("activity-{}.csv", chrono::Utc::now().format("%Y-%m-%d"));
    let mut response = Body::from_stream(ReceiverStream::new(receiver)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// A writer whose every write is one chunk of a streamed response body.
struct ChannelWriter(tokio::sync::mpsc::Sender<std::io::Result<Bytes>>);

impl std::io::Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .blocking_send(Ok(Bytes::copy_from_slice(buf)))
            .map_err(|_| {
                std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client went away")
            })?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub(crate) fn error_response(status: StatusCode, error: ApiError) -> Response {
    (status, Json(error)).into_response()
}

/// `duet` in the directory where this OS keeps applications' data: `$XDG_DATA_HOME` or
/// `~/.local/share` on Linux, `~/Library/Application Support` on macOS, the roaming AppData
/// folder on Windows; the working directory when none is known.
fn default_data_dir() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("duet")
}
