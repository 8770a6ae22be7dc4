//! Wire format of the sync protocol: every message is one frame, a `u32` big-endian
//! length followed by that many bytes of postcard.
//!
//! The codec knows nothing of the message contents; it caps frame sizes (one cap for
//! requests, one for responses) and counts the bytes it writes and reads.

use std::io;
use std::marker::PhantomData;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use futures::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use libp2p::StreamProtocol;
use libp2p::request_response;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::Message;

/// Bytes of the length prefix in front of every frame.
pub const PREFIX_BYTES: usize = 4;

/// Which side of an exchange a frame carries: decides the cap and the error message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Request,
    Response,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Request => "request",
            Kind::Response => "response",
        }
    }
}

/// Length-prefixed postcard codec for `request_response`, generic over the message types.
///
/// Clones share the byte counters.
pub struct PostcardCodec<Req, Resp> {
    max_request_bytes: usize,
    max_response_bytes: usize,
    sent: Arc<AtomicU64>,
    received: Arc<AtomicU64>,
    _messages: PhantomData<fn() -> (Req, Resp)>,
}

impl<Req, Resp> Clone for PostcardCodec<Req, Resp> {
    fn clone(&self) -> Self {
        Self {
            max_request_bytes: self.max_request_bytes,
            max_response_bytes: self.max_response_bytes,
            sent: self.sent.clone(),
            received: self.received.clone(),
            _messages: PhantomData,
        }
    }
}

impl<Req, Resp> PostcardCodec<Req, Resp> {
    /// A codec refusing request bodies over `max_request_bytes` and response bodies over
    /// `max_response_bytes` (the 4-byte prefix is not counted against the caps), with
    /// fresh byte counters.
    pub fn new(max_request_bytes: usize, max_response_bytes: usize) -> Self {
        Self::with_counters(
            max_request_bytes,
            max_response_bytes,
            Arc::default(),
            Arc::default(),
        )
    }

    /// Like [`PostcardCodec::new`], adding to the given `sent` and `received` counters.
    pub fn with_counters(
        max_request_bytes: usize,
        max_response_bytes: usize,
        sent: Arc<AtomicU64>,
        received: Arc<AtomicU64>,
    ) -> Self {
        Self {
            max_request_bytes,
            max_response_bytes,
            sent,
            received,
            _messages: PhantomData,
        }
    }

    /// Bytes written so far, prefixes included.
    pub fn bytes_sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// Bytes read so far, prefixes included.
    pub fn bytes_received(&self) -> u64 {
        self.received.load(Ordering::Relaxed)
    }

    fn cap(&self, kind: Kind) -> usize {
        match kind {
            Kind::Request => self.max_request_bytes,
            Kind::Response => self.max_response_bytes,
        }
    }

    fn oversize(&self, kind: Kind, len: usize) -> io::Error {
        let (name, cap) = (kind.name(), self.cap(kind));
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{name} frame of {len} bytes exceeds the {name} cap of {cap} bytes"),
        )
    }

    /// Encodes one message; synchronous so the message is never held across an await.
    fn encode<M: Serialize>(&self, kind: Kind, message: &M) -> io::Result<Vec<u8>> {
        let body = postcard::to_stdvec(message).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("cannot encode {}: {e}", kind.name()),
            )
        })?;
        if body.len() > self.cap(kind) || u32::try_from(body.len()).is_err() {
            return Err(self.oversize(kind, body.len()));
        }
        Ok(body)
    }

    async fn write_frame<T>(&self, io: &mut T, body: io::Result<Vec<u8>>) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        let body = body?;
        let prefix = (body.len() as u32).to_be_bytes();
        io.write_all(&prefix).await?;
        self.sent.fetch_add(PREFIX_BYTES as u64, Ordering::Relaxed);
        io.write_all(&body).await?;
        self.sent.fetch_add(body.len() as u64, Ordering::Relaxed);
        io.flush().await
    }

    async fn read_frame<T, M>(&self, kind: Kind, io: &mut T) -> io::Result<M>
    where
        T: AsyncRead + Unpin + Send,
        M: DeserializeOwned,
    {
        let mut prefix = [0u8; PREFIX_BYTES];
        io.read_exact(&mut prefix).await?;
        self.received
            .fetch_add(PREFIX_BYTES as u64, Ordering::Relaxed);
        let len = u32::from_be_bytes(prefix) as usize;
        if len > self.cap(kind) {
            return Err(self.oversize(kind, len));
        }
        // Grow the buffer as bytes arrive instead of trusting the prefix for the allocation.
        let mut body = Vec::with_capacity(len.min(64 * 1024));
        let read = io.take(len as u64).read_to_end(&mut body).await;
        self.received
            .fetch_add(body.len() as u64, Ordering::Relaxed);
        read?;
        if body.len() != len {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "{} frame cut short: {} of {len} bytes",
                    kind.name(),
                    body.len()
                ),
            ));
        }
        postcard::from_bytes(&body).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("cannot decode {}: {e}", kind.name()),
            )
        })
    }
}

impl<Req: Message, Resp: Message> request_response::Codec for PostcardCodec<Req, Resp> {
    type Protocol = StreamProtocol;
    type Request = Req;
    type Response = Resp;

    async fn read_request<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<Req>
    where
        T: AsyncRead + Unpin + Send,
    {
        self.read_frame(Kind::Request, io).await
    }

    async fn read_response<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<Resp>
    where
        T: AsyncRead + Unpin + Send,
    {
        self.read_frame(Kind::Response, io).await
    }

    async fn write_request<T>(&mut self, _: &StreamProtocol, io: &mut T, req: Req) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        let body = self.encode(Kind::Request, &req);
        drop(req);
        self.write_frame(io, body).await
    }

    async fn write_response<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        res: Resp,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        let body = self.encode(Kind::Response, &res);
        drop(res);
        self.write_frame(io, body).await
    }
}
