//! 知识库 (`/admin/knowledge`): the Q&A entries (articles of the Q&A columns, doc type
//! `qa`) of one's sites, which the Q&A assistant answers from — their state by name, a
//! link to the article editor, 撤下 (a published entry withdrawn through the workflow with
//! a reason; the permission is the workflow's) and new entries. Site administrators,
//! editors and reviewers of sites with a Q&A column, and platform administrators. The
//! other pages: [`super::knowledge_letters`] (replied letters into drafts) and
//! [`super::knowledge_unanswered`] (questions the assistant could not answer).

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use govnode_accounts::{Access, Action, Role};
use govnode_content::{
    Column, ColumnKind, ContentError, SiteScope, State as ArticleState, Transition, WorkQuery,
};
use serde::{Deserialize, Serialize};

use super::staff::Staff;
use super::{refused, render, see_other};
use crate::AppState;
use crate::common::text::url_encode;

/// Entries listed at most.
const ENTRIES: i64 = 500;
/// The site roles that work on a site's knowledge base.
pub(super) const ROLES: [Role; 3] = [Role::SiteAdmin, Role::Editor, Role::Reviewer];

/// A Q&A column of a site this person works on.
#[derive(Debug, Clone, Serialize)]
pub(super) struct QaColumn {
    pub site: String,
    pub site_name: String,
    pub column: String,
    pub column_name: String,
    /// Whether the person may write a new entry in it.
    pub may_write: bool,
    /// `/admin/articles/new?site=…&column=…`.
    pub new_url: String,
}

/// Whether `access` works on `column` of `site` (a platform admin works on every site).
fn works_on(access: &Access, site: &str, column: &str) -> bool {
    access.is_platform_admin()
        || access.grants.iter().any(|g| {
            ROLES.contains(&g.role)
                && g.scope.site() == Some(site)
                && g.columns
                    .as_ref()
                    .is_none_or(|c| c.iter().any(|c| c == column))
        })
}

/// The live Q&A columns of this node's own sites that `access` works on.
pub(super) async fn qa_columns(node: &AppState, access: &Access) -> Vec<QaColumn> {
    let sites = node.content.sites().await.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "console: listing sites failed");
        Vec::new()
    });
    let mut out = Vec::new();
    for site in sites.iter().filter(|s| !node.content.is_replica(s)) {
        let columns: Vec<Column> = node.content.columns(&site.id).await.unwrap_or_default();
        for c in columns
            .into_iter()
            .filter(|c| c.kind == ColumnKind::Qa && !c.archived)
            .filter(|c| works_on(access, &site.id, &c.slug))
        {
            out.push(QaColumn {
                may_write: access.may_in_column(Action::Edit, &site.id, &c.slug),
                new_url: format!(
                    "/admin/articles/new?site={}&column={}",
                    url_encode(&site.id),
                    url_encode(&c.slug)
                ),
                site: site.id.clone(),
                site_name: site.name.clone(),
                column: c.slug,
                column_name: c.name,
            });
        }
    }
    out
}

/// Whether `staff` may use 知识库 at all (a platform admin, or any site role).
pub(super) fn may_use(staff: &Staff) -> bool {
    let a = &staff.signed_in.access;
    a.is_platform_admin() || ROLES.iter().any(|r| a.holds_on_sites(*r))
}

/// The refusal of anyone else.
pub(super) fn not_allowed(node: &AppState, staff: &Staff) -> Response {
    refused(
        StatusCode::FORBIDDEN,
        &staff.frame(&node.node),
        "知识库仅对设有问答栏目的站点的管理员、编辑、审核员和平台管理员开放",
        "/admin/",
    )
}

#[derive(Debug, Serialize)]
struct EntryRow {
    id: i64,
    title: String,
    site: String,
    column: String,
    state: &'static str,
    published: bool,
    may_retire: bool,
    live_url: Option<String>,
}

/// `?done=` and a retire form's error, by entry.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Done {
    done: String,
}

async fn show(
    node: &AppState,
    staff: &Staff,
    status: StatusCode,
    error: Option<(i64, String)>,
    notice: Option<String>,
) -> Response {
    let access = &staff.signed_in.access;
    let mut frame = staff.frame(&node.node);
    frame.notice = notice;
    let columns = qa_columns(node, access).await;
    // Only the Q&A columns, so other columns' articles never crowd the entries out.
    let mut within: Vec<SiteScope> = Vec::new();
    for c in &columns {
        match within.iter_mut().find(|s| s.site == c.site) {
            Some(s) => s
                .columns
                .get_or_insert_with(Vec::new)
                .push(c.column.clone()),
            None => within.push(SiteScope {
                site: c.site.clone(),
                columns: Some(vec![c.column.clone()]),
            }),
        }
    }
    let q = WorkQuery {
        scopes: Some(within),
        states: Vec::new(),
        limit: ENTRIES,
        ..WorkQuery::default()
    };
    let articles = node.content.work(&q).await.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "console: listing Q&A entries failed");
        Vec::new()
    });
    let entries: Vec<EntryRow> = articles
        .into_iter()
        .filter_map(|a| {
            let c = columns
                .iter()
                .find(|c| c.site == a.site && c.column == a.column)?;
            Some(EntryRow {
                id: a.id,
                published: a.state == ArticleState::Published && a.live,
                may_retire: a.state == ArticleState::Published
                    && a.live
                    && access.may_in_column(Action::Withdraw, &a.site, &a.column),
                state: a.state.label(),
                live_url: a.live.then(|| govnode_content::article_path(&a.site, a.id)),
                title: a.doc.title,
                site: c.site_name.clone(),
                column: c.column_name.clone(),
            })
        })
        .collect();
    let (error_id, error) = error.map_or((None, None), |(id, e)| (Some(id), Some(e)));
    render(
        status,
        "knowledge.html",
        &frame,
        serde_json::json!({
            "columns": columns,
            "entries": entries,
            "error": error,
            "error_id": error_id,
        }),
    )
}

/// `GET /admin/knowledge`.
pub(super) async fn page(
    State(node): State<AppState>,
    staff: Staff,
    Query(d): Query<Done>,
) -> Response {
    if !may_use(&staff) {
        return not_allowed(&node, &staff);
    }
    let notice = match d.done.as_str() {
        "retired" => Some("已撤下，该问答不再公开，智能问答也不再引用".to_string()),
        _ => None,
    };
    show(&node, &staff, StatusCode::OK, None, notice).await
}

/// The retire form's fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct RetireForm {
    csrf: String,
    reason: String,
}

/// `POST /admin/knowledge/{id}/retire`: `csrf`, `reason` (撤下 through the workflow).
pub(super) async fn retire(
    State(node): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(f): Form<RetireForm>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &f.csrf) {
        return r;
    }
    if !may_use(&staff) {
        return not_allowed(&node, &staff);
    }
    let access = &staff.signed_in.access;
    let again = |status, text: &str| show(&node, &staff, status, Some((id, text.into())), None);
    let article = match node.content.article(id).await {
        Ok(a) if works_on(access, &a.site, &a.column) => a,
        _ => return again(StatusCode::NOT_FOUND, "没有找到该问答").await,
    };
    let is_qa = node
        .content
        .column(&article.site, &article.column)
        .await
        .is_ok_and(|c| c.kind == ColumnKind::Qa);
    if !is_qa {
        return again(StatusCode::NOT_FOUND, "没有找到该问答").await;
    }
    if !access.may_in_column(Action::Withdraw, &article.site, &article.column) {
        return again(
            StatusCode::FORBIDDEN,
            "您没有撤下该问答的权限（需要信息审核员或站点管理员的授权）",
        )
        .await;
    }
    let reason = f.reason.trim();
    if reason.is_empty() {
        return again(StatusCode::BAD_REQUEST, "撤下原因：请填写").await;
    }
    match node
        .content
        .transition(
            access.person(),
            id,
            Transition::Withdraw,
            Some(reason),
            None,
        )
        .await
    {
        Ok(_) => see_other("/admin/knowledge?done=retired"),
        Err(e) => {
            let (status, text) = match &e {
                ContentError::Invalid {
                    field: "reason", ..
                } => (StatusCode::BAD_REQUEST, "撤下原因：最多 500 字"),
                ContentError::Conflict(_) => (
                    StatusCode::CONFLICT,
                    "该问答的状态已经改变（可能已被撤下），请查看当前状态",
                ),
                ContentError::NotFound(_) => (StatusCode::NOT_FOUND, "没有找到该问答"),
                ContentError::Refused(_) => (StatusCode::FORBIDDEN, "您没有撤下该问答的权限"),
                e => {
                    tracing::error!(error = %e, "console: retiring a Q&A entry failed");
                    (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "系统暂时无法处理，请稍后再试",
                    )
                }
            };
            again(status, text).await
        }
    }
}

/// 知识库's routes.
pub(super) fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/admin/knowledge", get(page))
        .route("/admin/knowledge/{id}/retire", post(retire))
        .route(
            "/admin/knowledge/from-letters",
            get(super::knowledge_letters::page).post(super::knowledge_letters::draft),
        )
        .route(
            "/admin/knowledge/unanswered",
            get(super::knowledge_unanswered::page),
        )
        .route(
            "/admin/knowledge/unanswered/dismiss",
            post(super::knowledge_unanswered::dismiss),
        )
}
