//! Everything the process logs, captured once for the whole test binary: every level of every
//! target (Duet's crates, the sandbox, reqwest, hyper, rustls, and `log` records through the
//! `tracing-log` bridge) in one buffer, and INFO and above in another, the level a `duet
//! serve` user sees with `DUET_LOG=info`.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{Layer, fmt};

/// A shared, growing text buffer a formatting layer writes into.
#[derive(Clone, Default)]
pub struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Buffer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Buffer {
    type Writer = Buffer;

    fn make_writer(&'a self) -> Buffer {
        self.clone()
    }
}

/// The two buffers: `(all levels, INFO and above)`.
pub fn logs() -> &'static (Buffer, Buffer) {
    static LOGS: OnceLock<(Buffer, Buffer)> = OnceLock::new();
    LOGS.get_or_init(|| {
        let all = Buffer::default();
        let info = Buffer::default();
        tracing_subscriber::registry()
            .with(
                fmt::layer()
                    .with_ansi(false)
                    .with_writer(all.clone())
                    .with_filter(LevelFilter::TRACE),
            )
            .with(
                fmt::layer()
                    .with_ansi(false)
                    .with_writer(info.clone())
                    .with_filter(LevelFilter::INFO),
            )
            .try_init()
            .expect("the capturing subscriber is the process's first");
        (all, info)
    })
}

/// A value no code would write by chance: `prefix`, the process id and the time.
pub fn canary(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{prefix}-{}-{nanos:x}", std::process::id())
}
