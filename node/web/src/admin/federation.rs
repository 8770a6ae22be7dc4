//! `/admin/federation` (节点与同步): the operators' view of the tree from this node, in the
//! console — peers, each origin's log and how far behind it is, digests, rejected entries
//! and the outbox — with nodes by name and every state in Chinese. Platform admins and
//! auditors read it; nothing here changes anything.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use govnode_topology::{NodeId, Topology};
use serde_json::{Value, json};

use super::{Staff, now_ms, refused, render, shown};
use crate::AppState;
use crate::api::federation::status_value;

/// A rejection reason as operators read it.
pub fn reason_label(code: &str) -> &'static str {
    match code {
        "bad-hash" => "内容校验失败（哈希不符）",
        "bad-signature" => "签名无效",
        "unchained-certificate" => "证书链无法验证到省级根密钥",
        "equivocation" => "同一序号存在两条不同的条目",
        "refused" => "内容不符合本节点规则，未予采用",
        _ => "其他原因",
    }
}

/// A node by name ("广州市（440100）" only where the name is unknown is the code shown).
fn node_name(tree: &Topology, id: &str) -> String {
    match id.parse::<NodeId>().ok().and_then(|n| tree.get(n)) {
        Some(n) => n.name.clone(),
        None if id.is_empty() || id == "-" => "本节点".into(),
        None => format!("未知节点（{id}）"),
    }
}

/// How `peer` stands to this node in the tree.
fn relation(tree: &Topology, me: &str, peer: &str, aerial: &[String]) -> &'static str {
    let (Ok(me), Ok(peer_id)) = (me.parse::<NodeId>(), peer.parse::<NodeId>()) else {
        return "—";
    };
    if tree.parent(me) == Some(peer_id) {
        "上级节点"
    } else if aerial.iter().any(|a| a == peer) {
        "备用上联"
    } else if tree.parent(peer_id) == Some(me) {
        "下级节点"
    } else {
        "其他节点"
    }
}

/// Seconds ago, in words.
fn ago(now: i64, ms: Option<i64>) -> String {
    match ms {
        None => "从未".into(),
        Some(ms) => {
            let s = (now - ms).max(0) / 1000;
            match s {
                0..=59 => format!("{s} 秒前"),
                60..=3599 => format!("{} 分钟前", s / 60),
                _ => shown(ms),
            }
        }
    }
}

/// `GET /admin/federation`.
pub(super) async fn page(State(node): State<AppState>, staff: Staff) -> Response {
    let access = &staff.signed_in.access;
    let frame = staff.frame(&node.node);
    if !(access.is_platform_admin() || access.holds(govnode_accounts::Role::Auditor)) {
        return refused(
            StatusCode::FORBIDDEN,
            &frame,
            "只有平台管理员和审计员可以查看节点与同步状态",
            "/admin/",
        );
    }
    let s = match status_value(&node).await {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = ?e, "federation status failed");
            return refused(
                StatusCode::INTERNAL_SERVER_ERROR,
                &frame,
                "暂时无法读取同步状态，请稍后再试",
                "/admin/",
            );
        }
    };
    let tree = node.federation.topology();
    let now = now_ms();
    let me = s["node"].as_str().unwrap_or("").to_string();
    let aerial: Vec<String> = s["aerial_roots"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a.as_str().map(str::to_string))
        .collect();
    let str_of = |v: &Value| v.as_str().unwrap_or("").to_string();
    let peers: Vec<Value> = s["peers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let id = str_of(&p["node"]);
            json!({
                "name": if id.is_empty() { "尚未通报身份的节点".to_string() } else { node_name(&tree, &id) },
                "relation": relation(&tree, &me, &id, &aerial),
                "address": str_of(&p["address"]),
                "connected": p["connected"] == true,
                "direction": if p["outbound"] == true { "本节点发起" } else { "对方发起" },
                "last_contact": ago(now, p["last_contact_ms"].as_i64()),
                "received": p["entries_received"].as_u64().unwrap_or(0),
                "error": p["last_error"].as_str().map(|_| "最近一次通信出错（详见节点日志）"),
            })
        })
        .collect();
    let origins: Vec<Value> = s["origins"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|o| {
            let lag = o["lag_entries"].as_u64().unwrap_or(0);
            json!({
                "name": node_name(&tree, &str_of(&o["origin"])),
                "own": str_of(&o["origin"]) == me,
                "seq": o["seq"].as_u64().unwrap_or(0),
                "lag": lag,
                "lag_seconds": o["lag_seconds"].as_i64().unwrap_or(0),
                "digest": str_of(&o["digest"]).chars().take(12).collect::<String>(),
                "updated": ago(now, o["updated_ms"].as_i64()),
            })
        })
        .collect();
    let by_reason: Vec<Value> = s["rejected"]["by_reason"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(code, n)| json!({ "reason": reason_label(code), "count": n.as_u64().unwrap_or(0) }))
        .collect();
    let recent: Vec<Value> = s["rejected"]["recent"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            json!({
                "at": shown(r["at_ms"].as_i64().unwrap_or(0)),
                "origin": node_name(&tree, &str_of(&r["origin"])),
                "seq": r["seq"].as_u64().unwrap_or(0),
                "peer": node_name(&tree, &str_of(&r["peer"])),
                "reason": reason_label(&str_of(&r["reason"])),
            })
        })
        .collect();
    let tier = s["tier"]
        .as_str()
        .and_then(|t| serde_json::from_value::<govnode_topology::Tier>(json!(t)).ok())
        .map_or("—", |t| t.label());
    let parent = s["parent"].as_str().map(|p| node_name(&tree, p));
    render(
        StatusCode::OK,
        "federation.html",
        &frame,
        json!({
            "name": node_name(&tree, &me),
            "tier": tier,
            "parent": parent,
            "aerial": aerial.iter().map(|a| node_name(&tree, a)).collect::<Vec<_>>(),
            "enrolled": s["enrolled"] == true,
            "sync_address": s["sync_address"].as_str(),
            "log_entries": s["log"]["entries"].as_u64().unwrap_or(0),
            "log_mib": format!("{:.1}", s["log"]["bytes"].as_f64().unwrap_or(0.0) / 1_048_576.0),
            "outbox": s["outbox"].as_u64().unwrap_or(0),
            "peers": peers,
            "origins": origins,
            "rejected_total": s["rejected"]["total"].as_u64().unwrap_or(0),
            "by_reason": by_reason,
            "recent": recent,
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rejection_reason_the_federation_records_reads_in_chinese() {
        for code in [
            "bad-hash",
            "bad-signature",
            "unchained-certificate",
            "equivocation",
            "refused",
        ] {
            assert_ne!(reason_label(code), "其他原因", "{code}");
        }
    }
}
