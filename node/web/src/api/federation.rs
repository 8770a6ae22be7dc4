//! Federation status: peers, per-origin heads with lag and digests, rejected entries.

use axum::Router;
use axum::routing::get;
use govnode_federation::now_ms;
use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::AppState;
use crate::common::error::ApiError;

/// The federation's JSON views for operators and for comparing nodes.
pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/federation/status", get(status))
        .route("/api/federation/digests", get(digests))
        .route("/api/federation/topology", get(topology))
}

/// GET /api/federation/status.
pub(super) async fn status(State(node): State<AppState>) -> Result<Json<Value>, ApiError> {
    Ok(Json(status_value(&node).await?))
}

/// The status document (shared by the JSON API and the HTML page).
pub(crate) async fn status_value(node: &AppState) -> Result<Value, ApiError> {
    let fed = &node.federation;
    let settings = fed.settings();
    let heads = fed.heads().await.map_err(ApiError::internal)?;
    let sync = node.sync.get();
    let known = sync.map(|s| s.known_heads()).unwrap_or_default();
    let now = now_ms();
    let origins: Vec<Value> = heads
        .iter()
        .map(|h| {
            let (known_seq, since) = known.get(&h.origin).copied().unwrap_or((h.seq, now));
            let lag = known_seq.saturating_sub(h.seq);
            json!({
                "origin": h.origin, "seq": h.seq, "digest": h.digest, "hlc": h.hlc,
                "updated_ms": h.updated_ms, "known_seq": known_seq.max(h.seq), "lag_entries": lag,
                "lag_seconds": if lag > 0 { (now - since).max(0) / 1000 } else { 0 },
            })
        })
        .collect();
    let (by_reason, recent) = fed.log().rejections(20).await.map_err(ApiError::internal)?;
    let (entries, bytes) = fed.log().size().await.map_err(ApiError::internal)?;
    let (sent, received) = sync.map(|s| s.bytes()).unwrap_or((0, 0));
    let sync_address = match sync {
        Some(s) => Some(s.listen_addr().await.to_string()),
        None => None,
    };
    Ok(json!({
        "node": fed.me(),
        "name": node.node.name,
        "tier": settings.tier,
        "parent": settings.parent,
        "aerial_roots": settings.aerial_roots,
        "sync_address": sync_address,
        "enrolled": !fed.own_chain().is_empty(),
        "public_key": node.node.public_key,
        "peers": sync.map(|s| s.peers()).unwrap_or_default(),
        "origins": origins,
        "rejected": {
            "total": by_reason.values().sum::<u64>(),
            "by_reason": by_reason,
            "recent": recent,
        },
        "log": { "entries": entries, "bytes": bytes },
        "outbox": node.federation.outbox_len().await.map_err(ApiError::internal)?,
        "wire": { "sent": sent, "received": received },
    }))
}

/// GET /api/federation/digests: origin → {seq, digest}, for comparing two nodes.
pub(super) async fn digests(State(node): State<AppState>) -> Result<Json<Value>, ApiError> {
    let heads = node.federation.heads().await.map_err(ApiError::internal)?;
    let map: BTreeMap<String, Value> = heads
        .into_iter()
        .map(|h| {
            (
                h.origin.to_string(),
                json!({ "seq": h.seq, "digest": h.digest }),
            )
        })
        .collect();
    Ok(Json(
        json!({ "node": node.federation.me(), "origins": map }),
    ))
}

/// Query of the topology endpoint.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TreeQuery {
    /// Ancestors of this node.
    ancestors: Option<String>,
    /// Subtree of this node.
    subtree: Option<String>,
    /// Path `from,to`.
    path: Option<String>,
}

fn node_id(field: &str, s: &str) -> Result<govnode_topology::NodeId, ApiError> {
    s.trim()
        .parse()
        .map_err(|e| ApiError::bad_request(format!("{field}: {e}")))
}

/// GET /api/federation/topology: the tree this node knows (from the province), and
/// ancestors, subtree or the path between two nodes.
pub(super) async fn topology(
    State(node): State<AppState>,
    crate::common::extract::ApiQuery(q): crate::common::extract::ApiQuery<TreeQuery>,
) -> Result<Json<Value>, ApiError> {
    let tree = node.federation.topology();
    let known = |field: &str, id: govnode_topology::NodeId| {
        if tree.contains(id) {
            Ok(id)
        } else {
            Err(ApiError::not_found(format!(
                "{field}: node {id} is not in the tree"
            )))
        }
    };
    let mut out = json!({ "root": tree.root(), "nodes": tree.nodes().collect::<Vec<_>>() });
    if let Some(a) = &q.ancestors {
        let id = known("ancestors", node_id("ancestors", a)?)?;
        out["ancestors"] = json!(tree.ancestors(id));
    }
    if let Some(s) = &q.subtree {
        let id = known("subtree", node_id("subtree", s)?)?;
        out["subtree"] = json!(tree.subtree(id));
    }
    if let Some(p) = &q.path {
        let (from, to) = p
            .split_once(',')
            .ok_or_else(|| ApiError::bad_request("path: give two node ids, `from,to`"))?;
        let from = known("path", node_id("path", from)?)?;
        let to = known("path", node_id("path", to)?)?;
        out["path"] = json!(tree.path(from, to));
    }
    Ok(Json(out))
}
