//! Public JSON API (search), blobs, health, metrics, the stylesheet and the OpenAPI document.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use govnode_search::{SearchQuery, SearchResults};
use serde_json::json;

use super::error::ApiError;
use crate::Node;

/// Runs a search on the blocking pool, recording metrics.
pub async fn run_search(node: &Arc<Node>, q: SearchQuery) -> Result<SearchResults, ApiError> {
    let index = node.search.clone();
    let started = Instant::now();
    let r = tokio::task::spawn_blocking(move || index.search(&q))
        .await
        .map_err(ApiError::internal)??;
    node.metrics.searches.inc();
    node.metrics
        .search_seconds
        .observe(started.elapsed().as_secs_f64());
    Ok(r)
}

/// `GET /api/search?q=&site=&type=&page=&scope=`
pub async fn search(
    State(node): State<Arc<Node>>,
    Query(p): Query<HashMap<String, String>>,
) -> Result<impl IntoResponse, ApiError> {
    Ok(Json(search_json(&node, &p, true).await?))
}

/// Runs a search from its query parameters. A scope this node does not hold is, when
/// `forward` is set, sent to the lowest ancestor that holds it (then further up); if none
/// answers in time, the answer is what this node holds, marked partial.
pub(crate) async fn search_json(
    node: &Arc<Node>,
    p: &HashMap<String, String>,
    forward: bool,
) -> Result<serde_json::Value, ApiError> {
    let text = p.get("q").cloned().unwrap_or_default();
    let page = match p.get("page") {
        Some(s) => s
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .ok_or_else(|| {
                ApiError::bad_request(format!("page: `{s}` is not a page number (1–1000)"))
            })?,
        None => 1,
    };
    let nonempty = |k: &str| p.get(k).filter(|s| !s.is_empty()).cloned();
    if let Some(t) = nonempty("type")
        && govnode_library::doc_type(&t).is_none()
    {
        return Err(ApiError::bad_request(format!(
            "type: `{t}` is not a document type"
        )));
    }
    let scope = super::scope::resolve(
        node,
        p.get("scope").map(String::as_str),
        nonempty("site").as_deref(),
    )?;
    if forward && !scope.missing.is_empty() {
        match super::scope::forward(node, &scope, p).await {
            Ok(answer) => return Ok(answer),
            Err(why) => {
                tracing::info!(scope = %scope.name, why, "scope not reachable; answering from held shards")
            }
        }
    }
    let q = SearchQuery {
        text,
        site: nonempty("site"),
        doc_type: nonempty("type"),
        origin: nonempty("origin"),
        origins: scope.origins.clone(),
        page,
        per_page: 10,
    };
    let r = run_search(node, q).await?;
    let hits: Vec<_> = r
        .hits
        .iter()
        .map(|h| {
            json!({
                "title": h.title, "url": h.url, "snippet": h.snippet, "site": h.site, "site_name": h.site_name,
                "origin": h.origin, "type": h.doc_type,
                "published": chrono::DateTime::from_timestamp(h.published, 0).unwrap_or_default().to_rfc3339(),
            })
        })
        .collect();
    let types: serde_json::Map<String, serde_json::Value> = r
        .type_counts
        .iter()
        .map(|(t, n)| (t.clone(), json!(n)))
        .collect();
    Ok(
        json!({ "total": r.total, "took_ms": r.took_ms, "page": page, "hits": hits, "types": types,
        "scope": scope.name, "partial": !scope.missing.is_empty(), "missing": scope.missing,
        "answered_by": node.federation.me() }),
    )
}

/// `GET /blobs/{hash}`: an attachment or image. Types that a browser could execute are
/// served as downloads, and every blob is sandboxed.
pub async fn blob(
    State(node): State<Arc<Node>>,
    Path(hash): Path<String>,
) -> Result<Response, ApiError> {
    let (info, bytes) = node
        .blobs
        .get(&hash)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("blob {hash}")))?;
    let inline = matches!(
        info.mime.as_str(),
        "image/png" | "image/jpeg" | "image/gif" | "image/webp" | "application/pdf" | "text/plain"
    );
    let mime = if inline {
        info.mime.clone()
    } else {
        "application/octet-stream".to_string()
    };
    let disposition = if inline { "inline" } else { "attachment" };
    Ok((
        [
            (header::CONTENT_TYPE, mime),
            (header::CONTENT_DISPOSITION, disposition.to_string()),
            (
                header::CACHE_CONTROL,
                "public, max-age=31536000, immutable".to_string(),
            ),
            (header::CONTENT_SECURITY_POLICY, "sandbox".to_string()),
        ],
        bytes,
    )
        .into_response())
}

/// `GET /healthz`: 200 once the node is open and its database answers.
pub async fn healthz(State(node): State<Arc<Node>>) -> Response {
    match sqlx::query("SELECT 1").execute(&node.db.read).await {
        Ok(_) => (
            StatusCode::OK,
            Json(json!({ "status": "ok", "node": node.config.node.id })),
        )
            .into_response(),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable", "error": e.to_string() })),
        )
            .into_response(),
    }
}

/// `GET /metrics`: Prometheus text exposition.
pub async fn metrics(State(node): State<Arc<Node>>) -> Response {
    if let Ok(n) = node.content.count_published(None).await {
        node.metrics.published.set(n);
    }
    for (reason, n) in node.federation.rejected_counts() {
        let counter = node
            .metrics
            .rejected
            .get_or_create(&crate::metrics::ReasonLabels { reason });
        counter
            .inner()
            .store(n, std::sync::atomic::Ordering::Relaxed);
    }
    if let Ok(heads) = node.federation.heads().await {
        for h in heads {
            node.metrics
                .log_head
                .get_or_create(&crate::metrics::OriginLabels {
                    origin: h.origin.to_string(),
                })
                .set(h.seq as i64);
        }
    }
    if let Ok(last) = node.content.last_change_seq().await {
        node.metrics
            .index_lag
            .set(last - node.search.applied_through() as i64);
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        node.metrics.encode(),
    )
        .into_response()
}

/// `GET /static/site.css`
pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        govnode_content::render::SITE_CSS,
    )
        .into_response()
}

/// `GET /api/openapi.json`
pub async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        super::openapi::DOCUMENT,
    )
        .into_response()
}
