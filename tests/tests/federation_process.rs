//! The whole federation with real processes: a province (440000), a city (440100) and a
//! county (440106), each a `govnode serve` in its own data dir, enrolled with the CLI
//! (`init`, `certify`, `install-cert`). The county publishes a stream of articles; the city
//! is SIGKILLed mid-sync while the county keeps publishing, then restarted on the same
//! ports; all three must converge on the county's log (same seq and digest) and the
//! province must serve the county's pages from its replica.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use govnode_tests::govnode_bin;
use serde_json::{Value, json};

/// How long any one phase may take before the test fails, printing the nodes' logs.
const DEADLINE: Duration = Duration::from_secs(60);
const COUNTY: &str = "440106";
const SITE: &str = "th";

/// One `govnode serve` process and its data dir.
struct Proc {
    name: &'static str,
    data: PathBuf,
    http: u16,
    log: PathBuf,
    child: Mutex<Option<Child>>,
}

impl Proc {
    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.http)
    }

    /// Spawns `govnode serve`, appending its output to its log file.
    fn start(&self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap();
        let child = Command::new(govnode_bin())
            .args(["serve", "--data-dir"])
            .arg(&self.data)
            .env("RUST_LOG", "info,sqlx=warn,tantivy=warn")
            .env("NO_COLOR", "1")
            .stdout(Stdio::from(log.try_clone().unwrap()))
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap();
        *self.child.lock().unwrap() = Some(child);
    }

    /// SIGKILL.
    fn kill(&self) {
        if let Some(mut c) = self.child.lock().unwrap().take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// The exit status, if the process has ended.
    fn exited(&self) -> Option<std::process::ExitStatus> {
        self.child
            .lock()
            .unwrap()
            .as_mut()
            .and_then(|c| c.try_wait().unwrap())
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A deadline for one phase; `tick` waits a little, or fails with every node's log.
struct Deadline {
    what: String,
    until: Instant,
}

impl Deadline {
    fn new(what: impl Into<String>) -> Deadline {
        Deadline {
            what: what.into(),
            until: Instant::now() + DEADLINE,
        }
    }

    async fn tick(&self, procs: &[&Proc], last: &dyn std::fmt::Debug) {
        for p in procs {
            if let Some(status) = p.exited() {
                panic!(
                    "{} exited ({status}) while waiting for {}\n{}",
                    p.name,
                    self.what,
                    logs(procs)
                );
            }
        }
        if Instant::now() > self.until {
            panic!(
                "timed out after {DEADLINE:?} waiting for {}; last seen: {last:?}\n{}",
                self.what,
                logs(procs)
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn logs(procs: &[&Proc]) -> String {
    procs
        .iter()
        .map(|p| format!("----- {} log (tail) -----\n{}", p.name, p.log_tail()))
        .collect::<Vec<_>>()
        .join("\n")
}

fn run_ok(c: &mut Command) -> String {
    let out = c.env("RUST_BACKTRACE", "0").output().unwrap();
    assert!(
        out.status.success(),
        "{c:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn govnode(args: &[&str]) -> Command {
    let mut c = Command::new(govnode_bin());
    c.args(args);
    c
}

/// `govnode init`, with anti-entropy every second; returns the public key.
fn init(data: &Path, id: &str, name: &str, http: u16, p2p: u16, links: &[&str]) -> String {
    let out = run_ok(
        govnode(&["init", "--node-id", id, "--name", name])
            .arg("--data-dir")
            .arg(data)
            .args(["--http", &format!("127.0.0.1:{http}")])
            .args(["--p2p", &format!("127.0.0.1:{p2p}")])
            .args(links),
    );
    let path = data.join("govnode.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("anti_entropy_secs = 30"), "{text}");
    std::fs::write(
        &path,
        text.replace("anti_entropy_secs = 30", "anti_entropy_secs = 1"),
    )
    .unwrap();
    out.lines()
        .find_map(|l| l.strip_prefix("public key: "))
        .unwrap_or_else(|| panic!("no public key in {out}"))
        .trim()
        .to_string()
}

/// Certifies `child` at `parent` and installs the chain at the child.
fn enrol(parent: &Path, child: &Path, child_id: &str, child_key: &str, dir: &Path) {
    let file = dir.join(format!("{child_id}.certs"));
    run_ok(
        govnode(&["certify", "--child-id", child_id, "--child-key", child_key])
            .arg("--data-dir")
            .arg(parent)
            .arg("--out")
            .arg(&file),
    );
    run_ok(
        govnode(&["install-cert", "--data-dir"])
            .arg(child)
            .arg("--file")
            .arg(&file),
    );
}

fn token(data: &Path, role: &str, site: Option<&str>, name: &str) -> String {
    let mut c = govnode(&["token", "create", "--role", role, "--name", name]);
    c.arg("--data-dir").arg(data);
    if let Some(s) = site {
        c.args(["--site", s]);
    }
    run_ok(&mut c).trim().to_string()
}

/// Distinct free ports: all bound at once, then released.
fn free_ports(n: usize) -> Vec<u16> {
    let held: Vec<std::net::TcpListener> = (0..n)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0").unwrap())
        .collect();
    held.iter()
        .map(|l| l.local_addr().unwrap().port())
        .collect()
}

async fn post(http: &reqwest::Client, url: String, token: &str, body: Value) -> (u16, Value) {
    let r = http
        .post(&url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST {url}: {e}"));
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// Creates, submits, approves and publishes an article (editor, then another person
/// reviewing); returns its id.
async fn publish(
    http: &reqwest::Client,
    base: &str,
    editor: &str,
    reviewer: &str,
    title: &str,
) -> i64 {
    let (status, a) = post(
        http,
        format!("{base}/api/admin/sites/{SITE}/articles"),
        editor,
        json!({ "column": "tzgg", "title": title, "body": format!("{title}的正文。") }),
    )
    .await;
    assert_eq!(status, 201, "{a}");
    let id = a["id"].as_i64().expect("id");
    for (who, action) in [
        (editor, "submit"),
        (reviewer, "approve"),
        (reviewer, "publish"),
    ] {
        let (status, body) = post(
            http,
            format!("{base}/api/admin/articles/{id}/{action}"),
            who,
            json!({}),
        )
        .await;
        assert_eq!(status, 200, "{action}: {body}");
    }
    id
}

/// A node's `/api/federation/status`, if it answers.
async fn status(http: &reqwest::Client, p: &Proc) -> Option<Value> {
    let r = http
        .get(p.url("/api/federation/status"))
        .send()
        .await
        .ok()?;
    if !r.status().is_success() {
        return None;
    }
    r.json().await.ok()
}

/// (seq, digest) of an origin in a status.
fn head(status: &Value, origin: &str) -> Option<(u64, String)> {
    status["origins"]
        .as_array()?
        .iter()
        .find(|o| o["origin"] == origin)
        .map(|o| {
            (
                o["seq"].as_u64().unwrap_or(0),
                o["digest"].as_str().unwrap_or("").to_string(),
            )
        })
}

async fn wait_healthy(http: &reqwest::Client, p: &Proc, procs: &[&Proc]) {
    let d = Deadline::new(format!("{} /healthz", p.name));
    loop {
        let last = match http.get(p.url("/healthz")).send().await {
            Ok(r) if r.status().is_success() => return,
            Ok(r) => r.status().to_string(),
            Err(e) => e.to_string(),
        };
        d.tick(procs, &last).await;
    }
}

/// Waits until the three nodes hold the same head of the county's log, and the county's
/// own head is at least `min_seq`; returns it.
async fn converged(
    http: &reqwest::Client,
    nodes: [&Proc; 3],
    min_seq: u64,
    what: &str,
) -> (u64, String) {
    let d = Deadline::new(what);
    loop {
        let mut heads = Vec::new();
        for p in nodes {
            heads.push(status(http, p).await.and_then(|s| head(&s, COUNTY)));
        }
        if let [Some(a), Some(b), Some(c)] = &heads[..]
            && a == b
            && b == c
            && a.0 >= min_seq
        {
            return a.clone();
        }
        d.tick(&nodes, &heads).await;
    }
}

/// A province (440000), a city (440100) and a county (440106, with the province as its
/// aerial root), each initialised and enrolled with the CLI in `root`; not started.
fn enrolled_trio(root: &Path) -> (Proc, Proc, Proc) {
    let ports = free_ports(6);
    let proc = |name, id: &str, i: usize| Proc {
        name,
        data: root.join(id),
        http: ports[2 * i],
        log: root.join(format!("{id}.log")),
        child: Mutex::new(None),
    };
    let (province, city, county) = (
        proc("province", "440000", 0),
        proc("city", "440100", 1),
        proc("county", COUNTY, 2),
    );
    let p2p = |i: usize| ports[2 * i + 1];

    // Enrolment with the CLI: the root's key is everyone's root key.
    let root_key = init(
        &province.data,
        "440000",
        "广东省",
        province.http,
        p2p(0),
        &[],
    );
    let city_key = init(
        &city.data,
        "440100",
        "广州市",
        city.http,
        p2p(1),
        &[
            "--root-key",
            &root_key,
            "--parent",
            &format!("440000=127.0.0.1:{}", p2p(0)),
        ],
    );
    let county_key = init(
        &county.data,
        COUNTY,
        "天河区",
        county.http,
        p2p(2),
        &[
            "--root-key",
            &root_key,
            "--parent",
            &format!("440100=127.0.0.1:{}", p2p(1)),
            "--aerial",
            &format!("440000=127.0.0.1:{}", p2p(0)),
        ],
    );
    enrol(&province.data, &city.data, "440100", &city_key, root);
    enrol(&city.data, &county.data, COUNTY, &county_key, root);
    (province, city, county)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn county_stream_reaches_province_through_a_city_killed_mid_sync() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let (province, city, county) = enrolled_trio(root);

    let all = [&province, &city, &county];
    for p in all {
        p.start();
    }
    let http = govnode_tests::http_client()
        .no_proxy()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    for p in all {
        wait_healthy(&http, p, &all).await;
    }
    // Each node reports itself enrolled.
    for p in all {
        let d = Deadline::new(format!("{} status", p.name));
        loop {
            let s = status(&http, p).await;
            if let Some(s) = &s {
                assert_eq!(s["enrolled"], true, "{}: {s}", p.name);
                break;
            }
            d.tick(&all, &s).await;
        }
    }

    // The county's site, column and staff; one article, synced everywhere, before the storm.
    let base = county.url("");
    let admin = token(&county.data, "platform-admin", None, "运维");
    let (status_code, body) = post(
        &http,
        format!("{base}/api/admin/sites"),
        &admin,
        json!({ "id": SITE, "name": "天河区人民政府", "hosts": ["th.gov.test"],
            "owner_body": "天河区人民政府办公室", "body_code": "00440106", "region": COUNTY }),
    )
    .await;
    assert_eq!(status_code, 201, "{body}");
    let (status_code, body) = post(
        &http,
        format!("{base}/api/admin/sites/{SITE}/columns"),
        &admin,
        json!({ "slug": "tzgg", "name": "通知公告", "kind": "notice" }),
    )
    .await;
    assert_eq!(status_code, 201, "{body}");
    let editor = token(&county.data, "editor", Some(SITE), "天河编辑");
    let reviewer = token(&county.data, "reviewer", Some(SITE), "天河审核");
    let first = publish(&http, &base, &editor, &reviewer, "天河区第一号通知").await;
    let (base_seq, _) = converged(
        &http,
        [&province, &city, &county],
        1,
        "the first article to reach city and province",
    )
    .await;

    // A stream of publications at the county, until told to stop.
    let published = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let ids = Arc::new(Mutex::new(Vec::<i64>::new()));
    let stream = {
        let (http, base, editor, reviewer) =
            (http.clone(), base.clone(), editor.clone(), reviewer.clone());
        let (published, stop, ids) = (published.clone(), stop.clone(), ids.clone());
        tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(Ordering::SeqCst) {
                i += 1;
                let id = publish(
                    &http,
                    &base,
                    &editor,
                    &reviewer,
                    &format!("天河区动态第{i}条"),
                )
                .await;
                ids.lock().unwrap().push(id);
                published.fetch_add(1, Ordering::SeqCst);
            }
        })
    };

    // SIGKILL the city once it has taken in part of the stream.
    {
        let d = Deadline::new("the city to take in part of the stream");
        loop {
            let seen = status(&http, &city).await.and_then(|s| head(&s, COUNTY));
            if seen.as_ref().is_some_and(|(seq, _)| *seq > base_seq) {
                break;
            }
            assert!(!stream.is_finished(), "the publishing stream failed");
            d.tick(&all, &seen).await;
        }
    }
    city.kill();
    let at_kill = published.load(Ordering::SeqCst);
    let while_down = {
        let d = Deadline::new("the county to keep publishing while the city is down");
        let survivors = [&province, &county];
        while published.load(Ordering::SeqCst) < at_kill + 3 {
            assert!(!stream.is_finished(), "the publishing stream failed");
            d.tick(&survivors, &published.load(Ordering::SeqCst)).await;
        }
        // An article published while the city was dead.
        *ids.lock().unwrap().last().unwrap()
    };

    // Restart the city on the same ports (its listeners may need a moment to be free).
    {
        let d = Deadline::new("the city to restart on its ports");
        city.start();
        loop {
            if let Ok(r) = http.get(city.url("/healthz")).send().await
                && r.status().is_success()
            {
                break;
            }
            if city.exited().is_some() {
                city.kill();
                city.start();
            }
            d.tick(&[&province, &county], &"restarting").await;
        }
    }
    let at_restart = published.load(Ordering::SeqCst);
    {
        let d = Deadline::new("the county to publish while the city catches up");
        while published.load(Ordering::SeqCst) < at_restart + 3 {
            assert!(!stream.is_finished(), "the publishing stream failed");
            d.tick(&all, &published.load(Ordering::SeqCst)).await;
        }
    }
    stop.store(true, Ordering::SeqCst);
    stream.await.expect("the publishing stream");
    let total = published.load(Ordering::SeqCst);
    let last = *ids.lock().unwrap().last().unwrap();
    eprintln!(
        "stream: {total} articles; city killed after {at_kill}, restarted after {at_restart}"
    );

    // The county's head is final now; everyone must reach it.
    let county_head = status(&http, &county)
        .await
        .and_then(|s| head(&s, COUNTY))
        .expect("the county reports its own log");
    let (seq, digest) = converged(
        &http,
        [&province, &city, &county],
        county_head.0,
        "province, city and county to agree on the county's log",
    )
    .await;
    assert_eq!((seq, &digest), (county_head.0, &county_head.1));
    assert!(
        seq >= base_seq + total as u64,
        "{total} publications after seq {base_seq}, head at {seq}"
    );
    for p in all {
        let s = status(&http, p).await.unwrap();
        assert_eq!(
            s["rejected"]["total"], 0,
            "{} rejected entries: {}",
            p.name, s["rejected"]
        );
    }

    // The province serves the county's pages from its replica, marked as such.
    for id in [first, while_down, last] {
        let path = format!("/sites/{SITE}/articles/{id}");
        let d = Deadline::new(format!("the province to serve {path}"));
        loop {
            let r = http.get(province.url(&path)).send().await.unwrap();
            let code = r.status();
            let replica = r
                .headers()
                .get("x-govnode-replica")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            if code == 200 {
                assert_eq!(replica.as_deref(), Some(COUNTY), "{path}");
                let text = r.text().await.unwrap();
                assert!(text.contains("天河区"), "{path}: {text}");
                break;
            }
            d.tick(&all, &(code, replica)).await;
        }
    }

    // `govnode status` reads the same endpoint and shows the county's head at the province.
    let shown = run_ok(govnode(&["status", "--data-dir"]).arg(&province.data));
    assert!(
        shown.contains(COUNTY) && shown.contains(&digest[..12]) && shown.contains("440100"),
        "{shown}"
    );
    let raw: Value = serde_json::from_str(&run_ok(
        govnode(&["status", "--json", "--url"]).arg(city.url("")),
    ))
    .unwrap();
    assert_eq!(raw["node"], "440100");
    assert_eq!(head(&raw, COUNTY), Some((seq, digest.clone())));
    for p in all {
        p.kill();
    }
}

/// A ticket filed at the county while the province is down waits at the city; the city
/// is SIGKILLed holding it (received and acknowledged, not yet forwarded); after both come
/// back, the ticket reaches the province exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_ticket_survives_a_sigkill_between_receiving_and_forwarding() {
    let dir = tempfile::tempdir().unwrap();
    let (province, city, county) = enrolled_trio(dir.path());
    let all = [&province, &city, &county];
    let http = govnode_tests::http_client()
        .no_proxy()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    // The province stays down: the county's only way up is its city.
    for p in [&city, &county] {
        p.start();
        wait_healthy(&http, p, &all).await;
    }
    let admin = token(&county.data, "platform-admin", None, "运维");
    let (code, body) = post(&http, county.url("/api/admin/sites"), &admin,
        json!({ "id": SITE, "name": "天河区人民政府", "hosts": ["th.gov.test"], "owner_body": "天河区人民政府办公室",
            "body_code": "00440106", "region": COUNTY })).await;
    assert_eq!(code, 201, "{body}");
    let (code, filed) = post(&http, county.url(&format!("/api/interaction/tickets?site={SITE}")), "",
        json!({ "kind": "consultation", "body": "440000.hrss", "subject": "养老金领取资格认证咨询",
            "content": "退休人员如何进行养老金领取资格认证？", "name": "赵六", "phone": "13600136000" })).await;
    assert_eq!(code, 201, "{filed}");
    let (ticket, password) = (
        filed["code"].as_str().unwrap().to_string(),
        filed["password"].as_str().unwrap().to_string(),
    );
    // The city took it (persisted before acknowledging) and holds it for the province.
    let d = Deadline::new("the envelope at the city");
    loop {
        let (c, y) = (status(&http, &county).await, status(&http, &city).await);
        let outbox = |s: &Option<Value>| s.as_ref().and_then(|s| s["outbox"].as_i64());
        if outbox(&c) == Some(0) && outbox(&y) == Some(1) {
            break;
        }
        d.tick(&[&city, &county], &(outbox(&c), outbox(&y))).await;
    }
    city.kill();
    // What the city holds for the province is sealed: the citizen's phone is nowhere in
    // its files (database, WAL, logs).
    for entry in walk(&city.data) {
        let bytes = std::fs::read(&entry).unwrap_or_default();
        assert!(
            !bytes.windows(11).any(|w| w == b"13600136000"),
            "{} holds the citizen's phone in the clear",
            entry.display()
        );
    }
    province.start();
    wait_healthy(&http, &province, &all).await;
    city.start();
    wait_healthy(&http, &city, &all).await;
    let d = Deadline::new("the ticket at the province");
    let url = province.url(&format!(
        "/api/interaction/tickets/{ticket}?password={password}"
    ));
    let view = loop {
        let r = http.get(&url).send().await.unwrap();
        let last = r.status();
        if last.is_success() {
            break r.json::<Value>().await.unwrap();
        }
        d.tick(&all, &last).await;
    };
    assert_eq!(view["state"], "submitted", "{view}");
    assert_eq!(
        view["events"].as_array().unwrap().len(),
        1,
        "exactly once: {view}"
    );
    assert_eq!(view["personal"]["phone"], "136****6000");
    // The province's acknowledgement reaches the city just after the ticket is stored there.
    let d = Deadline::new("the city's outbox emptied");
    loop {
        let s = status(&http, &city).await.unwrap();
        if s["outbox"] == 0 {
            break;
        }
        d.tick(&all, &s["outbox"]).await;
    }
}

/// Every file under `dir`.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}
