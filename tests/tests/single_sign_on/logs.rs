//! Every log line this test binary's nodes write, kept to check that none holds a secret.

use std::io::Write;
use std::sync::{Mutex, OnceLock};

static LINES: OnceLock<Mutex<Vec<u8>>> = OnceLock::new();

struct Sink;

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Some(lines) = LINES.get() {
            lines.lock().expect("log lock").extend_from_slice(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Starts capturing (once per binary), at debug level for every crate.
pub fn capture() {
    if LINES.set(Mutex::new(Vec::new())).is_ok() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("debug"))
            .with_ansi(false)
            .with_writer(|| Sink)
            .try_init();
    }
}

/// Everything logged so far.
pub fn text() -> String {
    let lines = LINES
        .get()
        .expect("capture() first")
        .lock()
        .expect("log lock");
    String::from_utf8_lossy(&lines).into_owned()
}
