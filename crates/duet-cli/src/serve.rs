//! `duet serve`: the same API as the desktop window, over HTTP and server-sent events, for a
//! browser on this machine. It only translates HTTP into `Api` calls.

use std::convert::Infallible;
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
use duet_api::{Api, ApiError, ApiOptions, Code, LogQuery};
use futures::Stream;
use serde::Deserialize;
use serde_json::Value;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::{BroadcastStream, ReceiverStream};
use tower_http::services::{ServeDir, ServeFile};

use crate::serve_guard;

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Duet's data directory (SQLite store, sandbox files); by default `duet` in the OS's
    /// application data directory (`~/.local/share/duet` on Linux). It is printed as
    /// DUET_DATA_DIR.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
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
    /// The port it listens on, which requests must be addressed to.
    pub(crate) port: u16,
}

/// API options for a command-line Duet: `DUET_KEYRING_SERVICE` picks the keyring service
/// (tests use their own).
pub(crate) fn api_options() -> ApiOptions {
    let mut options = ApiOptions::default();
    if let Ok(service) = std::env::var("DUET_KEYRING_SERVICE") {
        options.keyring_service = service;
    }
    options
}

pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let data = args.data.unwrap_or_else(default_data_dir);
    let api = Api::open(&data, api_options())
        .await
        .map_err(anyhow::Error::new)?;
    let mut lines = if args.sandbox {
        api.start_sandbox_demo().await.map_err(anyhow::Error::new)?
    } else {
        api.resume().await.map_err(anyhow::Error::new)?;
        Vec::new()
    };
    let ui = match args.ui {
        Some(dir) if dir.join("index.html").exists() => Ui::Dir(dir),
        Some(dir) => anyhow::bail!(
            "there is no built UI at {} (run `npm run build` in ui/, or leave out --ui)",
            dir.display()
        ),
        None if crate::bundled_ui::present() => Ui::Bundled,
        None => anyhow::bail!(
            "this duet was built before its UI: run `npm run build` in ui/ and build it again, or pass --ui DIR"
        ),
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port))
        .await
        .with_context(|| format!("binding 127.0.0.1:{}", args.port))?;
    let port = listener.local_addr()?.port();
    let token: Arc<str> = access_token().into();
    let state = AppState {
        api: api.clone(),
        token: token.clone(),
        port,
    };
    lines.push(("DUET_DATA_DIR".to_owned(), data.display().to_string()));
    lines.push((
        "DUET_UI_URL".to_owned(),
        format!("http://127.0.0.1:{port}/?token={token}"),
    ));
    crate::print_lines(&lines);

    let app = router(state, ui);
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    api.shutdown().await;
    Ok(())
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

fn access_token() -> String {
    use rand::Rng;
    let mut bytes = [0u8; 24];
    rand::rng().fill(&mut bytes);
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// `duet` in the directory where this OS keeps applications' data: `$XDG_DATA_HOME` or
/// `~/.local/share` on Linux, `~/Library/Application Support` on macOS, the roaming AppData
/// folder on Windows; the working directory when none is known.
fn default_data_dir() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("duet")
}
