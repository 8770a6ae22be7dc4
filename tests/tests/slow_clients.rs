//! Slow and greedy clients cannot take a node down (issue 11, item 1): request heads sent
//! slowly are cut after the header-read timeout, an address holds at most its share of
//! connections, kept-alive connections close when idle, accepting pauses at the connection
//! limit, and a low open-file limit (the observed 1,024; 256 here) no longer ends in
//! `accept error: Too many open files` with pages timing out.
//!
//! Every client here is on loopback; distinct clients are distinct source addresses in
//! 127.0.0.0/8. The tests run one at a time (they open hundreds of sockets, and time).

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use govnode::Config;
use govnode_tests::{TestNode, govnode_bin};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::Mutex;
use tokio::task::JoinSet;
use tokio::time::timeout;

static SERIAL: Mutex<()> = Mutex::const_new(());

/// Starts an in-process node with `[http]` settings changed by `http`.
async fn start_with(http: impl FnOnce(&mut govnode::config::HttpSection)) -> TestNode {
    let mut config = Config::new("440000".parse().unwrap(), "广东省");
    http(&mut config.http);
    config.http.validate().expect("valid [http]");
    TestNode::start_in(config, tempfile::tempdir().unwrap()).await
}

/// A connection to `server` from the source address `from`.
async fn connect_from(from: [u8; 4], server: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::from((from, 0))).unwrap();
    timeout(Duration::from_secs(5), socket.connect(server))
        .await
        .expect("connected in time")
        .expect("connected")
}

/// Whether the server closes `stream` (end of stream or reset) within `within`; what it
/// sends meanwhile is read and dropped.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 1024];
    timeout(within, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await
    .is_ok()
}

/// Sends `GET path` on `stream` and reads the whole response (within 10 s).
async fn get_raw(stream: &mut TcpStream, path: &str) -> String {
    stream
        .write_all(format!("GET {path} HTTP/1.1\r\nHost: test\r\n\r\n").as_bytes())
        .await
        .expect("request written");
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let read = timeout(Duration::from_secs(10), async {
        loop {
            let n = stream.read(&mut buf).await.expect("read");
            assert!(
                n > 0,
                "closed mid-response: {}",
                String::from_utf8_lossy(&got)
            );
            got.extend_from_slice(&buf[..n]);
            let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") else {
                continue;
            };
            let head = String::from_utf8_lossy(&got[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map_or(0, |v| v.trim().parse().unwrap());
            if got.len() >= end + 4 + length {
                return;
            }
        }
    })
    .await;
    assert!(
        read.is_ok(),
        "no whole response to GET {path} within 10 s: {}",
        String::from_utf8_lossy(&got)
    );
    String::from_utf8_lossy(&got).into_owned()
}

/// GET /healthz on a new connection from 127.0.0.1; the response and how long it took.
async fn healthz_fresh(server: SocketAddr) -> (String, Duration) {
    let asked = Instant::now();
    let mut s = connect_from([127, 0, 0, 1], server).await;
    let response = get_raw(&mut s, "/healthz").await;
    (response, asked.elapsed())
}

/// A slowloris: the start of a request head, then one more header line every `every`, never
/// the blank line. Returns how long after `opened` the server closed the connection, or
/// `None` when it was still open after `give_up`.
async fn trickle(
    mut stream: TcpStream,
    opened: Instant,
    every: Duration,
    give_up: Duration,
) -> Option<Duration> {
    if stream
        .write_all(b"GET /sites/gd/ HTTP/1.1\r\nHost: slow.example\r\n")
        .await
        .is_err()
    {
        return Some(opened.elapsed());
    }
    let mut tick = tokio::time::interval(every);
    tick.tick().await;
    let mut buf = [0u8; 512];
    let mut line = 0;
    let end = tokio::time::Instant::from_std(opened + give_up);
    loop {
        tokio::select! {
            read = stream.read(&mut buf) => match read {
                Ok(0) | Err(_) => return Some(opened.elapsed()),
                Ok(_) => {}
            },
            _ = tick.tick() => {
                line += 1;
                let header = format!("X-Slow-{line}: 1\r\n");
                if stream.write_all(header.as_bytes()).await.is_err() {
                    return Some(opened.elapsed());
                }
            }
            () = tokio::time::sleep_until(end) => return None,
        }
    }
}

/// Opens `n` slowloris connections to `server`, `per_address` from each of the source
/// addresses 127.<net>.x.y, trickling every `every`; each task yields its [`trickle`] result.
async fn slowloris(
    server: SocketAddr,
    net: u8,
    n: usize,
    per_address: usize,
    every: Duration,
    give_up: Duration,
) -> JoinSet<Option<Duration>> {
    let mut slow = JoinSet::new();
    for i in 0..n {
        let a = i / per_address + 1;
        let from = [127, net, (a / 250) as u8, (a % 250) as u8];
        let stream = connect_from(from, server).await;
        slow.spawn(trickle(stream, Instant::now(), every, give_up));
    }
    slow
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn slow_request_heads_do_not_hold_pages_and_are_cut_after_the_header_timeout() {
    let _serial = SERIAL.lock().await;
    let node = start_with(|http| {
        http.header_read_timeout_secs = 1;
        http.max_connections_per_client = 8;
    })
    .await;
    // (a) 200 slow connections, 8 from each of 25 addresses (each within its cap), trickling a
    // header line every 200 ms: a page request on a new connection is still answered at once.
    let mut slow = slowloris(
        node.addr,
        1,
        200,
        8,
        Duration::from_millis(200),
        Duration::from_secs(8),
    )
    .await;
    let (response, took) = healthz_fresh(node.addr).await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(took < Duration::from_secs(2), "GET /healthz took {took:?}");

    // (b) Each slow connection is closed by the server after the header-read timeout (1 s),
    // however often it sends a line: not before, and not much after.
    let mut closed = Vec::new();
    while let Some(result) = slow.join_next().await {
        closed.push(result.unwrap());
    }
    let still_open = closed.iter().filter(|c| c.is_none()).count();
    assert_eq!(
        still_open, 0,
        "{still_open} of 200 slow connections were still open after 8 s"
    );
    let closed: Vec<Duration> = closed.into_iter().flatten().collect();
    let first = closed.iter().min().unwrap();
    let last = closed.iter().max().unwrap();
    assert!(
        *first >= Duration::from_millis(900),
        "closed before the timeout: {first:?}"
    );
    assert!(*last < Duration::from_secs(5), "closed late: {last:?}");

    // The node is as it was.
    let (response, _) = healthz_fresh(node.addr).await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_address_over_its_cap_is_closed_at_once_while_its_first_connections_stay() {
    let _serial = SERIAL.lock().await;
    // A long header timeout, so only the cap closes anything here.
    let node = start_with(|http| {
        http.header_read_timeout_secs = 60;
        http.max_connections_per_client = 4;
    })
    .await;
    let greedy = [127, 0, 0, 3];
    let mut held = Vec::new();
    for _ in 0..4 {
        let mut s = connect_from(greedy, node.addr).await;
        s.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
        held.push(s);
    }
    // The fifth concurrent connection from that address is closed by the server, unanswered.
    let mut fifth = connect_from(greedy, node.addr).await;
    let _ = fifth.write_all(b"GET /healthz HTTP/1.1\r\n").await;
    assert!(
        closed_within(&mut fifth, Duration::from_secs(3)).await,
        "the connection over the cap was left open"
    );
    // The first four stay open.
    for s in &mut held {
        assert!(
            !closed_within(s, Duration::from_millis(100)).await,
            "a connection within the cap was closed"
        );
    }
    // Another address is served as usual.
    let (response, _) = healthz_fresh(node.addr).await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    // A connection that ends gives its place back.
    held.pop();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let mut s = connect_from(greedy, node.addr).await;
        let _ = s
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
            .await;
        let mut buf = [0u8; 64];
        let answered = matches!(
            timeout(Duration::from_secs(2), s.read(&mut buf)).await,
            Ok(Ok(n)) if buf[..n].starts_with(b"HTTP/1.1 200")
        );
        if answered {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the place of a closed connection was not given back"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kept_alive_connections_outlast_the_header_timeout_then_close_when_idle_or_make_room() {
    let _serial = SERIAL.lock().await;
    let node = start_with(|http| {
        http.header_read_timeout_secs = 1;
        http.idle_timeout_secs = 2;
        http.max_connections_per_client = 2;
    })
    .await;
    let client = [127, 0, 0, 4];
    let mut kept = connect_from(client, node.addr).await;
    assert!(
        get_raw(&mut kept, "/healthz")
            .await
            .starts_with("HTTP/1.1 200")
    );
    // Idle longer than the header timeout (1 s) but within the idle timeout (2 s): still open,
    // and it serves the next request.
    tokio::time::sleep(Duration::from_millis(1400)).await;
    assert!(
        get_raw(&mut kept, "/healthz")
            .await
            .starts_with("HTTP/1.1 200")
    );
    let answered = Instant::now();
    assert!(
        closed_within(&mut kept, Duration::from_secs(6)).await,
        "an idle kept-alive connection outlived the idle timeout"
    );
    let idle = answered.elapsed();
    assert!(
        idle >= Duration::from_millis(1800),
        "closed after {idle:?} idle"
    );

    // The address's cap (2) is full of idle kept-alive connections: a third connection is
    // served, and the longest-idle one is closed to make room.
    let mut older = connect_from(client, node.addr).await;
    assert!(
        get_raw(&mut older, "/healthz")
            .await
            .starts_with("HTTP/1.1 200")
    );
    let mut newer = connect_from(client, node.addr).await;
    assert!(
        get_raw(&mut newer, "/healthz")
            .await
            .starts_with("HTTP/1.1 200")
    );
    let mut third = connect_from(client, node.addr).await;
    assert!(
        get_raw(&mut third, "/healthz")
            .await
            .starts_with("HTTP/1.1 200")
    );
    assert!(
        closed_within(&mut older, Duration::from_secs(1)).await,
        "the longest-idle connection was not closed to make room"
    );
    assert!(!closed_within(&mut newer, Duration::from_millis(100)).await);
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn at_the_connection_limit_accepting_waits_and_resumes() {
    let _serial = SERIAL.lock().await;
    let node = start_with(|http| {
        http.header_read_timeout_secs = 1;
        http.max_connections = 20;
    })
    .await;
    // 20 slow connections from 20 addresses fill the limit (with the harness's own kept-alive
    // connection, one of them waits too).
    let mut slow = slowloris(
        node.addr,
        2,
        20,
        1,
        Duration::from_millis(200),
        Duration::from_secs(8),
    )
    .await;
    // A new connection waits to be accepted until the slow ones are cut, then it is served.
    let (response, took) = healthz_fresh(node.addr).await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(
        took >= Duration::from_millis(500),
        "served after {took:?}, while the limit was full"
    );
    while let Some(result) = slow.join_next().await {
        assert!(result.unwrap().is_some(), "a slow connection stayed open");
    }
    node.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stopping_closes_waiting_connections_at_once() {
    let _serial = SERIAL.lock().await;
    let node = start_with(|http| http.header_read_timeout_secs = 60).await;
    let mut partial = connect_from([127, 0, 0, 5], node.addr).await;
    partial.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
    let mut kept = connect_from([127, 0, 0, 5], node.addr).await;
    assert!(
        get_raw(&mut kept, "/healthz")
            .await
            .starts_with("HTTP/1.1 200")
    );
    timeout(Duration::from_secs(5), node.stop())
        .await
        .expect("stopped without waiting for idle and half-sent connections");
    assert!(closed_within(&mut partial, Duration::from_secs(1)).await);
    assert!(closed_within(&mut kept, Duration::from_secs(1)).await);
}

// Whole process: the binary under a low open-file limit (`ulimit -n` in sh).

/// Runs `govnode init` for a province node in `data`.
fn init_node(data: &Path) {
    let out = Command::new(govnode_bin())
        .args([
            "init",
            "--node-id",
            "440000",
            "--name",
            "广东省",
            "--data-dir",
        ])
        .arg(data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The log without its colours (ANSI escapes).
fn read_log(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let mut plain = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ parameters… final letter.
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            plain.push(c);
        }
    }
    plain
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `govnode serve` with at most `open_files` open files, `[http]` settings as environment
/// variables, its log in `log`.
struct Served {
    child: Child,
    addr: SocketAddr,
}

impl Served {
    async fn start(data: &Path, open_files: u32, env: &[(&str, &str)], log: &Path) -> Served {
        let port = free_port();
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(format!("ulimit -n {open_files} && exec \"$0\" \"$@\""))
            .arg(govnode_bin())
            .args([
                "serve",
                "--http",
                &format!("127.0.0.1:{port}"),
                "--data-dir",
            ])
            .arg(data)
            // Its own sync port, so it runs beside any other node.
            .env(
                "GOVNODE__FEDERATION__LISTEN",
                format!("127.0.0.1:{}", free_port()),
            )
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(log).unwrap());
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().unwrap();
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let client = govnode_tests::http_client().build().expect("client");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(r) = client.get(format!("http://{addr}/healthz")).send().await
                && r.status().is_success()
            {
                break;
            }
            assert!(
                child.try_wait().unwrap().is_none(),
                "serve exited early: {}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
            assert!(Instant::now() < deadline, "serve never became healthy");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Served { child, addr }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_low_open_file_limit_does_not_take_the_node_down() {
    let _serial = SERIAL.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("node");
    init_node(&data);
    let log = dir.path().join("serve.log");
    let served = Served::start(
        &data,
        256,
        &[
            ("GOVNODE__HTTP__HEADER_READ_TIMEOUT_SECS", "1"),
            ("GOVNODE__HTTP__MAX_CONNECTIONS_PER_CLIENT", "4"),
        ],
        &log,
    )
    .await;
    // More slow connections than the process may open files, 30 from each of 10 addresses.
    let mut slow = slowloris(
        served.addr,
        3,
        300,
        30,
        Duration::from_millis(200),
        Duration::from_secs(10),
    )
    .await;
    // Pages are still answered at once.
    let (response, took) = healthz_fresh(served.addr).await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(took < Duration::from_secs(2), "GET /healthz took {took:?}");
    // Every slow connection is closed: over the cap at once, the others after 1 s.
    while let Some(result) = slow.join_next().await {
        assert!(result.unwrap().is_some(), "a slow connection stayed open");
    }
    drop(served);
    let log = read_log(&log);
    assert!(
        log.contains("open-file limit is 256") && log.contains("LimitNOFILE"),
        "no warning about the low open-file limit:\n{log}"
    );
    assert!(
        log.contains("max_connections=64"),
        "the derived limit is not logged:\n{log}"
    );
    assert!(!log.contains("accept error"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn out_of_files_accepting_backs_off_quietly_and_recovers() {
    let _serial = SERIAL.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("node");
    init_node(&data);
    let log = dir.path().join("serve.log");
    // A connection limit the open-file limit cannot back: accepting runs out of files.
    let served = Served::start(
        &data,
        256,
        &[
            ("GOVNODE__HTTP__HEADER_READ_TIMEOUT_SECS", "2"),
            ("GOVNODE__HTTP__MAX_CONNECTIONS", "1000"),
        ],
        &log,
    )
    .await;
    let started = Instant::now();
    let mut slow = slowloris(
        served.addr,
        4,
        300,
        10,
        Duration::from_millis(200),
        Duration::from_secs(15),
    )
    .await;
    // Served once the slow connections are cut, though accepting failed meanwhile.
    let (response, _) = healthz_fresh(served.addr).await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    while let Some(result) = slow.join_next().await {
        assert!(result.unwrap().is_some(), "a slow connection stayed open");
    }
    let secs = started.elapsed().as_secs();
    drop(served);
    let log = read_log(&log);
    assert!(
        log.contains("http.max_connections = 1000 leaves fewer than 256"),
        "{log}"
    );
    let errors = log.matches("accept error").count() as u64;
    assert!(errors >= 1, "accepting never ran out of files:\n{log}");
    assert!(
        errors <= secs + 2,
        "{errors} accept errors logged in {secs} s:\n{log}"
    );
}
