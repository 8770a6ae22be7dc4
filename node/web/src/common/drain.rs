//! Reads and discards what a handler left of a request body, so the client reads the answer.
//!
//! A handler may answer before reading the whole body: 413 when it is over the limit, 401 or
//! 400 before an upload is read. Hyper then closes the connection with the rest of the body
//! unread in the socket, the kernel resets it, and a client still sending never sees the
//! answer (a browser shows "connection reset" instead of "file too large"). Like a web
//! server's lingering close, the rest is read in the background, up to a bound in bytes and
//! time, and thrown away.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http_body::{Body as HttpBody, Frame, SizeHint};

/// The most left-over bytes read to let a client see its answer.
const DRAIN_BYTES: u64 = 64 << 20;
/// How long a slow client gets to finish sending what is left.
const DRAIN_TIME: Duration = Duration::from_secs(30);

/// Middleware: gives every request a body that drains itself when dropped unread.
pub async fn unread_bodies(req: Request, next: Next) -> Response {
    next.run(req.map(|b| Body::new(Draining(Some(b))))).await
}

/// A request body that, dropped before its end, reads the rest in a background task.
struct Draining(Option<Body>);

impl HttpBody for Draining {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        match self.get_mut().0.as_mut() {
            Some(body) => Pin::new(body).poll_frame(cx),
            None => Poll::Ready(None),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.0.as_ref().is_none_or(|b| b.is_end_stream())
    }

    fn size_hint(&self) -> SizeHint {
        self.0
            .as_ref()
            .map_or_else(|| SizeHint::with_exact(0), |b| b.size_hint())
    }
}

impl Drop for Draining {
    fn drop(&mut self) {
        let Some(body) = self.0.take() else { return };
        if body.is_end_stream() {
            return;
        }
        // A declared length beyond the bound is not worth reading: let the connection close.
        if body.size_hint().lower() > DRAIN_BYTES {
            return;
        }
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let _ = tokio::time::timeout(DRAIN_TIME, discard(body)).await;
            });
        }
    }
}

/// Reads frames until the end, the bound, or an error (the client went away).
async fn discard(mut body: Body) {
    let mut read = 0u64;
    while let Some(Ok(frame)) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await
    {
        if let Some(data) = frame.data_ref() {
            read += data.len() as u64;
            if read > DRAIN_BYTES {
                return;
            }
        }
    }
}
