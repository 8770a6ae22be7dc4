//! Information distribution (信息分发) routes: send an article down to descendant sites,
//! see the receipts, and at a target site, the inbox and republication.

use axum::Router;
use axum::routing::{get, post};
use govnode_content::Content;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use govnode_accounts::Action;
use serde::Deserialize;
use serde_json::json;

use super::content::article_for;
use crate::AppState;
use crate::common::error::ApiError;
use crate::common::extract::{ApiJson, ApiPath as Path, Caller};

/// Distribution (信息分发): send, list, the receiving site's inbox, republication.
pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/admin/articles/{id}/distributions",
            post(distribute).get(list),
        )
        .route("/api/admin/sites/{site}/inbox", get(inbox))
        .route(
            "/api/admin/sites/{site}/inbox/{dist}/republish",
            post(republish),
        )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DistributeBody {
    targets: Vec<String>,
    #[serde(default)]
    note: String,
}

/// `POST /api/admin/articles/{id}/distributions`: send a live article to descendant sites.
pub async fn distribute(
    State(node): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<DistributeBody>,
) -> Result<impl IntoResponse, ApiError> {
    let a = article_for(&node, &caller, id).await?;
    caller.require(Action::Publish, Some(&a.site))?;
    let d = node
        .content
        .distribute(&caller.0.name, &a.site, id, &body.targets, &body.note)
        .await?;
    Ok((StatusCode::CREATED, Json(d)))
}

/// `GET /api/admin/articles/{id}/distributions`: distributions of an article with receipts.
pub async fn list(
    State(node): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<impl IntoResponse, ApiError> {
    let a = article_for(&node, &caller, id).await?;
    caller.require(Action::Edit, Some(&a.site))?;
    Ok(Json(node.content.distributions_of(&a.site, id).await?))
}

/// `GET /api/admin/sites/{site}/inbox`: distributions addressed to a site.
pub async fn inbox(
    State(content): State<Content>,
    caller: Caller,
    Path(site): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Action::Edit, Some(&site))?;
    Ok(Json(content.inbox(&site).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepublishBody {
    column: String,
}

/// `POST /api/admin/sites/{site}/inbox/{dist}/republish`: republish in one of the site's columns.
pub async fn republish(
    State(node): State<AppState>,
    caller: Caller,
    Path((site, dist)): Path<(String, String)>,
    ApiJson(body): ApiJson<RepublishBody>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Action::Publish, Some(&site))?;
    let id = node
        .content
        .republish(&caller.0.name, &site, &dist, &body.column)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "article_id": id, "path": govnode_content::article_path(&site, id) })),
    ))
}
