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

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use govnode::local_tree::{LocalTree, Member, PlanOptions, PlannedNode};
use govnode::{Node, NodeError};
use govnode_content::sanitize::BodyFormat;
use govnode_content::{ArticleInput, ColumnInput, ImportDoc, SiteInput, Transition};
use govnode_topology::{NodeId, Topology};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Counties per city, as Guangdong has them (Dongguan and Zhongshan have none): 122 in all.
const GUANGDONG: [usize; 21] = [
    11, 9, 3, 7, 5, 10, 6, 8, 5, 4, 0, 0, 7, 4, 9, 5, 8, 8, 3, 5, 5,
];

const EDITOR: &str = "张编辑";
const REVIEWER: &str = "李审核";

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
// Small helpers: /proc, commands, statistics, a PRNG.

/// Runs a command; returns its trimmed stdout and stderr.
fn cmd_output(prog: &str, args: &[&str]) -> Result<String> {
    let out = Command::new(prog).args(args).output();
    let out = out.with_context(|| format!("running {prog}"))?;
    let text = String::from_utf8_lossy(&[out.stdout, out.stderr].concat()).into_owned();
    if !out.status.success() {
        bail!("{prog} failed: {text}");
    }
    Ok(text.trim().to_string())
}

/// The value of `key` in a `key: value` file such as /proc/cpuinfo or /proc/<pid>/status.
fn proc_field(file: &str, key: &str) -> Result<String> {
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {file}"))?;
    let mut pairs = text.lines().filter_map(|l| l.split_once(':'));
    let value = pairs.find(|(k, _)| k.trim() == key).map(|kv| kv.1.trim());
    let value = value.with_context(|| format!("{key} not found in {file}"))?;
    Ok(value.to_string())
}

/// A `NNN kB` figure from /proc, in MiB.
fn proc_mib(file: &str, key: &str) -> Result<f64> {
    let v = proc_field(file, key)?;
    let kb = v.trim_end_matches(" kB").parse::<f64>();
    Ok(kb.with_context(|| format!("{key} in {file}: `{v}`"))? / 1024.0)
}

/// Open file descriptors of a process.
fn fds(pid: &str) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |d| d.count())
}

/// The soft and hard limits on open files.
fn nofile_limits() -> String {
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
fn cpu_of(pid: &str) -> f64 {
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
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / 1_048_576.0
}

/// Nearest-rank percentiles of milliseconds.
struct Stats {
    n: usize,
    p50: f64,
    p90: f64,
    p99: f64,
    mean: f64,
    max: f64,
}

impl Stats {
    fn of(mut ms: Vec<f64>) -> Stats {
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

    fn json(&self) -> Value {
        json!({ "n": self.n, "p50": self.p50, "p90": self.p90, "p99": self.p99, "mean": self.mean, "max": self.max })
    }
}

/// xorshift64*: enough randomness to pick counties.
struct Rng(u64);

impl Rng {
    fn seeded() -> Rng {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64);
        Rng(nanos | 1)
    }

    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n.max(1)
    }
}

// ---------------------------------------------------------------------------------------
// Nodes in this process.

/// A node served in this process (HTTP on a free port, sync as its config says).
struct Running {
    node: Arc<Node>,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), NodeError>>,
}

impl Running {
    async fn open(plan: &PlannedNode) -> Result<Running> {
        let node = Node::open(plan.config.clone(), &plan.data_dir).await;
        let node = node.with_context(|| format!("opening node {}", plan.member.id))?;
        Running::serve(node).await
    }

    async fn serve(node: Arc<Node>) -> Result<Running> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(govnode::run(node.clone(), listener, async {
            let _ = stopped.await;
        }));
        Ok(Running { node, stop, task })
    }

    async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }

    /// Nodes this one is connected to.
    fn connected(&self) -> Vec<NodeId> {
        self.node
            .sync
            .get()
            .map(|s| s.peers())
            .unwrap_or_default()
            .into_iter()
            .filter(|p| p.connected)
            .filter_map(|p| p.node)
            .collect()
    }

    /// The head this node holds of `origin`.
    async fn head(&self, origin: NodeId) -> Result<u64> {
        let heads = self.node.federation.heads().await?;
        Ok(heads
            .iter()
            .find(|h| h.origin == origin)
            .map_or(0, |h| h.seq))
    }
}

/// Polls `check` every 50 ms until true; fails naming `what` after `limit`.
async fn wait_until<F, Fut>(what: &str, limit: Duration, mut check: F) -> Result<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<bool>>,
{
    let started = Instant::now();
    loop {
        if check().await? {
            return Ok(started.elapsed());
        }
        if started.elapsed() > limit {
            bail!("timed out after {limit:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Creates a county's site and news column.
async fn county_site(node: &Node, id: NodeId, name: &str) -> Result<String> {
    let site = format!("s{id}");
    let input = SiteInput {
        id: site.clone(),
        name: format!("{name}人民政府"),
        hosts: vec![format!("{site}.localhost")],
        owner_body: format!("{name}人民政府办公室"),
        body_code: format!("B{id}"),
        region: id.to_string(),
    };
    node.content.create_site("bench", &input).await?;
    let column = ColumnInput {
        slug: "gzdt".into(),
        name: "工作动态".into(),
        kind: "news".into(),
        parent: None,
        update_interval_days: Some(7),
        position: 1,
    };
    node.content.create_column("bench", &site, &column).await?;
    Ok(site)
}

/// Publishes one article through the workflow (editor writes and submits, reviewer
/// approves and publishes).
async fn publish(node: &Node, site: &str, title: String) -> Result<i64> {
    let c = &node.content;
    let input = ArticleInput {
        column: Some("gzdt".into()),
        title,
        body: "为进一步做好信息公开工作，现将有关事项通知如下：一、提高认识，加强领导；二、明确责任，抓好落实；三、强化监督，确保实效。".into(),
        body_format: BodyFormat::Markdown,
        ..ArticleInput::default()
    };
    let a = c.create_article(EDITOR, site, &input).await?;
    c.transition(EDITOR, a.id, Transition::Submit, None, None)
        .await?;
    c.transition(REVIEWER, a.id, Transition::Approve, None, None)
        .await?;
    c.transition(REVIEWER, a.id, Transition::Publish, None, None)
        .await?;
    Ok(a.id)
}

// ---------------------------------------------------------------------------------------
// Part 1: propagation latency on a Guangdong-sized tree.

/// Milliseconds from `published` until `holder` holds `origin`'s log through `target`,
/// checked whenever its log changes.
async fn arrival(holder: &Running, origin: NodeId, target: u64, published: Instant) -> Result<f64> {
    let mut changes = holder.node.federation.subscribe();
    loop {
        changes.borrow_and_update();
        if holder.head(origin).await? >= target {
            return Ok(published.elapsed().as_secs_f64() * 1e3);
        }
        let me = holder.node.federation.me();
        tokio::time::timeout(Duration::from_secs(60), changes.changed())
            .await
            .with_context(|| format!("{me} never received {origin}#{target}"))??;
    }
}

async fn part_latency(args: &Args) -> Result<Value> {
    let province: NodeId = "440000".parse()?;
    let topology = Topology::synthetic(province, &args.counties);
    let members = Member::from_topology(&topology);
    let counties: Vec<&Member> = members.iter().filter(|m| m.parent.is_some()).collect();
    let counties: Vec<&Member> = counties
        .into_iter()
        .filter(|m| topology.children(m.id).is_empty() && m.tier == govnode_topology::Tier::County)
        .collect();
    let base = tempfile::Builder::new()
        .prefix("govnode-bench-tree-")
        .tempdir()?;
    let plan = LocalTree::create(base.path(), &members, &PlanOptions::default())?;
    let n = plan.nodes.len();
    eprintln!("latency: starting {n} nodes …");
    let started = Instant::now();
    let mut nodes: BTreeMap<NodeId, Running> = BTreeMap::new();
    for p in &plan.nodes {
        match Running::open(p).await {
            Ok(r) => {
                nodes.insert(p.member.id, r);
            }
            Err(e) => {
                return Ok(json!({
                    "failed": format!("node {} of {n} ({}) did not start: {e:#}", nodes.len() + 1, p.member.id),
                    "started": nodes.len(), "fds": fds("self"),
                    "rss_mib": proc_mib("/proc/self/status", "VmRSS")?,
                }));
            }
        }
    }
    let start_s = started.elapsed().as_secs_f64();
    eprintln!("latency: {n} nodes open in {start_s:.1} s; connecting …");
    let connect = wait_until(
        "every node connected to its parent",
        Duration::from_secs(120),
        || {
            let ended: Vec<String> = nodes
                .iter()
                .filter(|(_, r)| r.task.is_finished())
                .map(|(id, _)| id.to_string())
                .collect();
            let ok = plan.nodes.iter().all(|p| match p.member.parent {
                None => true,
                Some(parent) => nodes[&p.member.id].connected().contains(&parent),
            });
            async move {
                if !ended.is_empty() {
                    bail!(
                        "the server of {} ended early (its sync or HTTP listener could not bind?)",
                        ended.join(", ")
                    );
                }
                Ok(ok)
            }
        },
    )
    .await
    .map_err(|e| {
        let missing: Vec<String> = plan
            .nodes
            .iter()
            .filter(|p| {
                p.member
                    .parent
                    .is_some_and(|parent| !nodes[&p.member.id].connected().contains(&parent))
            })
            .map(|p| {
                let peers = nodes[&p.member.id]
                    .node
                    .sync
                    .get()
                    .map(|s| s.peers())
                    .unwrap_or_default();
                format!("{} (peers: {peers:?})", p.member.id)
            })
            .collect();
        e.context(format!(
            "{} not connected to their parent: {}",
            missing.len(),
            missing.join("; ")
        ))
    })?;
    eprintln!(
        "latency: connected in {:.1} s; creating county sites …",
        connect.as_secs_f64()
    );
    let mut sites = BTreeMap::new();
    for m in &counties {
        sites.insert(m.id, county_site(&nodes[&m.id].node, m.id, &m.name).await?);
    }
    let root = &nodes[&province];
    let settle = wait_until(
        "the province holding every county's log",
        Duration::from_secs(600),
        || async {
            for m in &counties {
                let own = nodes[&m.id].head(m.id).await?;
                if root.head(m.id).await? < own {
                    return Ok(false);
                }
            }
            Ok(true)
        },
    )
    .await?;
    eprintln!(
        "latency: settled in {:.1} s; {} samples …",
        settle.as_secs_f64(),
        args.samples
    );
    let after_start = json!({
        "rss_mib": proc_mib("/proc/self/status", "VmRSS")?,
        "hwm_mib": proc_mib("/proc/self/status", "VmHWM")?,
        "fds": fds("self"),
        "threads": proc_field("/proc/self/status", "Threads")?,
    });
    let mut rng = Rng::seeded();
    let (mut to_city, mut to_province) = (Vec::new(), Vec::new());
    for i in 0..args.samples {
        let county = counties[rng.below(counties.len())];
        let city = county.parent.expect("a county has a parent");
        let at = &nodes[&county.id];
        publish(
            &at.node,
            &sites[&county.id],
            format!("{}关于第{i}批政务信息公开的通知", county.name),
        )
        .await?;
        let published = Instant::now();
        let target = at.head(county.id).await?;
        let (c, p) = tokio::join!(
            arrival(&nodes[&city], county.id, target, published),
            arrival(root, county.id, target, published)
        );
        to_city.push(c?);
        to_province.push(p?);
        if (i + 1) % 50 == 0 {
            eprintln!("latency: {} samples", i + 1);
        }
        // A short, varying pause: samples do not arrive in lockstep with anti-entropy.
        tokio::time::sleep(Duration::from_millis(10 + rng.below(40) as u64)).await;
    }
    let result = json!({
        "nodes": n,
        "cities": args.counties.len(),
        "counties": counties.len(),
        "counties_per_city": args.counties,
        "start_s": start_s,
        "connect_s": connect.as_secs_f64(),
        "settle_s": settle.as_secs_f64(),
        "after_start": after_start,
        "hwm_mib_end": proc_mib("/proc/self/status", "VmHWM")?,
        "nofile": nofile_limits(),
        "city": Stats::of(to_city).json(),
        "province": Stats::of(to_province).json(),
    });
    eprintln!("latency: stopping …");
    for (_, r) in nodes.into_iter().rev() {
        r.stop().await;
    }
    Ok(result)
}

// ---------------------------------------------------------------------------------------
// Part 2: catch-up of a county's backlog.

/// A generated notice of a few hundred characters, different per `i`.
fn backlog_doc(i: usize) -> ImportDoc {
    let body = format!(
        "各街道办事处，区政府各部门：\n\n为做好第{i}项重点工作，经区政府同意，现将有关事项通知如下：\n\n\
         一、工作目标。到年底前，完成第{i}项任务的各项指标，群众满意度明显提升。\n\n\
         二、主要任务。（一）摸清底数，建立台账；（二）分类施策，逐项落实；（三）加强督查，定期通报。\n\n\
         三、保障措施。各单位要高度重视，明确分管领导和联络员，于每月5日前报送工作进展。\n\n\
         联系人：王科员，电话：020-3862{:04}。",
        i % 10_000
    );
    ImportDoc {
        key: format!("backlog-{i}"),
        parent_key: None,
        input: ArticleInput {
            title: format!("天河区关于做好第{i}项重点工作的通知"),
            body,
            body_format: BodyFormat::Markdown,
            issuing_body: "广州市天河区人民政府办公室".into(),
            doc_number: format!("穗天府办〔2026〕{i}号"),
            date: "2026-03-01".into(),
            ..ArticleInput::default()
        },
        published_ms: None,
    }
}

/// Entries, payload bytes and approximate wire bytes of `origin`'s log at `node`.
async fn log_of(node: &Node, origin: NodeId, through: u64) -> Result<(u64, u64, u64)> {
    let (mut n, mut payload, mut wire, mut after) = (0u64, 0u64, 0u64, 0u64);
    while after < through {
        let batch = node
            .federation
            .log()
            .entries_after(origin, after, through, 5000)
            .await?;
        let Some(last) = batch.last() else { break };
        after = last.0.seq;
        for (e, _) in &batch {
            n += 1;
            payload += e.payload.as_ref().map_or(0, |p| p.len() as u64);
            wire += e.wire_size() as u64;
        }
    }
    Ok((n, payload, wire))
}

async fn part_catchup(args: &Args) -> Result<Value> {
    let members = vec![
        Member::parse("440000", "广东省", None, &[])?,
        Member::parse("440100", "广州市", Some("440000"), &[])?,
        Member::parse("440106", "天河区", Some("440100"), &[])?,
    ];
    let (province, county) = (members[0].id, members[2].id);
    let base = tempfile::Builder::new()
        .prefix("govnode-bench-catchup-")
        .tempdir()?;
    let plan = LocalTree::create(base.path(), &members, &PlanOptions::default())?;
    // The county, offline: its log grows with nobody to sync with.
    let node = Node::open(plan.nodes[2].config.clone(), &plan.nodes[2].data_dir).await?;
    let site = county_site(&node, county, "天河区").await?;
    eprintln!(
        "catch-up: importing {} documents at the county …",
        args.backlog
    );
    let started = Instant::now();
    let batch = 1000;
    for from in (0..args.backlog).step_by(batch) {
        let docs: Vec<ImportDoc> = (from..(from + batch).min(args.backlog))
            .map(backlog_doc)
            .collect();
        node.content
            .import_batch("bench", &site, "gzdt", &docs, "backlog")
            .await?;
    }
    let import_s = started.elapsed().as_secs_f64();
    node.sync_search().await?;
    let target = node
        .federation
        .heads()
        .await?
        .iter()
        .find(|h| h.origin == county)
        .map_or(0, |h| h.seq);
    let (entries, payload, wire_est) = log_of(&node, county, target).await?;
    let stored: (i64,) =
        sqlx::query_as("SELECT COALESCE(SUM(bytes), 0) FROM fed_entries WHERE origin = $1")
            .bind(county.as_str())
            .fetch_one(&node.db.read)
            .await?;
    eprintln!(
        "catch-up: {entries} entries ({:.0} MiB of payload) imported in {import_s:.1} s; starting the parents …",
        mib(payload)
    );
    let p = Running::open(&plan.nodes[0]).await?;
    let c = Running::open(&plan.nodes[1]).await?;
    wait_until(
        "the city connected to the province",
        Duration::from_secs(60),
        || {
            let ok = c.connected().contains(&province);
            async move { Ok(ok) }
        },
    )
    .await?;
    let rss_before = proc_mib("/proc/self/status", "VmRSS")?;
    let hwm_reset = reset_peak_rss();
    let cpu_before = cpu_of("self");
    let started = Instant::now();
    let k = Running::serve(node).await?;
    let mut peak_sampled = rss_before;
    let mut city_s = None;
    let mut city_bytes = (0, 0, 0, 0);
    let province_s;
    loop {
        peak_sampled = peak_sampled.max(proc_mib("/proc/self/status", "VmRSS")?);
        if city_s.is_none() && c.head(county).await? >= target {
            city_s = Some(started.elapsed().as_secs_f64());
            let (ks, kr) = k.node.sync.get().map_or((0, 0), |s| s.bytes());
            let (cs, cr) = c.node.sync.get().map_or((0, 0), |s| s.bytes());
            city_bytes = (ks, kr, cs, cr);
            eprintln!(
                "catch-up: the city holds the county's log after {:.1} s",
                city_s.unwrap_or(0.0)
            );
        }
        if city_s.is_some() && p.head(county).await? >= target {
            province_s = started.elapsed().as_secs_f64();
            break;
        }
        if started.elapsed() > Duration::from_secs(3600) {
            bail!("catch-up did not finish within an hour");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let cpu = cpu_of("self") - cpu_before;
    let hwm = proc_mib("/proc/self/status", "VmHWM")?;
    let city_s = city_s.unwrap_or(f64::NAN);
    let (pc, pr) = p.node.sync.get().map_or((0, 0), |s| s.bytes());
    let city_published = c.node.content.count_published(Some(&site)).await?;
    let result = json!({
        "backlog": args.backlog,
        "entries": entries,
        "target_seq": target,
        "import_s": import_s,
        "payload_bytes": payload,
        "wire_estimate_bytes": wire_est,
        "stored_bytes": stored.0,
        "city_s": city_s,
        "province_s": province_s,
        "county_sent": city_bytes.0, "county_received": city_bytes.1,
        "city_sent": city_bytes.2, "city_received": city_bytes.3,
        "province_sent": pc, "province_received": pr,
        "city_published": city_published,
        "rss_before_mib": rss_before,
        "peak_rss_mib": if hwm_reset { hwm } else { peak_sampled },
        "peak_rss_sampled_mib": peak_sampled,
        "hwm_reset": hwm_reset,
        "cpu_s": cpu,
        "batch_entries": plan.nodes[1].config.federation.as_ref().map_or(0, |f| f.batch_entries),
        "batch_bytes": plan.nodes[1].config.federation.as_ref().map_or(0, |f| f.batch_bytes),
    });
    k.stop().await;
    c.stop().await;
    p.stop().await;
    Ok(result)
}

// ---------------------------------------------------------------------------------------
// Part 3: an idle county process.

/// The govnode binary beside this one, built if missing.
fn govnode_binary() -> Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let bin = exe.with_file_name("govnode");
    if bin.exists() {
        return Ok(bin);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut args = vec!["build", "-p", "govnode", "--bin", "govnode"];
    if !cfg!(debug_assertions) {
        args.push("--release");
    }
    eprintln!("building the govnode binary: {cargo} {}", args.join(" "));
    let status = Command::new(&cargo)
        .args(&args)
        .current_dir(&root)
        .status()?;
    if !status.success() || !bin.exists() {
        bail!(
            "could not build {} (cargo {})",
            bin.display(),
            args.join(" ")
        );
    }
    Ok(bin)
}

async fn part_idle(args: &Args) -> Result<Value> {
    let bin = govnode_binary()?;
    let members = vec![
        Member::parse("440000", "广东省", None, &[])?,
        Member::parse("440100", "广州市", Some("440000"), &[])?,
        Member::parse("440106", "天河区", Some("440100"), &["440000"])?,
    ];
    let county = members[2].id;
    let mut opts = PlanOptions::default();
    let http = govnode::local_tree::free_local_addr()?;
    opts.http.insert(county, http);
    let base = tempfile::Builder::new()
        .prefix("govnode-bench-idle-")
        .tempdir()?;
    let plan = LocalTree::create(base.path(), &members, &opts)?;
    // The county's own content: a site and twenty articles, as a small county has.
    let node = Node::open(plan.nodes[2].config.clone(), &plan.nodes[2].data_dir).await?;
    let site = county_site(&node, county, "天河区").await?;
    for i in 0..20 {
        publish(&node, &site, format!("天河区关于第{i}批政务信息公开的通知")).await?;
    }
    node.sync_search().await?;
    node.close().await;
    drop(node);
    let p = Running::open(&plan.nodes[0]).await?;
    let c = Running::open(&plan.nodes[1]).await?;
    // As an operator would run it; logs to a file in the temp dir.
    let log = std::fs::File::create(base.path().join("county.log"))?;
    let mut child = Command::new(&bin)
        .arg("serve")
        .arg("--data-dir")
        .arg(&plan.nodes[2].data_dir)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .with_context(|| format!("spawning {}", bin.display()))?;
    let pid = child.id().to_string();
    let http_client = reqwest::Client::new();
    let status_url = format!("http://{http}/api/federation/status");
    let ready = wait_until(
        "the county process connected and its log at the city",
        Duration::from_secs(120),
        || {
            let (client, url) = (&http_client, &status_url);
            let c = &c;
            async move {
                let Ok(r) = client.get(url).send().await else {
                    return Ok(false);
                };
                let Ok(v) = r.json::<Value>().await else {
                    return Ok(false);
                };
                let peers = v["peers"].as_array().cloned().unwrap_or_default();
                let up = ["440100", "440000"].iter().all(|w| {
                    peers
                        .iter()
                        .any(|p| p["node"] == *w && p["connected"] == true)
                });
                Ok(up && c.head(county).await? >= 20)
            }
        },
    )
    .await;
    let result = match ready {
        Ok(t) => {
            let rss_ready = proc_mib(&format!("/proc/{pid}/status"), "VmRSS")?;
            let cpu_before = cpu_of(&pid);
            tokio::time::sleep(Duration::from_secs(args.idle_secs)).await;
            let status = format!("/proc/{pid}/status");
            Ok(json!({
                "ready_s": t.as_secs_f64(),
                "idle_secs": args.idle_secs,
                "rss_ready_mib": rss_ready,
                "rss_mib": proc_mib(&status, "VmRSS")?,
                "hwm_mib": proc_mib(&status, "VmHWM")?,
                "anon_mib": proc_mib(&status, "RssAnon")?,
                "file_mib": proc_mib(&status, "RssFile")?,
                "threads": proc_field(&status, "Threads")?,
                "fds": fds(&pid),
                "idle_cpu_s": cpu_of(&pid) - cpu_before,
            }))
        }
        Err(e) => Err(e),
    };
    let _ = Command::new("kill").args(["-TERM", &pid]).status();
    for _ in 0..100 {
        if matches!(child.try_wait(), Ok(Some(_))) {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    c.stop().await;
    p.stop().await;
    result
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

fn machine() -> Result<(String, String)> {
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
    let date = chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string();
    Ok((
        format!("{nproc} × {cpu}, {mem:.1} GiB RAM, Linux {kernel}"),
        format!("{date}, commit `{commit}`"),
    ))
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

fn stats_row(name: &str, s: &Value) -> String {
    format!(
        "| {name} | {} | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} ms |",
        s["n"],
        f(&s["p50"]),
        f(&s["p90"]),
        f(&s["p99"]),
        f(&s["mean"]),
        f(&s["max"])
    )
}

fn latency_md(tries: &[Value]) -> String {
    let mut md = String::from("### Propagation latency, county → city → province\n\n");
    let Some(ok) = tries.iter().find(|t| t.get("failed").is_none()) else {
        md.push_str("No tree size worked:\n\n");
        for t in tries {
            md.push_str(&format!("- {}\n", t["failed"].as_str().unwrap_or("?")));
        }
        return md;
    };
    for t in tries.iter().filter(|t| t.get("failed").is_some()) {
        md.push_str(&format!(
            "A larger tree failed first: {} ({} nodes had started; {} file descriptors open, {:.0} MiB RSS).\n\n",
            t["failed"].as_str().unwrap_or("?"),
            t["started"],
            t["fds"],
            f(&t["rss_mib"])
        ));
    }
    let a = &ok["after_start"];
    let per_city: Vec<usize> = ok["counties_per_city"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_u64)
                .map(|c| c as usize)
                .collect()
        })
        .unwrap_or_default();
    md.push_str(&format!(
        "A tree of {nodes} nodes in one process: 1 province, {cities} cities and {counties} counties \
(`Topology::synthetic(440000, &{per:?})`{shape}), every node a real \
`Node` with its own SQLite database, search index, HTTP listener and libp2p swarm on loopback, \
configured by `govnode::local_tree` (certificate chains to the province's root key, parent links, \
no aerial roots, anti-entropy every 30 s: propagation is driven by announcements alone). Each sample \
publishes an article at a random county through the workflow (create, submit, approve, publish) and \
times, from the commit of the publication, until the county's city and the province hold the entry \
(the origin's head reaches it; waited on with `federation.subscribe()`). Samples one at a time, \
10–50 ms apart.\n\n\
| hop | samples | p50 | p90 | p99 | mean | max |\n| --- | --- | --- | --- | --- | --- | --- |\n{city}\n{prov}\n\n\
| tree | |\n| --- | --- |\n\
| opening the {nodes} nodes, one after another | {start:.1} s |\n\
| until every node was connected to its parent | {connect:.1} s more |\n\
| until the province held every county's site and column | {settle:.1} s more |\n\
| process after start: RSS / threads / open file descriptors | {rss:.0} MiB / {threads} / {fds} |\n\
| process peak RSS (VmHWM, end of run) | {hwm:.0} MiB |\n\
| open-files limit | {nofile} |\n\n",
        nodes = ok["nodes"],
        cities = ok["cities"],
        counties = ok["counties"],
        per = per_city,
        shape = if per_city == GUANGDONG {
            ": Guangdong's shape, whose Dongguan and Zhongshan have no counties"
        } else {
            ""
        },
        city = stats_row("county → city", &ok["city"]),
        prov = stats_row("county → city → province", &ok["province"]),
        start = f(&ok["start_s"]),
        connect = f(&ok["connect_s"]),
        settle = f(&ok["settle_s"]),
        rss = f(&a["rss_mib"]),
        threads = a["threads"].as_str().unwrap_or("?"),
        fds = a["fds"],
        hwm = f(&ok["hwm_mib_end"]),
        nofile = ok["nofile"].as_str().unwrap_or("?"),
    ));
    md
}

fn catchup_md(c: &Value) -> String {
    let mut md = String::from("### Catch-up of a backlog\n\n");
    if let Some(e) = c.get("failed") {
        md.push_str(&format!("Failed: {}\n\n", e.as_str().unwrap_or("?")));
        return md;
    }
    let entries = f(&c["entries"]);
    let (city_s, prov_s) = (f(&c["city_s"]), f(&c["province_s"]));
    let payload = f(&c["payload_bytes"]);
    let link = f(&c["county_sent"]) + f(&c["county_received"]);
    md.push_str(&format!(
        "Province 440000, city 440100 and county 440106 in one process. The county, not syncing, \
imported {backlog} generated notices (about 400 characters each) with `Content::import_batch` \
(1000 a transaction; {import:.1} s, so {import_rate:.0} docs/s): {entries} entries in its log \
(the documents plus its site and column). Then the parents started, and then the county's sync; \
the figures run from that moment. Pull batches: at most {be} entries or {bb} MiB.\n\n\
| measure | value |\n| --- | --- |\n\
| until the city held the county's whole log | {city_s:.1} s: **{city_rate:.0} entries/s** |\n\
| until the province held it too (relayed by the city) | {prov_s:.1} s ({prov_rate:.0} entries/s end to end) |\n\
| entry payloads (sum of `payload` sizes) | {payload:.1} MiB ({per_entry:.0} bytes an entry) |\n\
| stored at the county (`fed_entries.bytes`, whole signed entries) | {stored:.1} MiB |\n\
| on the wire, county ↔ city (county's sent + received, `SyncService::bytes`) | {link:.1} MiB: {ks:.1} MiB sent, {kr:.2} MiB received; **{ratio:.2}× the payload** |\n\
| on the wire at the city (both links, as the province caught up too) | {cs:.1} MiB sent, {cr:.1} MiB received |\n\
| articles the city applied (`count_published` of the county's site) | {applied} |\n\
| process RSS before the county started syncing | {before:.0} MiB |\n\
| **peak RSS during the catch-up** ({peak_how}) | **{peak:.0} MiB** (sampled every 100 ms: {sampled:.0} MiB) |\n\
| CPU time of the process during the catch-up | {cpu:.0} s ({cores:.2} cores busy on average) |\n\n",
        backlog = c["backlog"],
        import = f(&c["import_s"]),
        import_rate = f(&c["backlog"]) / f(&c["import_s"]),
        be = c["batch_entries"],
        bb = f(&c["batch_bytes"]) / 1_048_576.0,
        city_rate = entries / city_s,
        prov_rate = entries / prov_s,
        payload = payload / 1_048_576.0,
        per_entry = payload / entries,
        stored = f(&c["stored_bytes"]) / 1_048_576.0,
        link = link / 1_048_576.0,
        ks = f(&c["county_sent"]) / 1_048_576.0,
        kr = f(&c["county_received"]) / 1_048_576.0,
        ratio = link / payload,
        cs = f(&c["city_sent"]) / 1_048_576.0,
        cr = f(&c["city_received"]) / 1_048_576.0,
        applied = c["city_published"],
        before = f(&c["rss_before_mib"]),
        peak_how = if c["hwm_reset"] == true {
            "VmHWM, reset through /proc/self/clear_refs when the county started"
        } else {
            "largest VmRSS sampled"
        },
        peak = f(&c["peak_rss_mib"]),
        sampled = f(&c["peak_rss_sampled_mib"]),
        cpu = f(&c["cpu_s"]),
        cores = f(&c["cpu_s"]) / prov_s,
    ));
    md
}

fn idle_md(i: &Value) -> String {
    let mut md = String::from("### An idle county process\n\n");
    if let Some(e) = i.get("failed") {
        md.push_str(&format!("Failed: {}\n\n", e.as_str().unwrap_or("?")));
        return md;
    }
    md.push_str(&format!(
        "The `govnode serve` binary ({profile} build) for county 440106 (enrolled: chain from `local_tree`; a site \
and 20 published articles), its parent 440100 and aerial root 440000 running in the bench process. \
Connected to both and its log held by the city after {ready:.1} s; then left idle for {idle} s.\n\n\
| measure | value |\n| --- | --- |\n\
| VmRSS after {idle} s idle | **{rss:.1} MiB** (anonymous {anon:.1} MiB, file-backed {file:.1} MiB) |\n\
| VmRSS when it had just connected | {ready_rss:.1} MiB |\n\
| VmHWM (peak since start) | {hwm:.1} MiB |\n\
| threads / open file descriptors | {threads} / {fds} |\n\
| CPU time used while idle | {cpu:.2} s over {idle} s |\n\n",
        profile = if cfg!(debug_assertions) { "debug" } else { "release" },
        ready = f(&i["ready_s"]),
        idle = i["idle_secs"],
        rss = f(&i["rss_mib"]),
        anon = f(&i["anon_mib"]),
        file = f(&i["file_mib"]),
        ready_rss = f(&i["rss_ready_mib"]),
        hwm = f(&i["hwm_mib"]),
        threads = i["threads"].as_str().unwrap_or("?"),
        fds = i["fds"],
        cpu = f(&i["idle_cpu_s"]),
    ));
    md
}

/// Replaces the `## Federation` section of `text` (up to the next `## ` heading), or appends it.
fn replace_section(text: &str, section: &str) -> String {
    let heading = "## Federation";
    let Some(start) = text.find(&format!("\n{heading}\n")).map(|i| i + 1) else {
        return format!("{}\n\n{section}", text.trim_end());
    };
    let after = &text[start + heading.len()..];
    let end = after
        .find("\n## ")
        .map_or(text.len(), |i| start + heading.len() + i + 1);
    format!("{}{section}{}", &text[..start], &text[end..])
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
Generated by `tests/src/bin/bench_federation.rs` (`cargo run --release -p govnode-tests --bin \
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
    std::fs::write(&args.out, replace_section(&text, &section))
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
