//! The admin API: sites, columns, column template sets, articles and their workflow,
//! blobs, templates and the audit log. Every route authenticates and checks the role.

use axum::Router;
use axum::routing::{get, post, put};
use govnode_content::Content;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use govnode_accounts::Action;
use govnode_content::{
    Article, ArticleInput, ColumnInput, SiteInput, State as ArticleState, Transition,
};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::common::error::ApiError;
use crate::common::extract::{ApiJson, ApiPath as Path, ApiQuery as Query, Caller, OptionalJson};

/// Sites, columns, column template sets, articles and their workflow, templates, audit.
pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/admin/sites", post(create_site).get(list_sites))
        .route("/api/admin/sites/{site}/shutdown", post(shutdown_site))
        .route("/api/admin/sites/{site}/resume", post(resume_site))
        .route(
            "/api/admin/sites/{site}/columns",
            post(create_column).get(list_columns),
        )
        .route(
            "/api/admin/sites/{site}/articles",
            post(create_article).get(list_articles),
        )
        .route("/api/admin/sites/{site}/templates", get(list_templates))
        .route(
            "/api/admin/sites/{site}/templates/{name}",
            put(put_template).delete(delete_template),
        )
        .route("/api/admin/column-templates/{set}", put(put_template_set))
        .route(
            "/api/admin/column-templates/{set}/apply",
            post(apply_template_set),
        )
        .route(
            "/api/admin/articles/{id}",
            get(get_article).put(revise_article),
        )
        .route("/api/admin/articles/{id}/revisions", get(revisions))
        .route("/api/admin/articles/{id}/{action}", post(transition))
        .route("/api/admin/audit", get(audit))
}

type Node_ = State<AppState>;

/// `POST /api/admin/sites`
pub async fn create_site(
    State(content): State<Content>,
    caller: Caller,
    ApiJson(input): ApiJson<SiteInput>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Action::ManagePlatform, None)?;
    let site = content.create_site(&caller.0.name, &input).await?;
    Ok((StatusCode::CREATED, Json(site)))
}

/// `GET /api/admin/sites`: the sites the caller can see.
pub async fn list_sites(State(node): Node_, caller: Caller) -> Result<impl IntoResponse, ApiError> {
    let sites = node.content.sites().await?;
    let visible: Vec<_> = sites
        .into_iter()
        .filter(|s| caller.require_site(&s.id).is_ok())
        .collect();
    Ok(Json(visible))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShutdownBody {
    #[serde(default)]
    message: String,
}

/// `POST /api/admin/sites/{site}/shutdown`: one-key shutdown.
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

/// `POST /api/admin/sites/{site}/resume`
pub async fn resume_site(
    State(node): Node_,
    caller: Caller,
    Path(site): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Action::ManageSite, Some(&site))?;
    Ok(Json(
        node.content
            .set_shutdown(&caller.0.name, &site, false, "")
            .await?,
    ))
}

/// `POST /api/admin/sites/{site}/columns`
pub async fn create_column(
    State(node): Node_,
    caller: Caller,
    Path(site): Path<String>,
    ApiJson(input): ApiJson<ColumnInput>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Action::ManageSite, Some(&site))?;
    Ok((
        StatusCode::CREATED,
        Json(
            node.content
                .create_column(&caller.0.name, &site, &input)
                .await?,
        ),
    ))
}

/// `GET /api/admin/sites/{site}/columns`
pub async fn list_columns(
    State(node): Node_,
    caller: Caller,
    Path(site): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require_site(&site)?;
    node.content.site(&site).await?;
    Ok(Json(node.content.columns(&site).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateSetBody {
    name: String,
    columns: Vec<ColumnInput>,
}

/// `PUT /api/admin/column-templates/{set}`
pub async fn put_template_set(
    State(node): Node_,
    caller: Caller,
    Path(set): Path<String>,
    ApiJson(body): ApiJson<TemplateSetBody>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Action::ManagePlatform, None)?;
    node.content
        .put_template_set(&caller.0.name, &set, &body.name, &body.columns)
        .await?;
    Ok(Json(
        json!({ "id": set, "name": body.name, "columns": body.columns }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplyBody {
    site: String,
}

/// `POST /api/admin/column-templates/{set}/apply`: stamps the set's columns onto a site.
pub async fn apply_template_set(
    State(node): Node_,
    caller: Caller,
    Path(set): Path<String>,
    ApiJson(body): ApiJson<ApplyBody>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Action::ManagePlatform, None)?;
    let created = node
        .content
        .apply_template_set(&caller.0.name, &set, &body.site)
        .await?;
    Ok(Json(json!({ "created": created })))
}

/// An article as the API returns it.
fn article_json(a: &Article) -> Value {
    // Serialising a plain struct cannot fail.
    serde_json::to_value(a).unwrap_or(Value::Null)
}

/// `POST /api/admin/sites/{site}/articles`
pub async fn create_article(
    State(node): Node_,
    caller: Caller,
    Path(site): Path<String>,
    ApiJson(input): ApiJson<ArticleInput>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Action::Edit, Some(&site))?;
    let a = node
        .content
        .create_article(&caller.0.name, &site, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(article_json(&a))))
}

#[derive(Deserialize)]
pub struct ListQuery {
    state: Option<String>,
    #[serde(default)]
    page: Option<i64>,
}

/// `GET /api/admin/sites/{site}/articles?state=&page=`
pub async fn list_articles(
    State(node): Node_,
    caller: Caller,
    Path(site): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require_site(&site)?;
    node.content.site(&site).await?;
    let state = match q.state.as_deref() {
        Some(s) => Some(ArticleState::parse(s).ok_or_else(|| {
            ApiError::bad_request(format!("state: `{s}` is not a workflow state"))
        })?),
        None => None,
    };
    let page = q.page.unwrap_or(1).max(1);
    let list = node
        .content
        .articles(&site, state, 50, (page - 1) * 50)
        .await?;
    Ok(Json(list.iter().map(article_json).collect::<Vec<_>>()))
}

pub(super) async fn article_for(
    node: &AppState,
    caller: &Caller,
    id: i64,
) -> Result<Article, ApiError> {
    let a = node.content.article(id).await?;
    if caller.require_site(&a.site).is_err() {
        return Err(ApiError::forbidden(format!(
            "article {id} belongs to another site"
        )));
    }
    Ok(a)
}

/// `GET /api/admin/articles/{id}`
pub async fn get_article(
    State(node): Node_,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<impl IntoResponse, ApiError> {
    Ok(Json(article_json(&article_for(&node, &caller, id).await?)))
}

/// `PUT /api/admin/articles/{id}`: saves a new revision.
pub async fn revise_article(
    State(node): Node_,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ArticleInput>,
) -> Result<impl IntoResponse, ApiError> {
    let a = article_for(&node, &caller, id).await?;
    caller.require(Action::Edit, Some(&a.site))?;
    Ok(Json(article_json(
        &node
            .content
            .revise_article(&caller.0.name, id, &input)
            .await?,
    )))
}

/// `GET /api/admin/articles/{id}/revisions`
pub async fn revisions(
    State(node): Node_,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<impl IntoResponse, ApiError> {
    article_for(&node, &caller, id).await?;
    Ok(Json(node.content.revisions(id).await?))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct TransitionBody {
    #[serde(default)]
    reason: Option<String>,
    /// RFC 3339 time for a scheduled publication.
    #[serde(default)]
    at: Option<String>,
}

/// `POST /api/admin/articles/{id}/{action}`: submit, approve, reject, publish, withdraw.
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
    let a = article_for(&node, &caller, id).await?;
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

#[derive(Deserialize)]
pub struct AuditQuery {
    site: Option<String>,
    before: Option<i64>,
    limit: Option<i64>,
}

/// `GET /api/admin/audit?site=&before=&limit=`
pub async fn audit(
    State(node): Node_,
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
        node.content
            .audit(site.as_deref(), q.before, q.limit.unwrap_or(100))
            .await?,
    ))
}

/// `GET /api/admin/sites/{site}/templates`: the site's overrides.
pub async fn list_templates(
    State(node): Node_,
    caller: Caller,
    Path(site): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Action::EditTemplates, Some(&site))?;
    node.content.site(&site).await?;
    Ok(Json(node.content.template_overrides(&site).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateBody {
    source: String,
}

/// `PUT /api/admin/sites/{site}/templates/{name}`: compiles, stores and installs an override.
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

/// `DELETE /api/admin/sites/{site}/templates/{name}`: back to the default.
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
