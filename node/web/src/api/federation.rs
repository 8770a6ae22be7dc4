//! Federation status: peers, per-origin heads with lag and digests, rejected entries.

use govnode_federation::Federation;
use govnode_federation::now_ms;
use std::collections::BTreeMap;
use std::sync::Arc;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::AppState;
use crate::api::openapi::ErrorBody;
use crate::common::error::ApiError;

/// The federation's JSON views for operators and for comparing nodes.
pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(status))
        .routes(routes!(digests))
        .routes(routes!(topology))
}

/// The federation's status
///
/// This node (id, name, tier, parent, aerial roots, sync address, enrolment, public key),
/// its peers (connected, last contact), per-origin heads with their lag in entries and
/// seconds and chained digests, rejected entries by reason and the latest ones, the log's
/// size, the outbox, bytes on the wire.
#[utoipa::path(
    get,
    path = "/api/federation/status",
    tag = "federation",
    operation_id = "federation_status",
    responses(
        (status = 200, description = "`{node, name, tier, parent, aerial_roots, sync_address, enrolled, public_key, peers, origins, rejected: {total, by_reason, recent}, log: {entries, bytes}, outbox, wire: {sent, received}}`; each origin `{origin, seq, digest, hlc, updated_ms, known_seq, lag_entries, lag_seconds}`", body = Object),
    ),
)]
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

/// Per-origin digests
///
/// Origin → its head's sequence number and the chained blake3 digest of its entries 1..seq:
/// two nodes at the same seq hold the same log if and only if the digests match.
#[utoipa::path(
    get,
    path = "/api/federation/digests",
    tag = "federation",
    responses(
        (status = 200, description = "`{node, origins: {<origin>: {seq, digest}}}`", body = Object),
    ),
)]
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
#[derive(Debug, serde::Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct TreeQuery {
    /// A node id: its ancestors, nearest first.
    #[param(pattern = r"^(0[1-9]|[1-9][0-9])(0000|(0[1-9]|[1-9][0-9])[0-9]{2})$")]
    ancestors: Option<String>,
    /// A node id: it and its descendants.
    #[param(pattern = r"^(0[1-9]|[1-9][0-9])(0000|(0[1-9]|[1-9][0-9])[0-9]{2})$")]
    subtree: Option<String>,
    /// `from,to`: the path between two nodes of the tree.
    #[param(
        pattern = r"^(0[1-9]|[1-9][0-9])(0000|(0[1-9]|[1-9][0-9])[0-9]{2}),(0[1-9]|[1-9][0-9])(0000|(0[1-9]|[1-9][0-9])[0-9]{2})$"
    )]
    path: Option<String>,
}

fn node_id(field: &str, s: &str) -> Result<govnode_topology::NodeId, ApiError> {
    s.trim()
        .parse()
        .map_err(|e| ApiError::bad_request(format!("{field}: {e}")))
}

/// The province's tree
///
/// As this node knows it (distributed by the root as an entry), and on request a node's
/// ancestors, its subtree or the path between two nodes.
#[utoipa::path(
    get,
    path = "/api/federation/topology",
    tag = "federation",
    params(TreeQuery),
    responses(
        (status = 200, description = "`{root, nodes}`, and `ancestors`, `subtree`, `path` as asked", body = Object),
        (status = 400, description = "A malformed node id or `path`, or an unknown parameter", body = ErrorBody),
        (status = 404, description = "A node not in the tree", body = ErrorBody),
    ),
)]
pub(super) async fn topology(
    State(federation): State<Arc<Federation>>,
    crate::common::extract::ApiQuery(q): crate::common::extract::ApiQuery<TreeQuery>,
) -> Result<Json<Value>, ApiError> {
    let tree = federation.topology();
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
