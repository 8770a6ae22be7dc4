//! The JSON API, one file per service; each exports its own `routes()` and this module
//! only merges them. Admin routes live under `/api/admin/…` and authenticate with
//! [`crate::common::Caller`].

pub mod blobs;
pub mod content;
pub mod desks;
pub mod dictionary;
pub mod distribution;
pub mod federation;
pub mod interaction;
pub mod openapi;
pub(crate) mod scope;
pub mod search;
pub mod surveys;

use axum::Router;

use crate::AppState;

/// Every API route.
pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .merge(content::routes())
        .merge(distribution::routes())
        .merge(blobs::routes(state.node.max_upload_bytes))
        .merge(search::routes())
        .merge(dictionary::routes())
        .merge(interaction::routes())
        .merge(desks::routes())
        .merge(surveys::routes())
        .merge(federation::routes())
        .merge(openapi::routes())
}
