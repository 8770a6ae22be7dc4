//! Blobs: staff upload attachments and images (raw body, its Content-Type) and anyone
//! reads a published one by hash.

use axum::Json;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use govnode_accounts::Action;
use govnode_library::BlobStore;
use serde::Deserialize;
use serde_json::json;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use crate::AppState;
use crate::api::openapi::{ErrorBody, UNAUTHORIZED};
use crate::common::error::ApiError;
use crate::common::extract::{ApiBytes, ApiQuery as Query, Caller};

/// Upload (with the library's own limit) and download.
pub(super) fn routes(max_upload_bytes: u64) -> OpenApiRouter<AppState> {
    let limit = usize::try_from(max_upload_bytes).unwrap_or(usize::MAX);
    OpenApiRouter::new()
        .routes(routes!(upload_blob).layer(DefaultBodyLimit::max(limit)))
        .routes(routes!(blob))
}

/// An uploaded file's bytes, in the document: at least one (an empty upload is refused).
pub(crate) struct Upload;

impl utoipa::PartialSchema for Upload {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .into()
    }
}

impl utoipa::ToSchema for Upload {}

/// The site an upload is for (required; refused with the API's error when absent).
#[derive(Deserialize)]
pub struct BlobQuery {
    site: Option<String>,
}

/// An attachment or image by hash
///
/// Types a browser could execute are served as downloads (`application/octet-stream`,
/// `Content-Disposition: attachment`); images, PDF and plain text inline. Every blob is
/// sandboxed (`Content-Security-Policy: sandbox`) and immutable (cached for a year).
#[utoipa::path(
    get,
    path = "/blobs/{hash}",
    tag = "blobs",
    params(("hash" = String, Path, description = "blake3 hash of the bytes, 64 lowercase hex digits", pattern = r"^[0-9a-f]{64}$")),
    responses(
        (status = 200, description = "The bytes, with their type (`application/octet-stream` for types a browser could execute)", content(("*/*"))),
        (status = 400, description = "Not a blake3 hash", body = ErrorBody),
        (status = 404, description = "No such blob", body = ErrorBody),
    ),
)]
pub async fn blob(
    State(blobs): State<BlobStore>,
    Path(hash): Path<String>,
) -> Result<Response, ApiError> {
    let (info, bytes) = blobs
        .get_public(&hash)
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

/// Upload an attachment or image
///
/// The raw body, whose `Content-Type` is kept. Its size is limited by
/// `library.max_upload_bytes` (413 past it). Answers `{hash, size, mime, url}`; name the hash
/// in an article's `attachments`.
#[utoipa::path(
    post,
    path = "/api/admin/blobs",
    tag = "blobs",
    security(("bearer" = [])),
    params(("site" = String, Query, description = "The site the file is for: the caller must be one of its editors")),
    request_body(content((inline(Upload) = "*/*")), description = "The file's bytes (at least one), with its Content-Type"),
    responses(
        (status = 201, description = "`{hash, size, mime, url}`: the stored blob and where it is served", body = Object),
        (status = 400, description = "No `site`, or an empty body", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not an editor of the site", body = ErrorBody),
        (status = 413, description = "The body is larger than the upload limit", body = ErrorBody),
    ),
)]
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
