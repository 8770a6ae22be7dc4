//! The sync protocol over the network layer: hello (certificate chains, binding each
//! PeerId to a node id), pull (version vector in, bounded batch out), announce (a short
//! push after each append), and blob fetches by hash.
//!
//! One task owns the swarm (in `net`); this module keeps a table of peers and, per peer,
//! a task that pulls until caught up whenever it is woken: by an announce, by the
//! anti-entropy tick, or on connect. A node pulls from its parent and children; over an
//! aerial link only while the tree path it stands in for is down.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::FutureExt as _;
use govnode_topology::NodeId;
use libp2p::PeerId;
use serde::{Deserialize, Serialize};
use tokio::sync::{Notify, watch};
use tracing::{debug, info, warn};

use crate::cert::Certificate;
use crate::entry::Entry;
use crate::error::FederationError;
use crate::identity::peer_id_of;
use crate::log::VersionVector;
use crate::net::{self, NetConfig, NetEvent, NetHandle, Responder};
use crate::replica::Federation;

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

struct Peer {
    status: PeerStatus,
    wake: Arc<Notify>,
}

#[derive(Default)]
struct Peers {
    by_id: Mutex<HashMap<PeerId, Peer>>,
    /// Highest head peers announced per origin, and since when we have been behind it.
    known: Mutex<BTreeMap<NodeId, (u64, i64)>>,
}

impl Peers {
    fn update(&self, peer: PeerId, f: impl FnOnce(&mut PeerStatus)) {
        if let Some(p) = self.by_id.lock().expect("peers lock").get_mut(&peer) {
            f(&mut p.status);
        }
    }

    fn node_of(&self, peer: PeerId) -> Option<NodeId> {
        self.by_id
            .lock()
            .expect("peers lock")
            .get(&peer)
            .and_then(|p| p.status.node)
    }

    fn wake(&self, peer: PeerId) {
        if let Some(p) = self.by_id.lock().expect("peers lock").get(&peer) {
            p.wake.notify_one();
        }
    }

    fn identified(&self) -> Vec<(PeerId, NodeId)> {
        self.by_id
            .lock()
            .expect("peers lock")
            .iter()
            .filter(|(_, p)| p.status.connected)
            .filter_map(|(id, p)| p.status.node.map(|n| (*id, n)))
            .collect()
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

struct SyncResponder {
    fed: Arc<Federation>,
    peers: Arc<Peers>,
    blobs: Option<Arc<dyn BlobSource>>,
}

impl SyncResponder {
    async fn answer(self: Arc<Self>, peer: PeerId, request: SyncRequest) -> SyncResponse {
        match request {
            SyncRequest::Hello { node, chain } => match self.identify(peer, node, &chain) {
                Ok(()) => SyncResponse::Hello {
                    node: self.fed.me(),
                    chain: self.fed.own_chain(),
                },
                Err(why) => {
                    warn!(%peer, %node, why, "hello refused");
                    SyncResponse::Refused(why)
                }
            },
            SyncRequest::Pull {
                have,
                max_entries,
                max_bytes,
            } => {
                let Some(node) = self.peers.node_of(peer) else {
                    return SyncResponse::Refused("say hello first".into());
                };
                match self
                    .fed
                    .serve_pull(node, &have, max_entries, max_bytes)
                    .await
                {
                    Ok(batch) => SyncResponse::Batch {
                        entries: batch.entries,
                        certificates: batch.certificates,
                        more: batch.more,
                    },
                    Err(e) => SyncResponse::Refused(format!("pull failed: {e}")),
                }
            }
            SyncRequest::Announce { heads } => {
                let Some(node) = self.peers.node_of(peer) else {
                    return SyncResponse::Refused("say hello first".into());
                };
                let mine = self.fed.log().version_vector().await.unwrap_or_default();
                let mut news = false;
                {
                    let mut known = self.peers.known.lock().expect("known lock");
                    for (origin, seq) in &heads.0 {
                        if *seq <= mine.get(*origin) || !self.fed.related(self.fed.me(), *origin) {
                            continue;
                        }
                        news = true;
                        let k = known.entry(*origin).or_insert((0, now_ms()));
                        if k.0 <= mine.get(*origin) {
                            // Was caught up: the lag starts now.
                            k.1 = now_ms();
                        }
                        k.0 = k.0.max(*seq);
                    }
                }
                if news {
                    debug!(%node, "announce: pulling");
                    self.peers.wake(peer);
                }
                SyncResponse::Ack
            }
            SyncRequest::Blob { hash } => match &self.blobs {
                Some(blobs) => SyncResponse::Blob(blobs.get(hash).await),
                None => SyncResponse::Blob(None),
            },
        }
    }

    /// Binds a PeerId to a node id: the chain must verify and certify the PeerId's key.
    fn identify(&self, peer: PeerId, node: NodeId, chain: &[Certificate]) -> Result<(), String> {
        self.fed.trust().admit(chain, now_ms());
        let key = self
            .fed
            .trust()
            .key_of(node)
            .ok_or_else(|| format!("no certificate chain of {node} reaches the root"))?;
        if peer_id_of(&key) != Some(peer) {
            return Err(format!("peer {peer} does not hold {node}'s certified key"));
        }
        // The hello may overtake the connection event: create the row if it is missing
        // (the event then only marks it connected and starts its pull loop).
        let mut peers = self.peers.by_id.lock().expect("peers lock");
        let row = peers.entry(peer).or_insert_with(|| Peer {
            status: PeerStatus {
                peer_id: peer.to_string(),
                node: None,
                address: String::new(),
                connected: true,
                outbound: false,
                last_contact_ms: None,
                entries_received: 0,
                last_error: None,
            },
            wake: Arc::new(Notify::new()),
        });
        row.status.node = Some(node);
        row.status.last_contact_ms = Some(now_ms());
        Ok(())
    }
}

impl Responder<SyncRequest, SyncResponse> for SyncResponder {
    fn respond(
        &self,
        peer: PeerId,
        request: SyncRequest,
    ) -> futures::future::BoxFuture<'static, SyncResponse> {
        let me = Arc::new(SyncResponder {
            fed: self.fed.clone(),
            peers: self.peers.clone(),
            blobs: self.blobs.clone(),
        });
        me.answer(peer, request).boxed()
    }
}

/// The running sync service of a node.
#[derive(Clone)]
pub struct SyncService {
    fed: Arc<Federation>,
    net: NetHandle<SyncRequest, SyncResponse>,
    peers: Arc<Peers>,
    settings: SyncSettings,
}

impl std::fmt::Debug for SyncService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncService")
            .field("me", &self.fed.me())
            .finish()
    }
}

impl SyncService {
    /// Starts the network and the sync driver; both stop when `shutdown` turns true.
    pub async fn start(
        fed: Arc<Federation>,
        settings: SyncSettings,
        blobs: Option<Arc<dyn BlobSource>>,
        shutdown: watch::Receiver<bool>,
    ) -> Result<(SyncService, tokio::task::JoinHandle<()>), FederationError> {
        let peers = Arc::new(Peers::default());
        let responder = Arc::new(SyncResponder {
            fed: fed.clone(),
            peers: peers.clone(),
            blobs,
        });
        let (net, mut events, net_task) = net::spawn(
            fed.key().libp2p_keypair(),
            settings.net.clone(),
            responder,
            shutdown.clone(),
        )
        .await
        .map_err(|e| FederationError::Net(e.to_string()))?;
        let sync = SyncService {
            fed: fed.clone(),
            net,
            peers,
            settings,
        };
        let driver = sync.clone();
        let mut stop = shutdown.clone();
        let task = tokio::spawn(async move {
            let mut appended = driver.fed.subscribe();
            let mut tick = tokio::time::interval(driver.settings.anti_entropy);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = stop.changed() => if *stop.borrow() { break },
                    event = events.recv() => match event {
                        Some(NetEvent::Connected { peer, address, outbound }) => driver.connected(peer, address.to_string(), outbound, stop.clone()),
                        Some(NetEvent::Disconnected { peer }) => driver.disconnected(peer),
                        None => break,
                    },
                    _ = appended.changed() => driver.announce_all().await,
                    _ = tick.tick() => driver.wake_all(),
                }
            }
            // Wake peer tasks so they see the shutdown, then let the network end.
            driver.wake_all();
            let _ = net_task.await;
        });
        Ok((sync, task))
    }

    /// The address the network listens on.
    pub async fn listen_addr(&self) -> SocketAddr {
        self.net.listen_addr().await
    }

    /// Bytes sent and received on the wire since start.
    pub fn bytes(&self) -> (u64, u64) {
        (self.net.bytes_sent(), self.net.bytes_received())
    }

    /// Per origin: the highest head a peer announced and since when this node has lagged it.
    pub fn known_heads(&self) -> BTreeMap<NodeId, (u64, i64)> {
        self.peers.known.lock().expect("known lock").clone()
    }

    /// Every peer seen since start.
    pub fn peers(&self) -> Vec<PeerStatus> {
        let mut list: Vec<PeerStatus> = self
            .peers
            .by_id
            .lock()
            .expect("peers lock")
            .values()
            .map(|p| p.status.clone())
            .collect();
        list.sort_by(|a, b| a.node.cmp(&b.node).then(a.peer_id.cmp(&b.peer_id)));
        list
    }

    fn connected(
        &self,
        peer: PeerId,
        address: String,
        outbound: bool,
        stop: watch::Receiver<bool>,
    ) {
        let wake = Arc::new(Notify::new());
        {
            let mut peers = self.peers.by_id.lock().expect("peers lock");
            let entry = peers.entry(peer).or_insert_with(|| Peer {
                status: PeerStatus {
                    peer_id: peer.to_string(),
                    node: None,
                    address: address.clone(),
                    connected: true,
                    outbound,
                    last_contact_ms: None,
                    entries_received: 0,
                    last_error: None,
                },
                wake: wake.clone(),
            });
            entry.status.connected = true;
            entry.status.address = address;
            entry.status.outbound = outbound;
            entry.wake = wake.clone();
        }
        info!(%peer, outbound, "peer connected");
        let sync = self.clone();
        tokio::spawn(async move { sync.peer_loop(peer, wake, stop).await });
    }

    fn disconnected(&self, peer: PeerId) {
        let node = self.peers.node_of(peer);
        info!(%peer, node = ?node, "peer disconnected");
        self.peers.update(peer, |s| s.connected = false);
        self.peers.wake(peer);
    }

    fn wake_all(&self) {
        for p in self.peers.by_id.lock().expect("peers lock").values() {
            p.wake.notify_one();
        }
    }

    async fn announce_all(&self) {
        let Ok(heads) = self.fed.log().version_vector().await else {
            return;
        };
        for (peer, _) in self.peers.identified() {
            let net = self.net.clone();
            let heads = heads.clone();
            tokio::spawn(async move {
                let _ = net.request(peer, SyncRequest::Announce { heads }).await;
            });
        }
    }

    /// Whether to pull from `node` now: always from parent and children; over an aerial
    /// link only while the tree neighbour it stands in for is not connected.
    fn should_pull(&self, node: NodeId) -> bool {
        let me = self.fed.me();
        let topology = self.fed.topology();
        let parent_of = |n: NodeId| {
            if topology.contains(n) {
                topology.parent(n)
            } else {
                n.implied_parent()
            }
        };
        let my_parent = self.fed.settings().parent.or_else(|| parent_of(me));
        if Some(node) == my_parent || parent_of(node) == Some(me) {
            return true;
        }
        let connected: Vec<NodeId> = self
            .peers
            .identified()
            .into_iter()
            .map(|(_, n)| n)
            .collect();
        if self.fed.is_ancestor(node, me) {
            // An aerial root: used while my parent is away.
            return my_parent.is_none_or(|p| !connected.contains(&p));
        }
        if self.fed.is_ancestor(me, node) {
            // A descendant linked to me directly: pull while its own parent is away.
            return parent_of(node).is_none_or(|p| !connected.contains(&p));
        }
        false
    }

    /// Exchanges hellos; Err(reason) when the peer cannot be identified (yet).
    async fn hello(&self, peer: PeerId) -> Result<NodeId, String> {
        let hello = SyncRequest::Hello {
            node: self.fed.me(),
            chain: self.fed.own_chain(),
        };
        match self.net.request(peer, hello).await {
            Ok(SyncResponse::Hello { node, chain }) => {
                self.fed.trust().admit(&chain, now_ms());
                match self.fed.trust().key_of(node) {
                    Some(key) if peer_id_of(&key) == Some(peer) => Ok(node),
                    _ => Err(format!("{node}: its chain does not certify this peer")),
                }
            }
            Ok(SyncResponse::Refused(why)) => Err(format!("hello refused: {why}")),
            Ok(other) => Err(format!("answered hello with {other:?}")),
            Err(e) => Err(e.to_string()),
        }
    }

    fn still_connected(&self, peer: PeerId, wake: &Arc<Notify>) -> (bool, Option<NodeId>) {
        let peers = self.peers.by_id.lock().expect("peers lock");
        match peers.get(&peer) {
            Some(p) if Arc::ptr_eq(&p.wake, wake) => (p.status.connected, p.status.node),
            _ => (false, None),
        }
    }

    async fn peer_loop(&self, peer: PeerId, wake: Arc<Notify>, mut stop: watch::Receiver<bool>) {
        // Identify the peer, retrying with backoff while it stays connected (a timeout, or
        // a chain the other side installs later, must not leave the link idle for good).
        let mut backoff = Duration::from_secs(1);
        loop {
            match self.hello(peer).await {
                Ok(node) => {
                    self.peers.update(peer, |s| {
                        s.node = Some(node);
                        s.last_contact_ms = Some(now_ms());
                        s.last_error = None;
                    });
                    info!(%peer, %node, "peer identified");
                    break;
                }
                Err(why) => {
                    warn!(%peer, why, "peer not identified; retrying");
                    self.peers.update(peer, |s| s.last_error = Some(why));
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(backoff) => {}
                _ = stop.changed() => {}
            }
            if *stop.borrow() || !self.still_connected(peer, &wake).0 {
                return;
            }
            backoff = (backoff * 2).min(Duration::from_secs(60));
        }
        loop {
            if *stop.borrow() {
                return;
            }
            let (connected, node) = self.still_connected(peer, &wake);
            if !connected {
                return;
            }
            if let Some(node) = node
                && self.should_pull(node)
                && let Err(e) = self.pull_until_caught_up(peer, node).await
            {
                warn!(%peer, %node, error = %e, "sync with peer failed");
                self.peers
                    .update(peer, |s| s.last_error = Some(e.to_string()));
            }
            wake.notified().await;
        }
    }

    async fn pull_until_caught_up(
        &self,
        peer: PeerId,
        node: NodeId,
    ) -> Result<(), FederationError> {
        loop {
            let have = self.fed.log().version_vector().await?;
            let request = SyncRequest::Pull {
                have,
                max_entries: self.settings.batch_entries,
                max_bytes: self.settings.batch_bytes,
            };
            let started = std::time::Instant::now();
            let response = self
                .net
                .request(peer, request)
                .await
                .map_err(|e| FederationError::Net(e.to_string()))?;
            let SyncResponse::Batch {
                entries,
                certificates,
                more,
            } = response
            else {
                return Err(FederationError::Net(format!(
                    "{node} answered a pull with {response:?}"
                )));
            };
            let n = entries.len() as u64;
            if n > 0 {
                let fetched_ms = started.elapsed().as_millis() as u64;
                let report = self
                    .fed
                    .ingest(node.as_str(), entries, certificates)
                    .await?;
                let ingest_ms = started.elapsed().as_millis() as u64 - fetched_ms;
                debug!(%node, n, stored = report.stored, applied = report.applied, fetched_ms, ingest_ms, "batch ingested");
                if report.stored == 0 && more {
                    // Nothing new although more was promised: stop rather than spin.
                    return Ok(());
                }
            }
            self.peers.update(peer, |s| {
                s.last_contact_ms = Some(now_ms());
                s.entries_received += n;
                s.last_error = None;
            });
            if !more {
                return Ok(());
            }
        }
    }

    /// Fetches a blob from any connected peer that has it; verifies it by hash.
    pub async fn fetch_blob(&self, hash: [u8; 32]) -> Option<(String, Vec<u8>)> {
        for (peer, node) in self.peers.identified() {
            match self.net.request(peer, SyncRequest::Blob { hash }).await {
                Ok(SyncResponse::Blob(Some((mime, bytes))))
                    if blake3::hash(&bytes).as_bytes() == &hash =>
                {
                    return Some((mime, bytes));
                }
                Ok(SyncResponse::Blob(Some(_))) => {
                    warn!(%node, hash = %hex::encode(hash), "peer sent a blob that does not match its hash");
                }
                _ => {}
            }
        }
        None
    }
}
