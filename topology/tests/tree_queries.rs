//! The authoritative topology tree: queries, implied and synthetic trees, merging.

mod common;

use common::{id, ids, node, sample, sample_nodes};
use govnode_topology::{NodeId, Tier, Topology, TopologyError, TopologyNode};

#[test]
fn layout_is_preorder_with_sorted_children() {
    let t = sample();
    assert_eq!(t.root(), id("440000"));
    assert_eq!(t.len(), 7);
    assert!(!t.is_empty());
    let order: Vec<NodeId> = t.nodes().map(|n| n.id).collect();
    assert_eq!(
        order,
        ids(&[
            "440000", "440100", "440103", "440106", "440300", "440303", "440304"
        ])
    );
    assert_eq!(t.children(id("440000")), ids(&["440100", "440300"]));
    assert_eq!(t.children(id("440300")), ids(&["440303", "440304"]));
    assert!(t.children(id("440106")).is_empty());
    assert!(t.children(id("449900")).is_empty());
    assert_eq!(t.get(id("440106")).unwrap().name, "节点440106");
    assert!(t.contains(id("440304")) && !t.contains(id("440305")));
    assert_eq!(t.depth(id("440000")), Some(0));
    assert_eq!(t.depth(id("440304")), Some(2));
    // The input order does not matter.
    let mut reversed = sample_nodes();
    reversed.reverse();
    assert_eq!(Topology::new(reversed).unwrap(), t);
}

#[test]
fn parents_ancestors_and_subtrees() {
    let t = sample();
    assert_eq!(t.parent(id("440106")), Some(id("440100")));
    assert_eq!(t.parent(id("440000")), None);
    assert_eq!(t.parent(id("449900")), None);
    assert_eq!(t.ancestors(id("440106")), ids(&["440100", "440000"]));
    assert_eq!(t.ancestors(id("440300")), ids(&["440000"]));
    assert!(t.ancestors(id("440000")).is_empty());
    assert!(t.ancestors(id("449900")).is_empty());

    assert!(t.is_ancestor(id("440000"), id("440106")));
    assert!(t.is_ancestor(id("440100"), id("440106")));
    assert!(!t.is_ancestor(id("440106"), id("440106")));
    assert!(!t.is_ancestor(id("440300"), id("440106")));
    assert!(!t.is_ancestor(id("440106"), id("440100")));
    assert!(!t.is_ancestor(id("449900"), id("440106")));

    assert!(t.is_in_subtree(id("440106"), id("440106")));
    assert!(t.is_in_subtree(id("440106"), id("440100")));
    assert!(t.is_in_subtree(id("440304"), id("440000")));
    assert!(!t.is_in_subtree(id("440304"), id("440100")));
    assert!(!t.is_in_subtree(id("440100"), id("440106")));
    assert!(!t.is_in_subtree(id("449900"), id("440000")));

    assert_eq!(
        t.subtree(id("440100")),
        ids(&["440100", "440103", "440106"])
    );
    assert_eq!(t.subtree(id("440304")), ids(&["440304"]));
    assert_eq!(t.subtree(id("440000")).len(), 7);
    assert!(t.subtree(id("449900")).is_empty());
}

#[test]
fn lowest_common_ancestors() {
    let t = sample();
    let lca = |a, b| t.lowest_common_ancestor(id(a), id(b));
    assert_eq!(lca("440103", "440106"), Some(id("440100")));
    assert_eq!(lca("440106", "440304"), Some(id("440000")));
    assert_eq!(lca("440106", "440100"), Some(id("440100")));
    assert_eq!(lca("440000", "440303"), Some(id("440000")));
    assert_eq!(lca("440303", "440303"), Some(id("440303")));
    assert_eq!(lca("440303", "449900"), None);
}

#[test]
fn paths_and_next_hops() {
    let t = sample();
    let path = |a, b| t.path(id(a), id(b));
    let hop = |a, b| t.next_hop(id(a), id(b));
    assert_eq!(
        path("440106", "440304"),
        Some(ids(&["440106", "440100", "440000", "440300", "440304"]))
    );
    assert_eq!(
        path("440304", "440106"),
        Some(ids(&["440304", "440300", "440000", "440100", "440106"]))
    );
    assert_eq!(
        path("440103", "440106"),
        Some(ids(&["440103", "440100", "440106"]))
    );
    assert_eq!(
        path("440000", "440106"),
        Some(ids(&["440000", "440100", "440106"]))
    );
    assert_eq!(
        path("440106", "440000"),
        Some(ids(&["440106", "440100", "440000"]))
    );
    assert_eq!(path("440300", "440300"), Some(ids(&["440300"])));
    assert_eq!(path("440300", "449900"), None);
    assert_eq!(path("449900", "440300"), None);

    assert_eq!(hop("440106", "440304"), Some(id("440100")));
    assert_eq!(hop("440000", "440304"), Some(id("440300")));
    assert_eq!(hop("440300", "440304"), Some(id("440304")));
    assert_eq!(hop("440300", "440106"), Some(id("440000")));
    assert_eq!(hop("440103", "440106"), Some(id("440100")));
    assert_eq!(hop("440300", "440300"), None);
    assert_eq!(hop("440300", "449900"), None);
}

#[test]
fn directly_administered_county_sits_under_the_province() {
    // 441900's code implies a city, but the tree declares it a county under the province.
    let mut nodes = sample_nodes();
    nodes.push(TopologyNode::new(
        id("441900"),
        "东莞市",
        Tier::County,
        Some(id("440000")),
    ));
    nodes.push(node("442000", Tier::County, Some("440000")));
    let t = Topology::new(nodes).unwrap();
    assert_eq!(t.get(id("441900")).unwrap().tier, Tier::County);
    assert_eq!(
        t.children(id("440000")),
        ids(&["440100", "440300", "441900", "442000"])
    );
    assert_eq!(t.ancestors(id("441900")), ids(&["440000"]));
    assert_eq!(
        t.path(id("441900"), id("440106")),
        Some(ids(&["441900", "440000", "440100", "440106"]))
    );
    assert_eq!(t.next_hop(id("440000"), id("441900")), Some(id("441900")));
    assert_eq!(t.subtree(id("441900")), ids(&["441900"]));
    // A county under a province is fine; a city under that county is not.
    let mut nodes: Vec<TopologyNode> = t.nodes().cloned().collect();
    nodes.push(node("441901", Tier::City, Some("441900")));
    assert!(matches!(
        Topology::new(nodes),
        Err(TopologyError::TierOrder { .. })
    ));
}

#[test]
fn implied_trees_follow_the_codes() {
    let t = Topology::implied(id("440106"));
    let got: Vec<(String, String, Tier, Option<NodeId>)> = t
        .nodes()
        .map(|n| (n.id.to_string(), n.name.clone(), n.tier, n.parent))
        .collect();
    assert_eq!(
        got,
        [
            ("440000".into(), "440000".into(), Tier::Province, None),
            (
                "440100".into(),
                "440100".into(),
                Tier::City,
                Some(id("440000"))
            ),
            (
                "440106".into(),
                "440106".into(),
                Tier::County,
                Some(id("440100"))
            ),
        ]
    );
    assert_eq!(Topology::implied(id("440300")).len(), 2);
    let province = Topology::implied(id("440000"));
    assert_eq!(province.len(), 1);
    assert_eq!(province.root(), id("440000"));
}

#[test]
fn merge_folds_in_missing_nodes_and_revalidates() {
    let t = sample();
    // A node not yet listed in the received tree adds itself under its implied city.
    let merged = t.merge(&Topology::implied(id("440105"))).unwrap();
    assert_eq!(merged.len(), 8);
    assert_eq!(
        merged.children(id("440100")),
        ids(&["440103", "440105", "440106"])
    );
    // Nodes both have keep the received tree's data.
    assert_eq!(merged.get(id("440100")).unwrap().name, "节点440100");
    assert_eq!(merged.get(id("440105")).unwrap().name, "440105");
    // Nothing to add: unchanged.
    assert_eq!(t.merge(&Topology::implied(id("440106"))).unwrap(), t);
    // A missing city comes along too.
    let merged = t.merge(&Topology::implied(id("440501"))).unwrap();
    assert_eq!(merged.ancestors(id("440501")), ids(&["440500", "440000"]));
    // Another province's chain cannot be folded in.
    assert_eq!(
        t.merge(&Topology::implied(id("450102"))).unwrap_err(),
        TopologyError::SeveralRoots(ids(&["440000", "450000"]))
    );
}

#[test]
fn synthetic_trees_have_the_requested_shape() {
    let t = Topology::synthetic(id("440000"), &[6; 21]);
    assert_eq!(t.len(), 1 + 21 + 126);
    assert_eq!(t.root(), id("440000"));
    assert_eq!(t.children(id("440000")).len(), 21);
    assert_eq!(t.children(id("440000"))[20], id("442100"));
    assert_eq!(
        t.children(id("440700")),
        ids(&["440701", "440702", "440703", "440704", "440705", "440706"])
    );
    assert_eq!(t.get(id("440100")).unwrap().name, "城市01");
    assert_eq!(t.get(id("442106")).unwrap().name, "区县2106");
    assert_eq!(t.get(id("442106")).unwrap().tier, Tier::County);
    assert_eq!(t.nodes().filter(|n| n.tier == Tier::County).count(), 126);

    let uneven = Topology::synthetic(id("450000"), &[0, 3]);
    assert_eq!(uneven.len(), 1 + 2 + 3);
    assert!(uneven.children(id("450100")).is_empty());
    assert_eq!(
        uneven.subtree(id("450200")),
        ids(&["450200", "450201", "450202", "450203"])
    );
    assert_eq!(Topology::synthetic(id("440000"), &[]).len(), 1);
}
