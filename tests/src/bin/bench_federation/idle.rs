//! Part 3: an idle county process.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use govnode::Node;
use govnode::local_tree::{LocalTree, Member, PlanOptions};
use serde_json::{Value, json};

use crate::Args;
use crate::nodes::{Running, county_site, publish, wait_until};
use crate::util::{cpu_of, fds, proc_field, proc_mib};

/// The govnode binary beside this one, built if missing.
fn govnode_binary() -> Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let bin = exe.with_file_name("govnode");
    if bin.exists() {
        return Ok(bin);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut args = vec!["build", "-p", "govnode", "--bin", "govnode"];
    if !cfg!(debug_assertions) {
        args.push("--release");
    }
    eprintln!("building the govnode binary: {cargo} {}", args.join(" "));
    let status = Command::new(&cargo)
        .args(&args)
        .current_dir(&root)
        .status()?;
    if !status.success() || !bin.exists() {
        bail!(
            "could not build {} (cargo {})",
            bin.display(),
            args.join(" ")
        );
    }
    Ok(bin)
}

pub(crate) async fn part_idle(args: &Args) -> Result<Value> {
    let bin = govnode_binary()?;
    let members = vec![
        Member::parse("440000", "广东省", None, &[])?,
        Member::parse("440100", "广州市", Some("440000"), &[])?,
        Member::parse("440106", "天河区", Some("440100"), &["440000"])?,
    ];
    let county = members[2].id;
    let mut opts = PlanOptions::default();
    let http = govnode::local_tree::free_local_addr()?;
    opts.http.insert(county, http);
    let base = tempfile::Builder::new()
        .prefix("govnode-bench-idle-")
        .tempdir()?;
    let plan = LocalTree::create(base.path(), &members, &opts)?;
    // The county's own content: a site and twenty articles, as a small county has.
    let node = Node::open(plan.nodes[2].config.clone(), &plan.nodes[2].data_dir).await?;
    let site = county_site(&node, county, "天河区").await?;
    for i in 0..20 {
        publish(&node, &site, format!("天河区关于第{i}批政务信息公开的通知")).await?;
    }
    node.sync_search().await?;
    node.close().await;
    drop(node);
    let p = Running::open(&plan.nodes[0]).await?;
    let c = Running::open(&plan.nodes[1]).await?;
    // As an operator would run it; logs to a file in the temp dir.
    let log = std::fs::File::create(base.path().join("county.log"))?;
    let mut child = Command::new(&bin)
        .arg("serve")
        .arg("--data-dir")
        .arg(&plan.nodes[2].data_dir)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .with_context(|| format!("spawning {}", bin.display()))?;
    let pid = child.id().to_string();
    let http_client = govnode_tests::http_client().build().expect("client");
    let status_url = format!("http://{http}/api/federation/status");
    let ready = wait_until(
        "the county process connected and its log at the city",
        Duration::from_secs(120),
        || {
            let (client, url) = (&http_client, &status_url);
            let c = &c;
            async move {
                let Ok(r) = client.get(url).send().await else {
                    return Ok(false);
                };
                let Ok(v) = r.json::<Value>().await else {
                    return Ok(false);
                };
                let peers = v["peers"].as_array().cloned().unwrap_or_default();
                let up = ["440100", "440000"].iter().all(|w| {
                    peers
                        .iter()
                        .any(|p| p["node"] == *w && p["connected"] == true)
                });
                Ok(up && c.head(county).await? >= 20)
            }
        },
    )
    .await;
    let result = match ready {
        Ok(t) => {
            let rss_ready = proc_mib(&format!("/proc/{pid}/status"), "VmRSS")?;
            let cpu_before = cpu_of(&pid);
            tokio::time::sleep(Duration::from_secs(args.idle_secs)).await;
            let status = format!("/proc/{pid}/status");
            Ok(json!({
                "ready_s": t.as_secs_f64(),
                "idle_secs": args.idle_secs,
                "rss_ready_mib": rss_ready,
                "rss_mib": proc_mib(&status, "VmRSS")?,
                "hwm_mib": proc_mib(&status, "VmHWM")?,
                "anon_mib": proc_mib(&status, "RssAnon")?,
                "file_mib": proc_mib(&status, "RssFile")?,
                "threads": proc_field(&status, "Threads")?,
                "fds": fds(&pid),
                "idle_cpu_s": cpu_of(&pid) - cpu_before,
            }))
        }
        Err(e) => Err(e),
    };
    let _ = Command::new("kill").args(["-TERM", &pid]).status();
    for _ in 0..100 {
        if matches!(child.try_wait(), Ok(Some(_))) {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    c.stop().await;
    p.stop().await;
    result
}
