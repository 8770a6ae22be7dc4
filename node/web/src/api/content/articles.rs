//! Articles, their revisions and workflow, and the audit log.

use govnode_content::Content;
use utoipa::{IntoParams, ToSchema};

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use govnode_accounts::Action;
use govnode_content::{
    Article, ArticleInput, ArticlePatch, AuditRecord, GateFinding, Revision, State as ArticleState,
    Transition,
};
use serde::Deserialize;
use serde_json::Value;

use crate::api::openapi::{ErrorBody, TOO_LARGE, UNAUTHORIZED};
use crate::common::error::ApiError;
use crate::common::extract::{ApiJson, ApiPath as Path, ApiQuery as Query, Caller, OptionalJson};

use super::Node_;

/// An article as the API returns it.
fn article_json(a: &Article) -> Value {
    // Serialising a plain struct cannot fail.
    serde_json::to_value(a).unwrap_or(Value::Null)
}

/// What an editor sends to create an article: an `ArticleInput` whose `column` is
/// required (a revision may leave it out: an article stays in its column).
pub struct NewArticle;

impl utoipa::PartialSchema for NewArticle {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::RefOr;
        use utoipa::openapi::schema::{Schema, Type};
        let mut schema = ArticleInput::schema();
        if let RefOr::T(Schema::Object(input)) = &mut schema {
            input.description = Some(
                "What an editor sends to create an article: `ArticleInput` with its `column`."
                    .into(),
            );
            input.required.insert(0, "column".into());
            if let Some(RefOr::T(Schema::Object(column))) = input.properties.get_mut("column") {
                column.schema_type = Type::String.into();
                column.description = Some("Column slug".into());
            }
        }
        schema
    }
}

impl ToSchema for NewArticle {
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        <ArticleInput as ToSchema>::schemas(schemas);
    }
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
    request_body = NewArticle,
    responses(
        (status = 201, description = "The article", body = Article),
        (status = 400, description = "A missing, unknown or invalid field; no such column in the site, or an attachment not uploaded", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not an editor of the site", body = ErrorBody),
        (status = 404, description = "No such site", body = ErrorBody),
        (status = 413, description = TOO_LARGE, body = ErrorBody),
    ),
)]
pub async fn create_article(
    State(content): State<Content>,
    caller: Caller,
    Path(site): Path<String>,
    ApiJson(input): ApiJson<ArticleInput>,
) -> Result<impl IntoResponse, ApiError> {
    match input.column.as_deref() {
        Some(column) => caller.require_in_column(Action::Edit, &site, column)?,
        None => caller.require(Action::Edit, Some(&site))?,
    }
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
    #[param(value_type = Option<ArticleState>, inline)]
    state: Option<String>,
    /// Page number, from 1 (50 articles a page).
    #[serde(default)]
    #[param(minimum = 1)]
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
    // Past the last page is an empty page, however far past (never an overflow).
    let page = q.page.unwrap_or(1).max(1);
    let offset = (page - 1).saturating_mul(50);
    let list = content.articles(&site, state, 50, offset).await?;
    Ok(Json(list.iter().map(article_json).collect::<Vec<_>>()))
}

pub(crate) async fn article_for(
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

/// Replace an article's document
///
/// Editors of the article's site; draft, rejected, published or withdrawn articles (a live
/// article keeps serving until the new revision is published). The whole document is
/// replaced: a replacement that would clear the body, or the issuing body or a date of a
/// policy document, is refused naming the fields (use PATCH to change only some fields).
#[utoipa::path(
    put,
    path = "/api/admin/articles/{id}",
    tag = "content",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Article id")),
    request_body = ArticleInput,
    responses(
        (status = 200, description = "The article with its new working revision", body = Article),
        (status = 400, description = "A missing, unknown or invalid field, `id` not a number, or a replacement that would clear the body (or a policy document's issuing body or dates)", body = ErrorBody),
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
    caller.require_in_column(Action::Edit, &a.site, &a.column)?;
    Ok(Json(article_json(
        &content.revise_article(&caller.0.name, id, &input).await?,
    )))
}

/// Change some fields of an article
///
/// Editors of the article's site. Saves a new revision changing only the fields sent; every
/// field left out keeps its value, and an empty string clears a text field on purpose.
#[utoipa::path(
    patch,
    path = "/api/admin/articles/{id}",
    tag = "content",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Article id")),
    request_body = ArticlePatch,
    responses(
        (status = 200, description = "The article with its new working revision", body = Article),
        (status = 400, description = "An unknown or invalid field, or `id` not a number", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "Not an editor of the article's site", body = ErrorBody),
        (status = 404, description = "No such article", body = ErrorBody),
        (status = 409, description = "The article's state does not allow a revision (submitted, approved, scheduled)", body = ErrorBody),
        (status = 413, description = TOO_LARGE, body = ErrorBody),
    ),
)]
pub async fn patch_article(
    State(content): State<Content>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(patch): ApiJson<ArticlePatch>,
) -> Result<impl IntoResponse, ApiError> {
    let a = article_for(&content, &caller, id).await?;
    caller.require_in_column(Action::Edit, &a.site, &a.column)?;
    Ok(Json(article_json(
        &content.patch_article(&caller.0.name, id, &patch).await?,
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

/// The pre-publication check of an article's working revision
///
/// Misspelt names of leaders and institutions, outdated institution names, sensitive words
/// (serious: approval is refused without an `override_reason`) and likely typos (for a
/// person to judge), computed now against the word lists in force.
#[utoipa::path(
    get,
    path = "/api/admin/articles/{id}/checks",
    tag = "content",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Article id")),
    responses(
        (status = 200, description = "The findings, serious ones first; empty when none", body = Vec<GateFinding>),
        (status = 400, description = "`id` is not a number", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "The article belongs to another site", body = ErrorBody),
        (status = 404, description = "No such article", body = ErrorBody),
    ),
)]
pub async fn article_checks(
    State(content): State<Content>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<impl IntoResponse, ApiError> {
    let a = article_for(&content, &caller, id).await?;
    let mut found = content.check_article(&a.doc).await;
    found.sort_by_key(|f| !f.serious);
    Ok(Json(found))
}

/// What a workflow action takes.
#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionBody {
    /// The reason, 1–500 characters: required to reject or withdraw (other actions
    /// ignore it).
    #[serde(default)]
    #[schema(max_length = 500, pattern = r"[^\s\u0085]")]
    reason: Option<String>,
    /// RFC 3339 time for a scheduled publication (publish only).
    #[serde(default)]
    #[schema(format = DateTime)]
    at: Option<String>,
    /// Approve only: why the article may go ahead although the pre-publication check
    /// found a serious problem (see `GET /api/admin/articles/{id}/checks`), 1–500
    /// characters; written to the audit log.
    #[serde(default)]
    #[schema(max_length = 500, pattern = r"[^\s\u0085]")]
    override_reason: Option<String>,
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
        (status = 400, description = "No `reason` to reject or withdraw; `at` is not an RFC 3339 time or given to an action other than publish; `override_reason` given to an action other than approve, or over 500 characters; a field unknown", body = ErrorBody),
        (status = 401, description = UNAUTHORIZED, body = ErrorBody),
        (status = 403, description = "The caller's role may not do this on the site, or the four-eyes rule refuses it", body = ErrorBody),
        (status = 404, description = "No such article, or no such action", body = ErrorBody),
        (status = 409, description = "The article's state does not allow the action, or (approve) the pre-publication check found a serious problem and no `override_reason` was given; the message names the problems", body = ErrorBody),
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
    caller.require_in_column(needed, &a.site, &a.column)?;
    let at_ms = match body.at.as_deref() {
        Some(s) if t == Transition::Publish => Some(
            chrono::DateTime::parse_from_rfc3339(s)
                .map_err(|_| ApiError::bad_request(format!("at: `{s}` is not an RFC 3339 time")))?
                .timestamp_millis(),
        ),
        Some(_) => return Err(ApiError::bad_request("at: only publish takes a time")),
        None => None,
    };
    if body.override_reason.is_some() && t != Transition::Approve {
        return Err(ApiError::bad_request(
            "override_reason: only approve takes an override",
        ));
    }
    let after = node
        .content
        .transition_overriding(
            &caller.0.name,
            id,
            t,
            body.reason.as_deref(),
            at_ms,
            body.override_reason.as_deref(),
        )
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
    /// Most records, 1–500 (default 100).
    #[param(minimum = 1, maximum = 500)]
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
    let site = match (caller.own_site(), q.site) {
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
