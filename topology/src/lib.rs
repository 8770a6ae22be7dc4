//! The tree of nodes: node ids (GB/T 2260 region codes), tiers and implied parents.
//!
//! A node's id is its administrative division code. The code alone implies a parent
//! (440106 → 440100 → 440000); the federation's topology file (a later issue) is the
//! authority where the two differ, e.g. for directly administered counties.
//!
//! [`Topology`] is that authoritative tree: validated, serialisable as a plain list of
//! [`TopologyNode`]s, with ancestry, subtree and routing queries.

pub mod beijing;
pub mod markup;
mod tree;
pub mod whole;

pub use tree::{Topology, TopologyNode};

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Why a string is not a node id, or a list of nodes is not a valid topology.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TopologyError {
    /// Not six ASCII digits.
    #[error("node id `{0}` must be a six-digit GB/T 2260 region code, e.g. 440000")]
    NotSixDigits(String),
    /// The province part is 00 (the national level is not a node of a province).
    #[error("node id `{0}` has no province part (it starts with 00)")]
    NoProvince(String),
    /// A county-level code whose city part is 00, or similar impossible shapes.
    #[error("node id `{0}` names a county under city 00, which does not exist")]
    CountyWithoutCity(String),
    /// A topology must have at least the province.
    #[error("the topology has no nodes; it needs at least the province")]
    EmptyTopology,
    /// A node's name is empty or blank.
    #[error("node {0} has an empty name")]
    EmptyName(NodeId),
    /// The same id is listed more than once.
    #[error("node {0} appears twice in the topology")]
    DuplicateNode(NodeId),
    /// A node names itself as its parent.
    #[error("node {0} names itself as its parent")]
    OwnParent(NodeId),
    /// A node's parent is not listed.
    #[error("node {node} names parent {parent}, which is not in the topology")]
    UnknownParent {
        /// The node naming the parent.
        node: NodeId,
        /// The missing parent.
        parent: NodeId,
    },
    /// Every node names a parent, so none can be the root.
    #[error("the topology has no root: every node names a parent, but the province must have none")]
    NoRoot,
    /// More than one node lacks a parent (sorted ids).
    #[error(
        "the topology has several roots ({}): only the province may omit its parent",
        id_list(.0)
    )]
    SeveralRoots(Vec<NodeId>),
    /// The root's tier is not `province`.
    #[error("the root {root} is a {tier}, but the root of a topology must be a province")]
    RootNotProvince {
        /// The node without a parent.
        root: NodeId,
        /// Its declared tier.
        tier: Tier,
    },
    /// Nodes whose parents lead round in a circle; each names the next as its parent.
    #[error("the topology has a cycle: {}", cycle_text(.0))]
    Cycle(Vec<NodeId>),
    /// A node's tier is not strictly below its parent's (province > city > county).
    #[error(
        "node {node} is a {tier} under {parent}, a {parent_tier}; a node's tier must be below its parent's"
    )]
    TierOrder {
        /// The misplaced node.
        node: NodeId,
        /// Its declared tier.
        tier: Tier,
        /// Its parent.
        parent: NodeId,
        /// The parent's declared tier.
        parent_tier: Tier,
    },
}

/// `440000, 440100` for error messages.
fn id_list(ids: &[NodeId]) -> String {
    ids.iter()
        .map(NodeId::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// `440100 → 440106 → 440100` for error messages: the cycle closed on its first node.
fn cycle_text(ids: &[NodeId]) -> String {
    ids.iter()
        .chain(ids.first())
        .map(NodeId::as_str)
        .collect::<Vec<_>>()
        .join(" → ")
}

/// A node's administrative tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// The province's platform (root of the tree).
    Province,
    /// A prefecture-level city.
    City,
    /// A county or district.
    County,
}

impl Tier {
    /// The Chinese name of the tier.
    pub fn label(self) -> &'static str {
        match self {
            Tier::Province => "省级",
            Tier::City => "市级",
            Tier::County => "县级",
        }
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Tier::Province => "province",
            Tier::City => "city",
            Tier::County => "county",
        })
    }
}

/// A node id: a six-digit GB/T 2260 administrative division code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NodeId([u8; 6]);

impl NodeId {
    /// The code as text.
    pub fn as_str(&self) -> &str {
        // Constructed only from ASCII digits.
        std::str::from_utf8(&self.0).unwrap_or("000000")
    }

    /// The tier the code implies: xx0000 province, xxyy00 city, else county.
    pub fn tier(&self) -> Tier {
        if &self.0[2..] == b"0000" {
            Tier::Province
        } else if &self.0[4..] == b"00" {
            Tier::City
        } else {
            Tier::County
        }
    }

    /// The parent the code implies (none for a province).
    pub fn implied_parent(&self) -> Option<NodeId> {
        let mut p = self.0;
        match self.tier() {
            Tier::Province => None,
            Tier::City => {
                p[2..].copy_from_slice(b"0000");
                Some(NodeId(p))
            }
            Tier::County => {
                p[4..].copy_from_slice(b"00");
                Some(NodeId(p))
            }
        }
    }

    /// The ancestors the code implies, nearest first.
    pub fn implied_ancestors(&self) -> Vec<NodeId> {
        let mut out = Vec::new();
        let mut cur = self.implied_parent();
        while let Some(p) = cur {
            out.push(p);
            cur = p.implied_parent();
        }
        out
    }

    /// The province this code belongs to.
    pub fn province(&self) -> NodeId {
        let mut p = self.0;
        p[2..].copy_from_slice(b"0000");
        NodeId(p)
    }
}

impl FromStr for NodeId {
    type Err = TopologyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let b = s.as_bytes();
        if b.len() != 6 || !b.iter().all(u8::is_ascii_digit) {
            return Err(TopologyError::NotSixDigits(s.to_string()));
        }
        if &b[..2] == b"00" {
            return Err(TopologyError::NoProvince(s.to_string()));
        }
        if &b[2..4] == b"00" && &b[4..] != b"00" {
            return Err(TopologyError::CountyWithoutCity(s.to_string()));
        }
        let mut id = [0u8; 6];
        id.copy_from_slice(b);
        Ok(NodeId(id))
    }
}

impl TryFrom<String> for NodeId {
    type Error = TopologyError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<NodeId> for String {
    fn from(id: NodeId) -> String {
        id.as_str().to_string()
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_and_implied_parents() {
        let tianhe: NodeId = "440106".parse().unwrap();
        assert_eq!(tianhe.tier(), Tier::County);
        assert_eq!(tianhe.implied_parent().unwrap().as_str(), "440100");
        let gz = tianhe.implied_parent().unwrap();
        assert_eq!(gz.tier(), Tier::City);
        assert_eq!(gz.implied_parent().unwrap().as_str(), "440000");
        let gd: NodeId = "440000".parse().unwrap();
        assert_eq!(gd.tier(), Tier::Province);
        assert_eq!(gd.implied_parent(), None);
        let chain: Vec<String> = tianhe
            .implied_ancestors()
            .iter()
            .map(|n| n.to_string())
            .collect();
        assert_eq!(chain, ["440100", "440000"]);
        assert_eq!(tianhe.province(), gd);
    }

    #[test]
    fn rejects_malformed_codes() {
        for bad in [
            "",
            "44000",
            "4400000",
            "44a000",
            "000000",
            "440001",
            "４４００００",
        ] {
            assert!(bad.parse::<NodeId>().is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn serde_round_trip() {
        let id: NodeId = serde_json::from_str("\"440300\"").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"440300\"");
        assert!(serde_json::from_str::<NodeId>("\"44\"").is_err());
    }
}
