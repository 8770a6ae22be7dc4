//! The SMTP sink: `tests/smtp/sink.mjs` (the npm package smtp-server) under Node.js, each
//! message it accepts read as a JSON line.

use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout};

pub fn sink_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("smtp")
}

/// Whether the SMTP sink can run; under CI a missing tool fails the test.
pub fn sink_available() -> bool {
    let missing = if std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_err()
    {
        Some("node (Node.js)".to_string())
    } else {
        ["smtp-server", "mailparser"]
            .into_iter()
            .find(|p| !sink_dir().join("node_modules").join(p).is_dir())
            .map(|p| format!("{p} (npm ci in tests/smtp)"))
    };
    match missing {
        None => true,
        Some(tool) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "the notice e-mail test needs {tool}; .ci/run installs it"
            );
            eprintln!("SKIPPED: the notice e-mail test needs {tool}");
            false
        }
    }
}

/// The running SMTP sink and the messages it prints.
pub struct Sink {
    _child: Child,
    lines: Lines<BufReader<ChildStdout>>,
    pub port: u16,
}

impl Sink {
    /// Starts `sink.mjs` with `args` (`--reject N`: refuse the first N messages).
    pub async fn start(args: &[&str]) -> Sink {
        let mut child = tokio::process::Command::new("node")
            .arg(sink_dir().join("sink.mjs"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("node starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first: Value =
            serde_json::from_str(&lines.next_line().await.unwrap().unwrap()).unwrap();
        let port = first["port"].as_u64().expect("the sink's port") as u16;
        Sink {
            _child: child,
            lines,
            port,
        }
    }

    /// The next message received (within 30 s).
    pub async fn next(&mut self) -> Value {
        let line = tokio::time::timeout(Duration::from_secs(30), self.lines.next_line())
            .await
            .expect("an e-mail within 30 s")
            .unwrap()
            .expect("the sink is running");
        serde_json::from_str(&line).unwrap()
    }

    /// No further message within `wait`.
    pub async fn quiet(&mut self, wait: Duration) {
        if let Ok(line) = tokio::time::timeout(wait, self.lines.next_line()).await {
            panic!("an unexpected e-mail: {line:?}");
        }
    }
}
