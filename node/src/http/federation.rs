//! Federation status: peers, per-origin heads with lag and digests, rejected entries.

use govnode_federation::now_ms;
use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use super::error::ApiError;
use crate::Node;

/// GET /api/federation/status.
pub(super) async fn status(State(node): State<Arc<Node>>) -> Result<Json<Value>, ApiError> {
    Ok(Json(status_value(&node).await?))
}

/// The status document (shared by the JSON API and the HTML page).
async fn status_value(node: &Node) -> Result<Value, ApiError> {
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
        "outbox": node.federation.outbox_len().await.map_err(ApiError::internal)?,
        "wire": { "sent": sent, "received": received },
    }))
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
    State(node): State<Arc<Node>>,
    super::extract::ApiQuery(q): super::extract::ApiQuery<TreeQuery>,
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

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn ago(now: i64, ms: Option<i64>) -> String {
    match ms {
        Some(ms) => format!("{} 秒前", ((now - ms).max(0)) / 1000),
        None => "从未".into(),
    }
}

/// GET /federation: the status as an accessible HTML page for operators.
pub(super) async fn page(
    State(node): State<Arc<Node>>,
) -> Result<axum::response::Response, ApiError> {
    let s = status_value(&node).await?;
    let now = now_ms();
    let text = |v: &Value| match v {
        Value::String(s) => esc(s),
        Value::Null => "—".into(),
        other => esc(&other.to_string()),
    };
    let mut peers = String::new();
    for p in s["peers"].as_array().into_iter().flatten() {
        peers.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            text(&p["node"]),
            text(&p["address"]),
            if p["connected"] == true {
                "已连接"
            } else {
                "未连接"
            },
            ago(now, p["last_contact_ms"].as_i64()),
            text(&p["entries_received"]),
            text(&p["last_error"]),
        ));
    }
    if peers.is_empty() {
        peers.push_str("<tr><td colspan=\"6\">没有对等节点。</td></tr>");
    }
    let mut origins = String::new();
    for o in s["origins"].as_array().into_iter().flatten() {
        let digest = o["digest"].as_str().unwrap_or("");
        origins.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code title=\"{}\">{}</code></td><td>{}</td></tr>",
            text(&o["origin"]),
            text(&o["seq"]),
            text(&o["lag_entries"]),
            text(&o["lag_seconds"]),
            esc(digest),
            esc(digest.get(..12).unwrap_or(digest)),
            ago(now, o["updated_ms"].as_i64()),
        ));
    }
    let mut rejected = String::new();
    for (reason, n) in s["rejected"]["by_reason"].as_object().into_iter().flatten() {
        rejected.push_str(&format!("<li>{}：{}</li>", esc(reason), text(n)));
    }
    if rejected.is_empty() {
        rejected.push_str("<li>无</li>");
    }
    let name = text(&s["name"]);
    let body = format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{name}节点联邦状态</title><link rel=\"stylesheet\" href=\"/static/site.css\"></head><body>\
         <a class=\"skip-link\" href=\"#main\">跳到主要内容</a><header role=\"banner\" class=\"site-header\"><div class=\"wrap\"><p class=\"site-name\">{name}政府网站集约化平台</p></div></header>\
         <main id=\"main\" tabindex=\"-1\" class=\"wrap\"><h1>联邦状态</h1>\
         <dl class=\"meta\"><dt>节点</dt><dd>{id}（{tier}）</dd><dt>上级节点</dt><dd>{parent}</dd><dt>证书</dt><dd>{enrolled}</dd><dt>同步地址</dt><dd>{addr}</dd></dl>\
         <table><caption>对等节点</caption><thead><tr><th scope=\"col\">节点</th><th scope=\"col\">地址</th><th scope=\"col\">状态</th><th scope=\"col\">最近联系</th><th scope=\"col\">已接收条目</th><th scope=\"col\">最近错误</th></tr></thead><tbody>{peers}</tbody></table>\
         <table><caption>各来源节点的日志</caption><thead><tr><th scope=\"col\">来源节点</th><th scope=\"col\">已持有序号</th><th scope=\"col\">落后条目</th><th scope=\"col\">落后秒数</th><th scope=\"col\">摘要</th><th scope=\"col\">最近更新</th></tr></thead><tbody>{origins}</tbody></table>\
         <h2>被拒绝的条目（共 {total} 条）</h2><ul>{rejected}</ul>\
         <p><a href=\"/api/federation/status\">JSON 格式</a> · <a href=\"/api/federation/digests\">各来源摘要</a> · <a href=\"/\">本平台网站</a></p></main></body></html>\n",
        id = text(&s["node"]),
        tier = text(&s["tier"]),
        parent = text(&s["parent"]),
        enrolled = if s["enrolled"] == true {
            "已安装，链至省级根密钥"
        } else {
            "未安装（请在上级节点运行 govnode certify）"
        },
        addr = text(&s["sync_address"]),
        total = text(&s["rejected"]["total"]),
    );
    Ok(super::site::html(axum::http::StatusCode::OK, body))
}
