//! The authoritative tree of a province's nodes.
//!
//! The province keeps it in its config as `[[topology.nodes]]` tables and distributes it
//! down the federation as a signed entry; either way it is a plain list of
//! [`TopologyNode`]s that [`Topology::new`] validates. The region codes alone only imply a
//! tree ([`Topology::implied`]); where the two differ this one is the authority.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::{NodeId, Tier, TopologyError};

/// One node of the province's tree, as written in a `[[topology.nodes]]` table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopologyNode {
    /// The node's region code.
    pub id: NodeId,
    /// Display name, e.g. 广州市.
    pub name: String,
    /// The node's tier; the tree, not the code, is the authority.
    pub tier: Tier,
    /// The node's parent; `None` only for the province at the root.
    // No `skip_serializing_if`: the signed payload may use a non-self-describing format.
    #[serde(default)]
    pub parent: Option<NodeId>,
}

impl TopologyNode {
    /// A node from its parts.
    pub fn new(id: NodeId, name: impl Into<String>, tier: Tier, parent: Option<NodeId>) -> Self {
        TopologyNode {
            id,
            name: name.into(),
            tier,
            parent,
        }
    }
}

/// A validated tree of nodes; serialises as the plain list of its nodes in preorder, so a
/// payload that fails validation fails to deserialise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<TopologyNode>", into = "Vec<TopologyNode>")]
pub struct Topology {
    /// The nodes in preorder from the root, children sorted by id.
    nodes: Vec<TopologyNode>,
    /// Id → position in `nodes`.
    index: HashMap<NodeId, usize>,
    /// Position of each node's parent.
    parent: Vec<Option<usize>>,
    /// Each node's children, sorted by id.
    children: Vec<Vec<NodeId>>,
    /// Distance from the root.
    depth: Vec<usize>,
    /// The subtree of the node at `i` is `nodes[i..end[i]]`.
    end: Vec<usize>,
}

impl Topology {
    /// Validates a list of nodes (in any order) and builds the tree.
    pub fn new(nodes: Vec<TopologyNode>) -> Result<Topology, TopologyError> {
        if nodes.is_empty() {
            return Err(TopologyError::EmptyTopology);
        }
        let mut index = HashMap::with_capacity(nodes.len());
        for (i, n) in nodes.iter().enumerate() {
            if n.name.trim().is_empty() {
                return Err(TopologyError::EmptyName(n.id));
            }
            if index.insert(n.id, i).is_some() {
                return Err(TopologyError::DuplicateNode(n.id));
            }
        }
        // Checked in id order so that the error reported does not depend on list order.
        let mut by_id: Vec<usize> = (0..nodes.len()).collect();
        by_id.sort_unstable_by_key(|&i| nodes[i].id);

        let mut parent = vec![None; nodes.len()];
        let mut roots = Vec::new();
        for &i in &by_id {
            let n = &nodes[i];
            match n.parent {
                None => roots.push(i),
                Some(p) if p == n.id => return Err(TopologyError::OwnParent(n.id)),
                Some(p) => match index.get(&p) {
                    Some(&pi) => parent[i] = Some(pi),
                    None => {
                        return Err(TopologyError::UnknownParent {
                            node: n.id,
                            parent: p,
                        });
                    }
                },
            }
        }
        let root = match roots[..] {
            [] => return Err(TopologyError::NoRoot),
            [r] => r,
            _ => {
                let ids = roots.iter().map(|&i| nodes[i].id).collect();
                return Err(TopologyError::SeveralRoots(ids));
            }
        };
        if nodes[root].tier != Tier::Province {
            return Err(TopologyError::RootNotProvince {
                root: nodes[root].id,
                tier: nodes[root].tier,
            });
        }
        if let Some(cycle) = find_cycle(&parent, &by_id) {
            let ids = cycle.iter().map(|&i| nodes[i].id).collect();
            return Err(TopologyError::Cycle(ids));
        }
        for &i in &by_id {
            if let Some(pi) = parent[i] {
                let (n, p) = (&nodes[i], &nodes[pi]);
                if n.tier <= p.tier {
                    return Err(TopologyError::TierOrder {
                        node: n.id,
                        tier: n.tier,
                        parent: p.id,
                        parent_tier: p.tier,
                    });
                }
            }
        }
        Ok(Self::build(nodes, &parent, &by_id, root))
    }

    /// Lays out a validated acyclic list in preorder and fills in the lookup tables.
    fn build(
        nodes: Vec<TopologyNode>,
        parent: &[Option<usize>],
        by_id: &[usize],
        root: usize,
    ) -> Topology {
        let n = nodes.len();
        // Visiting in id order makes each child list sorted.
        let mut kids = vec![Vec::new(); n];
        for &i in by_id {
            if let Some(p) = parent[i] {
                kids[p].push(i);
            }
        }
        let mut order = Vec::with_capacity(n);
        let mut stack = vec![root];
        while let Some(i) = stack.pop() {
            order.push(i);
            stack.extend(kids[i].iter().rev());
        }
        let mut pos = vec![0; n];
        for (p, &i) in order.iter().enumerate() {
            pos[i] = p;
        }
        let mut slots: Vec<Option<TopologyNode>> = nodes.into_iter().map(Some).collect();
        let nodes: Vec<TopologyNode> = order.iter().filter_map(|&i| slots[i].take()).collect();
        let parent: Vec<Option<usize>> = order.iter().map(|&i| parent[i].map(|p| pos[p])).collect();
        let children = order
            .iter()
            .map(|&i| kids[i].iter().map(|&k| nodes[pos[k]].id).collect())
            .collect();
        let mut depth = vec![0; n];
        for p in 1..n {
            depth[p] = parent[p].map_or(0, |q| depth[q] + 1);
        }
        let mut size = vec![1; n];
        for p in (1..n).rev() {
            if let Some(q) = parent[p] {
                size[q] += size[p];
            }
        }
        let end = (0..n).map(|p| p + size[p]).collect();
        let index = nodes
            .iter()
            .enumerate()
            .map(|(p, node)| (node.id, p))
            .collect();
        Topology {
            nodes,
            index,
            parent,
            children,
            depth,
            end,
        }
    }

    /// The tree implied by the region code alone: `id` and its implied ancestors, named by
    /// their codes; used before a node has received the province's tree.
    pub fn implied(id: NodeId) -> Topology {
        let mut chain = id.implied_ancestors();
        chain.reverse();
        chain.push(id);
        let nodes = chain
            .iter()
            .enumerate()
            .map(|(k, &n)| {
                TopologyNode::new(n, n.as_str(), n.tier(), k.checked_sub(1).map(|p| chain[p]))
            })
            .collect();
        Topology::new(nodes).expect("a code's implied chain is always a valid tree")
    }

    /// A synthetic tree for tests and benchmarks: `province`, cities `pp01 00`, `pp02 00`, …
    /// (one per entry of `counties_per_city`) and under city `kk` counties `ppkk01`, `ppkk02`, ….
    ///
    /// # Panics
    /// If there are more than 99 cities or more than 99 counties under one city.
    pub fn synthetic(province: NodeId, counties_per_city: &[usize]) -> Topology {
        assert!(
            counties_per_city.len() <= 99,
            "at most 99 cities fit a region code"
        );
        let root = province.province();
        let pp = &root.as_str()[..2];
        let code = |s: String| -> NodeId { s.parse().expect("synthetic codes are well formed") };
        let mut nodes = vec![TopologyNode::new(
            root,
            format!("省份{pp}"),
            Tier::Province,
            None,
        )];
        for (k, &counties) in counties_per_city.iter().enumerate() {
            assert!(counties <= 99, "at most 99 counties fit under one city");
            let kk = k + 1;
            let city = code(format!("{pp}{kk:02}00"));
            nodes.push(TopologyNode::new(
                city,
                format!("城市{kk:02}"),
                Tier::City,
                Some(root),
            ));
            for c in 1..=counties {
                let county = code(format!("{pp}{kk:02}{c:02}"));
                nodes.push(TopologyNode::new(
                    county,
                    format!("区县{kk:02}{c:02}"),
                    Tier::County,
                    Some(city),
                ));
            }
        }
        Topology::new(nodes).expect("a synthetic tree is valid")
    }

    /// A copy of `self` with `other`'s nodes added where `self` lacks them (e.g. to fold the
    /// implied chain into a received tree); `self` wins where both have a node. Revalidated.
    pub fn merge(&self, other: &Topology) -> Result<Topology, TopologyError> {
        let extra = other.nodes.iter().filter(|n| !self.contains(n.id));
        Topology::new(self.nodes.iter().chain(extra).cloned().collect())
    }

    /// The province at the root.
    pub fn root(&self) -> NodeId {
        self.nodes[0].id
    }

    /// The node with this id.
    pub fn get(&self, id: NodeId) -> Option<&TopologyNode> {
        self.pos(id).map(|p| &self.nodes[p])
    }

    /// Whether the tree has this node.
    pub fn contains(&self, id: NodeId) -> bool {
        self.index.contains_key(&id)
    }

    /// The number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Always false: a valid tree has at least its root.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The nodes in preorder from the root, children sorted by id.
    pub fn nodes(&self) -> impl Iterator<Item = &TopologyNode> {
        self.nodes.iter()
    }

    /// The node's parent (none for the root or an unknown id).
    pub fn parent(&self, id: NodeId) -> Option<NodeId> {
        let p = self.parent[self.pos(id)?]?;
        Some(self.nodes[p].id)
    }

    /// The node's children sorted by id (empty for a leaf or an unknown id).
    pub fn children(&self, id: NodeId) -> &[NodeId] {
        self.pos(id).map_or(&[], |p| &self.children[p])
    }

    /// The node's depth below the root (0 for the root).
    pub fn depth(&self, id: NodeId) -> Option<usize> {
        self.pos(id).map(|p| self.depth[p])
    }

    /// The node's ancestors, nearest first, itself excluded (empty for the root or unknown).
    pub fn ancestors(&self, id: NodeId) -> Vec<NodeId> {
        let mut out = Vec::new();
        let mut cur = self.pos(id).and_then(|p| self.parent[p]);
        while let Some(p) = cur {
            out.push(self.nodes[p].id);
            cur = self.parent[p];
        }
        out
    }

    /// Whether `ancestor` is a strict ancestor of `of`.
    pub fn is_ancestor(&self, ancestor: NodeId, of: NodeId) -> bool {
        ancestor != of && self.is_in_subtree(of, ancestor)
    }

    /// Whether `node` is `root_of_subtree` or one of its descendants.
    pub fn is_in_subtree(&self, node: NodeId, root_of_subtree: NodeId) -> bool {
        match (self.pos(node), self.pos(root_of_subtree)) {
            (Some(n), Some(r)) => self.within(n, r),
            _ => false,
        }
    }

    /// The node and its descendants in preorder, itself first (empty if unknown).
    pub fn subtree(&self, id: NodeId) -> Vec<NodeId> {
        self.pos(id)
            .map_or(&[][..], |p| &self.nodes[p..self.end[p]])
            .iter()
            .map(|n| n.id)
            .collect()
    }

    /// The deepest node that has both `a` and `b` in its subtree.
    pub fn lowest_common_ancestor(&self, a: NodeId, b: NodeId) -> Option<NodeId> {
        let (mut a, mut b) = (self.pos(a)?, self.pos(b)?);
        while self.depth[a] > self.depth[b] {
            a = self.up(a);
        }
        while self.depth[b] > self.depth[a] {
            b = self.up(b);
        }
        while a != b {
            (a, b) = (self.up(a), self.up(b));
        }
        Some(self.nodes[a].id)
    }

    /// The path through the tree from `from` to `to`, both included: up to their lowest
    /// common ancestor, then down. `[from]` when they are equal; `None` if either is unknown.
    pub fn path(&self, from: NodeId, to: NodeId) -> Option<Vec<NodeId>> {
        let (mut a, mut b) = (self.pos(from)?, self.pos(to)?);
        let (mut up, mut down) = (Vec::new(), Vec::new());
        while self.depth[a] > self.depth[b] {
            up.push(a);
            a = self.up(a);
        }
        while self.depth[b] > self.depth[a] {
            down.push(b);
            b = self.up(b);
        }
        while a != b {
            up.push(a);
            down.push(b);
            (a, b) = (self.up(a), self.up(b));
        }
        up.push(a);
        up.extend(down.into_iter().rev());
        Some(up.into_iter().map(|p| self.nodes[p].id).collect())
    }

    /// The neighbour of `from` on the path to `to` (`None` if they are equal or unknown).
    pub fn next_hop(&self, from: NodeId, to: NodeId) -> Option<NodeId> {
        let (f, mut t) = (self.pos(from)?, self.pos(to)?);
        if f == t {
            return None;
        }
        if !self.within(t, f) {
            return self.parent[f].map(|p| self.nodes[p].id);
        }
        while self.parent[t] != Some(f) {
            t = self.up(t);
        }
        Some(self.nodes[t].id)
    }

    /// Position of `id` in `nodes`.
    fn pos(&self, id: NodeId) -> Option<usize> {
        self.index.get(&id).copied()
    }

    /// Position of the parent of the node at `p` (the root stays put).
    fn up(&self, p: usize) -> usize {
        self.parent[p].unwrap_or(p)
    }

    /// Whether the node at `n` lies in the subtree of the node at `r`.
    fn within(&self, n: usize, r: usize) -> bool {
        (r..self.end[r]).contains(&n)
    }
}

/// The first cycle met when following parent links from each node in `order`, rotated to
/// start at its smallest position in `order`; each element's parent is the next. Linear time.
fn find_cycle(parent: &[Option<usize>], order: &[usize]) -> Option<Vec<usize>> {
    // Which walk first reached each node; a walk that ends without meeting itself leaves
    // only nodes that lead to the root.
    let mut walk: Vec<Option<usize>> = vec![None; parent.len()];
    let mut rank = vec![0; parent.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i] = r;
    }
    for (w, &start) in order.iter().enumerate() {
        let mut trail = Vec::new();
        let mut cur = Some(start);
        while let Some(i) = cur {
            match walk[i] {
                Some(v) if v == w => {
                    let at = trail.iter().position(|&t| t == i).unwrap_or(0);
                    let mut cycle = trail.split_off(at);
                    let min = (0..cycle.len())
                        .min_by_key(|&k| rank[cycle[k]])
                        .unwrap_or(0);
                    cycle.rotate_left(min);
                    return Some(cycle);
                }
                Some(_) => break,
                None => {
                    walk[i] = Some(w);
                    trail.push(i);
                    cur = parent[i];
                }
            }
        }
    }
    None
}

impl TryFrom<Vec<TopologyNode>> for Topology {
    type Error = TopologyError;
    fn try_from(nodes: Vec<TopologyNode>) -> Result<Self, Self::Error> {
        Topology::new(nodes)
    }
}

impl From<Topology> for Vec<TopologyNode> {
    fn from(t: Topology) -> Vec<TopologyNode> {
        t.nodes
    }
}
