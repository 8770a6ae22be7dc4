//! The OpenAPI document, served at `/api/openapi.json`. A test checks that every API
//! route the service files declare is documented.

use axum::Router;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;

/// The document.
pub const DOCUMENT: &str = include_str!("openapi.json");

/// `GET /api/openapi.json`
pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/api/openapi.json", get(openapi))
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT).into_response()
}

#[cfg(test)]
mod tests {
    /// The files that declare API routes, each with its own `routes()`.
    const ROUTE_FILES: [&str; 11] = [
        include_str!("content.rs"),
        include_str!("distribution.rs"),
        include_str!("blobs.rs"),
        include_str!("search.rs"),
        include_str!("dictionary.rs"),
        include_str!("interaction.rs"),
        include_str!("desks.rs"),
        include_str!("surveys.rs"),
        include_str!("federation.rs"),
        include_str!("openapi.rs"),
        include_str!("../ops/mod.rs"),
    ];

    #[test]
    fn document_is_valid_json_and_lists_every_api_route() {
        let doc: serde_json::Value = serde_json::from_str(super::DOCUMENT).unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        let paths = doc["paths"].as_object().unwrap();
        let mut seen = 0;
        for src in ROUTE_FILES {
            // A route's path is the first string after `.route(`, on its line or the next.
            let mut pending = false;
            for line in src.lines().map(str::trim) {
                let rest = if let Some(at) = line.find(".route(") {
                    pending = true;
                    &line[at + ".route(".len()..]
                } else if pending {
                    line
                } else {
                    continue;
                };
                let Some(path) = rest.strip_prefix('"').and_then(|r| r.split('"').next()) else {
                    continue;
                };
                pending = false;
                if path.starts_with("/api") || path == "/healthz" || path == "/metrics" {
                    seen += 1;
                    assert!(paths.contains_key(path), "{path} is not in openapi.json");
                }
            }
        }
        assert!(
            seen >= 57,
            "only {seen} API routes found: the test no longer reads them"
        );
    }
}
