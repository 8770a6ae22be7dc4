//! Blobs, health, metrics, the stylesheet and the OpenAPI document.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::error::ApiError;
use crate::Node;

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
