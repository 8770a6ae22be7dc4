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

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use http_body::{Frame, SizeHint};
use hyper::Request;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tower::ServiceExt;
use tracing::{debug, info, warn};

/// Open files kept back from the derived connection limit for the database, the search index,
/// blobs and sync.
pub const FILE_RESERVE: u64 = 256;

/// The most connections a derived limit allows.
pub const MAX_DERIVED_CONNECTIONS: usize = 10_000;

/// Below this open-file limit the server warns at start.
pub const LOW_FILE_LIMIT: u64 = 4096;

/// What the connection limit is derived from when the open-file limit cannot be read.
const ASSUMED_FILE_LIMIT: u64 = 1024;

const ACCEPT_BACKOFF_MIN: Duration = Duration::from_millis(50);
const ACCEPT_BACKOFF_MAX: Duration = Duration::from_secs(1);
const REPORT_EVERY: Duration = Duration::from_secs(1);

/// The limits the server loop enforces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeLimits {
    /// Time a client has to send a whole request head. Default 10 s.
    pub header_read_timeout: Duration,
    /// Time a kept-alive connection may wait idle between requests. Default 60 s.
    pub idle_timeout: Duration,
    /// Concurrent connections per peer IP address. Default 64.
    pub max_connections_per_client: usize,
    /// Concurrent connections in all; `None`: derived from the open-file limit.
    pub max_connections: Option<usize>,
}

impl Default for ServeLimits {
    fn default() -> Self {
        ServeLimits {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections_per_client: 64,
            max_connections: None,
        }
    }
}

/// The process's soft limit on open files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileLimit {
    /// This many.
    Known(u64),
    /// No limit.
    Unlimited,
    /// It could not be read (no `/proc/self/limits`).
    Unknown,
}

impl FileLimit {
    /// Reads the soft limit from `/proc/self/limits` (no unsafe code, no libc).
    pub fn of_this_process() -> FileLimit {
        match std::fs::read_to_string("/proc/self/limits") {
            Ok(text) => FileLimit::parse(&text),
            Err(_) => FileLimit::Unknown,
        }
    }

    /// The soft "Max open files" limit in the text of a `/proc/<pid>/limits` file.
    pub fn parse(limits: &str) -> FileLimit {
        let Some(line) = limits.lines().find(|l| l.starts_with("Max open files")) else {
            return FileLimit::Unknown;
        };
        match line["Max open files".len()..].split_whitespace().next() {
            Some("unlimited") => FileLimit::Unlimited,
            Some(n) => n.parse().map_or(FileLimit::Unknown, FileLimit::Known),
            None => FileLimit::Unknown,
        }
    }

    /// The connection limit this file limit allows: the limit less [`FILE_RESERVE`] (but never
    /// below a quarter of it), at most [`MAX_DERIVED_CONNECTIONS`]. An unknown limit is taken
    /// as 1,024, the usual default.
    pub fn connections(self) -> usize {
        match self {
            FileLimit::Unlimited => MAX_DERIVED_CONNECTIONS,
            FileLimit::Unknown => FileLimit::Known(ASSUMED_FILE_LIMIT).connections(),
            FileLimit::Known(n) => {
                let allowed = n.saturating_sub(FILE_RESERVE).max(n / 4).max(1);
                usize::try_from(allowed)
                    .unwrap_or(usize::MAX)
                    .min(MAX_DERIVED_CONNECTIONS)
            }
        }
    }
}

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

/// Logs the effective limits, and warns when the open-file limit is low.
fn report_limits(limits: &ServeLimits, max_connections: usize, files: FileLimit) {
    let open_files = match files {
        FileLimit::Known(n) => n.to_string(),
        FileLimit::Unlimited => "unlimited".into(),
        FileLimit::Unknown => "unknown".into(),
    };
    info!(
        header_read_timeout_secs = limits.header_read_timeout.as_secs_f64(),
        idle_timeout_secs = limits.idle_timeout.as_secs_f64(),
        max_connections_per_client = limits.max_connections_per_client,
        max_connections,
        max_connections_from = if limits.max_connections.is_some() {
            "http.max_connections"
        } else {
            "the open-file limit"
        },
        open_files = %open_files,
        "HTTP limits"
    );
    const RAISE: &str = "raise the open-file limit: `ulimit -n 65536` in the shell that starts \
                         govnode, or `LimitNOFILE=65536` in the [Service] section of its systemd unit";
    match files {
        FileLimit::Known(n) if n < LOW_FILE_LIMIT && limits.max_connections.is_none() => warn!(
            "the open-file limit is {n}, below {LOW_FILE_LIMIT}: this node can hold only \
             {max_connections} HTTP connections at once; {RAISE}"
        ),
        FileLimit::Known(n) if n < LOW_FILE_LIMIT => {
            warn!("the open-file limit is {n}, below {LOW_FILE_LIMIT}; {RAISE}")
        }
        FileLimit::Unknown if limits.max_connections.is_none() => warn!(
            "the open-file limit could not be read; assuming {ASSUMED_FILE_LIMIT}: at most \
             {max_connections} HTTP connections at once (set http.max_connections to choose)"
        ),
        _ => {}
    }
    if let (Some(set), FileLimit::Known(n)) = (limits.max_connections, files)
        && set as u64 + FILE_RESERVE > n
    {
        warn!(
            "http.max_connections = {set} leaves fewer than {FILE_RESERVE} of the {n} open files \
             the process may hold for the database, the index and sync: lower it, or {RAISE}"
        );
    }
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

/// What one connection is doing, as the clocks need it.
struct ConnState {
    activity: Mutex<Activity>,
    /// Woken when a clock starts or stops, or when the connection is asked to close.
    changed: Notify,
    /// Asked to close to make room for another connection of the same client.
    evicted: AtomicBool,
}

struct Activity {
    /// Requests being handled or answered.
    in_flight: usize,
    /// A request head has begun (or, on a new connection, is awaited) and not yet ended.
    reading_head: bool,
    /// At least one response was sent: the connection is kept alive.
    served: bool,
    /// When the current phase began.
    since: Instant,
}

impl ConnState {
    fn new() -> ConnState {
        ConnState {
            activity: Mutex::new(Activity {
                in_flight: 0,
                reading_head: true,
                served: false,
                since: Instant::now(),
            }),
            changed: Notify::new(),
            evicted: AtomicBool::new(false),
        }
    }

    fn activity(&self) -> MutexGuard<'_, Activity> {
        // Nothing panics while holding it; recover anyway rather than spread a poison.
        self.activity.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// When the connection is to be closed, if no request is in flight.
    fn deadline(&self, limits: &ServeLimits) -> Option<Instant> {
        let a = self.activity();
        if a.in_flight > 0 {
            None
        } else if a.reading_head {
            Some(a.since + limits.header_read_timeout)
        } else {
            Some(a.since + limits.idle_timeout)
        }
    }

    fn waiting_for(&self) -> &'static str {
        if self.activity().reading_head {
            "no whole request head within http.header_read_timeout_secs"
        } else {
            "idle longer than http.idle_timeout_secs"
        }
    }

    /// No request in flight.
    fn quiet(&self) -> bool {
        self.activity().in_flight == 0
    }

    /// Since when a kept-alive connection has been idle, if it is.
    fn idle_since(&self) -> Option<Instant> {
        let a = self.activity();
        (a.in_flight == 0 && !a.reading_head && a.served).then_some(a.since)
    }

    /// Bytes arrived: on an idle connection, they begin the next request head.
    fn bytes_arrived(&self) {
        let mut a = self.activity();
        if a.in_flight == 0 && !a.reading_head {
            a.reading_head = true;
            a.since = Instant::now();
            drop(a);
            self.changed.notify_one();
        }
    }
}

/// A request in flight: from its head having been read until its response has been sent.
struct InFlight(Arc<ConnState>);

impl InFlight {
    fn begin(conn: Arc<ConnState>) -> InFlight {
        {
            let mut a = conn.activity();
            a.in_flight += 1;
            a.reading_head = false;
        }
        conn.changed.notify_one();
        InFlight(conn)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        {
            let mut a = self.0.activity();
            a.in_flight -= 1;
            if a.in_flight == 0 {
                a.served = true;
                a.since = Instant::now();
            }
        }
        self.0.changed.notify_one();
    }
}

/// A response body that ends its request's [`InFlight`] when hyper is done with it.
struct Tracked {
    body: Body,
    _in_flight: InFlight,
}

impl http_body::Body for Tracked {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// The connection's socket, telling its [`ConnState`] when bytes arrive.
struct Watched {
    stream: TcpStream,
    conn: Arc<ConnState>,
}

impl AsyncRead for Watched {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let read = Pin::new(&mut this.stream).poll_read(cx, buf);
        if matches!(read, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.conn.bytes_arrived();
        }
        read
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

/// The open connections of every client address.
#[derive(Default)]
struct Clients {
    by_address: Mutex<HashMap<IpAddr, Vec<Arc<ConnState>>>>,
}

impl Clients {
    fn lock(&self) -> MutexGuard<'_, HashMap<IpAddr, Vec<Arc<ConnState>>>> {
        self.by_address.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A slot for a new connection of `client`, making room by closing its longest-idle
    /// kept-alive connection when it holds `cap` already; `None` when there is none to close.
    fn admit(self: &Arc<Self>, client: IpAddr, cap: usize) -> Option<ClientSlot> {
        let mut by_address = self.lock();
        let held = by_address.entry(client).or_default();
        let closing = held
            .iter()
            .filter(|c| c.evicted.load(Ordering::Acquire))
            .count();
        if held.len() - closing >= cap {
            let oldest_idle = held
                .iter()
                .filter(|c| !c.evicted.load(Ordering::Acquire))
                .filter_map(|c| c.idle_since().map(|since| (since, c)))
                .min_by_key(|(since, _)| *since)
                .map(|(_, c)| c)?;
            oldest_idle.evicted.store(true, Ordering::Release);
            oldest_idle.changed.notify_one();
        }
        let conn = Arc::new(ConnState::new());
        held.push(conn.clone());
        Some(ClientSlot {
            clients: self.clone(),
            client,
            conn,
        })
    }
}

/// One connection's place among its client's; given back when dropped.
struct ClientSlot {
    clients: Arc<Clients>,
    client: IpAddr,
    conn: Arc<ConnState>,
}

impl Drop for ClientSlot {
    fn drop(&mut self) {
        let mut by_address = self.clients.lock();
        if let Some(held) = by_address.get_mut(&self.client) {
            held.retain(|c| !Arc::ptr_eq(c, &self.conn));
            if held.is_empty() {
                by_address.remove(&self.client);
            }
        }
    }
}

#[cfg(test)]
mod tests {
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
