//! The sync protocol over the network layer: hello (certificate chains, binding each
//! PeerId to a node id), pull (version vector in, bounded batch out), announce (a short
//! push after each append), and blob fetches by hash.
//!
//! One task owns the swarm (in `net`); this module keeps a table of peers and, per peer,
//! a task that pulls until caught up whenever it is woken: by an announce, by the
//! anti-entropy tick, or on connect. A node pulls from its parent and children; over an
//! aerial link only while the tree path it stands in for is down.
mod forward;
mod protocol;
mod query;
mod responder;

pub use protocol::{BlobSource, PeerStatus, SyncRequest, SyncResponse, SyncSettings};
pub use query::{QueryHandler, QueryHandlers};

use crate::hlc::now_ms;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use govnode_topology::NodeId;
use libp2p::PeerId;
use tokio::sync::{Notify, watch};
use tracing::{debug, info, warn};

use crate::error::FederationError;
use crate::identity::peer_id_of;
use crate::net::{self, NetEvent, NetHandle};
use crate::replica::Federation;
use responder::{Peer, Peers, SyncResponder};

/// The running sync service of a node.
#[derive(Clone)]
pub struct SyncService {
    fed: Arc<Federation>,
    net: NetHandle<SyncRequest, SyncResponse>,
    net_cell: Arc<std::sync::OnceLock<NetHandle<SyncRequest, SyncResponse>>>,
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
        let net_cell = Arc::new(std::sync::OnceLock::new());
        let responder = Arc::new(SyncResponder {
            fed: fed.clone(),
            peers: peers.clone(),
            blobs,
            net: net_cell.clone(),
        });
        let (net, mut events, net_task) = net::spawn(
            fed.key().libp2p_keypair(),
            settings.net.clone(),
            responder,
            shutdown.clone(),
        )
        .await
        .map_err(|e| FederationError::Net(e.to_string()))?;
        let _ = net_cell.set(net.clone());
        let sync = SyncService {
            fed: fed.clone(),
            net,
            net_cell,
            peers,
            settings,
        };
        let forwarder = tokio::spawn(sync.clone().forward_loop(shutdown.clone()));
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
            let _ = forwarder.await;
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
                    // Envelopes may have been waiting for this hop.
                    self.fed.kick_outbox();
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
