//! Web checks against local servers: external links answered 404 are dead, a redirect from
//! an allowed host to a private address is refused before anything connects to it, bodies
//! and time are bounded, the per-host rate holds; probes are recorded and judged.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::get;
use govnode_federation::testing::temp_database;
use govnode_monitoring::web_checks::{
    FetchSettings, LinkFetcher, Network, Outcome, ProbeResult, ProbeTarget, Prober,
};
use govnode_monitoring::{Indicator, Monitoring, Severity, Source};
use reqwest::Url;

async fn serve(ip: &str, app: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind((ip, 0)).await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

fn settings(allowed: &[&str]) -> FetchSettings {
    FetchSettings {
        allowed_networks: allowed.iter().map(|n| Network::parse(n).unwrap()).collect(),
        per_host_per_sec: 1000,
        total_timeout: Duration::from_secs(5),
        ..FetchSettings::default()
    }
}

fn url(s: &str) -> Url {
    Url::parse(s).unwrap()
}

/// A server on 127.0.0.2 counting every request it gets: the private target.
async fn private_target() -> (SocketAddr, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    let app = Router::new().fallback(move || {
        let counted = counted.clone();
        async move {
            counted.fetch_add(1, Ordering::SeqCst);
            "内网数据"
        }
    });
    (serve("127.0.0.2", app).await, hits)
}

#[tokio::test]
async fn an_external_link_answering_404_is_dead_and_a_good_one_is_not() {
    let app = Router::new()
        .route("/ok", get(|| async { "好" }))
        .route("/gone", get(|| async { StatusCode::NOT_FOUND }));
    let addr = serve("127.0.0.1", app).await;
    let f = LinkFetcher::new(settings(&["127.0.0.1/32"]), None).unwrap();
    let good = f.check(&url(&format!("http://{addr}/ok"))).await;
    assert_eq!(good, Outcome::Ok(200));
    assert!(!good.is_dead());
    let gone = f.check(&url(&format!("http://{addr}/gone"))).await;
    assert_eq!(gone, Outcome::Status(404));
    assert!(gone.is_dead());
    assert_eq!(gone.detail(), "链接无法访问（404）");
    // Nothing listening: a connection failure is a dead link too.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let refused = f.check(&url(&format!("http://127.0.0.1:{port}/"))).await;
    assert!(matches!(refused, Outcome::Failed(_)), "{refused:?}");
    // Without the allowance, the local server is not checked at all.
    let strict = LinkFetcher::new(settings(&[]), None).unwrap();
    let o = strict.check(&url(&format!("http://{addr}/ok"))).await;
    assert_eq!(o.detail(), "链接指向本机回环地址，已拒绝检查");
}

#[tokio::test]
async fn a_redirect_from_an_allowed_host_to_a_private_address_is_refused_unfetched() {
    let (target, hits) = private_target().await;
    let targets = [
        format!("http://{target}/secret"),
        "http://10.1.2.3/admin".to_string(),
        "http://169.254.169.254/latest/meta-data/".to_string(),
        "http://[::ffff:127.0.0.2]:1/".to_string(),
        format!("http://localhost:{}/secret", target.port()),
    ];
    let app = Router::new().route(
        "/go/{n}",
        get(move |axum::extract::Path(n): axum::extract::Path<usize>| {
            let to = targets[n].clone();
            async move { (StatusCode::FOUND, [(header::LOCATION, to)]) }
        }),
    );
    let allowed = serve("127.0.0.1", app).await;
    let f = LinkFetcher::new(settings(&["127.0.0.1/32"]), None).unwrap();
    for n in 0..5 {
        let o = f.check(&url(&format!("http://{allowed}/go/{n}"))).await;
        // localhost resolves to 127.0.0.1 (allowed, nothing on that port) and ::1 (refused):
        // either way the private target on 127.0.0.2 is never reached.
        match (n, &o) {
            (4, Outcome::Refused { .. } | Outcome::Failed(_)) => {}
            (_, Outcome::Refused { why, .. }) => {
                assert!(o.detail().contains("已拒绝检查"), "{why}");
            }
            _ => panic!("redirect {n} was not refused: {o:?}"),
        }
        assert!(o.is_dead());
    }
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "the private target was fetched"
    );
    // The resolver refuses a name that leads to a private address, before connecting.
    let strict = LinkFetcher::new(settings(&[]), None).unwrap();
    let o = strict
        .check(&url(&format!("http://localhost:{}/secret", target.port())))
        .await;
    assert!(matches!(o, Outcome::Refused { .. }), "{o:?}");
    assert_eq!(hits.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn redirects_are_followed_a_limited_number_of_times() {
    let app = Router::new()
        .route(
            "/a",
            get(|| async { (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, "/b")]) }),
        )
        .route("/b", get(|| async { "到了" }))
        .route(
            "/ftp",
            get(|| async {
                (
                    StatusCode::FOUND,
                    [(header::LOCATION, "ftp://files.example/a")],
                )
            }),
        )
        .route(
            "/loop",
            get(|| async { (StatusCode::FOUND, [(header::LOCATION, "/loop")]) }),
        );
    let addr = serve("127.0.0.1", app).await;
    let f = LinkFetcher::new(settings(&["127.0.0.1"]), None).unwrap();
    assert_eq!(
        f.check(&url(&format!("http://{addr}/a"))).await,
        Outcome::Ok(200)
    );
    let ftp = f.check(&url(&format!("http://{addr}/ftp"))).await;
    assert!(matches!(ftp, Outcome::BadRedirect(_)), "{ftp:?}");
    // A link that is not http(s) is not checked, nor counted dead.
    let plain = f.check(&url("ftp://files.example/a.doc")).await;
    assert_eq!(plain, Outcome::Unsupported);
    assert!(!plain.is_dead());
    let looped = f.check(&url(&format!("http://{addr}/loop"))).await;
    assert!(matches!(looped, Outcome::BadRedirect(_)), "{looped:?}");
}

/// A raw server: HEAD is refused, GET answers a 1 GB body written as fast as the client
/// reads; returns its address and the bytes it managed to write.
async fn huge_body_server() -> (SocketAddr, Arc<AtomicUsize>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let written = Arc::new(AtomicUsize::new(0));
    let counted = written.clone();
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            let counted = counted.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match conn.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                if head.starts_with(b"HEAD") {
                    let _ = conn
                        .write_all(b"HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n")
                        .await;
                    return;
                }
                let _ = conn
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 1000000000\r\nconnection: close\r\n\r\n")
                    .await;
                let chunk = vec![b'x'; 64 * 1024];
                while conn.write_all(&chunk).await.is_ok() {
                    counted.fetch_add(chunk.len(), Ordering::SeqCst);
                }
            });
        }
    });
    (addr, written)
}

#[tokio::test]
async fn a_huge_body_is_not_read_and_a_slow_server_times_out() {
    let (huge, written) = huge_body_server().await;
    let app = Router::new().route(
        "/slow",
        get(|| async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            "迟到"
        }),
    );
    let addr = serve("127.0.0.1", app).await;
    let mut s = settings(&["127.0.0.1"]);
    s.total_timeout = Duration::from_millis(800);
    let f = LinkFetcher::new(s, None).unwrap();
    let started = Instant::now();
    // HEAD refused, so GET, whose body is read for a few KB only.
    assert_eq!(
        f.check(&url(&format!("http://{huge}/file.zip"))).await,
        Outcome::Ok(200)
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    // What the server got out before the check hung up is socket buffers, not the gigabyte.
    let mut settled = written.load(Ordering::SeqCst);
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let now = written.load(Ordering::SeqCst);
        if now == settled {
            break;
        }
        settled = now;
    }
    assert!(settled < 64 << 20, "{settled} bytes were sent");
    let started = Instant::now();
    let slow = f.check(&url(&format!("http://{addr}/slow"))).await;
    assert_eq!(slow, Outcome::Timeout);
    assert_eq!(slow.detail(), "链接访问超时");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn the_per_host_rate_is_shared_by_the_run() {
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    let app = Router::new().fallback(move |_h: HeaderMap| {
        let counted = counted.clone();
        async move {
            counted.fetch_add(1, Ordering::SeqCst);
            "好"
        }
    });
    let addr = serve("127.0.0.1", app).await;
    let mut s = settings(&["127.0.0.1"]);
    s.per_host_per_sec = 10;
    let f = LinkFetcher::new(s, None).unwrap();
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..11 {
        let f = f.clone();
        let u = url(&format!("http://{addr}/p{i}"));
        tasks.spawn(async move { f.check(&u).await });
    }
    while let Some(o) = tasks.join_next().await {
        assert_eq!(o.unwrap(), Outcome::Ok(200));
    }
    // 11 requests at 10 per second: the last waits a whole second.
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(hits.load(Ordering::SeqCst), 11);
}

#[tokio::test]
async fn probes_are_recorded_and_five_percent_failing_vetoes() {
    let dir = tempfile::tempdir().unwrap();
    let (read, write) = temp_database(
        dir.path(),
        &[&govnode_federation::MIGRATOR, &govnode_monitoring::MIGRATOR],
    )
    .await;
    let m = Monitoring::new(read, write);
    // A real probe through a route: the server sees the site's host name.
    let app = Router::new().fallback(|h: HeaderMap| async move {
        match h.get(header::HOST).and_then(|v| v.to_str().ok()) {
            Some("www.gz.gov.cn") => StatusCode::OK,
            _ => StatusCode::MISDIRECTED_REQUEST,
        }
    });
    let addr = serve("127.0.0.1", app).await;
    let prober = Prober::new("govnode-monitoring/0.1", Duration::from_secs(5)).unwrap();
    let target = ProbeTarget {
        site: "gz".into(),
        url: "http://www.gz.gov.cn/".into(),
        connect: url(&format!("http://{addr}/")),
        host: Some("www.gz.gov.cn".into()),
    };
    let r = prober.probe(&target).await;
    assert_eq!((r.status, r.error.as_str()), (200, ""));
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dead = ProbeTarget {
        connect: url(&format!("http://{}/", closed.local_addr().unwrap())),
        ..target.clone()
    };
    drop(closed);
    let failed = prober.probe(&dead).await;
    assert_eq!(failed.status, 0);
    assert!(!failed.error.is_empty());

    let now = chrono::Utc::now().timestamp_millis();
    let probe = |at_ms: i64, status: u16, millis: i64| ProbeResult {
        site: "gz".into(),
        url: "http://www.gz.gov.cn/".into(),
        at_ms,
        status,
        error: if status == 0 {
            "无法连接".into()
        } else {
            String::new()
        },
        millis,
    };
    // 96 good probes over the week, 3 failed, 1 slow: 4 % — a warning only.
    let mut batch: Vec<ProbeResult> = (0..96)
        .map(|i| probe(now - i * 3_600_000, 200, 120))
        .collect();
    batch.extend((0..3).map(|i| probe(now - i * 60_000, 0, 30)));
    batch.push(probe(now - 1000, 200, 15_000));
    // A probe older than the window does not count.
    batch.push(probe(now - 8 * 86_400_000, 0, 10));
    m.record_probes(&batch).await.unwrap();
    let a = m.check_availability("gz", now).await.unwrap();
    assert_eq!((a.probes, a.failed, a.slow), (100, 3, 1));
    assert!((a.percent_failed - 4.0).abs() < 1e-9);
    let f = m.findings("gz").await.unwrap();
    assert_eq!(f.len(), 1);
    assert_eq!(
        (f[0].indicator, f[0].severity),
        (Indicator::Availability, Severity::Warning)
    );
    // One more failure reaches 5 %: the veto.
    m.record_probes(&[failed.clone(), r.clone()]).await.unwrap();
    let a = m.check_availability("gz", now + 10_000).await.unwrap();
    assert_eq!((a.probes, a.failed), (102, 4));
    assert!(a.percent_failed < 5.0);
    m.record_probes(&[probe(now, 503, 40)]).await.unwrap();
    let a = m.check_availability("gz", now + 10_000).await.unwrap();
    assert!(a.percent_failed >= 5.0, "{a:?}");
    let f = m.findings("gz").await.unwrap();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].severity, Severity::Veto);
    assert!(f[0].detail.contains("单项否决"), "{}", f[0].detail);
    // All good again: the availability finding is gone, nothing else touched.
    m.replace_findings("gz", Source::Links, &[]).await.unwrap();
    let by_day = m.availability_by_day("gz", 7, now + 10_000).await.unwrap();
    assert_eq!(by_day.len(), 7);
    assert_eq!(
        by_day.iter().map(|d| d.availability.probes).sum::<i64>(),
        103
    );
    assert!(by_day.last().unwrap().availability.failed >= 4);
    assert_eq!(m.availability("other", 0).await.unwrap().probes, 0);
}

#[tokio::test]
async fn probe_routes_are_kept_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let (read, write) = temp_database(
        dir.path(),
        &[&govnode_federation::MIGRATOR, &govnode_monitoring::MIGRATOR],
    )
    .await;
    let m = Monitoring::new(read, write);
    m.set_probe_route("440103", "http://10.0.0.5:8080")
        .await
        .unwrap();
    m.set_probe_route("440103", "http://10.0.0.6:8080")
        .await
        .unwrap();
    assert!(m.set_probe_route("440106", "ftp://x").await.is_err());
    let routes = m.probe_routes().await.unwrap();
    assert_eq!(routes.len(), 1);
    assert_eq!(routes["440103"], "http://10.0.0.6:8080/");
    m.remove_probe_route("440103").await.unwrap();
    assert!(m.probe_routes().await.unwrap().is_empty());
}
