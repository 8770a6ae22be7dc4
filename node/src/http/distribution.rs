//! Information distribution (信息分发) routes: send an article down to descendant sites,
//! see the receipts, and at a target site, the inbox and republication.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use govnode_accounts::Action;
use serde::Deserialize;
use serde_json::json;

use super::admin::article_for;
use super::error::ApiError;
use super::extract::{ApiJson, ApiPath as Path, Caller};
use crate::Node;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DistributeBody {
    targets: Vec<String>,
    #[serde(default)]
    note: String,
}

/// `POST /api/admin/articles/{id}/distributions`: send a live article to descendant sites.
pub async fn distribute(
    State(node): State<Arc<Node>>,
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
    State(node): State<Arc<Node>>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<impl IntoResponse, ApiError> {
    let a = article_for(&node, &caller, id).await?;
    caller.require(Action::Edit, Some(&a.site))?;
    Ok(Json(node.content.distributions_of(&a.site, id).await?))
}

/// `GET /api/admin/sites/{site}/inbox`: distributions addressed to a site.
pub async fn inbox(
    State(node): State<Arc<Node>>,
    caller: Caller,
    Path(site): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Action::Edit, Some(&site))?;
    Ok(Json(node.content.inbox(&site).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepublishBody {
    column: String,
}

/// `POST /api/admin/sites/{site}/inbox/{dist}/republish`: republish in one of the site's columns.
pub async fn republish(
    State(node): State<Arc<Node>>,
    caller: Caller,
    Path((site, dist)): Path<(String, String)>,
    ApiJson(body): ApiJson<RepublishBody>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Action::Publish, Some(&site))?;
    let id = node
        .content
        .republish(&caller.0.name, &site, &dist, &body.column)
        .await?;
    node.sync_search().await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "article_id": id, "path": govnode_content::article_path(&site, id) })),
    ))
}
