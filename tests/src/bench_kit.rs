//! What the benchmark binaries share: commands, /proc figures, the machine line, a
//! seeded PRNG, and replacing a section of BENCHMARKS.md.

use std::process::Command;

use anyhow::{Context, Result, bail};

/// Runs a command; returns its trimmed stdout followed by its stderr (`nginx -v` writes
/// there).
pub fn cmd_output(prog: &str, args: &[&str]) -> Result<String> {
    let out = Command::new(prog).args(args).output();
    let out = out.with_context(|| format!("running {prog}"))?;
    let text = String::from_utf8_lossy(&[out.stdout, out.stderr].concat()).into_owned();
    if !out.status.success() {
        bail!("{prog} failed: {text}");
    }
    Ok(text.trim().to_string())
}

/// The value of `key` in a `key: value` file such as /proc/cpuinfo or /proc/<pid>/status.
pub fn proc_field(file: &str, key: &str) -> Result<String> {
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {file}"))?;
    let mut pairs = text.lines().filter_map(|l| l.split_once(':'));
    let value = pairs.find(|(k, _)| k.trim() == key).map(|kv| kv.1.trim());
    let value = value.with_context(|| format!("{key} not found in {file}"))?;
    Ok(value.to_string())
}

/// A `NNN kB` figure from /proc, in MiB.
pub fn proc_mib(file: &str, key: &str) -> Result<f64> {
    let v = proc_field(file, key)?;
    let kb = v.trim_end_matches(" kB").parse::<f64>();
    Ok(kb.with_context(|| format!("{key} in {file}: `{v}`"))? / 1024.0)
}

/// The machine line and the date line ("2026-11-22 18:09 UTC, commit `abc1234`") every
/// section of BENCHMARKS.md writes.
pub fn machine() -> Result<(String, String)> {
    let (nproc, kernel) = (cmd_output("nproc", &[])?, cmd_output("uname", &["-r"])?);
    let cpu = proc_field("/proc/cpuinfo", "model name")?;
    let mem = proc_mib("/proc/meminfo", "MemTotal")? / 1024.0;
    let git = [
        "-C",
        env!("CARGO_MANIFEST_DIR"),
        "rev-parse",
        "--short",
        "HEAD",
    ];
    let commit = cmd_output("git", &git).unwrap_or_else(|_| "unknown".into());
    let date = chrono::Utc::now().format("%Y-%m-%d %H:%M UTC");
    Ok((
        format!("{nproc} × {cpu}, {mem:.1} GiB RAM, Linux {kernel}"),
        format!("{date}, commit `{commit}`"),
    ))
}

/// Replaces the section starting with `heading` (up to the next `## ` heading) in `text`,
/// or appends it.
pub fn replace_section(text: &str, heading: &str, section: &str) -> String {
    let Some(start) = text.find(&format!("\n{heading}\n")).map(|i| i + 1) else {
        return format!("{}\n\n{section}", text.trim_end());
    };
    let after = &text[start + heading.len()..];
    let end = after
        .find("\n## ")
        .map_or(text.len(), |i| start + heading.len() + i + 1);
    format!("{}{section}{}", &text[..start], &text[end..])
}

/// xorshift64*: enough randomness to pick samples, reproducible from a seed.
#[derive(Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    /// A generator seeded from the clock.
    pub fn seeded() -> Rng {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64);
        Rng::new(nanos)
    }

    /// A number below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n.max(1)
    }
}

/// Runs `wrk -t2 -c32 -d{secs}s --latency url` (with a Lua `script` when given); returns
/// requests/s and the Markdown cells for average, p50 and p99 latency and errors.
pub async fn wrk(url: &str, secs: u32, script: Option<&std::path::Path>) -> Result<(f64, String)> {
    let duration = format!("-d{secs}s");
    let mut args = vec!["-t2", "-c32", duration.as_str(), "--latency"];
    let script = script.map(|p| p.display().to_string());
    if let Some(s) = &script {
        args.extend(["-s", s.as_str()]);
    }
    args.push(url);
    let out = tokio::process::Command::new("wrk").args(&args).output();
    let out = out.await.context("running wrk")?;
    let text = String::from_utf8_lossy(&[out.stdout, out.stderr].concat()).to_string();
    if !out.status.success() {
        bail!("wrk failed on {url}: {text}");
    }
    let line = |prefix: &str| text.lines().find(|l| l.trim_start().starts_with(prefix));
    let field = |prefix: &str, nth| line(prefix).and_then(|l| l.split_whitespace().nth(nth));
    let rps = field("Requests/sec:", 1).and_then(|r| r.parse().ok());
    let rps = rps.with_context(|| format!("no Requests/sec in wrk's output:\n{text}"))?;
    let [avg, p50, p99] = [("Latency", 1), ("50%", 1), ("99%", 1)].map(|(p, n)| field(p, n));
    let [avg, p50, p99] = [avg, p50, p99].map(|c| c.unwrap_or("?"));
    let non2xx = field("Non-2xx", 4).unwrap_or("0");
    let socket = line("Socket errors").map_or("none", str::trim);
    Ok((rps, format!("{avg} | {p50} | {p99} | {non2xx} / {socket}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_are_replaced_or_appended() {
        let text = "# B\n\n## A\nold\n\n## C\nkeep\n";
        assert_eq!(
            replace_section(text, "## A", "## A\nnew\n\n"),
            "# B\n\n## A\nnew\n\n## C\nkeep\n"
        );
        assert_eq!(
            replace_section("# B\n", "## D", "## D\nx\n"),
            "# B\n\n## D\nx\n"
        );
        let mut r = Rng::new(7);
        assert!((0..100).all(|_| r.below(3) < 3));
    }
}
