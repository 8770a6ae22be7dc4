//! `cargo run --release -p govnode-tests --bin bench_interaction [-- --tickets N --out PATH]`:
//! a body's letters at scale on one in-process node: durable filings per second, a
//! handler's inbox with every ticket open, and a citizen's status lookups; writes the
//! "Interaction" section of `BENCHMARKS.md`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use govnode_interaction::Filing;
use govnode_tests::bench_kit::{machine, replace_section};
use govnode_tests::{Method, Role, StatusCode, TestNode};

/// Inbox reads measured (after one warm-up).
const INBOX_ROUNDS: usize = 10;
/// Status lookups measured.
const LOOKUPS: usize = 500;

struct Args {
    tickets: usize,
    out: PathBuf,
}

fn parse_args() -> Result<Args> {
    let mut a = Args {
        tickets: 5_000,
        out: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../BENCHMARKS.md"),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--tickets" => a.tickets = value?.parse().context("--tickets N")?,
            "--out" => a.out = PathBuf::from(value?),
            _ => bail!("unknown `{flag}`; usage: bench_interaction [--tickets N] [--out P]"),
        }
    }
    Ok(a)
}

/// The p-th percentile of sorted durations, in milliseconds.
fn percentile_ms(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn letter(i: usize) -> Filing {
    Filing {
        kind: ["consultation", "complaint", "suggestion", "disclosure"][i % 4].into(),
        body: "440000.xfj".into(),
        subject: format!("关于第{i}号小区加装电梯的咨询"),
        content: format!(
            "我住在第{i}号小区，想了解既有住宅加装电梯的申请条件、补贴标准和办理流程，请予答复。"
        ),
        name: "张三".into(),
        phone: format!("139{:08}", i),
        id_number: "44010619900101123X".into(),
        email: String::new(),
        consent_public: i.is_multiple_of(2),
        attachments: Vec::new(),
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = parse_args()?;
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    t.node
        .interaction
        .put_body("xfj", "广东省信访局", "")
        .await
        .context("declaring the body")?;
    let handler = t
        .token(Role::Handler, Some("440000.xfj"), "信访局经办人")
        .await;

    // Filing: each one a durable transaction (SQLite WAL, synchronous=FULL), one client each
    // so the per-client hourly limit does not apply.
    let started = Instant::now();
    let mut codes = Vec::with_capacity(args.tickets);
    for i in 0..args.tickets {
        let (code, password) = t
            .node
            .interaction
            .file("gd", letter(i), &format!("bench-client-{i}"), Vec::new())
            .await
            .with_context(|| format!("filing letter {i}"))?;
        codes.push((code, password));
    }
    let filing = started.elapsed();
    let per_second = args.tickets as f64 / filing.as_secs_f64();
    println!(
        "filed {} letters in {:.1} s: {per_second:.0}/s",
        args.tickets,
        filing.as_secs_f64()
    );

    // The handler's inbox, every ticket open, over HTTP: the first page (the default 100,
    // overdue first), and the whole list read in pages of 1,000.
    let read_page = |offset: usize, limit: usize| {
        let (t, handler) = (&t, handler.clone());
        async move {
            let r = t
                .call(
                    Method::GET,
                    &format!("/api/admin/interaction/inbox?offset={offset}&limit={limit}"),
                    Some(&handler),
                    None,
                )
                .await;
            if r.status != StatusCode::OK {
                bail!("inbox: {} {}", r.status, r.text);
            }
            let j = r.json();
            if j["open"].as_u64() != Some(args.tickets as u64) {
                bail!("inbox counts {} open of {}", j["open"], args.tickets);
            }
            Ok((j["tickets"].as_array().map_or(0, Vec::len), r.text.len()))
        }
    };
    let (mut first, mut whole) = (Vec::new(), Vec::new());
    let mut bytes = 0;
    for round in 0..=INBOX_ROUNDS {
        let started = Instant::now();
        read_page(0, 100).await?;
        let took_first = started.elapsed();
        let started = Instant::now();
        let (mut listed, mut size) = (0, 0);
        while listed < args.tickets {
            let (n, b) = read_page(listed, 1_000).await?;
            if n == 0 {
                bail!("the inbox ended after {listed} of {} tickets", args.tickets);
            }
            listed += n;
            size += b;
        }
        let took_whole = started.elapsed();
        bytes = size;
        if round > 0 {
            first.push(took_first);
            whole.push(took_whole);
        }
    }
    first.sort();
    whole.sort();
    println!(
        "inbox of {} open tickets: first page p50 {:.1} ms; all of it in pages of 1,000 p50 {:.0} ms, {:.1} MiB of JSON",
        args.tickets,
        percentile_ms(&first, 0.5),
        percentile_ms(&whole, 0.5),
        bytes as f64 / 1048576.0
    );

    // A citizen's status lookups over HTTP.
    let mut lookups = Vec::with_capacity(LOOKUPS);
    for i in 0..LOOKUPS {
        let (code, password) = &codes[(i * 7919) % codes.len()];
        let started = Instant::now();
        let r = t
            .get(&format!(
                "/api/interaction/tickets/{code}?password={password}"
            ))
            .await;
        lookups.push(started.elapsed());
        if r.status != StatusCode::OK {
            bail!("status of {code}: {} {}", r.status, r.text);
        }
    }
    lookups.sort();
    println!(
        "status lookups: p50 {:.2} ms, p99 {:.2} ms",
        percentile_ms(&lookups, 0.5),
        percentile_ms(&lookups, 0.99)
    );
    t.stop().await;

    let (machine, date) = machine()?;
    let section = format!(
        "## Interaction\n\n\
         Generated by `tests/src/bin/bench_interaction.rs` (`cargo run --release -p govnode-tests --bin bench_interaction`).\n\n\
         | | |\n| --- | --- |\n\
         | machine | {machine} |\n| date | {date} |\n| build profile | release |\n\n\
         One in-process node, one body (广东省信访局), {n} letters filed on the province's site, every one \
         still open when the inbox is read.\n\n\
         | what | figure |\n| --- | --- |\n\
         | filing, in-process, one after another (each a durable transaction: ticket, personal data, event, rate-limit row) | {per_second:.0} letters/s ({filing:.1} s for {n}) |\n\
         | the handler's inbox over HTTP, {n} open tickets: the first page (100, overdue first, with events and masked personal data; median of {rounds}) | {first_p50:.1} ms |\n\
         | the same inbox read whole, in pages of 1,000 (median of {rounds}) | {inbox_p50:.0} ms, {mib:.1} MiB of JSON |\n\
         | a citizen's status lookup over HTTP (code and password), {lookups} lookups | p50 {l50:.2} ms, p99 {l99:.2} ms |\n",
        n = args.tickets,
        filing = filing.as_secs_f64(),
        rounds = INBOX_ROUNDS,
        first_p50 = percentile_ms(&first, 0.5),
        inbox_p50 = percentile_ms(&whole, 0.5),
        mib = bytes as f64 / 1048576.0,
        lookups = LOOKUPS,
        l50 = percentile_ms(&lookups, 0.5),
        l99 = percentile_ms(&lookups, 0.99),
    );
    let text = std::fs::read_to_string(&args.out)
        .with_context(|| format!("reading {}", args.out.display()))?;
    std::fs::write(
        &args.out,
        replace_section(&text, "## Interaction", &section),
    )
    .with_context(|| format!("writing {}", args.out.display()))?;
    println!("wrote the Interaction section of {}", args.out.display());
    Ok(())
}
