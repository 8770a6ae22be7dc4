//! Entitlement: which nodes may receive which entries (and their payloads), and answering
//! pulls with what a peer lacks and is entitled to.

use std::collections::BTreeSet;

use govnode_topology::NodeId;

use crate::cert::Certificate;
use crate::entry::{Audience, Entry};
use crate::error::FederationError;
use crate::log::{Status, VersionVector};
use crate::replica::Federation;

/// A batch answering a pull.
#[derive(Debug, Clone)]
pub struct Batch {
    /// Entries, per origin in sequence order.
    pub entries: Vec<Entry>,
    /// Certificates chaining every origin in the batch to the root.
    pub certificates: Vec<Certificate>,
    /// More is waiting beyond the batch limits.
    pub more: bool,
}

impl Federation {
    fn ancestors(&self, id: NodeId) -> Vec<NodeId> {
        let topology = self.topology();
        if topology.contains(id) {
            topology.ancestors(id)
        } else {
            id.implied_ancestors()
        }
    }

    /// This node's lineage, root first, itself last: whose settings it inherits.
    pub fn lineage(&self) -> Vec<NodeId> {
        let me = self.me();
        let mut out = self.ancestors(me);
        out.reverse();
        out.push(me);
        out
    }

    /// Whether `a` is a strict ancestor of `b`.
    pub fn is_ancestor(&self, a: NodeId, b: NodeId) -> bool {
        self.ancestors(b).contains(&a)
    }

    /// Whether `node` may receive anything of `origin`'s log: itself, an ancestor or a descendant.
    pub fn related(&self, node: NodeId, origin: NodeId) -> bool {
        node == origin || self.is_ancestor(node, origin) || self.is_ancestor(origin, node)
    }

    fn on_path(&self, node: NodeId, from: NodeId, to: NodeId) -> bool {
        let mut up = vec![from];
        up.extend(self.ancestors(from));
        let mut down = vec![to];
        down.extend(self.ancestors(to));
        let Some(lca) = up.iter().find(|n| down.contains(n)).copied() else {
            return false;
        };
        let up_part = up.iter().take_while(|n| **n != lca);
        let down_part = down.iter().take_while(|n| **n != lca);
        node == lca || up_part.chain(down_part).any(|n| *n == node)
    }

    /// Whether `node` is entitled to `entry`'s payload.
    pub fn is_holder(&self, node: NodeId, entry: &Entry) -> bool {
        if node == entry.origin || self.is_ancestor(node, entry.origin) {
            return true;
        }
        match &entry.audience {
            Audience::Public => self.is_ancestor(entry.origin, node),
            Audience::Up => false,
            Audience::Nodes(targets) => {
                targets.iter().any(|t| self.on_path(node, entry.origin, *t))
            }
        }
    }
    /// The entries `requester` lacks and is entitled to, bounded by count and bytes.
    pub async fn serve_pull(
        &self,
        requester: NodeId,
        have: &VersionVector,
        max_entries: u32,
        max_bytes: u32,
    ) -> Result<Batch, FederationError> {
        let max_entries = max_entries.clamp(1, self.settings.batch_entries.max(1));
        let max_bytes = max_bytes.clamp(1024, self.settings.batch_bytes.max(1024)) as usize;
        let mut batch = Batch {
            entries: Vec::new(),
            certificates: Vec::new(),
            more: false,
        };
        let mut bytes = 0usize;
        let mut origins = BTreeSet::new();
        'heads: for head in self.log.heads().await? {
            let from = have.get(head.origin);
            if head.seq <= from || !self.related(requester, head.origin) {
                continue;
            }
            let room = max_entries - batch.entries.len() as u32;
            if room == 0 || bytes >= max_bytes {
                batch.more = true;
                break;
            }
            let rows = self
                .log
                .entries_after(head.origin, from, head.seq, room)
                .await?;
            for (entry, status) in rows {
                let entry = if status == Status::Elided || !self.is_holder(requester, &entry) {
                    entry.elided()
                } else {
                    entry
                };
                bytes += entry.wire_size();
                origins.insert(entry.origin);
                batch.entries.push(entry);
                if bytes >= max_bytes || batch.entries.len() as u32 >= max_entries {
                    batch.more = true;
                    break 'heads;
                }
            }
        }
        let mut seen = BTreeSet::new();
        for origin in origins {
            for cert in self.trust.chain_of(origin) {
                if seen.insert(cert.node) {
                    batch.certificates.push(cert);
                }
            }
        }
        Ok(batch)
    }
}
