//! `cargo run --release -p govnode-tests --bin bench_analytics [-- --seconds N --rounds R --out PATH]`:
//! the cost of visit analytics on the page path. One node, its analytics turned off and on
//! between `wrk` rounds (alternating which comes first, so both see the same machine and
//! process state), loaded with a Lua script that spreads requests over the articles
//! and makes every request look like a new visitor (its own `X-Forwarded-For` address from
//! a pool of 50,000, one of six user agents, one of five referrers): the recorder's
//! costliest case. Prints the figures, and with `--out` writes the "Visit analytics"
//! section of that BENCHMARKS.md.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use govnode_tests::bench_kit::{machine, replace_section, wrk};
use govnode_tests::{StatusCode, TestNode};
use serde_json::json;

/// Articles the requests are spread over.
const ARTICLES: usize = 20;

struct Args {
    seconds: u32,
    rounds: usize,
    out: Option<PathBuf>,
}

fn parse_args() -> Result<Args> {
    let mut a = Args {
        seconds: 8,
        rounds: 3,
        out: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--seconds" => a.seconds = value?.parse().context("--seconds N")?,
            "--rounds" => a.rounds = value?.parse().context("--rounds N")?,
            "--out" => a.out = Some(PathBuf::from(value?)),
            _ => bail!(
                "unknown `{flag}`; usage: bench_analytics [--seconds N] [--rounds R] [--out PATH]"
            ),
        }
    }
    Ok(a)
}

/// A node believing loopback's `X-Forwarded-For`, with one site of `ARTICLES` published
/// articles; returns it and the articles' paths.
async fn node() -> Result<(TestNode, Vec<String>)> {
    let mut config = govnode::Config::new("440000".parse()?, "广东省");
    config.monitoring.enabled = false;
    config.http.trusted_proxies = vec!["127.0.0.1".parse()?];
    let t = TestNode::start_in(config, tempfile::tempdir()?).await;
    t.site("gd", "广东省人民政府").await;
    t.column("gd", "zwgk", "政务公开", "policy").await;
    let staff = t.staff("gd").await;
    let body = "为进一步优化营商环境，激发市场主体活力，现就有关事项通知如下。".repeat(40);
    let mut paths = Vec::new();
    for i in 1..=ARTICLES {
        let a = t
            .publish(
                "gd",
                &staff,
                json!({ "column": "zwgk", "title": format!("关于优化营商环境的通知（第{i}号）"), "body": body }),
            )
            .await;
        paths.push(format!("/sites/gd/articles/{}", a["id"]));
    }
    let page = t.get(&paths[0]).await;
    if page.status != StatusCode::OK {
        bail!("GET {} answered {}", paths[0], page.status);
    }
    Ok((t, paths))
}

/// The wrk script: every request a new-looking visitor on one of the articles.
fn script(paths: &[String]) -> String {
    let list = paths
        .iter()
        .map(|p| format!("\"{p}\""))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        r#"local paths = {{ {list} }}
local agents = {{
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Linux; Android 14; V2309A) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36 MicroMessenger/8.0.49",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
  "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Linux; U; Android 12; zh-CN; V2054A) AppleWebKit/537.36 (KHTML, like Gecko) UCBrowser/15.5 Mobile Safari/537.36"
}}
local referrers = {{ "", "https://www.baidu.com/s?wd=%E8%90%A5%E5%95%86", "https://www.gd.gov.cn/", "https://weibo.com/", "https://news.example.com/a" }}
local n = 0
request = function()
  n = n + 1
  local v = n % 50000
  local ip = string.format("10.%d.%d.%d", math.floor(v / 65536), math.floor(v / 256) % 256, v % 256)
  local headers = {{ ["User-Agent"] = agents[n % #agents + 1], ["X-Forwarded-For"] = ip }}
  local r = referrers[n % #referrers + 1]
  if r ~= "" then headers["Referer"] = r end
  return wrk.format("GET", paths[n % #paths + 1], headers)
end
"#
    )
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = parse_args()?;
    if std::process::Command::new("wrk")
        .arg("--version")
        .output()
        .is_err()
    {
        bail!("wrk is not installed (apt-get install wrk)");
    }
    let (t, paths) = node().await?;
    let dir = tempfile::tempdir()?;
    let lua = dir.path().join("visitors.lua");
    std::fs::write(&lua, script(&paths))?;
    let (mut on_rps, mut off_rps) = (Vec::new(), Vec::new());
    let (mut on_cells, mut off_cells) = (String::new(), String::new());
    for round in 1..=args.rounds {
        // Off first in odd rounds, on first in even ones.
        let order = if round % 2 == 1 {
            [false, true]
        } else {
            [true, false]
        };
        for on in order {
            t.node.visits.set_enabled(on);
            let (rps, cells) = wrk(&t.url("/"), args.seconds, Some(&lua)).await?;
            let label = if on { "on " } else { "off" };
            println!("round {round}: analytics {label} {rps:.0} requests/s");
            if on {
                on_rps.push(rps);
                on_cells = cells;
            } else {
                off_rps.push(rps);
                off_cells = cells;
            }
        }
    }
    let now = chrono::Utc::now().timestamp_millis();
    t.node
        .visits
        .flush(now)
        .await
        .context("flushing the counts")?;
    let today = govnode_topology::beijing::today();
    let report = t
        .node
        .visits
        .report(&Default::default(), today, today, 10)
        .await
        .context("reading the counts")?;
    let (m_on, m_off) = (median(on_rps.clone()), median(off_rps.clone()));
    let ratio = m_on / m_off;
    let (machine, date) = machine()?;
    let list = |v: &[f64]| {
        v.iter()
            .map(|r| format!("{r:.0}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let section = format!(
        "## Visit analytics on the page path\n\n\
         {machine}; {date}. Generated by `tests/src/bin/bench_analytics.rs` \
         (`cargo run --release -p govnode-tests --bin bench_analytics -- --out BENCHMARKS.md`).\n\n\
         One node with a site of {ARTICLES} articles (~2.6 KB of text each), its visit analytics \
         turned off and on between runs of `wrk -t2 -c32 -d{secs}s` ({rounds} rounds, off first in odd \
         rounds and on first in even ones) over loopback on the same cores, with a Lua script making every request a \
         new visitor (its own `X-Forwarded-For` from a pool of 50,000, six user agents, five referrers): \
         each request hashes a visitor, classifies its agent and referrer, opens a visit and counts \
         every dimension — the recorder's costliest case.\n\n\
         | analytics | requests/s per round | median | latency avg | p50 | p99 | non-2xx / socket errors |\n\
         | --- | --- | --- | --- | --- | --- | --- |\n\
         | off | {off_list} | {m_off:.0} | {off_cells} |\n\
         | on | {on_list} | {m_on:.0} | {on_cells} |\n\n\
         With analytics on the article page serves **{pct:.1} %** of the requests per second it serves \
         with them off (goal: within 5 %). Counted in the rounds with analytics on: {pv} page views, {uv} visitors, \
         {bots} requests filtered as bots.\n",
        secs = args.seconds,
        rounds = args.rounds,
        off_list = list(&off_rps),
        on_list = list(&on_rps),
        pct = ratio * 100.0,
        pv = report.totals.page_views,
        uv = report.totals.visitors,
        bots = report.totals.bots,
    );
    println!("{section}");
    if let Some(out) = args.out {
        let text = std::fs::read_to_string(&out).unwrap_or_default();
        std::fs::write(
            &out,
            replace_section(&text, "## Visit analytics on the page path", &section),
        )
        .with_context(|| format!("writing {}", out.display()))?;
    }
    t.stop().await;
    Ok(())
}
