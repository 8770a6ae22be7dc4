//! `cargo run --release -p govnode-tests --bin bench_federation [-- --out PATH --samples N
//! --backlog N --idle-secs N]`: measures the federation and writes the "Federation" section
//! of `BENCHMARKS.md` (other sections are kept).
//!
//! 1. Propagation latency county → city → province on a tree of Guangdong's shape
//!    (1 province, 21 cities, 122 counties), every node a real `Node` in this process
//!    (own SQLite, search index, libp2p swarm on loopback).
//! 2. Catch-up: a county holding a backlog of generated documents its parent never saw
//!    starts syncing; entries/s until the parent (and the province) hold its whole log,
//!    bytes on the wire against payload bytes, and the process's peak RSS meanwhile.
//! 3. Memory of an idle county: the real `govnode serve` binary, parent running, after
//!    some idle seconds.
//!
//! Each measurement runs in a child process of this binary (`--part NAME`), so one's
//! memory does not show in another's figures. A tree of 144 nodes holds several thousand
//! file descriptors: run under `ulimit -n 65536` if the soft limit is lower.

mod catchup;
mod idle;
mod latency;
mod nodes;
mod report;
mod util;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use catchup::part_catchup;
use govnode_tests::bench_kit::{machine, replace_section};
use idle::part_idle;
use latency::part_latency;
use report::{catchup_md, idle_md, latency_md};

/// Counties per city, as Guangdong has them (Dongguan and Zhongshan have none): 122 in all.
const GUANGDONG: [usize; 21] = [
    11, 9, 3, 7, 5, 10, 6, 8, 5, 4, 0, 0, 7, 4, 9, 5, 8, 8, 3, 5, 5,
];

/// Command-line options.
#[derive(Debug, Clone)]
struct Args {
    out: PathBuf,
    samples: usize,
    backlog: usize,
    idle_secs: u64,
    part: Option<String>,
    counties: Vec<usize>,
}

fn parse_args(root: &Path) -> Result<Args> {
    let mut a = Args {
        out: root.join("BENCHMARKS.md"),
        samples: 300,
        backlog: 100_000,
        idle_secs: 10,
        part: None,
        counties: GUANGDONG.to_vec(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--out" => a.out = PathBuf::from(value?),
            "--samples" => a.samples = value?.parse().context("--samples N")?,
            "--backlog" => a.backlog = value?.parse().context("--backlog N")?,
            "--idle-secs" => a.idle_secs = value?.parse().context("--idle-secs N")?,
            "--part" => a.part = Some(value?),
            "--counties" => {
                a.counties = value?
                    .split(',')
                    .map(|c| c.trim().parse())
                    .collect::<Result<_, _>>()
                    .context("--counties N,N,… (counties per city)")?
            }
            _ => bail!(
                "unknown `{flag}`; usage: bench_federation [--out P] [--samples N] [--backlog N] [--idle-secs N] [--counties N,N,…]"
            ),
        }
    }
    Ok(a)
}

// ---------------------------------------------------------------------------------------
// The orchestrator.

/// Runs one part in a child process; returns its JSON result.
fn run_part(args: &Args, part: &str, extra: &[String]) -> Result<Value> {
    let exe = std::env::current_exe()?;
    let mut cmd = Command::new(exe);
    cmd.args(["--part", part])
        .args(["--samples", &args.samples.to_string()])
        .args(["--backlog", &args.backlog.to_string()])
        .args(["--idle-secs", &args.idle_secs.to_string()])
        .args(extra)
        .stderr(Stdio::inherit());
    let out = cmd
        .output()
        .with_context(|| format!("running part {part}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().rev().find_map(|l| l.strip_prefix("RESULT "));
    match line {
        Some(l) => Ok(serde_json::from_str(l)?),
        None => Ok(json!({
            "failed": format!("the {part} process ended with {} and no result (out of memory or file descriptors?)", out.status),
        })),
    }
}

async fn orchestrate(args: &Args) -> Result<()> {
    let (machine, when) = machine()?;
    let profile = if cfg!(debug_assertions) {
        "debug (not representative)"
    } else {
        "release"
    };
    // 1. Latency: Guangdong's shape, then smaller trees if it does not fit.
    let mut tries = Vec::new();
    let mut counties = args.counties.clone();
    loop {
        let spec = counties
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let r = run_part(args, "latency", &["--counties".into(), spec])?;
        let failed = r.get("failed").is_some();
        if failed {
            eprintln!("latency: {}", r["failed"]);
        }
        tries.push(r);
        if !failed || counties.iter().sum::<usize>() <= 2 {
            break;
        }
        counties = counties.iter().map(|c| c / 2).collect();
    }
    // 2. Catch-up, 3. idle county.
    let catchup = run_part(args, "catchup", &[])?;
    let idle = run_part(args, "idle", &[])?;
    let section = format!(
        "## Federation\n\n\
Generated by `tests/src/bin/bench_federation/` (`cargo run --release -p govnode-tests --bin \
bench_federation`, with `ulimit -n 65536` where the open-files limit is lower); rerun it to replace \
this section. Each part runs in its own process.\n\n\
| | |\n| --- | --- |\n| machine | {machine} |\n| date | {when} |\n| build profile | {profile} |\n\n\
{lat}{cat}{idl}",
        lat = latency_md(&tries),
        cat = catchup_md(&catchup),
        idl = idle_md(&idle),
    );
    println!("{section}");
    let text = std::fs::read_to_string(&args.out).unwrap_or_default();
    std::fs::write(&args.out, replace_section(&text, "## Federation", &section))
        .with_context(|| format!("writing {}", args.out.display()))?;
    eprintln!("wrote the Federation section of {}", args.out.display());
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let root = root.canonicalize().context("workspace root")?;
    let args = parse_args(&root)?;
    let Some(part) = args.part.clone() else {
        return orchestrate(&args).await;
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(std::env::var("RUST_LOG").unwrap_or_else(|_| "error".into()))
        .with_writer(std::io::stderr)
        .try_init();
    let result = match part.as_str() {
        "latency" => part_latency(&args).await,
        "catchup" => part_catchup(&args).await,
        "idle" => part_idle(&args).await,
        other => bail!("unknown part `{other}`: latency, catchup or idle"),
    };
    let value = result.unwrap_or_else(|e| json!({ "failed": format!("{e:#}") }));
    println!("RESULT {value}");
    // Background tasks of stopped nodes may linger; the result is out.
    std::process::exit(0);
}
