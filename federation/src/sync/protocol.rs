//! The sync protocol's messages and settings.

use std::time::Duration;

use govnode_topology::NodeId;
use serde::{Deserialize, Serialize};

use crate::cert::Certificate;
use crate::entry::Entry;
use crate::log::VersionVector;
use crate::net::NetConfig;

/// A sync request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum SyncRequest {
    /// Who I am, with my certificate chain.
    Hello {
        /// The sender's node id.
        node: NodeId,
        /// Its chain, leaf first.
        chain: Vec<Certificate>,
    },
    /// Send me what I lack.
    Pull {
        /// What I hold.
        have: VersionVector,
        /// Batch limit: entries.
        max_entries: u32,
        /// Batch limit: bytes.
        max_bytes: u32,
    },
    /// My log grew; here are my heads.
    Announce {
        /// The sender's heads.
        heads: VersionVector,
    },
    /// Send me the blob with this blake3 hash.
    Blob {
        /// The hash.
        hash: [u8; 32],
    },
    /// Take this envelope (store it, or keep it for the next hop) before acknowledging.
    Deliver {
        /// The signed envelope.
        envelope: Entry,
        /// Its origin's certificate chain.
        chain: Vec<Certificate>,
    },
    /// Answer (or pass on towards `target`) a query of a module's kind.
    Query {
        /// The node that is to answer.
        target: NodeId,
        /// Which module's handler answers it.
        kind: String,
        /// The module's request bytes.
        body: Vec<u8>,
        /// Hops left.
        hops: u8,
    },
}

/// A sync response.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum SyncResponse {
    /// The responder's identity.
    Hello {
        /// Its node id.
        node: NodeId,
        /// Its chain.
        chain: Vec<Certificate>,
    },
    /// A bounded batch.
    Batch {
        /// Entries.
        entries: Vec<Entry>,
        /// Chains of the origins in the batch.
        certificates: Vec<Certificate>,
        /// More is waiting.
        more: bool,
    },
    /// Noted.
    Ack,
    /// A query's answer, or why there is none.
    Answer(Result<Vec<u8>, String>),
    /// The blob (MIME type, bytes), if held.
    Blob(Option<(String, Vec<u8>)>),
    /// The request was refused.
    Refused(String),
}

/// Where blobs come from and go to (the node's blob store).
pub trait BlobSource: Send + Sync + 'static {
    /// The MIME type and bytes of a blob, if held.
    fn get(&self, hash: [u8; 32])
    -> futures::future::BoxFuture<'static, Option<(String, Vec<u8>)>>;
}

/// Sync settings.
#[derive(Debug, Clone)]
pub struct SyncSettings {
    /// Network settings (listen address, uplink addresses, timeouts, backoff).
    pub net: NetConfig,
    /// Period of the anti-entropy round.
    pub anti_entropy: Duration,
    /// Pull batch limit: entries.
    pub batch_entries: u32,
    /// Pull batch limit: bytes.
    pub batch_bytes: u32,
}

/// One peer as the status page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct PeerStatus {
    /// libp2p identity.
    pub peer_id: String,
    /// Node id, once it said hello.
    pub node: Option<NodeId>,
    /// Remote address.
    pub address: String,
    /// Connected now.
    pub connected: bool,
    /// We dialled it (an uplink).
    pub outbound: bool,
    /// Last successful exchange (unix ms).
    pub last_contact_ms: Option<i64>,
    /// Entries received from it since start.
    pub entries_received: u64,
    /// Last error talking to it.
    pub last_error: Option<String>,
}
