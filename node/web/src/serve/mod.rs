//! The HTTP server loop: hyper's HTTP/1.1 connections under limits that slow or greedy
//! clients cannot exhaust (issue 11: 1,500 slowloris connections took a node with 1,024 open
//! files down).
//!
//! - **Header-read timeout** (default 10 s): a connection that has not sent a whole request head
//!   within it, counted from its accept or from the first byte of its next request, is closed.
//! - **Idle timeout** (default 60 s): a kept-alive connection with no request begun is closed.
//!   It is separate from the header timeout, which is why the timeouts are kept here rather than
//!   by hyper's `header_read_timeout`: hyper starts that clock as soon as a connection goes idle,
//!   so an idle connection could never outlive the header timeout.
//!   While a request is being handled and its response written, no clock runs.
//! - **Per-client cap** (default 64 concurrent connections per peer IP address): a further
//!   connection from that address first makes room by closing the address's longest-idle
//!   kept-alive connection (many people behind one NAT share an address, and a browser keeps
//!   idle connections); when there is none, the new connection is closed at once, unanswered:
//!   nothing is read from or written to it, so an address already holding its share costs the
//!   node nothing more.
//! - **Global limit** (default: the soft open-file limit less [`FILE_RESERVE`] for the database,
//!   the index and sync, at most [`MAX_DERIVED_CONNECTIONS`]): when reached, accepting pauses
//!   (new connections wait in the kernel's backlog) until a connection closes, so the accept
//!   loop never runs the process out of files.
//! - **Accept errors** (EMFILE and the like) are logged at most once a second, and accepting
//!   backs off (50 ms doubling to 1 s) instead of spinning.
//!
//! Handlers still get [`ConnectInfo<SocketAddr>`] as a request extension, as with axum's
//! `into_make_service_with_connect_info`. On shutdown, accepting stops, connections with no
//! request in flight close at once, and the loop returns when the in-flight requests have been
//! answered.

mod clients;
mod conn_state;
mod limits;

pub use limits::{FILE_RESERVE, FileLimit, LOW_FILE_LIMIT, MAX_DERIVED_CONNECTIONS, ServeLimits};

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::Request;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tower::ServiceExt;
use tracing::{debug, info, warn};

use clients::*;
use conn_state::*;
use limits::*;

const ACCEPT_BACKOFF_MIN: Duration = Duration::from_millis(50);
const ACCEPT_BACKOFF_MAX: Duration = Duration::from_secs(1);
const REPORT_EVERY: Duration = Duration::from_secs(1);

/// Serves `router` on `listener` under `limits` until `shutdown` completes; then stops
/// accepting, closes the connections with no request in flight and returns once the
/// in-flight requests have been answered.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ServeLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let files = FileLimit::of_this_process();
    let max_connections = limits
        .max_connections
        .unwrap_or_else(|| files.connections())
        .max(1);
    report_limits(&limits, max_connections, files);

    let limits = Arc::new(limits);
    let permits = Arc::new(Semaphore::new(max_connections));
    let clients = Arc::new(Clients::default());
    let (stop, stopping) = watch::channel(());
    let mut connections = JoinSet::new();
    let mut shutdown = pin!(shutdown);
    let mut backoff = ACCEPT_BACKOFF_MIN;
    let mut accept_errors = Throttle::default();
    let mut refusals = Throttle::default();
    let mut full = Throttle::default();

    loop {
        while let Some(ended) = connections.try_join_next() {
            reap(ended);
        }
        if permits.available_permits() == 0
            && let Some(more) = full.ready()
        {
            warn!(
                max_connections,
                unreported = more,
                "connection limit reached: new connections wait in the listen backlog until one \
                 closes (http.max_connections; by default derived from the open-file limit)"
            );
        }
        let permit = tokio::select! {
            () = &mut shutdown => break,
            permit = permits.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
        };
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => {
                    backoff = ACCEPT_BACKOFF_MIN;
                    let unreported = accept_errors.unreported();
                    if unreported > 0 {
                        info!("accepting again; {unreported} accept errors were not logged");
                    }
                    accepted
                }
                // The one connection failed before it was accepted; the next may be fine.
                Err(e) if is_connection_error(&e) => continue,
                Err(e) => {
                    if let Some(more) = accept_errors.ready() {
                        let more = if more > 0 {
                            format!(" ({more} more since the last report)")
                        } else {
                            String::new()
                        };
                        warn!(
                            "accept error: {e}{more}; pausing accepts for {} ms. When the \
                             process is out of open files, raise its limit (`ulimit -n`, \
                             systemd LimitNOFILE) or lower http.max_connections",
                            backoff.as_millis()
                        );
                    }
                    drop(permit);
                    tokio::select! {
                        () = &mut shutdown => break,
                        () = tokio::time::sleep(backoff) => {}
                    }
                    backoff = (backoff * 2).min(ACCEPT_BACKOFF_MAX);
                    continue;
                }
            },
        };
        let client = peer.ip().to_canonical();
        let Some(slot) = clients.admit(client, limits.max_connections_per_client) else {
            if let Some(more) = refusals.ready() {
                warn!(
                    %client,
                    unreported = more,
                    cap = limits.max_connections_per_client,
                    "closing a new connection: the address already holds as many as it may \
                     (http.max_connections_per_client)"
                );
            }
            drop(stream);
            continue;
        };
        connections.spawn(connection(
            stream,
            peer,
            router.clone(),
            limits.clone(),
            slot,
            permit,
            stopping.clone(),
        ));
    }

    drop(listener);
    let open = connections.len();
    debug!(open, "HTTP: no longer accepting; closing connections");
    let _ = stop.send(());
    while let Some(ended) = connections.join_next().await {
        reap(ended);
    }
    Ok(())
}

fn reap(ended: Result<(), tokio::task::JoinError>) {
    if let Err(e) = ended
        && e.is_panic()
    {
        warn!("an HTTP connection's task panicked: {e}");
    }
}

/// Errors of one connection that failed before it was accepted (not of the listener).
fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// Lets a repeated message through at most once per [`REPORT_EVERY`], counting the rest.
#[derive(Default)]
struct Throttle {
    last: Option<Instant>,
    suppressed: u64,
}

impl Throttle {
    /// `Some(number suppressed since the last report)` when a report may go out now.
    fn ready(&mut self) -> Option<u64> {
        let now = Instant::now();
        if self.last.is_some_and(|t| now < t + REPORT_EVERY) {
            self.suppressed += 1;
            return None;
        }
        self.last = Some(now);
        Some(std::mem::take(&mut self.suppressed))
    }

    /// The messages suppressed since the last report, now forgotten.
    fn unreported(&mut self) -> u64 {
        std::mem::take(&mut self.suppressed)
    }
}

/// Serves one connection until it ends, times out, or the server stops.
async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    limits: Arc<ServeLimits>,
    slot: ClientSlot,
    _permit: OwnedSemaphorePermit,
    mut stopping: watch::Receiver<()>,
) {
    let conn = slot.conn.clone();
    let io = TokioIo::new(Watched {
        stream,
        conn: conn.clone(),
    });
    let service = {
        let conn = conn.clone();
        service_fn(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            let in_flight = InFlight::begin(conn.clone());
            let router = router.clone();
            async move {
                let response = router
                    .oneshot(request)
                    .await
                    .unwrap_or_else(|never| match never {});
                Ok::<_, Infallible>(response.map(|body| Tracked {
                    body,
                    _in_flight: in_flight,
                }))
            }
        })
    };
    let mut http = http1::Builder::new();
    // The timeouts are this loop's (see the module's documentation).
    http.keep_alive(true).header_read_timeout(None);
    let mut served = pin!(http.serve_connection(io, service).with_upgrades());
    let mut closing = false;
    loop {
        if !closing && conn.evicted.load(Ordering::Acquire) {
            closing = true;
            if conn.quiet() {
                debug!(%peer, "closing an idle connection to make room for the same client");
                return;
            }
            served.as_mut().graceful_shutdown();
        }
        let deadline = conn.deadline(&limits);
        tokio::select! {
            ended = served.as_mut() => {
                if let Err(e) = ended {
                    debug!(%peer, "HTTP connection ended: {e}");
                }
                return;
            }
            () = conn.changed.notified() => {}
            () = tokio::time::sleep_until(deadline.unwrap_or_else(far_future)), if deadline.is_some() => {
                if conn.deadline(&limits).is_some_and(|d| d <= Instant::now()) {
                    debug!(%peer, "closing a connection: {}", conn.waiting_for());
                    return;
                }
            }
            _ = stopping.changed(), if !closing => {
                closing = true;
                if conn.quiet() {
                    return;
                }
                served.as_mut().graceful_shutdown();
            }
        }
    }
}

fn far_future() -> Instant {
    Instant::now() + Duration::from_secs(86_400)
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;

    use super::*;

    #[test]
    fn the_file_limit_is_read_from_proc_limits() {
        let text = "Limit                     Soft Limit           Hard Limit           Units     \n\
                    Max cpu time              unlimited            unlimited            seconds   \n\
                    Max open files            1024                 524288               files     \n";
        assert_eq!(FileLimit::parse(text), FileLimit::Known(1024));
        let text = text.replace(
            "1024                 524288",
            "unlimited            unlimited",
        );
        assert_eq!(FileLimit::parse(&text), FileLimit::Unlimited);
        assert_eq!(
            FileLimit::parse("Max cpu time 1 1 seconds\n"),
            FileLimit::Unknown
        );
        if cfg!(target_os = "linux") {
            assert!(matches!(
                FileLimit::of_this_process(),
                FileLimit::Known(_) | FileLimit::Unlimited
            ));
        }
    }

    #[test]
    fn connections_keep_a_reserve_of_files_and_a_ceiling() {
        assert_eq!(FileLimit::Known(1024).connections(), 768);
        assert_eq!(FileLimit::Known(4096).connections(), 3840);
        assert_eq!(FileLimit::Known(1 << 20).connections(), 10_000);
        assert_eq!(FileLimit::Unlimited.connections(), 10_000);
        assert_eq!(FileLimit::Unknown.connections(), 768);
        // A tiny limit still leaves the server something, and the files most of the rest.
        assert_eq!(FileLimit::Known(256).connections(), 64);
        assert_eq!(FileLimit::Known(2).connections(), 1);
    }

    #[tokio::test]
    async fn a_full_client_makes_room_only_by_closing_an_idle_kept_alive_connection() {
        let clients = Arc::new(Clients::default());
        let ip: IpAddr = [10, 0, 0, 1].into();
        let a = clients.admit(ip, 2).unwrap();
        let b = clients.admit(ip, 2).unwrap();
        // Both are awaiting their first request head: nothing to close, so the third is refused.
        assert!(clients.admit(ip, 2).is_none());
        // Another address is not affected.
        let other = clients.admit([10, 0, 0, 2].into(), 2).unwrap();
        // `b` answers a request and goes idle: the next connection makes room by closing it.
        drop(InFlight::begin(b.conn.clone()));
        let c = clients.admit(ip, 2).unwrap();
        assert!(b.conn.evicted.load(Ordering::Acquire));
        assert!(!a.conn.evicted.load(Ordering::Acquire));
        // `b` is on its way out and not counted, but nothing else is idle.
        assert!(clients.admit(ip, 2).is_none());
        drop((a, b, c, other));
        assert!(clients.lock().is_empty(), "slots are given back");
    }
}
