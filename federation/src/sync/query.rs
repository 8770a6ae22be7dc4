//! Queries routed along the tree to a named node (e.g. a search scope this node does not
//! hold, answered by the lowest ancestor that does). The federation carries opaque bytes
//! for a kind; a module registers the [`QueryHandler`] that answers its kind.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Duration;

use govnode_topology::NodeId;
use libp2p::PeerId;

use super::responder::Peers;
use super::{SyncRequest, SyncResponse, SyncService};
use crate::error::FederationError;
use crate::net::NetHandle;
use crate::replica::{BoxFuture, Federation};

/// Most hops a routed query may take (the tree is three levels deep).
pub(super) const MAX_HOPS: u8 = 6;

/// Answers queries of one kind addressed to this node.
pub trait QueryHandler: Send + Sync {
    /// The answer to `body`, or why there is none.
    fn answer(&self, body: Vec<u8>) -> BoxFuture<'static, Result<Vec<u8>, String>>;
}

/// The handlers by kind.
#[derive(Default)]
pub struct QueryHandlers {
    by_kind: RwLock<HashMap<String, Arc<dyn QueryHandler>>>,
}

impl std::fmt::Debug for QueryHandlers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueryHandlers").finish_non_exhaustive()
    }
}

impl QueryHandlers {
    /// Registers the handler of a kind.
    pub fn register(&self, kind: &str, handler: Arc<dyn QueryHandler>) {
        self.by_kind
            .write()
            .expect("handlers lock")
            .insert(kind.to_string(), handler);
    }

    fn get(&self, kind: &str) -> Option<Arc<dyn QueryHandler>> {
        self.by_kind
            .read()
            .expect("handlers lock")
            .get(kind)
            .cloned()
    }
}

/// The identified peers to try, in order, to bring a query closer to `target`.
pub(super) fn next_hops(fed: &Federation, peers: &Peers, target: NodeId) -> Vec<PeerId> {
    let me = fed.me();
    let connected = peers.identified();
    let mut hops: Vec<(u8, PeerId)> = Vec::new();
    for (peer, node) in connected {
        let rank = if node == target {
            0
        } else if fed.is_ancestor(target, me)
            && fed.is_ancestor(node, me)
            && fed.is_ancestor(target, node)
        {
            // Up the tree towards an ancestor: the nearest first (the parent before an aerial root).
            1
        } else if fed.is_ancestor(me, target)
            && fed.is_ancestor(me, node)
            && fed.is_ancestor(node, target)
        {
            // Down towards a descendant.
            1
        } else if !fed.is_ancestor(target, me)
            && !fed.is_ancestor(me, target)
            && fed.settings().parent == Some(node)
        {
            // Sideways: up to the parent.
            2
        } else {
            continue;
        };
        hops.push((rank, peer));
    }
    hops.sort_by_key(|(rank, _)| *rank);
    hops.into_iter().map(|(_, p)| p).collect()
}

/// Answers a query here or forwards it one hop closer to its target.
pub(super) async fn route(
    fed: &Federation,
    peers: &Peers,
    net: &OnceLock<NetHandle<SyncRequest, SyncResponse>>,
    target: NodeId,
    kind: String,
    body: Vec<u8>,
    hops: u8,
) -> Result<Vec<u8>, String> {
    if target == fed.me() {
        let handler = fed
            .queries()
            .get(&kind)
            .ok_or_else(|| format!("{} answers no `{kind}` queries", fed.me()))?;
        return handler.answer(body).await;
    }
    if hops == 0 {
        return Err(format!("gave up routing to {target}: too many hops"));
    }
    let net = net.get().ok_or("the network is not running")?;
    let mut last = format!("no connected peer leads to {target}");
    for peer in next_hops(fed, peers, target) {
        let request = SyncRequest::Query {
            target,
            kind: kind.clone(),
            body: body.clone(),
            hops: hops - 1,
        };
        match net.request(peer, request).await {
            Ok(SyncResponse::Answer(Ok(bytes))) => return Ok(bytes),
            Ok(SyncResponse::Answer(Err(why))) => last = why,
            Ok(other) => last = format!("unexpected answer {other:?}"),
            Err(e) => last = e.to_string(),
        }
    }
    Err(last)
}

impl SyncService {
    /// Sends a query of `kind` to `target` along the tree; fails after `deadline`.
    pub async fn query(
        &self,
        target: NodeId,
        kind: &str,
        body: Vec<u8>,
        deadline: Duration,
    ) -> Result<Vec<u8>, FederationError> {
        let routed = route(
            &self.fed,
            &self.peers,
            &self.net_cell,
            target,
            kind.to_string(),
            body,
            MAX_HOPS,
        );
        match tokio::time::timeout(deadline, routed).await {
            Ok(Ok(bytes)) => Ok(bytes),
            Ok(Err(why)) => Err(FederationError::Net(why)),
            Err(_) => Err(FederationError::Net(format!(
                "{target} did not answer within {deadline:?}"
            ))),
        }
    }
}
