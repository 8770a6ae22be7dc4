//! A tree of nodes on one machine, planned up front: what `govnode init`, `certify` and
//! `install-cert` would do for every member, done at once. For each member it creates the
//! data dir, the node key, the certificate chain (leaf first, up to the province's
//! self-signed root) and the config (`govnode.toml`, also returned), with `[federation]`
//! links to the parent and aerial roots and, at the root, `[topology]` listing every member.
//!
//! The demo, the test harness and the benchmarks start their trees from it, in one process
//! or as separate `govnode serve` processes (each data dir is a complete node).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use govnode_federation::{Certificate, NodeKey, chain_to_text};
use govnode_topology::{NodeId, Tier, Topology, TopologyNode};

use crate::config::{CONFIG_FILE, FederationSection, Link, TopologySection};
use crate::replication::CHAIN_FILE;
use crate::{Config, NodeError};

/// One node of the tree to plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Node id.
    pub id: NodeId,
    /// Display name.
    pub name: String,
    /// Tier (by default the one the id implies).
    pub tier: Tier,
    /// Parent (`None` only for the root).
    pub parent: Option<NodeId>,
    /// Aerial roots: higher ancestors to sync with while the parent is unreachable.
    pub aerial: Vec<NodeId>,
}

impl Member {
    /// A member from its parts, the tier implied by the id.
    pub fn new(id: NodeId, name: impl Into<String>, parent: Option<NodeId>) -> Member {
        Member {
            id,
            name: name.into(),
            tier: id.tier(),
            parent,
            aerial: Vec::new(),
        }
    }

    /// A member from text ids (`"440106"`), for literal trees.
    pub fn parse(
        id: &str,
        name: &str,
        parent: Option<&str>,
        aerial: &[&str],
    ) -> Result<Member, NodeError> {
        let parse = |s: &str| -> Result<NodeId, NodeError> {
            s.parse()
                .map_err(|e| NodeError::Config(format!("node id `{s}`: {e}")))
        };
        let mut m = Member::new(parse(id)?, name, parent.map(parse).transpose()?);
        m.aerial = aerial.iter().map(|a| parse(a)).collect::<Result<_, _>>()?;
        Ok(m)
    }

    /// With these aerial roots.
    pub fn with_aerial(mut self, aerial: Vec<NodeId>) -> Member {
        self.aerial = aerial;
        self
    }

    /// Every node of a topology as a member, in its preorder (root first), without aerial roots.
    pub fn from_topology(topology: &Topology) -> Vec<Member> {
        topology
            .nodes()
            .map(|n| Member {
                id: n.id,
                name: n.name.clone(),
                tier: n.tier,
                parent: n.parent,
                aerial: Vec::new(),
            })
            .collect()
    }
}

/// Choices for the plan; anything not given gets a default.
#[derive(Debug, Clone)]
pub struct PlanOptions {
    /// Sync listen address per node; the others get a free port on 127.0.0.1.
    pub sync: BTreeMap<NodeId, SocketAddr>,
    /// HTTP listen address per node (written to the config); the others keep the default.
    pub http: BTreeMap<NodeId, SocketAddr>,
    /// Seconds between anti-entropy rounds in every config.
    pub anti_entropy_secs: u64,
    /// Validity of the certificates, in days.
    pub cert_days: i64,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            sync: BTreeMap::new(),
            http: BTreeMap::new(),
            anti_entropy_secs: 30,
            cert_days: 3650,
        }
    }
}

/// One planned node: its data dir (key, chain and config written) and its config.
#[derive(Debug, Clone)]
pub struct PlannedNode {
    /// The member.
    pub member: Member,
    /// Its data dir.
    pub data_dir: PathBuf,
    /// Its config (also written to `govnode.toml` in the data dir).
    pub config: Config,
    /// Its public key.
    pub public_key: [u8; 32],
}

impl PlannedNode {
    /// The node's sync listen address.
    pub fn sync_addr(&self) -> SocketAddr {
        self.config
            .federation
            .as_ref()
            .map(|f| f.listen)
            .expect("a planned node has [federation]")
    }
}

/// A planned tree.
#[derive(Debug, Clone)]
pub struct LocalTree {
    /// The root's public key (every config's `federation.root_key`).
    pub root_key: [u8; 32],
    /// The nodes in the order the members were given (root first).
    pub nodes: Vec<PlannedNode>,
}

/// A free TCP port on 127.0.0.1, for a node to bind later.
///
/// It is taken below the kernel's ephemeral range (`net.ipv4.ip_local_port_range`), so no
/// port-0 bind and no outgoing connection of this machine can be given it in the meantime
/// (with 144 nodes dialling their parents, one would). Ports are tried from a random
/// point, then in turn within the process, and each is bound and released: another
/// process could still take it first.
pub fn free_local_addr() -> Result<SocketAddr, NodeError> {
    static NEXT: AtomicU32 = AtomicU32::new(u32::MAX);
    let (lo, hi) = below_ephemeral();
    if hi > lo {
        let span = hi - lo;
        if NEXT.load(Ordering::Relaxed) == u32::MAX {
            let seed = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos())
                ^ std::process::id().wrapping_mul(2_654_435_761);
            let _ =
                NEXT.compare_exchange(u32::MAX, seed % span, Ordering::Relaxed, Ordering::Relaxed);
        }
        for _ in 0..span.min(2000) {
            let port = lo + NEXT.fetch_add(1, Ordering::Relaxed) % span;
            if let Ok(l) = std::net::TcpListener::bind(("127.0.0.1", port as u16)) {
                return Ok(l.local_addr()?);
            }
        }
    }
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?)
}

/// Ports from 10000 up to the start of the kernel's ephemeral range (49152 where unknown).
fn below_ephemeral() -> (u32, u32) {
    let start = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|t| t.split_whitespace().next()?.parse::<u32>().ok())
        .unwrap_or(49_152);
    (10_000, start.min(65_536))
}

impl LocalTree {
    /// Plans the tree in `base`, one data dir per member at `base/<id>`.
    pub fn create(
        base: &Path,
        members: &[Member],
        opts: &PlanOptions,
    ) -> Result<LocalTree, NodeError> {
        Self::create_with_dirs(members, |m| base.join(m.id.as_str()), opts)
    }

    /// Plans the tree with each member's data dir given by `dir_of` (created if absent;
    /// it must not already hold a node key).
    pub fn create_with_dirs(
        members: &[Member],
        mut dir_of: impl FnMut(&Member) -> PathBuf,
        opts: &PlanOptions,
    ) -> Result<LocalTree, NodeError> {
        let topology = validate(members)?;
        let bad = |m: String| NodeError::Config(m);
        let mut keys: BTreeMap<NodeId, NodeKey> = BTreeMap::new();
        let mut dirs: BTreeMap<NodeId, PathBuf> = BTreeMap::new();
        for m in members {
            let dir = dir_of(m);
            std::fs::create_dir_all(&dir)?;
            keys.insert(m.id, NodeKey::create(&dir)?);
            dirs.insert(m.id, dir);
        }
        let root = &members[0];
        let root_key = keys[&root.id].public_bytes();
        // Valid from a minute ago: clocks of one machine agree, but not to the millisecond.
        let from = chrono::Utc::now().timestamp_millis() - 60_000;
        let to = from + opts.cert_days.max(1) * 86_400_000;
        let certs: BTreeMap<NodeId, Certificate> = members
            .iter()
            .map(|m| {
                let cert = match m.parent {
                    None => Certificate::issue(
                        &keys[&m.id],
                        m.id,
                        m.id,
                        Tier::Province,
                        root_key,
                        None,
                        from,
                        to,
                    ),
                    Some(p) => Certificate::issue(
                        &keys[&p],
                        p,
                        m.id,
                        m.tier,
                        keys[&m.id].public_bytes(),
                        Some(p),
                        from,
                        to,
                    ),
                };
                (m.id, cert)
            })
            .collect();
        let mut sync = BTreeMap::new();
        for m in members {
            let addr = match opts.sync.get(&m.id) {
                Some(a) => *a,
                None => free_local_addr()?,
            };
            sync.insert(m.id, addr);
        }
        let link = |id: NodeId| Link {
            id,
            address: sync[&id],
        };
        let section = TopologySection {
            nodes: topology.nodes().cloned().collect(),
        };
        let mut nodes = Vec::with_capacity(members.len());
        for m in members {
            let dir = &dirs[&m.id];
            let mut chain = vec![certs[&m.id].clone()];
            for a in topology.ancestors(m.id) {
                chain.push(certs[&a].clone());
            }
            std::fs::write(dir.join(CHAIN_FILE), chain_to_text(&chain))?;
            let mut config = Config::new(m.id, &m.name);
            if let Some(addr) = opts.http.get(&m.id) {
                config.http.listen = *addr;
            }
            let mut f = FederationSection::with_defaults(sync[&m.id], hex::encode(root_key));
            f.tier = (m.tier != m.id.tier()).then_some(m.tier);
            f.parent = m.parent.map(link);
            f.aerial_roots = m.aerial.iter().copied().map(link).collect();
            f.anti_entropy_secs = opts.anti_entropy_secs.max(1);
            config.federation = Some(f);
            if m.parent.is_none() {
                config.topology = Some(section.clone());
            }
            std::fs::write(dir.join(CONFIG_FILE), config.to_commented_toml())
                .map_err(|e| bad(format!("writing {}: {e}", dir.join(CONFIG_FILE).display())))?;
            nodes.push(PlannedNode {
                member: m.clone(),
                data_dir: dir.clone(),
                config,
                public_key: keys[&m.id].public_bytes(),
            });
        }
        Ok(LocalTree { root_key, nodes })
    }

    /// A planned node by id.
    pub fn get(&self, id: NodeId) -> Option<&PlannedNode> {
        self.nodes.iter().find(|n| n.member.id == id)
    }

    /// The root.
    pub fn root(&self) -> &PlannedNode {
        &self.nodes[0]
    }
}

/// The members as a validated tree: the first is the root, ids are unique, every parent
/// and aerial root is a member, and every aerial root is an ancestor.
fn validate(members: &[Member]) -> Result<Topology, NodeError> {
    let bad = |m: String| NodeError::Config(format!("tree: {m}"));
    let Some(root) = members.first() else {
        return Err(bad("no members".into()));
    };
    if root.parent.is_some() {
        return Err(bad(format!(
            "the first member, {}, must be the root (no parent)",
            root.id
        )));
    }
    let topology = Topology::new(
        members
            .iter()
            .map(|m| TopologyNode::new(m.id, m.name.clone(), m.tier, m.parent))
            .collect(),
    )
    .map_err(|e| bad(e.to_string()))?;
    for m in members {
        for a in &m.aerial {
            if !topology.is_ancestor(*a, m.id) {
                return Err(bad(format!(
                    "aerial root {a} of {} is not one of its ancestors",
                    m.id
                )));
            }
        }
    }
    Ok(topology)
}

#[cfg(test)]
mod tests {
    use super::*;
    use govnode_federation::chain_from_file;

    #[test]
    fn plans_keys_chains_and_configs_that_load_back() {
        let base = tempfile::tempdir().unwrap();
        let members = vec![
            Member::parse("440000", "广东省", None, &[]).unwrap(),
            Member::parse("440100", "广州市", Some("440000"), &[]).unwrap(),
            Member::parse("440106", "天河区", Some("440100"), &["440000"]).unwrap(),
        ];
        let mut opts = PlanOptions::default();
        let fixed: SocketAddr = "127.0.0.1:17999".parse().unwrap();
        opts.sync.insert(members[1].id, fixed);
        opts.anti_entropy_secs = 2;
        let tree = LocalTree::create(base.path(), &members, &opts).unwrap();
        assert_eq!(tree.nodes.len(), 3);
        assert_eq!(tree.nodes[1].sync_addr(), fixed);
        let county = &tree.nodes[2];
        let loaded = Config::load(&county.data_dir.join(CONFIG_FILE)).unwrap();
        let f = loaded.federation.unwrap();
        assert_eq!(f.root_key, hex::encode(tree.root_key));
        assert_eq!(f.parent.unwrap().address, fixed);
        assert_eq!(f.aerial_roots[0].address, tree.nodes[0].sync_addr());
        assert_eq!(f.anti_entropy_secs, 2);
        let chain = chain_from_file(&county.data_dir.join(CHAIN_FILE)).unwrap();
        let ids: Vec<&str> = chain.iter().map(|c| c.node.as_str()).collect();
        assert_eq!(ids, ["440106", "440100", "440000"]);
        assert_eq!(chain[0].public_key, county.public_key);
        assert_eq!(chain[2].public_key, tree.root_key);
        let root = Config::load(&tree.nodes[0].data_dir.join(CONFIG_FILE)).unwrap();
        assert_eq!(root.topology.unwrap().nodes.len(), 3);
        assert!(loaded.topology.is_none());
        // The same dirs cannot be planned twice: the keys exist.
        assert!(LocalTree::create(base.path(), &members, &opts).is_err());
    }

    #[test]
    fn refuses_bad_trees() {
        let base = tempfile::tempdir().unwrap();
        let opts = PlanOptions::default();
        let county_first = vec![Member::parse("440106", "天河区", Some("440100"), &[]).unwrap()];
        assert!(LocalTree::create(base.path(), &county_first, &opts).is_err());
        let stray_aerial = vec![
            Member::parse("440000", "广东省", None, &[]).unwrap(),
            Member::parse("440100", "广州市", Some("440000"), &[]).unwrap(),
            Member::parse("440300", "深圳市", Some("440000"), &[]).unwrap(),
            Member::parse("440106", "天河区", Some("440100"), &["440300"]).unwrap(),
        ];
        let err = LocalTree::create(base.path(), &stray_aerial, &opts).unwrap_err();
        assert!(
            err.to_string().contains("not one of its ancestors"),
            "{err}"
        );
        assert!(!base.path().join("440000").exists(), "nothing written");
    }
}
