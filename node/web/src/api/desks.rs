//! Letters desks (受理中心) routes: which body of this node takes a site's letters when
//! the writer does not choose one (`*`: the node's default).

use axum::Router;
use axum::routing::{self, get};

use axum::Json;
use axum::extract::State;
use govnode_accounts::Action;
use govnode_interaction::NODE_DEFAULT;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::common::error::ApiError;
use crate::common::extract::{ApiJson, ApiPath as Path, Caller};

/// Letters desks (受理中心).
pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/admin/interaction/desks", get(list))
        .route(
            "/api/admin/interaction/desks/{site}",
            routing::put(put).delete(remove),
        )
}

/// `{body}`: the desk's body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeskDecl {
    body: String,
}

/// Checks the caller may set `site`'s desk and that the site is here.
async fn may_set(node: &AppState, caller: &Caller, site: &str) -> Result<(), ApiError> {
    if site == NODE_DEFAULT {
        return caller.require(Action::ManagePlatform, None);
    }
    caller.require(Action::ManageSite, Some(site))?;
    node.content.site(site).await?;
    Ok(())
}

/// `GET /api/admin/interaction/desks`: every desk of this node.
pub async fn list(State(node): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ManagePlatform, None)?;
    Ok(Json(json!({ "desks": node.interaction.desks().await? })))
}

/// `PUT /api/admin/interaction/desks/{site}` `{body}`: sets a site's desk.
pub async fn put(
    State(node): State<AppState>,
    caller: Caller,
    Path(site): Path<String>,
    ApiJson(d): ApiJson<DeskDecl>,
) -> Result<Json<Value>, ApiError> {
    may_set(&node, &caller, &site).await?;
    Ok(Json(json!(
        node.interaction.set_desk(&site, &d.body).await?
    )))
}

/// `DELETE /api/admin/interaction/desks/{site}`: letters to the site must name a body again.
pub async fn remove(
    State(node): State<AppState>,
    caller: Caller,
    Path(site): Path<String>,
) -> Result<Json<Value>, ApiError> {
    may_set(&node, &caller, &site).await?;
    node.interaction.remove_desk(&site).await?;
    Ok(Json(json!({ "removed": site })))
}
