//! `GET /federation`: the federation's status as an accessible page for operators,
//! rendered from a template (auto-escaped) over the same document as the JSON status.

use std::sync::LazyLock;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use govnode_federation::now_ms;
use minijinja::Environment;
use serde_json::{Value, json};

use crate::AppState;
use crate::api::federation::status_value;
use crate::common::error::ApiError;
use crate::site::html;

static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.add_template("federation.html", include_str!("templates/federation.html"))
        .expect("the federation page template compiles");
    env
});

fn ago(now: i64, ms: Option<i64>) -> String {
    match ms {
        Some(ms) => format!("{} 秒前", ((now - ms).max(0)) / 1000),
        None => "从未".into(),
    }
}

/// A status value as the page shows it ("—" for none).
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "—".into(),
        other => other.to_string(),
    }
}

/// Node `code` by name (广州市), or "未知节点（code）" when this node knows no name for it.
fn named(node: &AppState, v: &Value) -> String {
    match v.as_str() {
        None => "—".into(),
        Some(code) => crate::common::places::node_name(node, code)
            .unwrap_or_else(|| format!("未知节点（{code}）")),
    }
}

/// The page.
pub(super) async fn page(State(node): State<AppState>) -> Result<Response, ApiError> {
    let s = status_value(&node).await?;
    let now = now_ms();
    let peers: Vec<Value> = s["peers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            json!({
                "node": named(&node, &p["node"]), "address": text(&p["address"]),
                "connected": p["connected"] == true, "last_contact": ago(now, p["last_contact_ms"].as_i64()),
                "entries_received": text(&p["entries_received"]), "last_error": text(&p["last_error"]),
            })
        })
        .collect();
    let origins: Vec<Value> = s["origins"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|o| {
            json!({
                "origin": named(&node, &o["origin"]), "seq": text(&o["seq"]), "lag_entries": text(&o["lag_entries"]),
                "lag_seconds": text(&o["lag_seconds"]), "digest": o["digest"].as_str().unwrap_or(""),
                "updated": ago(now, o["updated_ms"].as_i64()),
            })
        })
        .collect();
    let rejected: Vec<Value> = s["rejected"]["by_reason"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(reason, n)| json!({ "reason": crate::admin::rejection_reason(reason), "count": text(n) }))
        .collect();
    let ctx = json!({
        "name": text(&s["name"]), "id": named(&node, &s["node"]),
        "tier": s["tier"].as_str()
            .and_then(|t| serde_json::from_value::<govnode_topology::Tier>(json!(t)).ok())
            .map_or("—", |t| t.label()),
        "parent": if s["parent"].is_null() { "无（省级根节点）".to_string() } else { named(&node, &s["parent"]) }, "enrolled": s["enrolled"] == true,
        "sync_address": text(&s["sync_address"]), "peers": peers, "origins": origins,
        "rejected": rejected, "rejected_total": text(&s["rejected"]["total"]),
    });
    let body = TEMPLATES
        .get_template("federation.html")
        .and_then(|t| t.render(minijinja::Value::from(minijinja::value::Serde(&ctx))))
        .map_err(ApiError::internal)?;
    Ok(html(StatusCode::OK, body))
}
