//! Transport for the sync protocol: libp2p over TCP, Noise, yamux, with one
//! request-response protocol (`/govnode/sync/1`) and ping.
//!
//! The layer is generic over the request and response types and knows nothing of their
//! contents. One task owns the libp2p `Swarm`; a cloneable [`NetHandle`] talks to it.
//! Uplinks (parent and aerial roots) are dialled by address and redialled with capped,
//! jittered exponential backoff whenever they are not connected; peers that dial us
//! (children) are accepted. Inbound requests go to a [`Responder`], one task each.

pub mod codec;
mod keep_alive;
mod swarm;
mod uplinks;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures::future::BoxFuture;
pub use libp2p::{Multiaddr, PeerId};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

pub use codec::PostcardCodec;
pub use swarm::spawn;

/// What requests and responses must be: postcard-encodable and sendable to tasks.
pub trait Message: Serialize + DeserializeOwned + Send + 'static {}

impl<T: Serialize + DeserializeOwned + Send + 'static> Message for T {}

/// What [`spawn`] returns: the handle, the connectivity events and the network task.
pub type Spawned<Req, Resp> = (
    NetHandle<Req, Resp>,
    mpsc::UnboundedReceiver<NetEvent>,
    JoinHandle<()>,
);

/// The one protocol spoken on the wire.
pub const PROTOCOL: &str = "/govnode/sync/1";

/// Settings of the transport.
#[derive(Debug, Clone)]
pub struct NetConfig {
    /// Address to listen on; port 0 picks a free port (see [`NetHandle::listen_addr`]).
    pub listen: SocketAddr,
    /// Parent and aerial roots: dialled at start and kept connected.
    pub uplinks: Vec<SocketAddr>,
    /// How long a request may wait for its response (both directions).
    pub request_timeout: Duration,
    /// How long a one-off connection may stay idle before it is closed. Uplink
    /// connections and connections children opened to us are kept open.
    pub idle_timeout: Duration,
    /// First redial delay of an unconnected uplink (doubles per failure).
    pub backoff_min: Duration,
    /// Largest redial delay of an unconnected uplink.
    pub backoff_max: Duration,
    /// Largest encoded request accepted or sent.
    pub max_request_bytes: usize,
    /// Largest encoded response accepted or sent.
    pub max_response_bytes: usize,
}

impl Default for NetConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            uplinks: Vec::new(),
            request_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
            backoff_min: Duration::from_millis(200),
            backoff_max: Duration::from_secs(30),
            max_request_bytes: 1 << 20,
            max_response_bytes: 64 << 20,
        }
    }
}

/// Answers inbound requests.
///
/// Called once per inbound request, concurrently: each returned future runs in its own
/// task, so a slow answer never stalls the swarm. `peer` is the Noise-authenticated
/// identity of the remote.
pub trait Responder<Req, Resp>: Send + Sync + 'static {
    /// The response to `request` from `peer`.
    fn respond(&self, peer: PeerId, request: Req) -> BoxFuture<'static, Resp>;
}

impl<Req, Resp, F> Responder<Req, Resp> for F
where
    F: Fn(PeerId, Req) -> BoxFuture<'static, Resp> + Send + Sync + 'static,
{
    fn respond(&self, peer: PeerId, request: Req) -> BoxFuture<'static, Resp> {
        self(peer, request)
    }
}

/// Connectivity changes, per peer (not per connection).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetEvent {
    /// The first connection to `peer` opened.
    Connected {
        /// The authenticated remote.
        peer: PeerId,
        /// The remote address of that connection.
        address: Multiaddr,
        /// Whether we dialled it.
        outbound: bool,
    },
    /// The last connection to `peer` closed.
    Disconnected {
        /// The remote.
        peer: PeerId,
    },
}

/// Errors of the transport.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NetError {
    /// There is no open connection to the peer; requests never dial.
    #[error("not connected to peer {0}")]
    NotConnected(PeerId),
    /// No response came within the request timeout.
    #[error("request timed out waiting for the response")]
    Timeout,
    /// The connection closed before the response came.
    #[error("connection closed before the response came")]
    ConnectionClosed,
    /// The remote does not speak the sync protocol.
    #[error("peer does not support {PROTOCOL}")]
    UnsupportedProtocol,
    /// Reading or writing the stream failed, e.g. a frame over a size cap.
    #[error("stream i/o failed: {0}")]
    Io(String),
    /// A dial failed.
    #[error("dialling {addr} failed: {reason}")]
    Dial {
        /// The address dialled.
        addr: SocketAddr,
        /// Why it failed.
        reason: String,
    },
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {reason}")]
    Listen {
        /// The configured address.
        addr: SocketAddr,
        /// Why it failed.
        reason: String,
    },
    /// The transport could not be built.
    #[error("cannot build the transport: {0}")]
    Transport(String),
    /// The network task stopped.
    #[error("the network task has shut down")]
    Shutdown,
}

/// A command from a handle to the swarm task.
pub(crate) enum Command<Req, Resp> {
    Request {
        peer: PeerId,
        request: Req,
        reply: oneshot::Sender<Result<Resp, NetError>>,
    },
    Connected {
        reply: oneshot::Sender<Vec<(PeerId, Multiaddr)>>,
    },
    Dial {
        addr: SocketAddr,
        reply: oneshot::Sender<Result<(), NetError>>,
    },
    AddUplink {
        addr: SocketAddr,
    },
}

/// Cloneable handle to the network task. The task ends when every handle is dropped.
pub struct NetHandle<Req, Resp> {
    commands: mpsc::Sender<Command<Req, Resp>>,
    local_peer_id: PeerId,
    listen_addr: SocketAddr,
    sent: Arc<AtomicU64>,
    received: Arc<AtomicU64>,
}

impl<Req, Resp> Clone for NetHandle<Req, Resp> {
    fn clone(&self) -> Self {
        Self {
            commands: self.commands.clone(),
            local_peer_id: self.local_peer_id,
            listen_addr: self.listen_addr,
            sent: self.sent.clone(),
            received: self.received.clone(),
        }
    }
}

impl<Req, Resp> NetHandle<Req, Resp> {
    /// Sends `request` to `peer` over an existing connection and waits for the response.
    pub async fn request(&self, peer: PeerId, request: Req) -> Result<Resp, NetError> {
        let (reply, response) = oneshot::channel();
        self.send(Command::Request {
            peer,
            request,
            reply,
        })
        .await?;
        response.await.map_err(|_| NetError::Shutdown)?
    }

    /// Our identity.
    pub fn local_peer_id(&self) -> PeerId {
        self.local_peer_id
    }

    /// The bound listen address, its port resolved.
    pub async fn listen_addr(&self) -> SocketAddr {
        self.listen_addr
    }

    /// Connected peers, with the remote address of one connection each.
    pub async fn connected(&self) -> Vec<(PeerId, Multiaddr)> {
        let (reply, peers) = oneshot::channel();
        if self.send(Command::Connected { reply }).await.is_err() {
            return Vec::new();
        }
        peers.await.unwrap_or_default()
    }

    /// Bytes written to the wire by the sync protocol (frames with their prefixes).
    pub fn bytes_sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// Bytes read from the wire by the sync protocol (frames with their prefixes).
    pub fn bytes_received(&self) -> u64 {
        self.received.load(Ordering::Relaxed)
    }

    /// Dials `addr` once (no retry) and waits until the connection is up or failed.
    /// The connection is closed after the idle timeout.
    pub async fn dial(&self, addr: SocketAddr) -> Result<(), NetError> {
        let (reply, done) = oneshot::channel();
        self.send(Command::Dial { addr, reply }).await?;
        done.await.map_err(|_| NetError::Shutdown)?
    }

    /// Starts keeping `addr` connected, like the configured uplinks. No-op if it already is
    /// an uplink or the task has stopped.
    pub async fn add_uplink(&self, addr: SocketAddr) {
        let _ = self.send(Command::AddUplink { addr }).await;
    }

    async fn send(&self, command: Command<Req, Resp>) -> Result<(), NetError> {
        self.commands
            .send(command)
            .await
            .map_err(|_| NetError::Shutdown)
    }
}
