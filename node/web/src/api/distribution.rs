//! Information distribution (信息分发) routes: send an article down to descendant sites,
//! see the receipts, and at a target site, the inbox and republication.

use govnode_content::{Content, Distribution, InboxItem};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use govnode_accounts::Action;
use serde::Deserialize;
use serde_json::json;

use super::content::article_for;
use crate::AppState;
use crate::api::openapi::{ErrorBody, TOO_LARGE, UNAUTHORIZED};
use crate::common::error::ApiError;
use crate::common::extract::{ApiJson, ApiPath as Path, Caller};

/// Distribution (信息分发): send, list, the receiving site's inbox, republication.
pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(distribute, list))
        .routes(routes!(inbox))
        .routes(routes!(republish))
}

/// Where a distribution goes.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DistributeBody {
    /// Target sites: 1 to 500 site ids owned by nodes below this one.
    #[schema(min_items = 1, max_items = 500, pattern = r"^[a-z0-9][a-z0-9-]{0,39}$")]
    targets: Vec<String>,
    /// A note to the targets (at most 500 characters).
    #[serde(default)]
    #[schema(max_length = 500)]
    note: String,
}

/// Distribute a live article to descendant sites
///
/// Information distribution (信息分发): the targets' staff republish it in one of their
/// columns; receipts come back as they do.
#[utoipa::path(
    post,
    path = "/api/admin/articles/{id}/distributions",
    tag = "distribution",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Article id")),
    request_body = DistributeBody,
    responses(
        (status = 201, description = "The distribution, sent", body = Distribution),
        (status = 400, description = "Bad targets or note, or `id` not a number", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "No right to publish on the article's site", body = ErrorBody),
        (status = 404, description = "No such article, or it is not published", body = ErrorBody),
        (status = 409, description = "The article is withdrawn, or this node is not federated", body = ErrorBody),
        (status = 413, description = TOO_LARGE, body = ErrorBody),
    ),
)]
pub async fn distribute(
    State(content): State<Content>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<DistributeBody>,
) -> Result<impl IntoResponse, ApiError> {
    let a = article_for(&content, &caller, id).await?;
    caller.require(Action::Publish, Some(&a.site))?;
    let d = content
        .distribute(&caller.0.name, &a.site, id, &body.targets, &body.note)
        .await?;
    Ok((StatusCode::CREATED, Json(d)))
}

/// Distributions of an article
///
/// With their receipts: who republished, when, where.
#[utoipa::path(
    get,
    path = "/api/admin/articles/{id}/distributions",
    tag = "distribution",
    operation_id = "list_distributions",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Article id")),
    responses(
        (status = 200, description = "The distributions", body = Vec<Distribution>),
        (status = 400, description = "`id` is not a number", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Another site's article, or not an editor of its site", body = ErrorBody),
        (status = 404, description = "No such article", body = ErrorBody),
    ),
)]
pub async fn list(
    State(content): State<Content>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<impl IntoResponse, ApiError> {
    let a = article_for(&content, &caller, id).await?;
    caller.require(Action::Edit, Some(&a.site))?;
    Ok(Json(content.distributions_of(&a.site, id).await?))
}

/// Distributions addressed to a site
///
/// Pending or republished.
#[utoipa::path(
    get,
    path = "/api/admin/sites/{site}/inbox",
    tag = "distribution",
    operation_id = "distribution_inbox",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "Site id")),
    responses(
        (status = 200, description = "The site's inbox", body = Vec<InboxItem>),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not an editor of the site", body = ErrorBody),
        (status = 404, description = "No such site", body = ErrorBody),
    ),
)]
pub async fn inbox(
    State(content): State<Content>,
    caller: Caller,
    Path(site): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Action::Edit, Some(&site))?;
    Ok(Json(content.inbox(&site).await?))
}

/// Where a distributed article is republished.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RepublishBody {
    /// Column slug of the receiving site.
    column: String,
}

/// Republish a distributed article
///
/// In one of the site's columns; the receipt goes back up to the sender.
#[utoipa::path(
    post,
    path = "/api/admin/sites/{site}/inbox/{dist}/republish",
    tag = "distribution",
    security(("bearer" = [])),
    params(
        ("site" = String, Path, description = "Site id"),
        ("dist" = String, Path, description = "Distribution id"),
    ),
    request_body = RepublishBody,
    responses(
        (status = 201, description = "`{article_id, path}`: the new article and its public path", body = Object),
        (status = 400, description = "A missing or unknown field, or a bad column", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "No right to publish on the site", body = ErrorBody),
        (status = 404, description = "No such distribution for this site, or no such column", body = ErrorBody),
        (status = 409, description = "Already republished, or this node is not federated", body = ErrorBody),
        (status = 413, description = TOO_LARGE, body = ErrorBody),
    ),
)]
pub async fn republish(
    State(content): State<Content>,
    caller: Caller,
    Path((site, dist)): Path<(String, String)>,
    ApiJson(body): ApiJson<RepublishBody>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Action::Publish, Some(&site))?;
    let id = content
        .republish(&caller.0.name, &site, &dist, &body.column)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "article_id": id, "path": govnode_content::article_path(&site, id) })),
    ))
}
