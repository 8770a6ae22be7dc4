//! Small helpers: /proc, commands, disk sizes, statistics, a seeded PRNG.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
pub(crate) use govnode_tests::bench_kit::{Rng, proc_mib};
use serde_json::{Value, json};

/// This process's VmRSS and VmHWM, in MiB.
pub(crate) fn rss() -> Result<(f64, f64)> {
    let f = "/proc/self/status";
    Ok((proc_mib(f, "VmRSS")?, proc_mib(f, "VmHWM")?))
}

/// CPU seconds (user + system) this process used so far.
pub(crate) fn cpu_self() -> f64 {
    let text = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let text = text.rsplit_once(") ").map_or(text.as_str(), |s| s.1);
    let f: Vec<f64> = text
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    // After `pid (comm) `: utime is field 11, stime 12 (USER_HZ, 100 a second).
    (f.get(11).copied().unwrap_or(0.0) + f.get(12).copied().unwrap_or(0.0)) / 100.0
}

/// Busy CPU-seconds so far: the whole machine's (cores × uptime − idle, from /proc/uptime),
/// and this process's with its reaped children (the parts).
pub(crate) fn cpu_seconds() -> Result<(f64, f64)> {
    let numbers = |file: &str| -> Result<Vec<f64>> {
        let text = std::fs::read_to_string(file).with_context(|| format!("reading {file}"))?;
        // /proc/self/stat: only what follows `pid (comm) ` is numeric.
        let text = text.rsplit_once(") ").map_or(text.as_str(), |s| s.1);
        Ok(text
            .split_whitespace()
            .map(|f| f.parse().unwrap_or(0.0))
            .collect())
    };
    let cores = std::thread::available_parallelism()?.get() as f64;
    let (up, own) = (numbers("/proc/uptime")?, numbers("/proc/self/stat")?);
    // utime, stime, cutime, cstime, in USER_HZ ticks (100 a second).
    let own_ticks: f64 = own.iter().skip(11).take(4).sum();
    Ok((up[0] * cores - up[1], own_ticks / 100.0))
}

/// Total size in bytes of the files under `path`; files that vanish while it walks (the
/// index merges segments in the background) count as zero.
pub(crate) fn disk_size(path: &Path) -> u64 {
    let Ok(meta) = std::fs::metadata(path) else {
        return 0;
    };
    if !meta.is_dir() {
        return meta.len();
    }
    std::fs::read_dir(path).map_or(0, |entries| {
        entries
            .filter_map(|e| e.ok())
            .map(|e| disk_size(&e.path()))
            .sum()
    })
}

/// The size of `path` once background merges have settled: the same reading twice, one
/// second apart (at most a minute).
pub(crate) fn settled_size(path: &Path) -> u64 {
    let started = Instant::now();
    let mut last = disk_size(path);
    while started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_secs(1));
        let now = disk_size(path);
        if now == last {
            break;
        }
        last = now;
    }
    last
}

/// MiB from bytes.
pub(crate) fn mib(bytes: u64) -> f64 {
    bytes as f64 / 1_048_576.0
}

/// Nearest-rank percentiles and mean of millisecond samples.
pub(crate) fn stats(mut ms: Vec<f64>) -> Value {
    ms.sort_by(f64::total_cmp);
    let n = ms.len().max(1);
    let pct = |p: f64| {
        ms.get(((p / 100.0 * n as f64).ceil() as usize).clamp(1, n) - 1)
            .copied()
            .unwrap_or(f64::NAN)
    };
    json!({
        "n": ms.len(), "p50": pct(50.0), "p90": pct(90.0), "p99": pct(99.0),
        "mean": ms.iter().sum::<f64>() / n as f64, "max": ms.last().copied().unwrap_or(f64::NAN),
    })
}

/// The median of some counts.
pub(crate) fn median(mut v: Vec<u64>) -> u64 {
    v.sort_unstable();
    v.get(v.len() / 2).copied().unwrap_or(0)
}
