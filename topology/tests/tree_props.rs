//! Property tests for the topology tree: paths on random trees, validation of random graphs.

use govnode_topology::{NodeId, Tier, Topology, TopologyError, TopologyNode};
use proptest::prelude::*;
use proptest::sample::Index;

fn code(s: String) -> NodeId {
    s.parse().unwrap()
}

/// A random province tree (cities with counties, plus directly administered counties),
/// listed in a random order.
fn random_tree() -> impl Strategy<Value = Vec<TopologyNode>> {
    (prop::collection::vec(0usize..5, 0..7), 0usize..3)
        .prop_map(|(cities, direct)| {
            let root = code("440000".into());
            let mut nodes = vec![TopologyNode::new(root, "省", Tier::Province, None)];
            for (k, &counties) in cities.iter().enumerate() {
                let city = code(format!("44{:02}00", k + 1));
                nodes.push(TopologyNode::new(city, "市", Tier::City, Some(root)));
                for c in 1..=counties {
                    let county = code(format!("44{:02}{c:02}", k + 1));
                    nodes.push(TopologyNode::new(county, "县", Tier::County, Some(city)));
                }
            }
            for d in 0..direct {
                let county = code(format!("44{:02}00", 90 + d));
                nodes.push(TopologyNode::new(
                    county,
                    "直管县",
                    Tier::County,
                    Some(root),
                ));
            }
            nodes
        })
        .prop_shuffle()
}

/// Checks that consecutive elements are parent and child, in either direction.
fn adjacent(t: &Topology, a: NodeId, b: NodeId) -> bool {
    t.parent(a) == Some(b) || t.parent(b) == Some(a)
}

proptest! {
    #[test]
    fn paths_on_random_trees(nodes in random_tree(), i in any::<Index>(), j in any::<Index>()) {
        let t = Topology::new(nodes.clone()).unwrap();
        prop_assert_eq!(t.len(), nodes.len());
        let all: Vec<NodeId> = t.nodes().map(|n| n.id).collect();
        let (a, b) = (*i.get(&all), *j.get(&all));

        let ab = t.path(a, b).unwrap();
        let mut ba = t.path(b, a).unwrap();
        ba.reverse();
        prop_assert_eq!(&ab, &ba);
        prop_assert_eq!(ab[0], a);
        prop_assert_eq!(*ab.last().unwrap(), b);
        for w in ab.windows(2) {
            prop_assert!(adjacent(&t, w[0], w[1]), "{} and {} are not adjacent", w[0], w[1]);
        }
        // A simple path: no node twice.
        let mut seen = ab.clone();
        seen.sort();
        seen.dedup();
        prop_assert_eq!(seen.len(), ab.len());

        let lca = t.lowest_common_ancestor(a, b).unwrap();
        prop_assert!(ab.contains(&lca));
        prop_assert!(t.is_in_subtree(a, lca) && t.is_in_subtree(b, lca));
        let (da, db, dl) = (t.depth(a).unwrap(), t.depth(b).unwrap(), t.depth(lca).unwrap());
        prop_assert_eq!(ab.len(), da + db - 2 * dl + 1);
        prop_assert_eq!(t.next_hop(a, b), ab.get(1).copied());

        prop_assert_eq!(t.is_ancestor(a, b), t.ancestors(b).contains(&a));
        prop_assert_eq!(t.is_in_subtree(b, a), t.subtree(a).contains(&b));
        prop_assert_eq!(t.ancestors(a).len(), da);
    }

    #[test]
    fn layout_and_serde_do_not_depend_on_input_order(nodes in random_tree()) {
        let t = Topology::new(nodes.clone()).unwrap();
        let mut sorted = nodes;
        sorted.sort_by_key(|n| n.id);
        prop_assert_eq!(&Topology::new(sorted).unwrap(), &t);
        let json = serde_json::to_string(&t).unwrap();
        prop_assert_eq!(&serde_json::from_str::<Topology>(&json).unwrap(), &t);
        // Preorder: every node comes after its parent and children are sorted.
        let order: Vec<NodeId> = t.nodes().map(|n| n.id).collect();
        prop_assert_eq!(t.subtree(t.root()), order.clone());
        for (k, n) in order.iter().enumerate() {
            if let Some(p) = t.parent(*n) {
                prop_assert!(order[..k].contains(&p));
            }
            prop_assert!(t.children(*n).windows(2).all(|w| w[0] < w[1]));
        }
    }

    /// Random parent links (self-links, several cycles, several roots) always end in a
    /// result; a reported cycle really is one. Node 0 is a province without parent; every
    /// other node mostly names another node as parent, sometimes none or itself.
    #[test]
    fn random_graphs_validate_without_hanging(
        links in prop::collection::vec((0usize..100, 0u8..3), 1..12),
    ) {
        let n = links.len();
        let id = |k: usize| code(format!("44{:02}00", k + 1));
        let tiers = [Tier::Province, Tier::City, Tier::County];
        let nodes: Vec<TopologyNode> = links
            .iter()
            .enumerate()
            .map(|(k, &(r, tier))| {
                let parent = match (k, r) {
                    (0, _) | (_, 0..3) => None,
                    (_, 3..5) => Some(id(k)),
                    _ => {
                        let other = r % (n - 1);
                        Some(id(if other >= k { other + 1 } else { other }))
                    }
                };
                let tier = if k == 0 { Tier::Province } else { tiers[tier as usize] };
                TopologyNode::new(id(k), "节点", tier, parent)
            })
            .collect();
        match Topology::new(nodes.clone()) {
            Ok(t) => {
                prop_assert_eq!(t.len(), n);
                prop_assert_eq!(t.subtree(t.root()).len(), n);
            }
            Err(TopologyError::Cycle(cycle)) => {
                prop_assert!(cycle.len() >= 2);
                let parent_of = |x: NodeId| nodes.iter().find(|m| m.id == x).and_then(|m| m.parent);
                for (k, &x) in cycle.iter().enumerate() {
                    prop_assert_eq!(parent_of(x), Some(cycle[(k + 1) % cycle.len()]));
                }
                prop_assert_eq!(cycle.iter().min(), Some(&cycle[0]));
            }
            Err(_) => {}
        }
    }
}
