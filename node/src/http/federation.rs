//! Federation status: peers, per-origin heads with lag and digests, rejected entries.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use super::error::ApiError;
use crate::Node;

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// GET /api/federation/status.
pub(super) async fn status(State(node): State<Arc<Node>>) -> Result<Json<Value>, ApiError> {
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
    Ok(Json(json!({
        "node": fed.me(),
        "name": node.config.node.name,
        "tier": settings.tier,
        "parent": settings.parent,
        "aerial_roots": settings.aerial_roots,
        "sync_address": sync_address,
        "enrolled": !fed.own_chain().is_empty(),
        "public_key": node.key.public_hex(),
        "peers": sync.map(|s| s.peers()).unwrap_or_default(),
        "origins": origins,
        "rejected": {
            "total": by_reason.values().sum::<u64>(),
            "by_reason": by_reason,
            "recent": recent,
        },
        "log": { "entries": entries, "bytes": bytes },
        "wire": { "sent": sent, "received": received },
    })))
}

/// GET /api/federation/digests: origin → {seq, digest}, for comparing two nodes.
pub(super) async fn digests(State(node): State<Arc<Node>>) -> Result<Json<Value>, ApiError> {
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
