//! `cargo run --release -p govnode-tests --bin bench [-- --corpus PATH --out PATH --wrk-seconds N]`:
//! imports the laws corpus into an in-process node, measures search latency and article
//! page throughput (against nginx serving a static copy), and writes `BENCHMARKS.md`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use govnode::import::{ImportOptions, import_file};
use govnode_tests::TestNode;

/// What a citizen or an official types into the search box.
const QUERIES: &[&str] = &[
    "个人信息保护",
    "行政许可",
    "社会保险",
    "环境保护 法律责任",
    "食品安全",
    "安全生产",
    "未成年人",
    "消费者权益",
    "知识产权",
    "城乡规划",
    "税收征收管理",
    "行政处罚",
    "劳动合同",
    "工伤保险",
    "最低工资",
    "住房公积金",
    "道路交通安全",
    "机动车",
    "土地管理",
    "征收补偿",
    "物业管理",
    "养老服务",
    "医疗保障",
    "药品管理",
    "传染病防治",
    "义务教育",
    "学前教育",
    "数据安全",
    "网络安全",
    "政府信息公开",
    "行政复议",
    "信访",
    "优化营商环境",
    "中小企业",
    "招标投标",
    "政府采购",
    "水污染防治",
    "大气污染",
    "野生动物保护",
    "残疾人 权益保障",
];

/// Command-line options.
struct Args {
    corpus: PathBuf,
    out: PathBuf,
    wrk_seconds: u32,
}

/// Parses `--corpus`, `--out` and `--wrk-seconds`; defaults are relative to the workspace root.
fn parse_args(root: &Path) -> Result<Args> {
    let mut a = Args {
        corpus: root.join("../shared/corpus/laws.jsonl"),
        out: root.join("BENCHMARKS.md"),
        wrk_seconds: 10,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--corpus" => a.corpus = PathBuf::from(value()?),
            "--out" => a.out = PathBuf::from(value()?),
            "--wrk-seconds" => {
                a.wrk_seconds = value()?
                    .parse()
                    .context("--wrk-seconds takes a whole number of seconds")?
            }
            "-h" | "--help" => {
                println!("usage: bench [--corpus PATH] [--out PATH] [--wrk-seconds N]");
                std::process::exit(0);
            }
            other => {
                bail!("unknown argument `{other}` (expected --corpus, --out or --wrk-seconds)")
            }
        }
    }
    Ok(a)
}

/// Runs a command and returns its trimmed stdout (stderr when stdout is empty, as `nginx -v` does).
fn cmd_output(prog: &str, args: &[&str]) -> Result<String> {
    let out = std::process::Command::new(prog)
        .args(args)
        .output()
        .with_context(|| format!("running {prog}"))?;
    let text = if out.stdout.is_empty() {
        out.stderr
    } else {
        out.stdout
    };
    Ok(String::from_utf8_lossy(&text).trim().to_string())
}

/// The value of `key` in a `key: value` file such as /proc/cpuinfo or /proc/self/status.
fn proc_field(file: &str, key: &str) -> Result<String> {
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {file}"))?;
    text.lines()
        .find_map(|l| {
            l.split_once(':')
                .filter(|(k, _)| k.trim() == key)
                .map(|(_, v)| v.trim().to_string())
        })
        .with_context(|| format!("{key} not found in {file}"))
}

/// A `NNN kB` figure from /proc, in MiB.
fn kb_field_mib(file: &str, key: &str) -> Result<f64> {
    let v = proc_field(file, key)?;
    let kb: f64 = v
        .trim_end_matches("kB")
        .trim()
        .parse()
        .with_context(|| format!("{key} in {file}: `{v}`"))?;
    Ok(kb / 1024.0)
}

/// Total size in bytes of the files under `dir`.
fn dir_size(dir: &Path) -> Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))? {
        let entry = entry?;
        let meta = entry.metadata()?;
        total += if meta.is_dir() {
            dir_size(&entry.path())?
        } else {
            meta.len()
        };
    }
    Ok(total)
}

/// MiB from bytes.
fn mib(bytes: u64) -> f64 {
    bytes as f64 / 1_048_576.0
}

/// Latency summary in milliseconds.
struct Stats {
    p50: f64,
    p95: f64,
    p99: f64,
    mean: f64,
    max: f64,
    n: usize,
}

/// Nearest-rank percentiles and mean of `ms`.
fn stats(mut ms: Vec<f64>) -> Stats {
    ms.sort_by(f64::total_cmp);
    let n = ms.len().max(1);
    let pct = |p: f64| {
        ms.get(((p / 100.0 * n as f64).ceil() as usize).clamp(1, n) - 1)
            .copied()
            .unwrap_or(0.0)
    };
    Stats {
        p50: pct(50.0),
        p95: pct(95.0),
        p99: pct(99.0),
        mean: ms.iter().sum::<f64>() / n as f64,
        max: ms.last().copied().unwrap_or(0.0),
        n: ms.len(),
    }
}

/// A default value of the argument type `run` takes: this is how the bench builds a
/// `govnode_search::SearchQuery`, a crate `govnode-tests` does not depend on directly.
fn default_arg<A: Default, R>(_run: &impl Fn(&A) -> R) -> A {
    A::default()
}

/// Direct `SearchIndex::search` latencies (ms) over `rounds` rounds, and each query's hit total.
fn search_direct(
    t: &TestNode,
    rounds: usize,
) -> Result<(Vec<f64>, Vec<(f64, usize, &'static str)>)> {
    let run = |q: &_| t.node.search.search(q);
    let mut all = Vec::new();
    let mut per_query = Vec::new();
    for (round, text) in (0..=rounds).flat_map(|r| QUERIES.iter().map(move |q| (r, *q))) {
        let mut q = default_arg(&run);
        q.text = text.to_string();
        let started = Instant::now();
        let res = run(&q).with_context(|| format!("searching {text}"))?;
        let ms = started.elapsed().as_secs_f64() * 1e3;
        if round > 0 {
            all.push(ms);
        }
        if round == 1 {
            per_query.push((ms, res.total, text));
        }
    }
    Ok((all, per_query))
}

/// `GET /api/search?q=` latencies (ms) seen by an HTTP client over `rounds` rounds.
async fn search_http(t: &TestNode, rounds: usize) -> Result<Vec<f64>> {
    let mut all = Vec::new();
    for round in 0..=rounds {
        for text in QUERIES {
            let started = Instant::now();
            let r = t
                .http
                .get(t.url("/api/search"))
                .query(&[("q", text)])
                .send()
                .await
                .context("search request")?;
            let status = r.status();
            r.bytes().await.context("search body")?;
            if !status.is_success() {
                bail!("GET /api/search?q={text} answered {status}");
            }
            if round > 0 {
                all.push(started.elapsed().as_secs_f64() * 1e3);
            }
        }
    }
    Ok(all)
}

/// What `wrk --latency` reported.
struct Wrk {
    rps: f64,
    p50: String,
    p99: String,
    avg: String,
    errors: String,
}

/// Runs `wrk -t2 -c32 -d{secs}s --latency url` and parses its report.
async fn wrk(url: &str, secs: u32) -> Result<Wrk> {
    let out = tokio::process::Command::new("wrk")
        .args(["-t2", "-c32", &format!("-d{secs}s"), "--latency", url])
        .output()
        .await
        .context("running wrk")?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    if !out.status.success() {
        bail!(
            "wrk failed on {url}: {}{}",
            text,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let field = |prefix: &str, nth: usize| {
        text.lines()
            .find(|l| l.trim_start().starts_with(prefix))
            .and_then(|l| l.split_whitespace().nth(nth))
            .map(str::to_string)
    };
    let rps = field("Requests/sec:", 1)
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("no Requests/sec in wrk output:\n{text}"))?;
    let non2xx = field("Non-2xx", 4).unwrap_or_else(|| "0".into());
    let socket = text
        .lines()
        .find(|l| l.contains("Socket errors"))
        .map(|l| format!(" ({})", l.trim()))
        .unwrap_or_default();
    Ok(Wrk {
        rps,
        p50: field("50%", 1).unwrap_or_default(),
        p99: field("99%", 1).unwrap_or_default(),
        avg: field("Latency", 1).unwrap_or_default(),
        errors: format!("{non2xx}{socket}"),
    })
}

/// An nginx master serving a directory on loopback; stopped (SIGTERM, then kill) on drop.
struct Nginx {
    child: std::process::Child,
    port: u16,
}

impl Nginx {
    /// Writes a minimal config into `dir` and starts `nginx` in the foreground serving `dir/www`.
    fn start(dir: &Path) -> Result<Nginx> {
        use std::os::unix::fs::PermissionsExt;
        // Workers run as `nobody` when started as root: they must be able to read the file.
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755))
            .context("chmod nginx dir")?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .context("finding a free port")?
            .port();
        let d = dir.display();
        let conf = format!(
            "daemon off;\nworker_processes 2;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\nevents {{ worker_connections 1024; }}\n\
             http {{\n  access_log off;\n  types {{ text/html html; }}\n  default_type application/octet-stream;\n  sendfile on;\n\
             \x20 client_body_temp_path {d}/body; proxy_temp_path {d}/proxy; fastcgi_temp_path {d}/fastcgi;\n\
             \x20 uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;\n\
             \x20 server {{ listen 127.0.0.1:{port}; root {d}/www; }}\n}}\n"
        );
        let conf_path = dir.join("nginx.conf");
        std::fs::write(&conf_path, conf).context("writing nginx.conf")?;
        let child = std::process::Command::new("nginx")
            .args([
                "-p",
                &d.to_string(),
                "-e",
                &format!("{d}/error.log"),
                "-c",
                &conf_path.display().to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting nginx")?;
        Ok(Nginx { child, port })
    }

    /// Waits until nginx answers `path` with 200.
    async fn wait_ready(&mut self, http: &reqwest::Client, path: &str, dir: &Path) -> Result<()> {
        for _ in 0..200 {
            if let Some(status) = self.child.try_wait()? {
                let log = std::fs::read_to_string(dir.join("error.log")).unwrap_or_default();
                bail!("nginx exited ({status}): {log}");
            }
            if let Ok(r) = http
                .get(format!("http://127.0.0.1:{}{path}", self.port))
                .send()
                .await
                && r.status().is_success()
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        bail!("nginx on 127.0.0.1:{} never served {path}", self.port)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM lets the master take its workers down with it; SIGKILL would orphan them.
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        for _ in 0..100 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the four parts in order and writes the report.
#[tokio::main]
async fn main() -> Result<()> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let root = root
        .canonicalize()
        .with_context(|| format!("workspace root {}", root.display()))?;
    let args = parse_args(&root)?;
    if !args.corpus.is_file() {
        bail!(
            "corpus not found: {} (pass --corpus PATH to a laws.jsonl)",
            args.corpus.display()
        );
    }
    for tool in ["nginx", "wrk"] {
        if std::process::Command::new("which")
            .arg(tool)
            .stdout(Stdio::null())
            .status()
            .map(|s| !s.success())
            .unwrap_or(true)
        {
            bail!("`{tool}` is not installed: apt-get update && apt-get install -y nginx wrk");
        }
    }
    let mut md = String::new();

    // 1. Import.
    eprintln!("importing {} …", args.corpus.display());
    let t = TestNode::start().await;
    t.site("gd", "广东省人民政府").await;
    t.column("gd", "fg", "法律法规", "policy").await;
    let opts = ImportOptions {
        site: "gd",
        column: "fg",
        split: true,
        batch_size: 2000,
        progress: false,
    };
    let started = Instant::now();
    let mut bad = 0u64;
    let report = import_file(&t.node, &args.corpus, &opts, |_, _| bad += 1)
        .await
        .context("import")?;
    let import_s = started.elapsed().as_secs_f64();
    let hwm = kb_field_mib("/proc/self/status", "VmHWM")?;
    let dir = &t.node.data_dir;
    let file_size = |name: &str| {
        std::fs::metadata(dir.join(name))
            .map(|m| m.len())
            .unwrap_or(0)
    };
    let (db, wal, index) = (
        file_size("govnode.db"),
        file_size("govnode.db-wal"),
        dir_size(&dir.join("search"))?,
    );
    let total = dir_size(dir)?;
    // Parsing and splitting alone, to tell them apart from storage and indexing.
    let parse_started = Instant::now();
    let text = std::fs::read_to_string(&args.corpus)
        .with_context(|| format!("reading {}", args.corpus.display()))?;
    let parsed: usize = text
        .lines()
        .filter_map(|l| govnode_content::import::parse_line(l).ok())
        .map(|r| govnode_content::import::to_docs(&r, true).len())
        .sum();
    let parse_s = parse_started.elapsed().as_secs_f64();
    drop(text);
    eprintln!("imported {} documents in {import_s:.1} s", report.imported);
    let corpus_mib = mib(std::fs::metadata(&args.corpus)?.len());
    writeln!(
        md,
        "## Import\n\n`{}` ({corpus_mib:.1} MiB, {} lines), `split: true`, batch size 2000, into a fresh node.\n",
        args.corpus.display(),
        report.lines
    )?;
    writeln!(md, "| measure | value |\n| --- | --- |")?;
    writeln!(
        md,
        "| documents imported | {} (bad lines {}, skipped {}) |",
        report.imported, report.bad_lines, report.skipped
    )?;
    writeln!(
        md,
        "| wall time | {import_s:.1} s |\n| throughput | {:.0} docs/s ({:.2} MiB/s of JSONL) |",
        report.imported as f64 / import_s,
        corpus_mib / import_s
    )?;
    writeln!(
        md,
        "| of which parsing + splitting alone (measured separately) | {parse_s:.2} s ({parsed} docs) |"
    )?;
    writeln!(md, "| peak RSS of the process (VmHWM) | {hwm:.0} MiB |")?;
    writeln!(
        md,
        "| data dir afterwards | {:.0} MiB: database {:.0} MiB + WAL {:.0} MiB, search index {:.0} MiB |\n",
        mib(total),
        mib(db),
        mib(wal),
        mib(index)
    )?;

    // 2. Search.
    eprintln!("searching …");
    let rounds = 10;
    let (direct, mut per_query) = search_direct(&t, rounds)?;
    let http = search_http(&t, rounds).await?;
    writeln!(
        md,
        "## Search latency\n\n{} queries (below), one warm-up round then {rounds} rounds, run one after another over the {} documents.",
        QUERIES.len(),
        t.node.search.num_docs()
    )?;
    writeln!(
        md,
        "*Direct* calls `SearchIndex::search` on the node's index in-process (top 10 hits with snippets, total, type counts);"
    )?;
    writeln!(
        md,
        "*HTTP* is `GET /api/search?q=` timed by a reqwest client in the same process, over loopback.\n"
    )?;
    writeln!(
        md,
        "| path | samples | p50 | p95 | p99 | mean | max |\n| --- | --- | --- | --- | --- | --- | --- |"
    )?;
    let (direct, http) = (stats(direct), stats(http));
    for (name, s) in [
        ("direct `SearchIndex::search`", &direct),
        ("HTTP `/api/search`", &http),
    ] {
        writeln!(
            md,
            "| {name} | {} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms |",
            s.n, s.p50, s.p95, s.p99, s.mean, s.max
        )?;
    }
    per_query.sort_by(|a, b| b.0.total_cmp(&a.0));
    let slow: Vec<String> = per_query
        .iter()
        .take(3)
        .map(|(ms, n, q)| format!("{q} ({ms:.1} ms, {n} hits)"))
        .collect();
    writeln!(
        md,
        "\nSlowest in the first measured round: {}.",
        slow.join(", ")
    )?;
    writeln!(md, "Queries: {}.\n", QUERIES.join("、"))?;

    // 3. Article page against nginx.
    eprintln!("loading the article page with wrk …");
    let (id, doc_chars): (i64, i64) = sqlx::query_as(
        "SELECT article_id, length(doc_json) FROM published WHERE site_id = 'gd' AND parent_id IS NOT NULL AND withdrawn = 0 \
         ORDER BY length(doc_json), article_id LIMIT 1 \
         OFFSET (SELECT COUNT(*) / 2 FROM published WHERE site_id = 'gd' AND parent_id IS NOT NULL AND withdrawn = 0)",
    )
    .fetch_one(&t.node.db.read)
    .await
    .context("picking a median-sized clause")?;
    let path = format!("/sites/gd/articles/{id}");
    let page = t.get(&path).await;
    if !page.status.is_success() {
        bail!("GET {path} answered {}", page.status);
    }
    let title = page
        .text
        .split("<title>")
        .nth(1)
        .and_then(|s| s.split("</title>").next())
        .unwrap_or("")
        .to_string();
    let tmp = tempfile::tempdir().context("temp dir for nginx")?;
    std::fs::create_dir_all(tmp.path().join("www")).context("creating www dir")?;
    std::fs::write(tmp.path().join("www/article.html"), &page.text)
        .context("saving the article page")?;
    let node_wrk = wrk(&t.url(&path), args.wrk_seconds).await?;
    let nginx_wrk = {
        let mut nginx = Nginx::start(tmp.path())?;
        nginx
            .wait_ready(&t.http, "/article.html", tmp.path())
            .await?;
        let r = wrk(
            &format!("http://127.0.0.1:{}/article.html", nginx.port),
            args.wrk_seconds,
        )
        .await;
        drop(nginx);
        r?
    };
    writeln!(
        md,
        "## Article page\n\n`{path}` ({title}; a median-sized clause: {doc_chars} characters of stored JSON), {} bytes of HTML.",
        page.text.len()
    )?;
    writeln!(
        md,
        "nginx serves the same bytes saved as a static file (`worker_processes 2`, sendfile, no access log)."
    )?;
    writeln!(
        md,
        "`wrk -t2 -c32 -d{}s --latency`, one after the other, on loopback, on the same {} cores as the server.\n",
        args.wrk_seconds,
        cmd_output("nproc", &[])?
    )?;
    writeln!(
        md,
        "| server | requests/s | latency avg | p50 | p99 | non-2xx / socket errors |\n| --- | --- | --- | --- | --- | --- |"
    )?;
    let nginx_name = format!(
        "{} (static copy)",
        cmd_output("nginx", &["-v"])?.replace("nginx version: ", "")
    );
    for (name, w) in [
        ("govnode (dynamic)", &node_wrk),
        (nginx_name.as_str(), &nginx_wrk),
    ] {
        writeln!(
            md,
            "| {name} | {:.0} | {} | {} | {} | {} |",
            w.rps, w.avg, w.p50, w.p99, w.errors
        )?;
    }
    let ratio = nginx_wrk.rps / node_wrk.rps.max(1e-9);
    writeln!(
        md,
        "\n**Reading the figures.** The dynamic page serves {:.0} requests/s, {ratio:.1}× fewer than nginx sending the same bytes from a file. \
         nginx only stats the file and hands it to the kernel with sendfile; govnode, for each request, resolves the site, reads the \
         clause, its column, the site's columns and its parent's title from SQLite through sqlx, deserialises the stored JSON, and renders \
         the minijinja templates into a fresh {} KB string; wrk shares the same two cores with either server, which flatters neither. \
         A front cache (nginx `proxy_cache` or a CDN) in front of govnode would close most of the gap for pages that change only on \
         publication. Search is well within interactive budgets (p99 {:.1} ms direct); the HTTP figure adds JSON, the blocking-pool hop \
         and loopback. The import's cost is storage and indexing, not parsing ({parse_s:.1} of {import_s:.0} s).\n",
        node_wrk.rps,
        page.text.len() / 1024,
        direct.p99,
    )?;
    t.stop().await;

    // 4. Header and output.
    let header = machine_header(&args)?;
    let doc = format!("{header}\n{md}");
    println!("{doc}");
    std::fs::write(&args.out, &doc).with_context(|| format!("writing {}", args.out.display()))?;
    eprintln!("wrote {}", args.out.display());
    Ok(())
}

/// The title, machine, date, commit, profile and reproduction command.
fn machine_header(args: &Args) -> Result<String> {
    let cpu = proc_field("/proc/cpuinfo", "model name")?;
    let mem = kb_field_mib("/proc/meminfo", "MemTotal")? / 1024.0;
    let commit = cmd_output(
        "git",
        &[
            "-C",
            env!("CARGO_MANIFEST_DIR"),
            "rev-parse",
            "--short",
            "HEAD",
        ],
    )
    .unwrap_or_else(|_| "unknown".into());
    let profile = if cfg!(debug_assertions) {
        "debug (numbers not representative)"
    } else {
        "release"
    };
    let mut h = String::new();
    writeln!(
        h,
        "# Benchmarks\n\nGenerated by `tests/src/bin/bench.rs`; rerun to replace this file.\n"
    )?;
    writeln!(h, "| | |\n| --- | --- |")?;
    writeln!(
        h,
        "| machine | {} × {cpu}, {mem:.1} GiB RAM, Linux {} |",
        cmd_output("nproc", &[])?,
        cmd_output("uname", &["-r"])?
    )?;
    writeln!(
        h,
        "| date | {} |",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC")
    )?;
    writeln!(h, "| commit | `{commit}` |\n| build profile | {profile} |")?;
    writeln!(h, "| corpus | `{}` |", args.corpus.display())?;
    writeln!(
        h,
        "| reproduce | `cd /work/main && cargo run --release -p govnode-tests --bin bench -- --wrk-seconds {}` (needs `nginx` and `wrk` on PATH) |",
        args.wrk_seconds
    )?;
    Ok(h)
}
