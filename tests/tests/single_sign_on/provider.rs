//! The identity provider the tests sign in at: `node tests/oidc/provider.mjs` (the npm
//! package `oidc-provider`, locked in tests/oidc/package-lock.json), killed on drop.
//!
//! Readiness is read from its stdout (one JSON line with the issuer once it listens, then
//! one once it serves, after the test has told it the node's redirect URI on stdin); never a
//! fixed sleep. Under CI=true a missing `node` or missing node_modules fails the test;
//! elsewhere the test is skipped with the reason printed.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

/// The client the provider registers (provider.mjs).
pub const CLIENT_ID: &str = "govnode-test";
pub const CLIENT_SECRET: &str = "test-client-secret-not-for-production";

/// A running provider.
pub struct Provider {
    /// Its issuer identifier (`http://127.0.0.1:PORT`), as its discovery document names it.
    pub issuer: String,
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: Lines<BufReader<ChildStdout>>,
}

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("oidc")
}

/// Why the provider cannot run here, if it cannot.
fn missing() -> Option<String> {
    let node = std::process::Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        return Some("Node.js (`node`) is not installed".into());
    }
    if !dir()
        .join("node_modules/oidc-provider/package.json")
        .exists()
    {
        return Some(
            "tests/oidc/node_modules is missing: run `(cd tests/oidc && npm ci)` (.ci/run does)"
                .into(),
        );
    }
    None
}

impl Provider {
    /// Starts the provider with `args` (provider.mjs's options); `None` when it cannot run
    /// here outside CI (the reason printed). Call [`Provider::serve`] next.
    pub async fn start(args: &[&str]) -> Option<Provider> {
        if let Some(why) = missing() {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "{why}; under CI=true this test must run"
            );
            eprintln!("skipped: {why}");
            return None;
        }
        let mut child = Command::new("node")
            .arg(dir().join("provider.mjs"))
            .args(args)
            .current_dir(dir())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("node starts");
        // Its warnings are dropped; its errors shown.
        let stderr = child.stderr.take().expect("stderr");
        tokio::spawn(async move {
            let mut lines = BufReader::new(stderr).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                if !line.contains("WARNING") {
                    eprintln!("provider: {line}");
                }
            }
        });
        let stdin = child.stdin.take();
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let first = next_json(&mut stdout).await;
        let issuer = first["issuer"].as_str().expect("issuer").to_string();
        Some(Provider {
            issuer,
            child,
            stdin,
            stdout,
        })
    }

    /// Registers the node's redirect URI and waits until the provider serves.
    pub async fn serve(&mut self, redirect_uri: &str) {
        let line = format!("{}\n", serde_json::json!({ "redirect_uri": redirect_uri }));
        let stdin = self.stdin.as_mut().expect("stdin");
        stdin.write_all(line.as_bytes()).await.expect("write");
        stdin.flush().await.expect("flush");
        let ready = next_json(&mut self.stdout).await;
        assert_eq!(ready["ready"], true, "{ready}");
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

/// The provider's next stdout line, as JSON (30 s at most: a loaded machine is slow).
async fn next_json(lines: &mut Lines<BufReader<ChildStdout>>) -> Value {
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("the provider answers within 30 s")
        .expect("read")
        .expect("the provider printed a line before exiting");
    serde_json::from_str(&line).unwrap_or_else(|e| panic!("{line}: {e}"))
}
