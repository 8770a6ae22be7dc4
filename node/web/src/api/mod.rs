//! The JSON API, one file per service; each exports its own `routes()` and this module
//! only merges them. Admin routes live under `/api/admin/…` and authenticate with
//! [`crate::common::Caller`].
//!
//! Each service registers its routes on an [`OpenApiRouter`] with `.routes(routes!(…))`, so
//! registering a route documents it; [`routes`] builds the router and the OpenAPI document
//! (see [`openapi`]) together.

pub mod blobs;
pub mod content;
pub mod desks;
pub mod dictionary;
pub mod distribution;
pub mod federation;
pub mod interaction;
pub mod openapi;
pub mod search;
pub mod surveys;

use axum::Router;
use utoipa_axum::router::OpenApiRouter;

use crate::AppState;

/// Every documented route (the JSON API, `/blobs/{hash}`, and the operators' `/healthz` and
/// `/metrics`) and the OpenAPI document generated from them, which `/api/openapi.json` serves.
pub fn routes(max_upload_bytes: u64) -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let served = openapi::Served::default();
    let (router, mut document) = services(max_upload_bytes, &served)
        .into_iter()
        .fold(
            OpenApiRouter::with_openapi(openapi::base()),
            OpenApiRouter::merge,
        )
        .split_for_parts();
    openapi::finish(&mut document);
    served.set(&document);
    (router, document)
}

/// The services' routers, each with its part of the document.
fn services(max_upload_bytes: u64, served: &openapi::Served) -> Vec<OpenApiRouter<AppState>> {
    vec![
        content::routes(),
        distribution::routes(),
        blobs::routes(max_upload_bytes),
        search::routes(),
        dictionary::routes(),
        interaction::routes(),
        desks::routes(),
        surveys::routes(),
        federation::routes(),
        crate::ops::routes(),
        openapi::routes(served.clone()),
    ]
}
