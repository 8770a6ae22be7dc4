//! govnode-web: everything HTTP of a node, by audience and service.
//!
//! - [`common`]: errors, extractors, the request-body drain, escaping, Beijing time, metrics.
//! - [`api`]: the JSON API, one file per service, each with its own `routes()`.
//! - [`site`]: the public pages of every site, through one dispatcher.
//! - [`ops`]: health, metrics and the operators' federation page.
//! - [`admin`]: the staff console: sign-in, the session, one's password, sessions and tokens.
//! - [`serve`]: the server loop: connections under timeouts and limits slow clients cannot exhaust.
//!
//! This crate has no sqlx dependency: handlers call the modules, never SQL.

pub mod admin;
pub mod api;
pub mod common;
pub mod ops;
pub mod serve;
pub mod site;
mod state;

pub use common::metrics::Metrics;
pub use serve::{ServeLimits, serve};
pub use state::{AppState, NodeInfo, SignInMethods, SyncSlot};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;

/// The node's whole HTTP surface.
pub fn router(state: AppState) -> Router {
    let max_request = state.node.max_request_bytes;
    let (routes, _document) = routes(state.node.max_upload_bytes);
    routes
        .layer(middleware::from_fn(common::validators::tag_pages))
        .layer(DefaultBodyLimit::max(max_request))
        .layer(middleware::from_fn_with_state(
            state.metrics.clone(),
            common::observe::observe,
        ))
        .layer(middleware::from_fn(common::drain::unread_bodies))
        .layer(
            tower_http::compression::CompressionLayer::new()
                .compress_when(common::validators::worth_compressing),
        )
        // Outermost, so every answer has its policy, however it was made.
        .layer(middleware::from_fn(
            common::security_headers::security_headers,
        ))
        .with_state(state)
}

/// Every route, and the OpenAPI document of the documented ones: the JSON API, `/blobs`,
/// `/healthz` and `/metrics` (see [`api::openapi`]). The layers [`router`] adds register none.
pub(crate) fn routes(max_upload_bytes: u64) -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (documented, document) = api::routes(max_upload_bytes);
    let router = Router::new()
        .merge(documented)
        .merge(ops::pages())
        .merge(admin::routes())
        .merge(site::routes());
    (router, document)
}
