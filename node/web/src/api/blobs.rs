//! Blobs: staff upload attachments and images (raw body, its Content-Type) and anyone
//! reads a published one by hash.

use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use govnode_accounts::Action;
use govnode_library::BlobStore;
use serde::Deserialize;
use serde_json::json;

use crate::AppState;
use crate::common::error::ApiError;
use crate::common::extract::{ApiBytes, ApiQuery as Query, Caller};

/// Upload (with the library's own limit) and download.
pub(super) fn routes(max_upload_bytes: u64) -> Router<AppState> {
    let limit = usize::try_from(max_upload_bytes).unwrap_or(usize::MAX);
    Router::new()
        .route(
            "/api/admin/blobs",
            post(upload_blob).layer(DefaultBodyLimit::max(limit)),
        )
        .route("/blobs/{hash}", get(blob))
}

#[derive(Deserialize)]
pub struct BlobQuery {
    site: Option<String>,
}

/// `GET /blobs/{hash}`: an attachment or image. Types that a browser could execute are
/// served as downloads, and every blob is sandboxed.
pub async fn blob(
    State(node): State<AppState>,
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

/// `POST /api/admin/blobs?site=`: uploads an attachment or image (raw body, its Content-Type).
pub async fn upload_blob(
    State(blobs): State<BlobStore>,
    caller: Caller,
    Query(q): Query<BlobQuery>,
    headers: HeaderMap,
    ApiBytes(body): ApiBytes,
) -> Result<impl IntoResponse, ApiError> {
    let site = q
        .site
        .ok_or_else(|| ApiError::bad_request("site: query parameter `site` is required"))?;
    caller.require(Action::Edit, Some(&site))?;
    if body.is_empty() {
        return Err(ApiError::bad_request("body: empty upload"));
    }
    let mime = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream");
    let info = blobs.put(&body, mime).await?;
    let url = format!("/blobs/{}", info.hash);
    Ok((
        StatusCode::CREATED,
        Json(json!({ "hash": info.hash, "size": info.size, "mime": info.mime, "url": url })),
    ))
}
