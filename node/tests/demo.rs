//! `govnode demo`: four nodes in one process, each on its own port, replicating.

use std::collections::BTreeSet;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::Command;

/// The first `http://…` in a line.
fn url_in(line: &str) -> Option<&str> {
    let start = line.find("http://")?;
    let rest = &line[start..];
    Some(rest.split_whitespace().next().unwrap_or(rest))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_serves_four_nodes_replicas_and_a_stopped_county_from_its_parent() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_govnode"))
        .args([
            "demo",
            "--port",
            "0",
            "--exit-after",
            "8",
            "--stop",
            "440106",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let mut seen = Vec::new();
    let mut nodes = BTreeSet::new();
    let mut checked_replica = false;
    let mut checked_stop = false;
    let mut checked_letters = false;
    let read = tokio::time::timeout(Duration::from_secs(120), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            seen.push(line.clone());
            if line.starts_with("node ") {
                nodes.insert(url_in(&line).expect("node URL").to_string());
            }
            // The province serving a county's article from replica.
            if line.trim_start().starts_with("replica ") {
                let url = url_in(&line).unwrap().to_string();
                let r = http.get(&url).send().await.unwrap();
                assert_eq!(r.status(), 200, "{url}");
                let origin = r.headers().get("x-govnode-replica").cloned();
                assert_eq!(origin.unwrap(), "440106", "{url}");
                assert!(r.text().await.unwrap().contains("副本"), "{url}");
                checked_replica = true;
            }
            // The province's letters form offers its desk for letters without a body.
            if line.trim_start().starts_with("letters ") && line.contains("/sites/gd/letters") {
                let url = url_in(&line).unwrap().to_string();
                let r = http.get(&url).send().await.unwrap();
                assert_eq!(r.status(), 200, "{url}");
                let page = r.text().await.unwrap();
                assert!(page.contains("交广东省人民政府办公厅分办"), "{url}: {page}");
                checked_letters = true;
            }
            // After --stop: the city serves the stopped county's site.
            if line.starts_with("open ") && line.contains("while 440106 is stopped") {
                let url = url_in(&line).unwrap().to_string();
                let r = http.get(&url).send().await.unwrap();
                assert_eq!(r.status(), 200, "{url}");
                let origin = r.headers().get("x-govnode-replica").cloned();
                assert_eq!(origin.unwrap(), "440106", "{url}");
                checked_stop = true;
            }
        }
    })
    .await;
    let out = child.wait_with_output().await.unwrap();
    let all = seen.join("\n");
    read.unwrap_or_else(|_| panic!("the demo did not end by itself:\n{all}"));
    assert!(
        out.status.success(),
        "{all}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(nodes.len(), 4, "four nodes on four ports:\n{all}");
    assert!(checked_replica, "no replica URL printed:\n{all}");
    assert!(checked_stop, "--stop printed no URL to look at:\n{all}");
    assert!(checked_letters, "no letters URL printed:\n{all}");
}
