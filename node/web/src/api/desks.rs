//! Letters desks (受理中心) routes: which body of this node takes a site's letters when
//! the writer does not choose one (`*`: the node's default).

use axum::Json;
use axum::extract::State;
use govnode_accounts::Action;
use govnode_content::Content;
use govnode_interaction::NODE_DEFAULT;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::api::openapi::{ErrorBody, TOO_LARGE, UNAUTHORIZED};
use crate::common::error::ApiError;
use crate::common::extract::{ApiJson, ApiPath as Path, Caller};

/// Letters desks (受理中心).
pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(put, remove))
}

/// `{body}`: the desk's body.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeskDecl {
    /// A body of this node, "<node>.<slug>".
    body: String,
}

/// Checks the caller may set `site`'s desk and that the site is here.
async fn may_set(content: &Content, caller: &Caller, site: &str) -> Result<(), ApiError> {
    if site == NODE_DEFAULT {
        return caller.require(Action::ManagePlatform, None);
    }
    caller.require(Action::ManageSite, Some(site))?;
    content.site(site).await?;
    Ok(())
}

/// Letters desks of this node
///
/// Per site, and the node's default `*`. Platform administrators.
#[utoipa::path(
    get,
    path = "/api/admin/interaction/desks",
    tag = "desks",
    operation_id = "list_desks",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "`{desks}`: every desk (`Desk` objects)", body = Object),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not a platform administrator", body = ErrorBody),
    ),
)]
pub async fn list(State(node): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require(Action::ManagePlatform, None)?;
    Ok(Json(json!({ "desks": node.interaction.desks().await? })))
}

/// Set a site's letters desk
///
/// A body of this node takes the site's letters that name no body; its handlers pass them
/// on (转办). Site administrators for their site; platform administrators for `*`.
#[utoipa::path(
    put,
    path = "/api/admin/interaction/desks/{site}",
    tag = "desks",
    operation_id = "put_desk",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "A site of this node, or `*` for the node's default")),
    request_body = DeskDecl,
    responses(
        (status = 200, description = "The desk", body = govnode_interaction::Desk),
        (status = 400, description = "A missing or unknown field", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "The caller may not manage the site (or the node, for `*`)", body = ErrorBody),
        (status = 404, description = "No such site, or no such body of this node", body = ErrorBody),
        (status = 413, description = TOO_LARGE, body = ErrorBody),
    ),
)]
pub async fn put(
    State(node): State<AppState>,
    caller: Caller,
    Path(site): Path<String>,
    ApiJson(d): ApiJson<DeskDecl>,
) -> Result<Json<Value>, ApiError> {
    may_set(&node.content, &caller, &site).await?;
    Ok(Json(json!(
        node.interaction.set_desk(&site, &d.body).await?
    )))
}

/// Remove a site's letters desk
///
/// Letters to the site must name their body again.
#[utoipa::path(
    delete,
    path = "/api/admin/interaction/desks/{site}",
    tag = "desks",
    operation_id = "remove_desk",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "A site of this node, or `*` for the node's default")),
    responses(
        (status = 200, description = "`{removed}`: the site whose desk was removed", body = Object),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "The caller may not manage the site (or the node, for `*`)", body = ErrorBody),
        (status = 404, description = "No such site, or the site has no desk", body = ErrorBody),
    ),
)]
pub async fn remove(
    State(node): State<AppState>,
    caller: Caller,
    Path(site): Path<String>,
) -> Result<Json<Value>, ApiError> {
    may_set(&node.content, &caller, &site).await?;
    node.interaction.remove_desk(&site).await?;
    Ok(Json(json!({ "removed": site })))
}
