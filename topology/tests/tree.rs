//! The authoritative topology tree: validation and serde.

mod common;

use common::{id, ids, node, sample, sample_nodes};
use govnode_topology::{Tier, Topology, TopologyError, TopologyNode};
/// The error `new` gives for these nodes, and its message.
fn rejected(nodes: Vec<TopologyNode>) -> (TopologyError, String) {
    let err = Topology::new(nodes).unwrap_err();
    let msg = err.to_string();
    (err, msg)
}

#[test]
fn rejects_empty_topology() {
    let (err, msg) = rejected(vec![]);
    assert_eq!(err, TopologyError::EmptyTopology);
    assert_eq!(
        msg,
        "the topology has no nodes; it needs at least the province"
    );
}

#[test]
fn rejects_empty_and_blank_names() {
    for name in ["", "  \t"] {
        let mut nodes = sample_nodes();
        nodes[1].name = name.into();
        let (err, msg) = rejected(nodes);
        assert_eq!(err, TopologyError::EmptyName(id("440106")));
        assert_eq!(msg, "node 440106 has an empty name");
    }
}

#[test]
fn rejects_duplicate_ids() {
    let mut nodes = sample_nodes();
    nodes.push(node("440106", Tier::County, Some("440300")));
    let (err, msg) = rejected(nodes);
    assert_eq!(err, TopologyError::DuplicateNode(id("440106")));
    assert_eq!(msg, "node 440106 appears twice in the topology");
}

#[test]
fn rejects_a_node_that_is_its_own_parent() {
    let mut nodes = sample_nodes();
    nodes[1].parent = Some(id("440106"));
    let (err, msg) = rejected(nodes);
    assert_eq!(err, TopologyError::OwnParent(id("440106")));
    assert_eq!(msg, "node 440106 names itself as its parent");
}

#[test]
fn rejects_unknown_parents() {
    let nodes = vec![
        node("440000", Tier::Province, None),
        node("440106", Tier::County, Some("440100")),
    ];
    let (err, msg) = rejected(nodes);
    assert_eq!(
        err,
        TopologyError::UnknownParent {
            node: id("440106"),
            parent: id("440100")
        }
    );
    assert_eq!(
        msg,
        "node 440106 names parent 440100, which is not in the topology"
    );
}

#[test]
fn rejects_a_tree_without_root() {
    let nodes = vec![
        node("440000", Tier::Province, Some("440100")),
        node("440100", Tier::City, Some("440000")),
    ];
    let (err, msg) = rejected(nodes);
    assert_eq!(err, TopologyError::NoRoot);
    assert!(msg.contains("no root"), "{msg}");
}

#[test]
fn rejects_several_roots() {
    let mut nodes = sample_nodes();
    nodes.push(node("450000", Tier::Province, None));
    nodes[4].parent = None; // 440103
    let (err, msg) = rejected(nodes);
    assert_eq!(
        err,
        TopologyError::SeveralRoots(ids(&["440000", "440103", "450000"]))
    );
    assert_eq!(
        msg,
        "the topology has several roots (440000, 440103, 450000): only the province may omit its parent"
    );
}

#[test]
fn rejects_a_root_that_is_not_a_province() {
    let nodes = vec![
        node("440100", Tier::City, None),
        node("440106", Tier::County, Some("440100")),
    ];
    let (err, msg) = rejected(nodes);
    assert_eq!(
        err,
        TopologyError::RootNotProvince {
            root: id("440100"),
            tier: Tier::City
        }
    );
    assert_eq!(
        msg,
        "the root 440100 is a city, but the root of a topology must be a province"
    );
}

#[test]
fn rejects_a_cycle_and_names_its_nodes() {
    let nodes = vec![
        node("440000", Tier::Province, None),
        node("440106", Tier::County, Some("440100")),
        node("440100", Tier::City, Some("440106")),
    ];
    let (err, msg) = rejected(nodes);
    assert_eq!(err, TopologyError::Cycle(ids(&["440100", "440106"])));
    assert_eq!(msg, "the topology has a cycle: 440100 → 440106 → 440100");
}

#[test]
fn several_cycles_terminate_and_report_one_deterministically() {
    // Two cycles (one of length three), a tail leading into one, and a valid branch.
    let mut nodes = vec![
        node("440000", Tier::Province, None),
        node("440100", Tier::City, Some("440000")),
        node("440301", Tier::County, Some("440302")),
        node("440302", Tier::County, Some("440303")),
        node("440303", Tier::County, Some("440301")),
        node("440305", Tier::County, Some("440301")),
        node("440201", Tier::County, Some("440202")),
        node("440202", Tier::County, Some("440201")),
    ];
    let expected = TopologyError::Cycle(ids(&["440201", "440202"]));
    assert_eq!(Topology::new(nodes.clone()).unwrap_err(), expected);
    nodes.reverse();
    assert_eq!(Topology::new(nodes.clone()).unwrap_err(), expected);
    nodes.retain(|n| !n.id.as_str().starts_with("4402"));
    let (err, msg) = rejected(nodes);
    assert_eq!(
        err,
        TopologyError::Cycle(ids(&["440301", "440302", "440303"]))
    );
    assert_eq!(
        msg,
        "the topology has a cycle: 440301 → 440302 → 440303 → 440301"
    );
}

#[test]
fn rejects_tiers_out_of_order() {
    let cases = [
        // city under city
        (
            node("440300", Tier::City, Some("440100")),
            Tier::City,
            "440100",
            Tier::City,
        ),
        // city under county
        (
            node("440300", Tier::City, Some("440106")),
            Tier::City,
            "440106",
            Tier::County,
        ),
        // county under county
        (
            node("440107", Tier::County, Some("440106")),
            Tier::County,
            "440106",
            Tier::County,
        ),
        // a second province below the first
        (
            node("450000", Tier::Province, Some("440000")),
            Tier::Province,
            "440000",
            Tier::Province,
        ),
    ];
    for (bad, tier, parent, parent_tier) in cases {
        let mut nodes = vec![
            node("440000", Tier::Province, None),
            node("440100", Tier::City, Some("440000")),
            node("440106", Tier::County, Some("440100")),
        ];
        let bad_id = bad.id;
        nodes.push(bad);
        let (err, msg) = rejected(nodes);
        assert_eq!(
            err,
            TopologyError::TierOrder {
                node: bad_id,
                tier,
                parent: id(parent),
                parent_tier
            }
        );
        assert_eq!(
            msg,
            format!(
                "node {bad_id} is a {tier} under {parent}, a {parent_tier}; a node's tier must be below its parent's"
            )
        );
    }
}

#[test]
fn serde_json_round_trip_is_a_plain_list() {
    let t = sample();
    let json = serde_json::to_string(&t).unwrap();
    assert!(
        json.starts_with(
            r#"[{"id":"440000","name":"节点440000","tier":"province","parent":null},"#
        ),
        "{json}"
    );
    let back: Topology = serde_json::from_str(&json).unwrap();
    assert_eq!(back, t);
    // Order in the payload does not matter, and the root may omit `parent`.
    let json = r#"[
        {"id": "440106", "name": "天河区", "tier": "county", "parent": "440100"},
        {"id": "440100", "name": "广州市", "tier": "city", "parent": "440000"},
        {"id": "440000", "name": "广东省", "tier": "province"}
    ]"#;
    let t: Topology = serde_json::from_str(json).unwrap();
    assert_eq!(t.path(id("440106"), id("440000")).unwrap().len(), 3);
}

#[test]
fn invalid_payloads_fail_to_deserialise() {
    let cycle = r#"[
        {"id": "440000", "name": "广东省", "tier": "province"},
        {"id": "440100", "name": "广州市", "tier": "city", "parent": "440106"},
        {"id": "440106", "name": "天河区", "tier": "county", "parent": "440100"}
    ]"#;
    let err = serde_json::from_str::<Topology>(cycle)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("the topology has a cycle: 440100 → 440106 → 440100"),
        "{err}"
    );
    let err = serde_json::from_str::<Topology>("[]")
        .unwrap_err()
        .to_string();
    assert!(err.contains("no nodes"), "{err}");
    let unknown_field = r#"[{"id": "440000", "name": "广东省", "tier": "province", "level": 1}]"#;
    assert!(serde_json::from_str::<Topology>(unknown_field).is_err());
    let bad_tier = r#"[{"id": "440000", "name": "广东省", "tier": "nation"}]"#;
    assert!(serde_json::from_str::<Topology>(bad_tier).is_err());
    let bad_id = r#"[{"id": "44", "name": "广东省", "tier": "province"}]"#;
    assert!(serde_json::from_str::<Topology>(bad_id).is_err());
}

#[derive(serde::Deserialize, serde::Serialize)]
struct Config {
    topology: Section,
}

#[derive(serde::Deserialize, serde::Serialize)]
struct Section {
    nodes: Topology,
}

#[test]
fn reads_and_writes_the_config_tables() {
    let text = r#"
        [[topology.nodes]]
        id = "440000"
        name = "广东省"
        tier = "province"

        [[topology.nodes]]
        id = "441900"
        name = "东莞市"
        tier = "county"
        parent = "440000"

        [[topology.nodes]]
        id = "440100"
        name = "广州市"
        tier = "city"
        parent = "440000"
    "#;
    let config: Config = toml::from_str(text).unwrap();
    let t = &config.topology.nodes;
    assert_eq!(t.children(id("440000")), ids(&["440100", "441900"]));
    let written = toml::to_string(&config).unwrap();
    let again: Config = toml::from_str(&written).unwrap();
    assert_eq!(&again.topology.nodes, t);

    let bad = text.replace("tier = \"city\"", "tier = \"city\"\n        ward = 1");
    assert!(toml::from_str::<Config>(&bad).is_err());
    let err = toml::from_str::<Config>(&text.replace("\"441900\"", "\"440000\""))
        .err()
        .unwrap();
    assert!(
        err.to_string()
            .contains("node 440000 appears twice in the topology"),
        "{err}"
    );
}
