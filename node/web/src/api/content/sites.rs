//! Sites, one-key shutdown, refusal of a descendant's site, columns and column template
//! sets.

use govnode_content::Content;
use utoipa::ToSchema;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use govnode_accounts::Action;
use govnode_content::{Column, ColumnInput, Site, SiteFooter, SiteInput, SiteListing};
use serde::Deserialize;
use serde_json::json;

use crate::api::openapi::{ErrorBody, TOO_LARGE, UNAUTHORIZED};
use crate::common::error::ApiError;
use crate::common::extract::{ApiJson, ApiPath as Path, Caller, OptionalJson};

use super::Node_;

/// Create a site
///
/// Platform administrators. An ancestor's claim on a site id wins: an id held here only by
/// a replica of a descendant's site is taken, and that replica is superseded (kept aside,
/// listed with state `superseded`, no longer served or searched here).
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
        (status = 409, description = "This node or an ancestor has a site with this id, or a host name belongs to another site", body = ErrorBody),
        (status = 413, description = TOO_LARGE, body = ErrorBody),
    ),
)]
pub async fn create_site(
    State(node): Node_,
    caller: Caller,
    ApiJson(input): ApiJson<SiteInput>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Action::ManagePlatform, None)?;
    let site = node.content.create_site(&caller.0.name, &input).await?;
    // A superseded replica's template overrides must not dress the new site.
    let overrides = node.content.template_overrides(&site.id).await?;
    node.renderer.set_overrides(&site.id, overrides)?;
    Ok((StatusCode::CREATED, Json(site)))
}

/// The sites the caller can see
///
/// Every site held here for node-wide tokens, each with its state: `serving`,
/// `superseded` (another node's claim on its id won; kept aside under `<id>~<origin>`) or
/// `refused`; a site token sees its site.
#[utoipa::path(
    get,
    path = "/api/admin/sites",
    tag = "content",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The sites with their states", body = Vec<SiteListing>),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
    ),
)]
pub async fn list_sites(State(node): Node_, caller: Caller) -> Result<impl IntoResponse, ApiError> {
    let sites = node.content.site_listing().await?;
    let visible: Vec<_> = sites
        .into_iter()
        .filter(|s| caller.require_site(&s.site.id).is_ok())
        .collect();
    Ok(Json(visible))
}

/// Why a descendant's site is refused.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefusalBody {
    /// The reason, kept with the refusal for administrators (1–500 characters).
    #[schema(min_length = 1, max_length = 500, pattern = r"[^\s\u0085]")]
    reason: String,
}

/// Refuse a descendant's site
///
/// Platform administrators. A replica of a site of a node below this one is no longer
/// served here (its pages answer 404) nor found by this node's search; its owner's later
/// changes still arrive, so lifting the refusal serves it as it then is.
#[utoipa::path(
    post,
    path = "/api/admin/sites/{site}/refusal",
    tag = "content",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "Site id")),
    request_body = RefusalBody,
    responses(
        (status = 200, description = "The site, refused", body = SiteListing),
        (status = 400, description = "A missing, unknown or invalid field", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not a platform administrator", body = ErrorBody),
        (status = 404, description = "No such site", body = ErrorBody),
        (status = 409, description = "The site is this node's own, not a descendant's, or not served", body = ErrorBody),
        (status = 413, description = TOO_LARGE, body = ErrorBody),
    ),
)]
pub async fn refuse_site(
    State(content): State<Content>,
    caller: Caller,
    Path(site): Path<String>,
    ApiJson(body): ApiJson<RefusalBody>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Action::ManagePlatform, None)?;
    Ok(Json(
        content
            .refuse_site(&caller.0.name, &site, &body.reason)
            .await?,
    ))
}

/// Lift a refusal
///
/// Platform administrators. The refused site is served and searched here again.
#[utoipa::path(
    delete,
    path = "/api/admin/sites/{site}/refusal",
    tag = "content",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "Site id")),
    responses(
        (status = 200, description = "The site, serving again", body = SiteListing),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not a platform administrator", body = ErrorBody),
        (status = 404, description = "No such site", body = ErrorBody),
        (status = 409, description = "The site is not refused", body = ErrorBody),
    ),
)]
pub async fn lift_refusal(
    State(content): State<Content>,
    caller: Caller,
    Path(site): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Action::ManagePlatform, None)?;
    Ok(Json(content.lift_refusal(&caller.0.name, &site).await?))
}

/// Archive an empty site
///
/// Platform administrators. One of this node's own sites that holds no article (in any
/// state) leaves the lists, its pages (404) and search; its host names are freed; its id
/// stays taken. The state replicates to the nodes above. A site with content is shut
/// down instead.
#[utoipa::path(
    post,
    path = "/api/admin/sites/{site}/archive",
    tag = "content",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "Site id")),
    request_body = RefusalBody,
    responses(
        (status = 200, description = "The site, archived", body = SiteListing),
        (status = 400, description = "A missing, unknown or invalid field", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not a platform administrator, or another node's site", body = ErrorBody),
        (status = 404, description = "No such site", body = ErrorBody),
        (status = 409, description = "The site holds articles, or is not served", body = ErrorBody),
        (status = 413, description = TOO_LARGE, body = ErrorBody),
    ),
)]
pub async fn archive_site(
    State(content): State<Content>,
    caller: Caller,
    Path(site): Path<String>,
    ApiJson(body): ApiJson<RefusalBody>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Action::ManagePlatform, None)?;
    Ok(Json(
        content
            .archive_site(&caller.0.name, &site, &body.reason)
            .await?,
    ))
}

/// Restore an archived site
///
/// Platform administrators. The archived site is served again, with its host names if no
/// other site took them meanwhile (409 naming the host otherwise).
#[utoipa::path(
    delete,
    path = "/api/admin/sites/{site}/archive",
    tag = "content",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "Site id")),
    responses(
        (status = 200, description = "The site, serving again", body = SiteListing),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not a platform administrator, or another node's site", body = ErrorBody),
        (status = 404, description = "No such site", body = ErrorBody),
        (status = 409, description = "The site is not archived, or a host name was taken", body = ErrorBody),
    ),
)]
pub async fn restore_site(
    State(content): State<Content>,
    caller: Caller,
    Path(site): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Action::ManagePlatform, None)?;
    Ok(Json(content.restore_site(&caller.0.name, &site).await?))
}

/// What a shut-down site says.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShutdownBody {
    /// The message shown on the maintenance page, at most 500 characters.
    #[serde(default)]
    #[schema(max_length = 500)]
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

/// Set a site's footer
///
/// Site administrators. Replaces the footer items every page shows (网站标识码, ICP备案号,
/// 公安机关备案号, 党政机关网站标识 id, 承办单位, contact); an empty or absent item is
/// removed from the footer.
#[utoipa::path(
    put,
    path = "/api/admin/sites/{site}/footer",
    tag = "content",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "Site id")),
    request_body = SiteFooter,
    responses(
        (status = 200, description = "The site with its footer", body = Site),
        (status = 400, description = "An unknown or invalid item, named", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not an administrator of the site", body = ErrorBody),
        (status = 404, description = "No such site", body = ErrorBody),
        (status = 409, description = "The site is a replica of another node's site", body = ErrorBody),
        (status = 413, description = TOO_LARGE, body = ErrorBody),
    ),
)]
pub async fn put_site_footer(
    State(content): State<Content>,
    caller: Caller,
    Path(site): Path<String>,
    ApiJson(footer): ApiJson<SiteFooter>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Action::ManageSite, Some(&site))?;
    Ok(Json(
        content.set_footer(&caller.0.name, &site, &footer).await?,
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
        (status = 400, description = "A missing, unknown or invalid field; no such parent column in the site; the site or the level has as many columns as it may", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not an administrator of the site", body = ErrorBody),
        (status = 404, description = "No such site", body = ErrorBody),
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
    /// Display name of the set, 1–100 characters.
    #[schema(min_length = 1, max_length = 100, pattern = r"[^\s\u0085]")]
    name: String,
    /// Its columns, at least one.
    #[schema(min_items = 1)]
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
    params(("set" = String, Path, description = "Template set id: 1–40 of a-z, 0-9 and '-'", pattern = r"^[a-z0-9][a-z0-9-]{0,39}$")),
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
