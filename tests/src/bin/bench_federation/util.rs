//! Small helpers: /proc, commands, statistics, a PRNG.

pub(crate) use govnode_tests::bench_kit::{Rng, proc_field, proc_mib};
use serde_json::{Value, json};

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
