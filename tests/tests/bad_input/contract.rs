//! The OpenAPI document against the server, by Schemathesis (installed from PyPI by
//! `.ci/run`): generated requests, valid and invalid, for every documented operation, for a
//! bounded time; any 5xx, undocumented status, wrong content type or answer that does not
//! match its schema fails the test.

use std::process::Stdio;
use std::time::Duration;

use super::*;

/// Seconds Schemathesis may spend (`GOVNODE_SCHEMATHESIS_SECS` overrides, e.g. for a long
/// run by hand).
const DEFAULT_SECS: u64 = 90;

/// The Schemathesis command line, if installed.
fn schemathesis() -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| ["st", "schemathesis"].map(|name| dir.join(name)))
        .find(|p| p.is_file())
}

/// Whether every error Schemathesis reports is its own internal one, and it found no
/// failure: each error block under `ERRORS` names that internal error.
fn internal_errors_only(stdout: &str) -> bool {
    const INTERNAL: &str = "AST constructor recursion depth mismatch";
    if stdout.contains("= FAILURES =") {
        return false;
    }
    let Some((_, errors)) = stdout.split_once("= ERRORS =") else {
        return false;
    };
    let errors = errors.split("= WARNINGS =").next().unwrap_or(errors);
    let errors = errors.split("= SUMMARY =").next().unwrap_or(errors);
    let blocks: Vec<&str> = errors
        .split("\n_")
        .map(str::trim)
        .filter(|b| !b.is_empty() && !b.chars().all(|c| c == '='))
        .collect();
    !blocks.is_empty() && blocks.iter().all(|b| b.contains(INTERNAL))
}

#[test]
fn only_schemathesis_internal_errors_are_forgiven() {
    let internal = "== ERRORS ==\n____ PUT /a ____\nRuntime Error\n\nAST constructor recursion depth mismatch (before=66, after=62)\n== WARNINGS ==\n";
    assert!(internal_errors_only(internal));
    let network =
        "== ERRORS ==\n____ GET /b ____\nNetwork Error\n\nConnection reset\n== SUMMARY ==\n";
    assert!(!internal_errors_only(network));
    let mixed = format!("{internal}\n== FAILURES ==\n____ GET /c ____\n- Server error\n");
    assert!(!internal_errors_only(&mixed));
    assert!(!internal_errors_only("nothing reported"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_server_error_or_schema_violation() {
    let Some(st) = schemathesis() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "schemathesis is not installed (`pip install schemathesis`); CI installs it in .ci/run"
        );
        eprintln!("SKIPPED: schemathesis is not installed (`pip install schemathesis`)");
        return;
    };
    let t = TestNode::start().await;
    // Something to find: a site with columns, a published article, a letters desk.
    t.site("gd", "广东省人民政府").await;
    t.column("gd", "zcwj", "政策文件", "policy").await;
    let staff = t.staff("gd").await;
    t.publish(
        "gd",
        &staff,
        json!({ "column": "zcwj", "title": "广东省数字政府建设方案", "body": "正文" }),
    )
    .await;
    let secs = std::env::var("GOVNODE_SCHEMATHESIS_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_SECS);
    let report = tempfile::tempdir().unwrap();
    let mut command = tokio::process::Command::new(st);
    command
        .current_dir(report.path())
        .arg("run")
        .arg(t.url("/api/openapi.json"))
        .args(["--header", &format!("Authorization: Bearer {}", t.admin)])
        .args(["--max-time", &secs.to_string()])
        .args(["--workers", "2", "--request-timeout", "30"])
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,\
             response_schema_conformance,response_headers_conformance",
        ])
        // Fixed seed: a failure is reproducible; the seed moves when the document does.
        .args(["--seed", "20261204", "--no-color"])
        .env("SCHEMATHESIS_TELEMETRY", "false")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let out = tokio::time::timeout(Duration::from_secs(secs + 240), command.output())
        .await
        .expect("schemathesis finished within its budget")
        .expect("schemathesis runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let internal = internal_errors_only(&stdout);
    if !out.status.success() && internal {
        // Hypothesis (under Schemathesis 4.32.5) sometimes fails to describe one of its own
        // filters ("AST constructor recursion depth mismatch") and reports it as an error
        // of whatever operation it was generating for: no request was sent, nothing about
        // the server was found. Every other error or failure fails the test.
        eprintln!("schemathesis reported only its own internal errors:\n{stdout}");
    }
    assert!(
        out.status.success() || internal,
        "schemathesis found disagreements between the OpenAPI document and the server:\n{stdout}\n{stderr}"
    );
    // Sanity: it really tested the operations.
    assert!(stdout.contains("Tested:"), "{stdout}");
    t.stop().await;
}
