//! The browser checks shared by the suites: Debian's `chromium`, driven by playwright-core
//! from `tests/browser/check.mjs` (installed by `.ci/run`). At 1280 and 375 px every page
//! must have no axe-core violation of impact serious or critical, be no wider than the
//! window, and log no console error (a Content Security Policy violation is one).

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

/// The checker's folder, with its `node_modules` when installed.
pub fn checker_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("browser")
}

/// What is missing to run the browser checks, if anything.
pub fn missing_tool() -> Option<String> {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).is_file() {
        return Some(format!("{chromium} (apt-get install chromium)"));
    }
    if std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_err()
    {
        return Some("node (Node.js)".into());
    }
    let modules = checker_dir().join("node_modules");
    for package in ["playwright-core", "axe-core"] {
        if !modules.join(package).is_dir() {
            return Some(format!("{package} (npm ci in tests/browser)"));
        }
    }
    None
}

/// Whether the browser checks can run; under CI (`CI=true`) a missing tool fails the test
/// instead of skipping it.
pub fn available() -> bool {
    match missing_tool() {
        None => true,
        Some(tool) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "browser checks need {tool}; .ci/run installs it"
            );
            eprintln!("SKIPPED: browser checks need {tool}");
            false
        }
    }
}

/// Runs the checker over `pages`; returns its results (one per page and width).
pub async fn check(pages: Vec<Value>) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.json");
    std::fs::write(&plan, json!({ "pages": pages }).to_string()).unwrap();
    let out = tokio::process::Command::new("node")
        .arg(checker_dir().join("check.mjs"))
        .arg(&plan)
        .kill_on_drop(true)
        .output()
        .await
        .expect("node runs");
    assert!(
        out.status.success(),
        "the browser checker failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("the checker's JSON");
    report["results"].as_array().unwrap().clone()
}

/// A page to check: a name for the report and its URL. Add `"cookies"` (a JSON array of
/// `{name, value}`) for a signed-in page, `"submit": {"form": "<css>", "fields": {…}}` to submit a form.
pub fn page(name: &str, url: String) -> Value {
    json!({ "name": name, "url": url })
}

/// Fails with every problem the checker found, page by page.
pub fn assert_no_problems(results: &[Value]) {
    let problems: Vec<String> = results
        .iter()
        .flat_map(|r| {
            r["problems"].as_array().unwrap().iter().map(move |p| {
                format!(
                    "{} at {} px: {}",
                    r["name"],
                    r["width"],
                    p.as_str().unwrap()
                )
            })
        })
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The visible text of the checked page named `name` (at the first width).
pub fn text_of<'a>(results: &'a [Value], name: &str) -> &'a str {
    results
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no page named {name} was checked"))["text"]
        .as_str()
        .unwrap()
}
