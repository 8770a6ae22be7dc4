//! For operators and their tools: `/healthz`, `/metrics` (OpenMetrics), both in the OpenAPI
//! document, and the federation page `/federation` (HTML, not in it).

mod federation_page;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::common::metrics::{OriginLabels, ReasonLabels};

/// Operators' documented routes: readiness and metrics.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(metrics))
}

/// Operators' pages (HTML): the federation page.
pub fn pages() -> Router<AppState> {
    Router::new().route("/federation", get(federation_page::page))
}

/// Readiness
///
/// 200 once the node is open and its database answers, with `{status: "ok", node}`; 503
/// with `{status: "unavailable", error}` while the database does not answer.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "ops",
    responses(
        (status = 200, description = "Ready: `{status: \"ok\", node}` (the node's id)", body = Object),
        (status = 503, description = "The database does not answer: `{status: \"unavailable\", error}`", body = Object),
    ),
)]
async fn healthz(State(node): State<AppState>) -> Response {
    match node.content.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(json!({ "status": "ok", "node": node.node.id })),
        )
            .into_response(),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable", "error": e.to_string() })),
        )
            .into_response(),
    }
}

/// Metrics
///
/// Counters and gauges in the OpenMetrics text format (Prometheus): requests, searches,
/// workflow transitions, published documents, per-origin log heads, rejected entries, index
/// lag.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "ops",
    responses(
        (status = 200, description = "OpenMetrics text exposition", content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8", body = String),
    ),
)]
async fn metrics(State(node): State<AppState>) -> Response {
    let metrics = &node.metrics;
    if let Ok(n) = node.content.count_published(None).await {
        metrics.published.set(n);
    }
    for (reason, n) in node.federation.rejected_counts() {
        let counter = metrics.rejected.get_or_create(&ReasonLabels { reason });
        counter
            .inner()
            .store(n, std::sync::atomic::Ordering::Relaxed);
    }
    if let Ok(heads) = node.federation.heads().await {
        for h in heads {
            metrics
                .log_head
                .get_or_create(&OriginLabels {
                    origin: h.origin.to_string(),
                })
                .set(h.seq as i64);
        }
    }
    if let Ok(last) = node.content.last_change_seq().await {
        metrics
            .index_lag
            .set(last - node.search.applied_through() as i64);
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        metrics.encode(),
    )
        .into_response()
}
