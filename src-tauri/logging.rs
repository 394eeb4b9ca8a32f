//! The desktop app's log: warnings and errors (or what `DUET_LOG` asks for) go to standard
//! error and to a daily file in the directory where the OS keeps an application's logs
//! (`~/.local/share/dev.duet.app/logs` on Linux, `~/Library/Logs/dev.duet.app` on macOS,
//! `%LOCALAPPDATA%\dev.duet.app\logs` on Windows), the last two weeks kept.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{self, Rotation};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// How many daily files are kept.
const DAYS_KEPT: usize = 14;

/// Starts logging to standard error and to `duet.<date>.log` in `dir`. The guard flushes the
/// file when dropped, so it lives as long as the app. When the directory cannot be used, the
/// log goes to standard error alone and the reason is logged there.
pub fn init(dir: &Path) -> Option<WorkerGuard> {
    let filter = || EnvFilter::try_from_env("DUET_LOG").unwrap_or_else(|_| "warn".into());
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_filter(filter());
    let appender = rolling::Builder::new()
        .rotation(Rotation::DAILY)
        .filename_prefix("duet")
        .filename_suffix("log")
        .max_log_files(DAYS_KEPT)
        .build(dir);
    match appender {
        Ok(appender) => {
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let file = tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(writer)
                .with_filter(filter());
            tracing_subscriber::registry()
                .with(stderr)
                .with(file)
                .init();
            Some(guard)
        }
        Err(error) => {
            tracing_subscriber::registry().with(stderr).init();
            tracing::warn!(%error, dir = %dir.display(), "the log directory cannot be used; logging to standard error only");
            None
        }
    }
}
