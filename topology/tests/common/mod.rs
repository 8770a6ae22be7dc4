//! Helpers shared by the topology tests.

use govnode_topology::{NodeId, Tier, Topology, TopologyNode};

pub fn id(s: &str) -> NodeId {
    s.parse().unwrap()
}

pub fn ids(list: &[&str]) -> Vec<NodeId> {
    list.iter().map(|s| id(s)).collect()
}

pub fn node(i: &str, tier: Tier, parent: Option<&str>) -> TopologyNode {
    TopologyNode::new(id(i), format!("节点{i}"), tier, parent.map(id))
}

/// 440000; 440100, 440300; 440103, 440106 under 440100; 440303, 440304 under 440300.
pub fn sample_nodes() -> Vec<TopologyNode> {
    vec![
        node("440303", Tier::County, Some("440300")),
        node("440106", Tier::County, Some("440100")),
        node("440000", Tier::Province, None),
        node("440300", Tier::City, Some("440000")),
        node("440103", Tier::County, Some("440100")),
        node("440100", Tier::City, Some("440000")),
        node("440304", Tier::County, Some("440300")),
    ]
}

pub fn sample() -> Topology {
    Topology::new(sample_nodes()).unwrap()
}
