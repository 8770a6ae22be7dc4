//! Search scopes (一网通查): which shards (origins) a query covers, which of them this
//! node holds, and what is missing. A shard is the part of the index from one origin;
//! a node holds its own, its subtree's (replicated up) and its ancestors' (lineage).

use axum::Json;
use axum::extract::State;
use govnode_topology::NodeId;
use serde_json::{Value, json};

use crate::AppState;
use crate::common::error::ApiError;

/// Query kind of routed searches.
pub const SEARCH_QUERY: &str = "search";
/// How long a forwarded search may take before the local partial answer is used.
const FORWARD_DEADLINE: std::time::Duration = std::time::Duration::from_secs(3);

/// A resolved scope.
#[derive(Debug)]
pub(crate) struct Scope {
    /// As the caller named it.
    pub name: String,
    /// Origins to search (None: no origin filter).
    pub origins: Option<Vec<String>>,
    /// Origins the scope covers that this node does not hold.
    pub missing: Vec<String>,
    /// The region the scope covers (the root for `province`), when it is a subtree.
    pub region: Option<NodeId>,
}

/// Resolves `scope` (site, node, region:{id}, province; absent: everything held).
pub(crate) fn resolve(
    node: &AppState,
    scope: Option<&str>,
    site: Option<&str>,
) -> Result<Scope, ApiError> {
    let fed = &node.federation;
    let me = fed.me();
    let tree = fed.topology();
    let split = |needed: Vec<NodeId>, name: String, region: NodeId| {
        let (held, missing): (Vec<NodeId>, Vec<NodeId>) =
            needed.into_iter().partition(|o| fed.related(me, *o));
        Scope {
            name,
            origins: Some(held.iter().map(NodeId::to_string).collect()),
            missing: missing.iter().map(NodeId::to_string).collect(),
            region: Some(region),
        }
    };
    match scope.map(str::trim) {
        None | Some("") => Ok(Scope {
            name: if site.is_some() {
                "site".into()
            } else {
                "held".into()
            },
            origins: None,
            missing: Vec::new(),
            region: None,
        }),
        Some("site") => {
            if site.is_none() {
                return Err(ApiError::bad_request(
                    "scope: `site` needs the `site` parameter",
                ));
            }
            Ok(Scope {
                name: "site".into(),
                origins: None,
                missing: Vec::new(),
                region: None,
            })
        }
        Some("node") => Ok(Scope {
            name: "node".into(),
            origins: Some(vec![me.to_string()]),
            missing: Vec::new(),
            region: None,
        }),
        Some("province") => Ok(split(
            tree.nodes().map(|n| n.id).collect(),
            "province".into(),
            tree.root(),
        )),
        Some(other) => match other.strip_prefix("region:") {
            Some(id) => {
                let id: NodeId = id
                    .parse()
                    .map_err(|e| ApiError::bad_request(format!("scope: {e}")))?;
                if !tree.contains(id) {
                    return Err(ApiError::not_found(format!(
                        "scope: region {id} is not in the tree"
                    )));
                }
                Ok(split(tree.subtree(id), format!("region:{id}"), id))
            }
            None => Err(ApiError::bad_request(format!(
                "scope: `{other}` is not a scope (site, node, region:<id>, province)"
            ))),
        },
    }
}

/// GET /api/search/shards: the shards this node holds and how fresh each is.
pub(super) async fn shards(State(node): State<AppState>) -> Result<Json<Value>, ApiError> {
    let fed = &node.federation;
    let me = fed.me();
    let tree = fed.topology();
    let heads = fed.heads().await.map_err(ApiError::internal)?;
    let documents = node.content.count_published_by_origin().await?;
    let list: Vec<Value> = heads
        .iter()
        .filter(|h| fed.related(me, h.origin))
        .map(|h| {
            let role = if h.origin == me {
                "own"
            } else if fed.is_ancestor(me, h.origin) {
                "subtree"
            } else {
                "lineage"
            };
            json!({
                "shard": h.origin, "name": tree.get(h.origin).map(|n| n.name.clone()),
                "tier": tree.get(h.origin).map_or(h.origin.tier(), |n| n.tier), "held_as": role,
                "entries": h.seq, "last_entry_ms": govnode_federation::millis_of(h.hlc), "updated_ms": h.updated_ms,
                "documents": documents.get(h.origin.as_str()).copied().unwrap_or(0),
            })
        })
        .collect();
    Ok(Json(json!({ "node": me, "shards": list })))
}

/// Sends a search whose scope this node does not hold to the lowest ancestor that holds
/// it (the lowest common ancestor of this node and the region), then further up the tree.
pub(crate) async fn forward(
    node: &AppState,
    scope: &Scope,
    params: &std::collections::HashMap<String, String>,
) -> Result<Value, String> {
    let sync = node.sync.get().ok_or("this node does not sync")?;
    let region = scope.region.ok_or("only subtree scopes are forwarded")?;
    let fed = &node.federation;
    let tree = fed.topology();
    let lowest = tree
        .lowest_common_ancestor(fed.me(), region)
        .ok_or("the region is not in this node's tree")?;
    let mut candidates = vec![lowest];
    candidates.extend(tree.ancestors(lowest));
    let body = serde_json::to_vec(params).map_err(|e| e.to_string())?;
    let mut last = String::new();
    for target in candidates {
        match sync
            .query(target, SEARCH_QUERY, body.clone(), FORWARD_DEADLINE)
            .await
        {
            Ok(bytes) => {
                let answer: Value = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
                if answer["partial"] == false {
                    return Ok(answer);
                }
                last = format!("{target} holds only part of it");
            }
            Err(e) => last = e.to_string(),
        }
    }
    Err(last)
}

/// Answers searches routed to this node (never forwarding them again).
pub(crate) struct SearchQueries(pub std::sync::Weak<AppState>);

impl govnode_federation::QueryHandler for SearchQueries {
    fn answer(
        &self,
        body: Vec<u8>,
    ) -> govnode_federation::BoxFuture<'static, Result<Vec<u8>, String>> {
        let node = self.0.upgrade();
        Box::pin(async move {
            let node = node.ok_or("the node is stopping")?;
            let params: std::collections::HashMap<String, String> =
                serde_json::from_slice(&body).map_err(|e| format!("bad search request: {e}"))?;
            let answer = super::search::search_json(&node, &params, false)
                .await
                .map_err(|e| e.message)?;
            serde_json::to_vec(&answer).map_err(|e| e.to_string())
        })
    }
}
