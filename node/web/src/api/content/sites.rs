//! Sites, one-key shutdown, columns and column template sets.

use govnode_content::Content;
use utoipa::ToSchema;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use govnode_accounts::Action;
use govnode_content::{Column, ColumnInput, Site, SiteInput};
use serde::Deserialize;
use serde_json::json;

use crate::api::openapi::{ErrorBody, TOO_LARGE, UNAUTHORIZED};
use crate::common::error::ApiError;
use crate::common::extract::{ApiJson, ApiPath as Path, Caller, OptionalJson};

use super::Node_;

/// Create a site
///
/// Platform administrators.
#[utoipa::path(
    post,
    path = "/api/admin/sites",
    tag = "content",
    security(("bearer" = [])),
    request_body = SiteInput,
    responses(
        (status = 201, description = "The site", body = Site),
        (status = 400, description = "A missing, unknown or invalid field", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not a platform administrator", body = ErrorBody),
        (status = 409, description = "The site exists, or a host name belongs to another site", body = ErrorBody),
        (status = 413, description = TOO_LARGE, body = ErrorBody),
    ),
)]
pub async fn create_site(
    State(content): State<Content>,
    caller: Caller,
    ApiJson(input): ApiJson<SiteInput>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Action::ManagePlatform, None)?;
    let site = content.create_site(&caller.0.name, &input).await?;
    Ok((StatusCode::CREATED, Json(site)))
}

/// The sites the caller can see
///
/// Every site for node-wide tokens; a site token sees its site.
#[utoipa::path(
    get,
    path = "/api/admin/sites",
    tag = "content",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The sites", body = Vec<Site>),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
    ),
)]
pub async fn list_sites(State(node): Node_, caller: Caller) -> Result<impl IntoResponse, ApiError> {
    let sites = node.content.sites().await?;
    let visible: Vec<_> = sites
        .into_iter()
        .filter(|s| caller.require_site(&s.id).is_ok())
        .collect();
    Ok(Json(visible))
}

/// What a shut-down site says.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShutdownBody {
    /// The message shown on the maintenance page.
    #[serde(default)]
    message: String,
}

/// One-key shutdown
///
/// The site serves a maintenance page (503) with the message until it is resumed.
#[utoipa::path(
    post,
    path = "/api/admin/sites/{site}/shutdown",
    tag = "content",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "Site id")),
    request_body(content = Option<ShutdownBody>, description = "Optional: an empty body shuts down without a message"),
    responses(
        (status = 200, description = "The site, shut down", body = Site),
        (status = 400, description = "A body that is not the object described", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not an administrator of the site", body = ErrorBody),
        (status = 404, description = "No such site", body = ErrorBody),
        (status = 413, description = TOO_LARGE, body = ErrorBody),
    ),
)]
pub async fn shutdown_site(
    State(content): State<Content>,
    caller: Caller,
    Path(site): Path<String>,
    OptionalJson(body): OptionalJson<ShutdownBody>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Action::ManageSite, Some(&site))?;
    let body = body.unwrap_or(ShutdownBody {
        message: String::new(),
    });
    Ok(Json(
        content
            .set_shutdown(&caller.0.name, &site, true, &body.message)
            .await?,
    ))
}

/// Resume a shut-down site
#[utoipa::path(
    post,
    path = "/api/admin/sites/{site}/resume",
    tag = "content",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "Site id")),
    responses(
        (status = 200, description = "The site, serving again", body = Site),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not an administrator of the site", body = ErrorBody),
        (status = 404, description = "No such site", body = ErrorBody),
    ),
)]
pub async fn resume_site(
    State(content): State<Content>,
    caller: Caller,
    Path(site): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Action::ManageSite, Some(&site))?;
    Ok(Json(
        content
            .set_shutdown(&caller.0.name, &site, false, "")
            .await?,
    ))
}

/// Create a column
///
/// Site administrators.
#[utoipa::path(
    post,
    path = "/api/admin/sites/{site}/columns",
    tag = "content",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "Site id")),
    request_body = ColumnInput,
    responses(
        (status = 201, description = "The column", body = Column),
        (status = 400, description = "A missing, unknown or invalid field", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not an administrator of the site", body = ErrorBody),
        (status = 404, description = "No such site, or no such parent column", body = ErrorBody),
        (status = 409, description = "The site has a column with this slug", body = ErrorBody),
        (status = 413, description = TOO_LARGE, body = ErrorBody),
    ),
)]
pub async fn create_column(
    State(content): State<Content>,
    caller: Caller,
    Path(site): Path<String>,
    ApiJson(input): ApiJson<ColumnInput>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Action::ManageSite, Some(&site))?;
    Ok((
        StatusCode::CREATED,
        Json(content.create_column(&caller.0.name, &site, &input).await?),
    ))
}

/// A site's columns
#[utoipa::path(
    get,
    path = "/api/admin/sites/{site}/columns",
    tag = "content",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "Site id")),
    responses(
        (status = 200, description = "The columns", body = Vec<Column>),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "A token for another site", body = ErrorBody),
        (status = 404, description = "No such site", body = ErrorBody),
    ),
)]
pub async fn list_columns(
    State(content): State<Content>,
    caller: Caller,
    Path(site): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require_site(&site)?;
    content.site(&site).await?;
    Ok(Json(content.columns(&site).await?))
}

/// A column template set: the columns it stamps onto a site.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateSetBody {
    /// Display name of the set.
    name: String,
    /// Its columns.
    columns: Vec<ColumnInput>,
}

/// Save a column template set
///
/// Platform administrators. Sets are stamped onto sites with `…/apply` (the "1+N" fixed
/// columns).
#[utoipa::path(
    put,
    path = "/api/admin/column-templates/{set}",
    tag = "content",
    security(("bearer" = [])),
    params(("set" = String, Path, description = "Template set id")),
    request_body = TemplateSetBody,
    responses(
        (status = 200, description = "The saved set: `{id, name, columns}`", body = Object),
        (status = 400, description = "A missing, unknown or invalid field", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not a platform administrator", body = ErrorBody),
        (status = 413, description = TOO_LARGE, body = ErrorBody),
    ),
)]
pub async fn put_template_set(
    State(content): State<Content>,
    caller: Caller,
    Path(set): Path<String>,
    ApiJson(body): ApiJson<TemplateSetBody>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Action::ManagePlatform, None)?;
    content
        .put_template_set(&caller.0.name, &set, &body.name, &body.columns)
        .await?;
    Ok(Json(
        json!({ "id": set, "name": body.name, "columns": body.columns }),
    ))
}

/// Where a template set is stamped.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyBody {
    /// Site id.
    site: String,
}

/// Stamp a template set's columns onto a site
///
/// Platform administrators. Creates the set's columns the site lacks (by slug); stamping
/// twice creates nothing the second time.
#[utoipa::path(
    post,
    path = "/api/admin/column-templates/{set}/apply",
    tag = "content",
    security(("bearer" = [])),
    params(("set" = String, Path, description = "Template set id")),
    request_body = ApplyBody,
    responses(
        (status = 200, description = "`{created}`: the columns created (`Column` objects)", body = Object),
        (status = 400, description = "A missing or unknown field", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not a platform administrator", body = ErrorBody),
        (status = 404, description = "No such site or template set", body = ErrorBody),
        (status = 409, description = "The stored set is unreadable", body = ErrorBody),
        (status = 413, description = TOO_LARGE, body = ErrorBody),
    ),
)]
pub async fn apply_template_set(
    State(content): State<Content>,
    caller: Caller,
    Path(set): Path<String>,
    ApiJson(body): ApiJson<ApplyBody>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Action::ManagePlatform, None)?;
    let created = content
        .apply_template_set(&caller.0.name, &set, &body.site)
        .await?;
    Ok(Json(json!({ "created": created })))
}
