//! What a connection is doing (reading a head, handling a request, idle), watched through
//! its socket reads and its response body, so the loop can time it out or close it.

use std::io;
use std::pin::Pin;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use http_body::{Frame, SizeHint};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::Notify;
use tokio::time::Instant;

use super::*;

/// What one connection is doing, as the clocks need it.
pub(super) struct ConnState {
    pub(super) activity: Mutex<Activity>,
    /// Woken when a clock starts or stops, or when the connection is asked to close.
    pub(super) changed: Notify,
    /// Asked to close to make room for another connection of the same client.
    pub(super) evicted: AtomicBool,
}

pub(super) struct Activity {
    /// Requests being handled or answered.
    pub(super) in_flight: usize,
    /// A request head has begun (or, on a new connection, is awaited) and not yet ended.
    pub(super) reading_head: bool,
    /// At least one response was sent: the connection is kept alive.
    pub(super) served: bool,
    /// When the current phase began.
    pub(super) since: Instant,
}

impl ConnState {
    pub(super) fn new() -> ConnState {
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

    pub(super) fn activity(&self) -> MutexGuard<'_, Activity> {
        // Nothing panics while holding it; recover anyway rather than spread a poison.
        self.activity.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// When the connection is to be closed, if no request is in flight.
    pub(super) fn deadline(&self, limits: &ServeLimits) -> Option<Instant> {
        let a = self.activity();
        if a.in_flight > 0 {
            None
        } else if a.reading_head {
            Some(a.since + limits.header_read_timeout)
        } else {
            Some(a.since + limits.idle_timeout)
        }
    }

    pub(super) fn waiting_for(&self) -> &'static str {
        if self.activity().reading_head {
            "no whole request head within http.header_read_timeout_secs"
        } else {
            "idle longer than http.idle_timeout_secs"
        }
    }

    /// No request in flight.
    pub(super) fn quiet(&self) -> bool {
        self.activity().in_flight == 0
    }

    /// Since when a kept-alive connection has been idle, if it is.
    pub(super) fn idle_since(&self) -> Option<Instant> {
        let a = self.activity();
        (a.in_flight == 0 && !a.reading_head && a.served).then_some(a.since)
    }

    /// Bytes arrived: on an idle connection, they begin the next request head.
    pub(super) fn bytes_arrived(&self) {
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
pub(super) struct InFlight(Arc<ConnState>);

impl InFlight {
    pub(super) fn begin(conn: Arc<ConnState>) -> InFlight {
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
pub(super) struct Tracked {
    pub(super) body: Body,
    pub(super) _in_flight: InFlight,
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
pub(super) struct Watched {
    pub(super) stream: TcpStream,
    pub(super) conn: Arc<ConnState>,
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
