//! Changing sites and columns after they exist: editing a site, renaming, moving,
//! reordering, archiving and restoring columns.

use axum::Json;
use axum::extract::State;
use axum::response::IntoResponse;
use govnode_accounts::Action;
use govnode_content::{Column, ColumnOrder, ColumnUpdate, Content, Site, SiteUpdate};

use crate::api::openapi::{ErrorBody, TOO_LARGE, UNAUTHORIZED};
use crate::common::error::ApiError;
use crate::common::extract::{ApiJson, ApiPath as Path, Caller};

/// Edit a site
///
/// Platform administrators; only the node that owns the site edits it. Fields left out
/// keep their value; `hosts` replaces the whole list.
#[utoipa::path(
    patch,
    path = "/api/admin/sites/{site}",
    tag = "content",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "Site id")),
    request_body = SiteUpdate,
    responses(
        (status = 200, description = "The site", body = Site),
        (status = 400, description = "An unknown or invalid field", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not a platform administrator, or the site is a replica of another node's", body = ErrorBody),
        (status = 404, description = "No such site", body = ErrorBody),
        (status = 409, description = "A host name belongs to another site", body = ErrorBody),
        (status = 413, description = TOO_LARGE, body = ErrorBody),
    ),
)]
pub async fn update_site(
    State(content): State<Content>,
    caller: Caller,
    Path(site): Path<String>,
    ApiJson(update): ApiJson<SiteUpdate>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Action::ManagePlatform, None)?;
    Ok(Json(
        content.update_site(&caller.0.name, &site, &update).await?,
    ))
}

/// Change a column
///
/// Site administrators: rename, change the kind or update interval, move under another
/// column (`parent`, empty for the top level) or change its position. Fields left out keep
/// their value.
#[utoipa::path(
    patch,
    path = "/api/admin/sites/{site}/columns/{slug}",
    tag = "content",
    security(("bearer" = [])),
    params(
        ("site" = String, Path, description = "Site id"),
        ("slug" = String, Path, description = "Column slug"),
    ),
    request_body = ColumnUpdate,
    responses(
        (status = 200, description = "The column", body = Column),
        (status = 400, description = "An unknown or invalid field; a parent that does not exist, is archived, or is the column itself or one of its sub-columns; a full level", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not an administrator of the site", body = ErrorBody),
        (status = 404, description = "No such site or column", body = ErrorBody),
        (status = 409, description = "The column is archived", body = ErrorBody),
        (status = 413, description = TOO_LARGE, body = ErrorBody),
    ),
)]
pub async fn update_column(
    State(content): State<Content>,
    caller: Caller,
    Path((site, slug)): Path<(String, String)>,
    ApiJson(update): ApiJson<ColumnUpdate>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Action::ManageSite, Some(&site))?;
    Ok(Json(
        content
            .update_column(&caller.0.name, &site, &slug, &update)
            .await?,
    ))
}

/// Reorder one level of columns
///
/// Site administrators. `slugs` names every column in use at the level (the top level, or
/// the children of `parent`) once, in the new order.
#[utoipa::path(
    put,
    path = "/api/admin/sites/{site}/column-order",
    tag = "content",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "Site id")),
    request_body = ColumnOrder,
    responses(
        (status = 200, description = "The level's columns in their new order", body = Vec<Column>),
        (status = 400, description = "An unknown or invalid field, or `slugs` is not the level's columns once each", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not an administrator of the site", body = ErrorBody),
        (status = 404, description = "No such site or parent column", body = ErrorBody),
        (status = 413, description = TOO_LARGE, body = ErrorBody),
    ),
)]
pub async fn reorder_columns(
    State(content): State<Content>,
    caller: Caller,
    Path(site): Path<String>,
    ApiJson(order): ApiJson<ColumnOrder>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Action::ManageSite, Some(&site))?;
    Ok(Json(
        content
            .reorder_columns(&caller.0.name, &site, &order)
            .await?,
    ))
}

/// Archive an empty column
///
/// Site administrators. Only a column without articles (of any state) and without
/// sub-columns in use; it leaves the navigation and its pages answer 410 Gone.
#[utoipa::path(
    post,
    path = "/api/admin/sites/{site}/columns/{slug}/archive",
    tag = "content",
    security(("bearer" = [])),
    params(
        ("site" = String, Path, description = "Site id"),
        ("slug" = String, Path, description = "Column slug"),
    ),
    responses(
        (status = 200, description = "The archived column", body = Column),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not an administrator of the site", body = ErrorBody),
        (status = 404, description = "No such site or column", body = ErrorBody),
        (status = 409, description = "The column has articles or sub-columns in use, or is archived already", body = ErrorBody),
    ),
)]
pub async fn archive_column(
    State(content): State<Content>,
    caller: Caller,
    Path((site, slug)): Path<(String, String)>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Action::ManageSite, Some(&site))?;
    Ok(Json(
        content.archive_column(&caller.0.name, &site, &slug).await?,
    ))
}

/// Restore an archived column
///
/// Site administrators. Its parent, if any, must be in use.
#[utoipa::path(
    post,
    path = "/api/admin/sites/{site}/columns/{slug}/restore",
    tag = "content",
    security(("bearer" = [])),
    params(
        ("site" = String, Path, description = "Site id"),
        ("slug" = String, Path, description = "Column slug"),
    ),
    responses(
        (status = 200, description = "The column, in use again", body = Column),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not an administrator of the site", body = ErrorBody),
        (status = 404, description = "No such site or column", body = ErrorBody),
        (status = 409, description = "The column is not archived, or its parent is", body = ErrorBody),
    ),
)]
pub async fn restore_column(
    State(content): State<Content>,
    caller: Caller,
    Path((site, slug)): Path<(String, String)>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Action::ManageSite, Some(&site))?;
    Ok(Json(
        content.restore_column(&caller.0.name, &site, &slug).await?,
    ))
}
