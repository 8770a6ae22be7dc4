//! The console's own stylesheet and scripts, compiled into the binary and served from
//! `/static/admin/{file}` (no CDN, nothing fetched at run time; the CSP allows scripts from
//! this origin only). Every page works without them: a script only enhances a form.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Every asset: (file name, content type, bytes). Each console area adds its own here.
const ASSETS: &[(&str, &str, &str)] = &[
    (
        "admin.css",
        "text/css; charset=utf-8",
        include_str!("static/admin.css"),
    ),
    // The article editor (admin/articles.rs).
    (
        "editor.css",
        "text/css; charset=utf-8",
        include_str!("static/editor.css"),
    ),
    (
        "editor.js",
        "text/javascript; charset=utf-8",
        include_str!("static/editor.js"),
    ),
];

/// `GET /static/admin/{file}`.
pub(super) async fn asset(Path(file): Path<String>) -> Response {
    match ASSETS.iter().find(|(name, _, _)| *name == file) {
        Some((_, content_type, body)) => (
            [
                (header::CONTENT_TYPE, *content_type),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            *body,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "没有这个文件").into_response(),
    }
}
