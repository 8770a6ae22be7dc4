//! The admin API: sites, columns, column template sets, articles and their workflow,
//! blobs, templates and the audit log. Every route authenticates and checks the role.

use govnode_content::Content;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use govnode_accounts::Action;
use govnode_content::{
    Article, ArticleInput, AuditRecord, Column, ColumnInput, Revision, Site, SiteInput,
    State as ArticleState, Transition,
};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::api::openapi::{ErrorBody, TOO_LARGE, UNAUTHORIZED};
use crate::common::error::ApiError;
use crate::common::extract::{ApiJson, ApiPath as Path, ApiQuery as Query, Caller, OptionalJson};

/// Sites, columns, column template sets, articles and their workflow, templates, audit.
pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_site, list_sites))
        .routes(routes!(shutdown_site))
        .routes(routes!(resume_site))
        .routes(routes!(create_column, list_columns))
        .routes(routes!(create_article, list_articles))
        .routes(routes!(list_templates))
        .routes(routes!(put_template, delete_template))
        .routes(routes!(put_template_set))
        .routes(routes!(apply_template_set))
        .routes(routes!(get_article, revise_article))
        .routes(routes!(revisions))
        .routes(routes!(transition))
        .routes(routes!(audit))
}

type Node_ = State<AppState>;

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

/// An article as the API returns it.
fn article_json(a: &Article) -> Value {
    // Serialising a plain struct cannot fail.
    serde_json::to_value(a).unwrap_or(Value::Null)
}

/// Create a draft article
///
/// Editors of the site. The article starts as a draft in the named column.
#[utoipa::path(
    post,
    path = "/api/admin/sites/{site}/articles",
    tag = "content",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "Site id")),
    request_body = ArticleInput,
    responses(
        (status = 201, description = "The article", body = Article),
        (status = 400, description = "A missing, unknown or invalid field", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not an editor of the site", body = ErrorBody),
        (status = 404, description = "No such site or column", body = ErrorBody),
        (status = 413, description = TOO_LARGE, body = ErrorBody),
    ),
)]
pub async fn create_article(
    State(content): State<Content>,
    caller: Caller,
    Path(site): Path<String>,
    ApiJson(input): ApiJson<ArticleInput>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Action::Edit, Some(&site))?;
    let a = content
        .create_article(&caller.0.name, &site, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(article_json(&a))))
}

/// Which articles of a site.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only articles in this workflow state: draft, submitted, approved, rejected,
    /// scheduled, published, withdrawn.
    state: Option<String>,
    /// Page number, from 1 (50 articles a page).
    #[serde(default)]
    page: Option<i64>,
}

/// A site's articles
///
/// Newest first, 50 a page.
#[utoipa::path(
    get,
    path = "/api/admin/sites/{site}/articles",
    tag = "content",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "Site id"), ListQuery),
    responses(
        (status = 200, description = "The page's articles", body = Vec<Article>),
        (status = 400, description = "`state` is not a workflow state, or `page` not a number", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "A token for another site", body = ErrorBody),
        (status = 404, description = "No such site", body = ErrorBody),
    ),
)]
pub async fn list_articles(
    State(content): State<Content>,
    caller: Caller,
    Path(site): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require_site(&site)?;
    content.site(&site).await?;
    let state = match q.state.as_deref() {
        Some(s) => Some(ArticleState::parse(s).ok_or_else(|| {
            ApiError::bad_request(format!("state: `{s}` is not a workflow state"))
        })?),
        None => None,
    };
    let page = q.page.unwrap_or(1).max(1);
    let list = content.articles(&site, state, 50, (page - 1) * 50).await?;
    Ok(Json(list.iter().map(article_json).collect::<Vec<_>>()))
}

pub(super) async fn article_for(
    content: &Content,
    caller: &Caller,
    id: i64,
) -> Result<Article, ApiError> {
    let a = content.article(id).await?;
    if caller.require_site(&a.site).is_err() {
        return Err(ApiError::forbidden(format!(
            "article {id} belongs to another site"
        )));
    }
    Ok(a)
}

/// An article with its working revision
#[utoipa::path(
    get,
    path = "/api/admin/articles/{id}",
    tag = "content",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Article id")),
    responses(
        (status = 200, description = "The article", body = Article),
        (status = 400, description = "`id` is not a number", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "The article belongs to another site", body = ErrorBody),
        (status = 404, description = "No such article", body = ErrorBody),
    ),
)]
pub async fn get_article(
    State(content): State<Content>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<impl IntoResponse, ApiError> {
    Ok(Json(article_json(
        &article_for(&content, &caller, id).await?,
    )))
}

/// Save a new revision
///
/// Editors of the article's site; draft, rejected, published or withdrawn articles (a live
/// article keeps serving until the new revision is published).
#[utoipa::path(
    put,
    path = "/api/admin/articles/{id}",
    tag = "content",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Article id")),
    request_body = ArticleInput,
    responses(
        (status = 200, description = "The article with its new working revision", body = Article),
        (status = 400, description = "A missing, unknown or invalid field, or `id` not a number", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not an editor of the article's site", body = ErrorBody),
        (status = 404, description = "No such article", body = ErrorBody),
        (status = 409, description = "The article's state does not allow a revision (submitted, approved, scheduled)", body = ErrorBody),
        (status = 413, description = TOO_LARGE, body = ErrorBody),
    ),
)]
pub async fn revise_article(
    State(content): State<Content>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ArticleInput>,
) -> Result<impl IntoResponse, ApiError> {
    let a = article_for(&content, &caller, id).await?;
    caller.require(Action::Edit, Some(&a.site))?;
    Ok(Json(article_json(
        &content.revise_article(&caller.0.name, id, &input).await?,
    )))
}

/// Every revision of an article
///
/// Oldest first.
#[utoipa::path(
    get,
    path = "/api/admin/articles/{id}/revisions",
    tag = "content",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Article id")),
    responses(
        (status = 200, description = "The revisions", body = Vec<Revision>),
        (status = 400, description = "`id` is not a number", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "The article belongs to another site", body = ErrorBody),
        (status = 404, description = "No such article", body = ErrorBody),
    ),
)]
pub async fn revisions(
    State(content): State<Content>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<impl IntoResponse, ApiError> {
    article_for(&content, &caller, id).await?;
    Ok(Json(content.revisions(id).await?))
}

/// What a workflow action takes.
#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionBody {
    /// The reason (reject; required to withdraw).
    #[serde(default)]
    reason: Option<String>,
    /// RFC 3339 time for a scheduled publication (publish only).
    #[serde(default)]
    #[schema(format = DateTime)]
    at: Option<String>,
}

/// A workflow action
///
/// submit (editors), approve or reject (reviewers; never the article's author), publish
/// (now, or at `at`), withdraw (with a reason). 409 when the article's state does not allow
/// the action.
#[utoipa::path(
    post,
    path = "/api/admin/articles/{id}/{action}",
    tag = "content",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Article id"),
        ("action" = String, Path, description = "The action", example = "submit", pattern = "^(submit|approve|reject|publish|withdraw)$"),
    ),
    request_body(content = Option<TransitionBody>, description = "Optional: an empty body is no reason and no time"),
    responses(
        (status = 200, description = "The article after the action", body = Article),
        (status = 400, description = "`at` is not an RFC 3339 time or given to an action other than publish; a field unknown", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "The caller's role may not do this on the site, or the four-eyes rule refuses it", body = ErrorBody),
        (status = 404, description = "No such article, or no such action", body = ErrorBody),
        (status = 409, description = "The article's state does not allow the action", body = ErrorBody),
        (status = 413, description = TOO_LARGE, body = ErrorBody),
    ),
)]
pub async fn transition(
    State(node): Node_,
    caller: Caller,
    Path((id, action)): Path<(i64, String)>,
    OptionalJson(body): OptionalJson<TransitionBody>,
) -> Result<impl IntoResponse, ApiError> {
    let (t, needed) = match action.as_str() {
        "submit" => (Transition::Submit, Action::Edit),
        "approve" => (Transition::Approve, Action::Review),
        "reject" => (Transition::Reject, Action::Review),
        "publish" => (Transition::Publish, Action::Publish),
        "withdraw" => (Transition::Withdraw, Action::Withdraw),
        other => {
            return Err(ApiError::not_found(format!(
                "no workflow action `{other}` (submit, approve, reject, publish, withdraw)"
            )));
        }
    };
    let body = body.unwrap_or_default();
    let a = article_for(&node.content, &caller, id).await?;
    caller.require(needed, Some(&a.site))?;
    let at_ms = match body.at.as_deref() {
        Some(s) if t == Transition::Publish => Some(
            chrono::DateTime::parse_from_rfc3339(s)
                .map_err(|_| ApiError::bad_request(format!("at: `{s}` is not an RFC 3339 time")))?
                .timestamp_millis(),
        ),
        Some(_) => return Err(ApiError::bad_request("at: only publish takes a time")),
        None => None,
    };
    let after = node
        .content
        .transition(&caller.0.name, id, t, body.reason.as_deref(), at_ms)
        .await?;
    node.metrics
        .transitions
        .get_or_create(&crate::common::metrics::TransitionLabels {
            transition: action.clone(),
        })
        .inc();
    Ok(Json(article_json(&after)))
}

/// Which audit records.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// One site's records (a site token always reads its own site).
    site: Option<String>,
    /// Records before this id (the next page).
    before: Option<i64>,
    /// Most records, default 100.
    limit: Option<i64>,
}

/// Audit records
///
/// Who did what, when, to which object; newest first.
#[utoipa::path(
    get,
    path = "/api/admin/audit",
    tag = "content",
    security(("bearer" = [])),
    params(AuditQuery),
    responses(
        (status = 200, description = "The records", body = Vec<AuditRecord>),
        (status = 400, description = "`before` or `limit` is not a number", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "The caller may not read this audit log", body = ErrorBody),
    ),
)]
pub async fn audit(
    State(content): State<Content>,
    caller: Caller,
    Query(q): Query<AuditQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let site = match (caller.0.scope.site(), q.site) {
        (None, s) => s,
        (Some(mine), None) => Some(mine.to_string()),
        (Some(_), Some(s)) => Some(s),
    };
    caller.require(Action::ReadAudit, site.as_deref())?;
    Ok(Json(
        content
            .audit(site.as_deref(), q.before, q.limit.unwrap_or(100))
            .await?,
    ))
}

/// A site's template overrides
#[utoipa::path(
    get,
    path = "/api/admin/sites/{site}/templates",
    tag = "content",
    security(("bearer" = [])),
    params(("site" = String, Path, description = "Site id")),
    responses(
        (status = 200, description = "Template name → source of each override", body = std::collections::BTreeMap<String, String>),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "The caller may not edit the site's templates", body = ErrorBody),
        (status = 404, description = "No such site", body = ErrorBody),
    ),
)]
pub async fn list_templates(
    State(content): State<Content>,
    caller: Caller,
    Path(site): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Action::EditTemplates, Some(&site))?;
    content.site(&site).await?;
    Ok(Json(content.template_overrides(&site).await?))
}

/// A template's source.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateBody {
    /// The template (minijinja), which must compile.
    source: String,
}

/// Override a template
///
/// The template must compile; it is stored and installed at once (sandboxed).
#[utoipa::path(
    put,
    path = "/api/admin/sites/{site}/templates/{name}",
    tag = "content",
    security(("bearer" = [])),
    params(
        ("site" = String, Path, description = "Site id"),
        ("name" = String, Path, description = "Template name, one of the default templates'"),
    ),
    request_body = TemplateBody,
    responses(
        (status = 200, description = "`{site, name, bytes}`: the override installed", body = Object),
        (status = 400, description = "Not a template name, or the template does not compile", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "The caller may not edit the site's templates", body = ErrorBody),
        (status = 404, description = "No such site", body = ErrorBody),
        (status = 413, description = TOO_LARGE, body = ErrorBody),
    ),
)]
pub async fn put_template(
    State(node): Node_,
    caller: Caller,
    Path((site, name)): Path<(String, String)>,
    ApiJson(body): ApiJson<TemplateBody>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Action::EditTemplates, Some(&site))?;
    let set = node
        .content
        .put_template(&caller.0.name, &site, &name, Some(&body.source))
        .await?;
    node.renderer.set_overrides(&site, set)?;
    Ok(Json(
        json!({ "site": site, "name": name, "bytes": body.source.len() }),
    ))
}

/// Back to the default template
#[utoipa::path(
    delete,
    path = "/api/admin/sites/{site}/templates/{name}",
    tag = "content",
    security(("bearer" = [])),
    params(
        ("site" = String, Path, description = "Site id"),
        ("name" = String, Path, description = "Template name"),
    ),
    responses(
        (status = 204, description = "The override is gone"),
        (status = 400, description = "Not a template name", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "The caller may not edit the site's templates", body = ErrorBody),
        (status = 404, description = "No such site", body = ErrorBody),
    ),
)]
pub async fn delete_template(
    State(node): Node_,
    caller: Caller,
    Path((site, name)): Path<(String, String)>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Action::EditTemplates, Some(&site))?;
    let set = node
        .content
        .put_template(&caller.0.name, &site, &name, None)
        .await?;
    node.renderer.set_overrides(&site, set)?;
    Ok(StatusCode::NO_CONTENT)
}
