//! Nodes and regions by name, as every page shows them (广州市, 广东省广州市天河区), from
//! the tree this node knows: one place, so no page ever shows a bare code.

use govnode_topology::NodeId;

use crate::AppState;

/// The name of node (region) `code`, if this node knows one (a name that is only digits
/// is a code, not a name).
pub fn node_name(node: &AppState, code: &str) -> Option<String> {
    let id: NodeId = code.parse().ok()?;
    let tree = node.federation.topology();
    let named = |n: &str| !n.is_empty() && !n.bytes().all(|b| b.is_ascii_digit());
    match tree.get(id).map(|n| n.name.as_str()).filter(|n| named(n)) {
        Some(name) => Some(name.to_string()),
        None if id == node.node.id && named(&node.node.name) => Some(node.node.name.clone()),
        None => None,
    }
}

/// A region's full name from the province down (广东省广州市天河区), from the names this
/// node knows; None when it knows none.
pub fn region_name(node: &AppState, code: &str) -> Option<String> {
    let id: NodeId = code.parse().ok()?;
    let tree = node.federation.topology();
    let mut chain = if tree.contains(id) {
        tree.ancestors(id)
    } else {
        id.implied_ancestors()
    };
    chain.reverse();
    chain.push(id);
    let names: Vec<String> = chain
        .iter()
        .filter_map(|c| node_name(node, c.as_str()))
        .collect();
    (!names.is_empty()).then(|| names.concat())
}
