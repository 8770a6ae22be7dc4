//! `cargo run --release -p govnode-tests --bin bench [-- --corpus PATH --out PATH --wrk-seconds N]`:
//! imports the laws corpus into an in-process node, measures search latency and article
//! page throughput (against nginx serving a static copy), and writes `BENCHMARKS.md`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use govnode::import::{ImportOptions, import_file};
use govnode_content::import::{parse_line, to_docs};
use govnode_tests::TestNode;
use govnode_tests::bench_kit::{cmd_output, proc_field, proc_mib, wrk};

/// What a citizen or an official types into the search box, separated by `、`.
const QUERIES: &str = "个人信息保护、行政许可、社会保险、环境保护 法律责任、食品安全、安全生产、未成年人、\
    消费者权益、知识产权、城乡规划、税收征收管理、行政处罚、劳动合同、工伤保险、最低工资、住房公积金、道路交通安全、\
    机动车 驾驶证、土地管理、征收补偿、物业管理、养老服务、医疗保障、药品管理、传染病防治、义务教育、学前教育、数据安全、\
    网络安全、政府信息公开、行政复议、信访、优化营商环境、中小企业、招标投标、政府采购、水污染防治、大气污染、\
    野生动物保护、残疾人 权益保障";

/// Search rounds measured after the warm-up round.
const ROUNDS: usize = 10;

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
        let value = it.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--corpus" => a.corpus = PathBuf::from(value?),
            "--out" => a.out = PathBuf::from(value?),
            "--wrk-seconds" => a.wrk_seconds = value?.parse().context("--wrk-seconds N")?,
            _ => bail!("unknown `{flag}`; usage: bench [--corpus P] [--out P] [--wrk-seconds N]"),
        }
    }
    Ok(a)
}

/// Busy CPU-seconds so far: the whole machine's (cores × uptime − idle, from /proc/uptime),
/// and this process's with its reaped children (wrk, nginx).
fn cpu_seconds() -> Result<(f64, f64)> {
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

/// Total size in bytes of the files under `path`. Files that vanish while it walks (the
/// index merges segments in the background) count as zero.
fn disk_size(path: &Path) -> Result<u64> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    if !meta.is_dir() {
        return Ok(meta.len());
    }
    let entries = std::fs::read_dir(path).with_context(|| format!("listing {}", path.display()))?;
    entries.map(|e| disk_size(&e?.path())).sum()
}

/// MiB from bytes.
fn mib(bytes: u64) -> f64 {
    bytes as f64 / 1_048_576.0
}

/// Latency summary: sample count, then p50, p95, p99, mean and max in milliseconds.
struct Stats(usize, [f64; 5]);

impl Stats {
    /// Nearest-rank percentiles, mean and maximum of `ms` (not empty).
    fn of(mut ms: Vec<f64>) -> Stats {
        ms.sort_by(f64::total_cmp);
        let n = ms.len();
        let pct = |p: f64| ms[((p / 100.0 * n as f64).ceil() as usize).clamp(1, n) - 1];
        let mean = ms.iter().sum::<f64>() / n as f64;
        Stats(n, [pct(50.0), pct(95.0), pct(99.0), mean, ms[n - 1]])
    }

    /// The Markdown table cells after the name.
    fn cells(&self) -> String {
        let ms: Vec<String> = self.1.iter().map(|v| format!("{v:.2} ms")).collect();
        format!("{} | {}", self.0, ms.join(" | "))
    }
}

/// A default value of the argument type `run` takes: how the bench builds a
/// `govnode_search::SearchQuery` without depending on `govnode-search` directly.
fn default_arg<A: Default, R>(_run: &impl Fn(&A) -> R) -> A {
    A::default()
}

/// Search latencies (ms) after a warm-up round: direct `SearchIndex::search`, then
/// `GET /api/search?q=` from an HTTP client; and the first measured round's direct figures.
async fn search_latency(t: &TestNode) -> Result<(Vec<f64>, Vec<f64>, Vec<(f64, String)>)> {
    let run = |q: &_| t.node.search.search(q);
    let (mut direct, mut http, mut first) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..=ROUNDS {
        for text in QUERIES.split('、') {
            let mut q = default_arg(&run);
            q.text = text.to_string();
            let started = Instant::now();
            let res = run(&q).with_context(|| format!("searching {text}"))?;
            let ms = started.elapsed().as_secs_f64() * 1e3;
            let started = Instant::now();
            let req = t.http.get(t.url("/api/search")).query(&[("q", text)]);
            let r = req.send().await.context("search request")?;
            let status = r.status();
            r.bytes().await.context("search body")?;
            if !status.is_success() {
                bail!("GET /api/search?q={text} answered {status}");
            }
            if round > 0 {
                direct.push(ms);
                http.push(started.elapsed().as_secs_f64() * 1e3);
            }
            if round == 1 {
                first.push((ms, format!("{text} ({ms:.1} ms, {} hits)", res.total)));
            }
        }
    }
    Ok((direct, http, first))
}

/// An nginx master serving `dir/www` on loopback; stopped (SIGTERM, then SIGKILL) on drop.
struct Nginx {
    child: std::process::Child,
    port: u16,
}

impl Nginx {
    /// Writes a minimal config into `dir` and starts `nginx` in the foreground.
    fn start(dir: &Path) -> Result<Nginx> {
        use std::os::unix::fs::PermissionsExt;
        // Started as root, nginx runs its workers as `nobody`: they must be able to read the file.
        let public = std::fs::Permissions::from_mode(0o755);
        std::fs::set_permissions(dir, public).context("chmod nginx dir")?;
        let free = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr());
        let port = free.context("finding a free port")?.port();
        // Relative paths are resolved against the prefix, `dir`.
        let conf = format!(
            "daemon off;\nworker_processes 2;\npid nginx.pid;\nerror_log error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off; sendfile on;
  types {{ text/html html; }}
  client_body_temp_path body; proxy_temp_path proxy; fastcgi_temp_path fastcgi;
  uwsgi_temp_path uwsgi; scgi_temp_path scgi;
  server {{ listen 127.0.0.1:{port}; root www; }}
}}\n"
        );
        std::fs::write(dir.join("nginx.conf"), conf).context("writing nginx.conf")?;
        let prefix = format!("{}/", dir.display());
        let mut cmd = Command::new("nginx");
        cmd.args(["-p", &prefix, "-e", "error.log", "-c", "nginx.conf"]);
        let child = cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn();
        let child = child.context("starting nginx")?;
        Ok(Nginx { child, port })
    }

    /// Waits until nginx answers `url` with 200.
    async fn wait_ready(&mut self, http: &reqwest::Client, url: &str, dir: &Path) -> Result<()> {
        for _ in 0..200 {
            if let Some(status) = self.child.try_wait()? {
                let log = std::fs::read_to_string(dir.join("error.log")).unwrap_or_default();
                bail!("nginx exited ({status}): {log}");
            }
            if let Ok(r) = http.get(url).send().await
                && r.status().is_success()
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        bail!("nginx never served {url}")
    }
}

impl Drop for Nginx {
    /// SIGTERM lets the master take its workers down with it; SIGKILL would orphan them.
    fn drop(&mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
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

/// Loads the node's page for a median-sized split clause, then nginx's static copy of it,
/// with wrk; returns the Markdown section and (node, nginx) requests/s.
async fn bench_page(t: &TestNode, secs: u32) -> Result<(String, f64, f64)> {
    let sql = "SELECT article_id, length(doc_json) FROM published WHERE parent_id IS NOT NULL \
        ORDER BY length(doc_json), article_id LIMIT 1 \
        OFFSET (SELECT COUNT(*) / 2 FROM published WHERE parent_id IS NOT NULL)";
    let clause = sqlx::query_as(sql).fetch_one(&t.node.db.read).await;
    let (id, chars): (i64, i64) = clause.context("picking a clause")?;
    let path = format!("/sites/gd/articles/{id}");
    let page = t.get(&path).await;
    if !page.status.is_success() {
        bail!("GET {path} answered {}", page.status);
    }
    let title = page.text.split("<title>").nth(1);
    let title = title.and_then(|s| s.split(" - ").next());
    let (title, bytes) = (title.unwrap_or("?"), page.text.len());
    let tmp = tempfile::tempdir().context("temp dir for nginx")?;
    std::fs::create_dir_all(tmp.path().join("www")).context("creating www dir")?;
    std::fs::write(tmp.path().join("www/article.html"), &page.text).context("saving the page")?;
    let (node_rps, node_cells) = wrk(&t.url(&path), secs, None).await?;
    let mut nginx = Nginx::start(tmp.path())?;
    let url = format!("http://127.0.0.1:{}/article.html", nginx.port);
    nginx.wait_ready(&t.http, &url, tmp.path()).await?;
    let static_run = wrk(&url, secs, None).await;
    drop(nginx);
    let (nginx_rps, nginx_cells) = static_run?;
    let version = cmd_output("nginx", &["-v"])?.replace("nginx version: ", "");
    let nproc = cmd_output("nproc", &[])?;
    let md = format!(
        "## Article page

`{path}` ({title}: a median-sized clause, {chars} characters of stored JSON), {bytes} bytes of \
HTML. nginx serves the same bytes saved as a static file (`worker_processes 2`, sendfile, no access \
log). `wrk -t2 -c32 -d{secs}s --latency`, one server after the other, over loopback, on the same \
{nproc} cores as the server.

| server | requests/s | latency avg | p50 | p99 | non-2xx / socket errors |
| --- | --- | --- | --- | --- | --- |
| govnode (dynamic) | {node_rps:.0} | {node_cells} |
| {version} (static copy) | {nginx_rps:.0} | {nginx_cells} |
"
    );
    Ok((md, node_rps, nginx_rps))
}

/// Runs the measurements in order and writes the report.
#[tokio::main]
async fn main() -> Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let root = root.canonicalize().context("workspace root")?;
    let args = parse_args(&root)?;
    // Shown relative to the workspace root, so reports do not name this machine's paths.
    let corpus = args
        .corpus
        .display()
        .to_string()
        .replace(&format!("{}/", root.display()), "");
    if !args.corpus.is_file() {
        bail!("corpus not found: {corpus} (pass --corpus PATH to a laws.jsonl)");
    }
    for tool in ["nginx", "wrk"] {
        if cmd_output("which", &[tool]).is_err() {
            bail!("`{tool}` is not installed: apt-get update && apt-get install -y nginx wrk");
        }
    }
    let (run_started, cpu_before) = (Instant::now(), cpu_seconds()?);

    // 1. Import into a fresh node.
    eprintln!("importing {corpus} …");
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
    let (started, import_cpu) = (Instant::now(), cpu_seconds()?.1);
    let report = import_file(&t.node, &args.corpus, &opts, |_, _| {}).await;
    let report = report.context("import")?;
    let import_s = started.elapsed().as_secs_f64();
    let import_cpu = cpu_seconds()?.1 - import_cpu;
    let hwm = proc_mib("/proc/self/status", "VmHWM")?;
    let dir = &t.node.data_dir;
    let size = |name: &str| disk_size(&dir.join(name)).map(mib);
    let total = mib(disk_size(dir)?);
    let (db, wal) = (size("govnode.db")?, size("govnode.db-wal")?);
    let index = size("search")?;
    let json_sql = "SELECT (SELECT SUM(length(CAST(doc_json AS BLOB))) FROM published), \
                    (SELECT SUM(length(CAST(doc_json AS BLOB))) FROM revisions)";
    let json_bytes: (i64, i64) = sqlx::query_as(json_sql).fetch_one(&t.node.db.read).await?;
    let (pub_json, rev_json) = (mib(json_bytes.0 as u64), mib(json_bytes.1 as u64));
    let (docs, lines, bad) = (report.imported, report.lines, report.bad_lines);
    eprintln!("imported {docs} documents in {import_s:.1} s; searching …");

    // 2. Search, direct and over HTTP.
    let (direct, http, mut first) = search_latency(&t).await?;
    let (direct, http) = (Stats::of(direct), Stats::of(http));
    first.sort_by(|a, b| b.0.total_cmp(&a.0));
    let slow: Vec<&str> = first[..3].iter().map(|f| f.1.as_str()).collect();
    let slow = slow.join(", ");

    // 3. The article page against nginx.
    eprintln!("loading the article page with wrk …");
    let (page_md, node_rps, nginx_rps) = bench_page(&t, args.wrk_seconds).await?;

    // Where the import's time went: parsing alone, then indexing alone (rebuilding the index
    // from the published table in the same 2,000-document batches the import's syncs use).
    eprintln!("parsing alone, then rebuilding the search index …");
    let started = Instant::now();
    let text = std::fs::read_to_string(&args.corpus).context("reading the corpus")?;
    let records = text.lines().filter_map(|l| parse_line(l).ok());
    let parsed: usize = records.map(|r| to_docs(&r, true).len()).sum();
    let parse_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let reindexed = t.node.reindex().await.context("reindex")?;
    let reindex_s = started.elapsed().as_secs_f64();
    let sqlite_s = import_s - reindex_s - parse_s;
    t.stop().await;
    let (machine, me) = cpu_seconds()?;
    let others = (machine - cpu_before.0) - (me - cpu_before.1);
    let run_s = run_started.elapsed().as_secs_f64();
    let cores = std::thread::available_parallelism()?.get() as f64;
    let share = 100.0 * others / (run_s * cores);

    // 4. The report.
    let (direct_cells, http_cells) = (direct.cells(), http.cells());
    let (direct_p99, http_p99) = (direct.1[2], http.1[2]);
    let (nq, ratio) = (direct.0 / ROUNDS, nginx_rps / node_rps);
    let rate = docs as f64 / import_s;
    let corpus_mib = mib(std::fs::metadata(&args.corpus)?.len());
    let mib_s = corpus_mib / import_s;
    let (db_ratio, import_cores) = (db / corpus_mib, import_cpu / import_s);
    let md = format!(
        "{header}
## Import

`{corpus}` ({corpus_mib:.1} MiB, {lines} lines), `split: true`, batch size 2000, into a fresh \
in-process node (`TestNode`).

| measure | value |
| --- | --- |
| documents imported | {docs} ({bad} bad lines skipped) |
| wall time | {import_s:.1} s |
| CPU time of the process during the import | {import_cpu:.0} s ({import_cores:.2} cores busy on average) |
| throughput | {rate:.0} docs/s ({mib_s:.2} MiB/s of JSONL) |
| parsing + splitting alone (measured apart) | {parse_s:.2} s ({parsed} documents) |
| search indexing alone (`Node::reindex` afterwards, {reindexed} documents) | {reindex_s:.1} s |
| rendering + storing in SQLite (the rest) | ≈ {sqlite_s:.0} s |
| peak RSS of the process (VmHWM, after the import) | {hwm:.0} MiB |
| data dir afterwards | {total:.0} MiB: database {db:.0} MiB + WAL {wal:.0} MiB, search index {index:.0} MiB |
| stored document JSON (`published` / `revisions`) | {pub_json:.0} MiB / {rev_json:.0} MiB |

## Search latency

{nq} queries (listed below), one warm-up round then {ROUNDS} rounds, one query after another, over \
the {docs} documents. *Direct* calls `SearchIndex::search` in-process (top 10 hits with snippets, \
total and type counts; the query type is reached by inference, as `govnode-tests` does not depend on \
`govnode-search`). *HTTP* is `GET /api/search?q=` timed by a reqwest client in the same process.

| path | samples | p50 | p95 | p99 | mean | max |
| --- | --- | --- | --- | --- | --- | --- |
| direct `SearchIndex::search` | {direct_cells} |
| HTTP `/api/search` | {http_cells} |

Slowest in the first measured round: {slow}. Queries: {QUERIES}.

{page_md}
## Reading the figures

The dynamic article page serves {node_rps:.0} requests/s, {ratio:.0}× fewer than nginx sending the \
same bytes from a file: nginx stats the file and hands it to the kernel, while govnode, for every \
request, makes about half a dozen SQLite queries through sqlx (site, clause, column, the site's \
columns, parent title, children), deserialises the stored JSON and renders the templates, and wrk \
competes with either server for the same cores. A cache in front of govnode (nginx `proxy_cache`, a \
CDN) would close most of the gap for pages that only change on publication. Search p99 is \
{direct_p99:.1} ms in-process and {http_p99:.1} ms over HTTP (JSON, the blocking-pool hop and \
loopback added). The import is bound by round trips: parsing takes {parse_s:.1} s and indexing \
(jieba + tantivy) {reindex_s:.0} s, while the remaining ≈ {sqlite_s:.0} s render each \
document's Markdown and store it with six or seven SQL statements, each a hand-off to sqlx's SQLite \
worker thread and back, one after another; each document's JSON, holding both its Markdown and its \
HTML, is stored twice (`revisions` and `published`), hence a database {db_ratio:.0}× the JSONL. Other \
processes used {others:.0} CPU-seconds while the bench ran ({share:.0}% of the machine over {run_s:.0} \
s; near 0 means it was otherwise idle).
",
        header = machine_header(&args)?,
    );
    println!("{md}");
    // Sections other benches own (e.g. `## Federation` from bench_federation) are kept.
    let mut md = md;
    if let Ok(old) = std::fs::read_to_string(&args.out)
        && let Some(at) = old.find("\n## Federation")
    {
        md.push_str(&old[at..]);
    }
    std::fs::write(&args.out, &md).with_context(|| format!("writing {}", args.out.display()))?;
    eprintln!("wrote {}", args.out.display());
    Ok(())
}

/// The title, machine, date, commit, build profile and reproduction command.
fn machine_header(args: &Args) -> Result<String> {
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
    let profile = if cfg!(debug_assertions) {
        "debug (not representative)"
    } else {
        "release"
    };
    let (date, secs) = (
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
        args.wrk_seconds,
    );
    Ok(format!(
        "# Benchmarks

Generated by `tests/src/bin/bench.rs`; rerun it to replace this file.

| | |
| --- | --- |
| machine | {nproc} × {cpu}, {mem:.1} GiB RAM, Linux {kernel} |
| date | {date} |
| commit | `{commit}` |
| build profile | {profile} |
| reproduce | from the workspace root, `cargo run --release -p govnode-tests --bin bench -- --wrk-seconds {secs}` (needs `nginx` and `wrk` on PATH) |
"
    ))
}
