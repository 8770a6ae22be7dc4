//! `cargo run --release -p govnode-tests --bin bench_monitoring [-- --links N --out PATH]`:
//! one-net management at scale. Link checks: N links (default 100,000) in 1,000 generated
//! pages, extracted with the tokenizer and checked through the safe fetcher against a local
//! keep-alive server (1 % answer 404). Scorecards: 600 sites' findings stored, then every
//! scorecard computed and recorded. The pre-publication check of a 10,000-character article,
//! beside a naive search of the same lists. Prints the figures, and with `--out` writes the
//! "One-net management" section of that BENCHMARKS.md.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use govnode_monitoring::web_checks::links::LinkRun;
use govnode_monitoring::web_checks::{FetchSettings, LinkFetcher, Network, extract_links};
use govnode_tests::bench_kit::{machine, proc_mib, replace_section};
use reqwest::Url;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Pages the links are spread over.
const PAGES: usize = 1_000;

struct Args {
    links: usize,
    out: Option<PathBuf>,
}

fn parse_args() -> Result<Args> {
    let mut a = Args {
        links: 100_000,
        out: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--links" => a.links = value?.parse().context("--links N")?,
            "--out" => a.out = Some(PathBuf::from(value?)),
            _ => bail!("unknown `{flag}`; usage: bench_monitoring [--links N] [--out PATH]"),
        }
    }
    Ok(a)
}

/// A keep-alive HTTP/1.1 server: paths under `/dead/` answer 404, others 200; counts requests.
async fn server() -> Result<(SocketAddr, Arc<AtomicUsize>)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let requests = Arc::new(AtomicUsize::new(0));
    let counted = requests.clone();
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            let counted = counted.clone();
            tokio::spawn(async move {
                let mut buf = Vec::with_capacity(4096);
                let mut chunk = [0u8; 4096];
                loop {
                    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                        match conn.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                        continue;
                    };
                    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
                    buf.drain(..end + 4);
                    counted.fetch_add(1, Ordering::Relaxed);
                    let path = head.split_whitespace().nth(1).unwrap_or("/");
                    let status = if path.starts_with("/dead/") {
                        "404 Not Found"
                    } else {
                        "200 OK"
                    };
                    let answer = format!("HTTP/1.1 {status}\r\ncontent-length: 2\r\n\r\nok");
                    if conn.write_all(answer.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    Ok((addr, requests))
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = parse_args()?;
    let (addr, requests) = server().await?;
    let per_page = args.links.div_ceil(PAGES);
    let pages: Vec<String> = (0..PAGES)
        .map(|p| {
            let mut html = String::from("<p>正文</p>");
            for l in 0..per_page {
                let i = p * per_page + l;
                let kind = if i % 100 == 0 { "dead" } else { "p" };
                html.push_str(&format!("<a href=\"http://{addr}/{kind}/{i}\">链接{i}</a>"));
            }
            html
        })
        .collect();

    let started = Instant::now();
    let urls: Vec<Url> = pages
        .iter()
        .flat_map(|h| extract_links(h))
        .filter_map(|l| Url::parse(&l.href).ok())
        .collect();
    let extract = started.elapsed();
    let expected_dead = urls
        .iter()
        .filter(|u| u.path().starts_with("/dead/"))
        .count();

    let mut rows = Vec::new();
    for concurrency in [16, 64] {
        requests.store(0, Ordering::Relaxed);
        let settings = FetchSettings {
            allowed_networks: vec![Network::parse("127.0.0.1").map_err(anyhow::Error::msg)?],
            // One local host stands for many: the rate per host is not what is measured.
            per_host_per_sec: 1_000_000,
            total_timeout: Duration::from_secs(15),
            ..FetchSettings::default()
        };
        let run = LinkRun::new(
            LinkFetcher::new(settings, None).map_err(anyhow::Error::msg)?,
            concurrency,
        );
        let started = Instant::now();
        let outcomes = run.check_all(&urls).await;
        let took = started.elapsed();
        let dead = outcomes.values().filter(|o| o.is_dead()).count();
        if dead != expected_dead || outcomes.len() != urls.len() {
            bail!(
                "{dead} dead of {} checked; expected {expected_dead} of {}",
                outcomes.len(),
                urls.len()
            );
        }
        rows.push((concurrency, took, requests.load(Ordering::Relaxed), dead));
    }
    let rss = proc_mib("/proc/self/status", "VmHWM")?;

    let mut table = String::from(
        "| checks in flight | links | requests | dead found | time | links/s |\n| --- | --- | --- | --- | --- | --- |\n",
    );
    for (c, took, reqs, dead) in &rows {
        table.push_str(&format!(
            "| {c} | {} | {reqs} | {dead} | {:.1} s | {:.0} |\n",
            urls.len(),
            took.as_secs_f64(),
            urls.len() as f64 / took.as_secs_f64()
        ));
    }
    let scorecards = scorecards().await?;
    let gate = prepublication_check()?;
    let (machine, date) = machine()?;
    let profile = if cfg!(debug_assertions) {
        "dev"
    } else {
        "release"
    };
    let section = format!(
        "## One-net management\n\n\
         Generated by `tests/src/bin/bench_monitoring.rs` (`cargo run --release -p govnode-tests --bin bench_monitoring -- --out BENCHMARKS.md`).\n\n\
         | | |\n| --- | --- |\n\
         | machine | {machine} |\n| date | {date} |\n| build profile | {profile} |\n\n\
         ### Link checks\n\n\
         {n} links in {PAGES} generated pages, extracted with the html5ever tokenizer in {ex:.2} s, then \
         checked through the safe fetcher (address checks, pinned resolution, HEAD then GET for an \
         error status, at most 4 KB of a body read) against a local keep-alive server where 1 % \
         answer 404. The per-host rate is lifted for the measurement (one local host stands for many).\n\n\
         {table}\nPeak resident memory of the process after the link checks: {rss:.0} MiB.\n\n\
         {scorecards}\n{gate}",
        n = urls.len(),
        ex = extract.as_secs_f64(),
    );
    println!("{section}");
    if let Some(out) = args.out {
        let text = std::fs::read_to_string(&out).unwrap_or_default();
        std::fs::write(
            &out,
            replace_section(&text, "## One-net management", &section),
        )
        .with_context(|| format!("writing {}", out.display()))?;
        println!("wrote the One-net management section of {}", out.display());
    }
    Ok(())
}

/// Sites scored.
const SITES: usize = 600;

/// 600 sites with findings of every kind stored in a node's database; every scorecard
/// computed (read from the database) and recorded as the week's, timed.
async fn scorecards() -> Result<String> {
    use govnode_monitoring::{Finding, Indicator, Severity, Source};
    let t = govnode_tests::TestNode::start().await;
    let m = t.node.monitoring.clone();
    let now = chrono::Utc::now().timestamp_millis();
    let mut findings = 0;
    let started = Instant::now();
    for i in 0..SITES {
        let site = format!("site{i:03}");
        let batch: Vec<Finding> = Indicator::ALL
            .iter()
            .enumerate()
            .flat_map(|(k, ind)| {
                let severity = match (i + k) % 7 {
                    0 => Severity::Veto,
                    1 | 2 => Severity::Warning,
                    _ => Severity::Deduction,
                };
                let site = site.clone();
                (0..(i + k) % 4).map(move |n| Finding {
                    site: site.clone(),
                    indicator: *ind,
                    severity,
                    subject: format!("栏目{n}"),
                    detail: format!("{}：第{n}项", ind.label()),
                    at_ms: now,
                })
            })
            .collect();
        findings += batch.len();
        m.replace_findings(&site, Source::Freshness, &batch).await?;
    }
    let stored = started.elapsed();
    let started = Instant::now();
    let mut failing = 0;
    for i in 0..SITES {
        let card = m.scorecard(&format!("site{i:03}"), now).await?;
        failing += usize::from(!card.passed);
    }
    let scored = started.elapsed();
    let started = Instant::now();
    for i in 0..SITES {
        m.record_week(&format!("site{i:03}"), now).await?;
    }
    let recorded = started.elapsed();
    t.stop().await;
    Ok(format!(
        "### Scorecards\n\n\
         {SITES} sites with {findings} findings in all (every indicator, vetoes, deductions and warnings), \
         stored per site in one transaction each, then every site's scorecard computed from the database \
         ({failing} fail on a veto), then recorded as the week's history.\n\n\
         | step | {SITES} sites | per site |\n| --- | --- | --- |\n\
         | store the findings | {:.2} s | {:.2} ms |\n\
         | compute the scorecards | {:.2} s | {:.2} ms |\n\
         | record the week (computes again) | {:.2} s | {:.2} ms |\n",
        stored.as_secs_f64(),
        stored.as_secs_f64() * 1000.0 / SITES as f64,
        scored.as_secs_f64(),
        scored.as_secs_f64() * 1000.0 / SITES as f64,
        recorded.as_secs_f64(),
        recorded.as_secs_f64() * 1000.0 / SITES as f64,
    ))
}

/// Runs of each check.
const RUNS: usize = 200;

/// The pre-publication check of a 10,000-character article (real law text from the corpus
/// when present, with a misspelt name, an outdated institution and a sensitive word placed
/// in it), beside the naive way: every list entry searched with `str::contains`.
fn prepublication_check() -> Result<String> {
    use govnode_monitoring::content_checks::ContentChecker;
    let corpus = std::path::Path::new("../shared/corpus/laws.jsonl");
    let mut text = String::new();
    if let Ok(lines) = std::fs::read_to_string(corpus) {
        for line in lines.lines() {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            if let Some(body) = v["body_markdown"].as_str() {
                text.push_str(body);
            }
            if text.chars().count() >= 10_000 {
                break;
            }
        }
    }
    let source = if text.is_empty() {
        "generated text"
    } else {
        "law text from ../shared/corpus/laws.jsonl"
    };
    while text.chars().count() < 10_000 {
        text.push_str("各级人民政府应当加强政府网站建设，及时发布政府信息，回应社会关切。");
    }
    let mut article: String = text.chars().take(9_970).collect();
    article.push_str("习进平同志指出。国家工商行政管理总局。网上赌场。");
    let chars = article.chars().count();
    let checker = ContentChecker::shipped();
    let entries = checker.entries().len();
    let found = checker.check("关于加强政府网站建设的通知", &article);
    let serious = found.iter().filter(|f| f.serious()).count();
    if serious < 3 {
        bail!("the check found {serious} serious findings in the seeded article: {found:?}");
    }
    let time = |f: &dyn Fn() -> usize| {
        let mut runs: Vec<Duration> = (0..RUNS)
            .map(|_| {
                let started = Instant::now();
                std::hint::black_box(f());
                started.elapsed()
            })
            .collect();
        runs.sort();
        (runs[RUNS / 2], runs[RUNS * 99 / 100])
    };
    let (ours, ours99) = time(&|| checker.check("关于加强政府网站建设的通知", &article).len());
    let (naive, naive99) = time(&|| {
        checker
            .entries()
            .iter()
            .filter(|e| article.contains(e.wrong.as_str()))
            .count()
    });
    let built = Instant::now();
    std::hint::black_box(ContentChecker::shipped());
    let build = built.elapsed();
    Ok(format!(
        "### Pre-publication check\n\n\
         A {chars}-character article ({source}, with a misspelt leader's name, an outdated institution name \
         and a sensitive word placed at its end) checked against the shipped lists ({entries} entries); \
         {serious} serious findings. Median and 99th percentile of {RUNS} runs; beside it, the naive way (each \
         entry searched with `str::contains`, no context, no overlaps resolved) in the same run. Building the \
         checker from the lists: {:.2} ms.\n\n\
         | check | median | p99 |\n| --- | --- | --- |\n\
         | `ContentChecker::check` (one pass) | {:.3} ms | {:.3} ms |\n\
         | naive `str::contains` per entry | {:.3} ms | {:.3} ms |\n",
        build.as_secs_f64() * 1000.0,
        ours.as_secs_f64() * 1000.0,
        ours99.as_secs_f64() * 1000.0,
        naive.as_secs_f64() * 1000.0,
        naive99.as_secs_f64() * 1000.0,
    ))
}
