//! Answering peers' sync requests, and the table of peers both sides share.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use futures::FutureExt as _;
use govnode_topology::NodeId;
use libp2p::PeerId;
use tokio::sync::Notify;
use tracing::{debug, warn};

use super::{BlobSource, PeerStatus, SyncRequest, SyncResponse, now_ms};
use crate::cert::Certificate;
use crate::identity::peer_id_of;
use crate::net::Responder;
use crate::replica::Federation;

pub(super) struct Peer {
    pub(super) status: PeerStatus,
    pub(super) wake: Arc<Notify>,
}

#[derive(Default)]
pub(super) struct Peers {
    pub(super) by_id: Mutex<HashMap<PeerId, Peer>>,
    /// Highest head peers announced per origin, and since when we have been behind it.
    pub(super) known: Mutex<BTreeMap<NodeId, (u64, i64)>>,
}

impl Peers {
    pub(super) fn update(&self, peer: PeerId, f: impl FnOnce(&mut PeerStatus)) {
        if let Some(p) = self.by_id.lock().expect("peers lock").get_mut(&peer) {
            f(&mut p.status);
        }
    }

    pub(super) fn node_of(&self, peer: PeerId) -> Option<NodeId> {
        self.by_id
            .lock()
            .expect("peers lock")
            .get(&peer)
            .and_then(|p| p.status.node)
    }

    pub(super) fn wake(&self, peer: PeerId) {
        if let Some(p) = self.by_id.lock().expect("peers lock").get(&peer) {
            p.wake.notify_one();
        }
    }

    pub(super) fn identified(&self) -> Vec<(PeerId, NodeId)> {
        self.by_id
            .lock()
            .expect("peers lock")
            .iter()
            .filter(|(_, p)| p.status.connected)
            .filter_map(|(id, p)| p.status.node.map(|n| (*id, n)))
            .collect()
    }
}
pub(super) struct SyncResponder {
    pub(super) fed: Arc<Federation>,
    pub(super) peers: Arc<Peers>,
    pub(super) blobs: Option<Arc<dyn BlobSource>>,
    /// Set once the network runs (queries are forwarded through it).
    pub(super) net: Arc<std::sync::OnceLock<crate::net::NetHandle<SyncRequest, SyncResponse>>>,
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
            SyncRequest::Query {
                target,
                kind,
                body,
                hops,
            } => {
                if self.peers.node_of(peer).is_none() {
                    return SyncResponse::Refused("say hello first".into());
                }
                SyncResponse::Answer(
                    super::query::route(
                        &self.fed,
                        &self.peers,
                        &self.net,
                        target,
                        kind,
                        body,
                        hops,
                    )
                    .await,
                )
            }
            SyncRequest::Deliver { envelope, chain } => {
                if self.peers.node_of(peer).is_none() {
                    return SyncResponse::Refused("say hello first".into());
                }
                match self.fed.receive(envelope, chain).await {
                    Ok(()) => SyncResponse::Ack,
                    Err(why) => {
                        warn!(%peer, why, "envelope refused");
                        SyncResponse::Refused(why)
                    }
                }
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
        self.fed.kick_outbox();
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
            net: self.net.clone(),
        });
        me.answer(peer, request).boxed()
    }
}
