//! Small helpers: /proc, commands, statistics, a PRNG.

use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

/// Runs a command; returns its trimmed stdout and stderr.
pub(crate) fn cmd_output(prog: &str, args: &[&str]) -> Result<String> {
    let out = Command::new(prog).args(args).output();
    let out = out.with_context(|| format!("running {prog}"))?;
    let text = String::from_utf8_lossy(&[out.stdout, out.stderr].concat()).into_owned();
    if !out.status.success() {
        bail!("{prog} failed: {text}");
    }
    Ok(text.trim().to_string())
}

/// The value of `key` in a `key: value` file such as /proc/cpuinfo or /proc/<pid>/status.
pub(crate) fn proc_field(file: &str, key: &str) -> Result<String> {
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {file}"))?;
    let mut pairs = text.lines().filter_map(|l| l.split_once(':'));
    let value = pairs.find(|(k, _)| k.trim() == key).map(|kv| kv.1.trim());
    let value = value.with_context(|| format!("{key} not found in {file}"))?;
    Ok(value.to_string())
}

/// A `NNN kB` figure from /proc, in MiB.
pub(crate) fn proc_mib(file: &str, key: &str) -> Result<f64> {
    let v = proc_field(file, key)?;
    let kb = v.trim_end_matches(" kB").parse::<f64>();
    Ok(kb.with_context(|| format!("{key} in {file}: `{v}`"))? / 1024.0)
}

/// Open file descriptors of a process.
pub(crate) fn fds(pid: &str) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |d| d.count())
}

/// The soft and hard limits on open files.
pub(crate) fn nofile_limits() -> String {
    let text = std::fs::read_to_string("/proc/self/limits").unwrap_or_default();
    text.lines()
        .find(|l| l.starts_with("Max open files"))
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            format!("{} soft / {} hard", f[3], f[4])
        })
        .unwrap_or_else(|| "unknown".into())
}

/// CPU seconds (user + system) a process used so far.
pub(crate) fn cpu_of(pid: &str) -> f64 {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let text = text.rsplit_once(") ").map_or(text.as_str(), |s| s.1);
    let f: Vec<f64> = text
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    // After `pid (comm) `: state is field 0, utime 11, stime 12 (USER_HZ, 100 a second).
    (f.get(11).copied().unwrap_or(0.0) + f.get(12).copied().unwrap_or(0.0)) / 100.0
}

/// Resets this process's VmHWM to its current RSS (Linux ≥ 4.0).
pub(crate) fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

pub(crate) fn mib(bytes: u64) -> f64 {
    bytes as f64 / 1_048_576.0
}

/// Nearest-rank percentiles of milliseconds.
pub(crate) struct Stats {
    n: usize,
    p50: f64,
    p90: f64,
    p99: f64,
    mean: f64,
    max: f64,
}

impl Stats {
    pub(crate) fn of(mut ms: Vec<f64>) -> Stats {
        ms.sort_by(f64::total_cmp);
        let n = ms.len().max(1);
        let pct = |p: f64| {
            ms.get(((p / 100.0 * n as f64).ceil() as usize).clamp(1, n) - 1)
                .copied()
                .unwrap_or(f64::NAN)
        };
        Stats {
            n: ms.len(),
            p50: pct(50.0),
            p90: pct(90.0),
            p99: pct(99.0),
            mean: ms.iter().sum::<f64>() / n as f64,
            max: ms.last().copied().unwrap_or(f64::NAN),
        }
    }

    pub(crate) fn json(&self) -> Value {
        json!({ "n": self.n, "p50": self.p50, "p90": self.p90, "p99": self.p99, "mean": self.mean, "max": self.max })
    }
}

/// xorshift64*: enough randomness to pick counties.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn seeded() -> Rng {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64);
        Rng(nanos | 1)
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n.max(1)
    }
}
