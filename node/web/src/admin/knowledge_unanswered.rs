//! 知识库 · 未能回答的问题 (`/admin/knowledge/unanswered`): what citizens asked the Q&A
//! assistant of one's sites and found no answer to, most asked first; each one is written
//! up as a Q&A draft (写成问答: the new-article editor in the site's Q&A column, the
//! question as its title) or dismissed (忽略).

use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::knowledge::{may_use, not_allowed, qa_columns};
use super::staff::Staff;
use super::{refused, render, see_other, shown};
use crate::AppState;
use crate::common::text::url_encode;

/// Questions listed at most.
const LISTED: i64 = 200;

#[derive(Debug, Serialize)]
struct QuestionRow {
    site: String,
    site_name: String,
    question: String,
    asked: i64,
    first: String,
    last: String,
    write_url: Option<String>,
}

/// `?done=`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Done {
    done: String,
}

/// The sites whose questions `staff` sees (None: every site, for a platform admin).
async fn sites_of(node: &AppState, staff: &Staff) -> Option<Vec<String>> {
    let access = &staff.signed_in.access;
    if access.is_platform_admin() {
        return None;
    }
    let mut sites: Vec<String> = qa_columns(node, access)
        .await
        .into_iter()
        .map(|c| c.site)
        .collect();
    sites.dedup();
    Some(sites)
}

/// `GET /admin/knowledge/unanswered`.
pub(super) async fn page(
    State(node): State<AppState>,
    staff: Staff,
    Query(d): Query<Done>,
) -> Response {
    if !may_use(&staff) {
        return not_allowed(&node, &staff);
    }
    let mut frame = staff.frame(&node.node);
    frame.notice = (d.done == "dismissed").then(|| "已忽略该问题".to_string());
    let access = &staff.signed_in.access;
    let columns = qa_columns(&node, access).await;
    let sites = sites_of(&node, &staff).await;
    let list = match node
        .analytics
        .unanswered()
        .list(sites.as_deref(), LISTED)
        .await
    {
        Ok(l) => l,
        Err(e) => {
            tracing::error!(error = %e, "console: listing unanswered questions failed");
            return refused(
                StatusCode::INTERNAL_SERVER_ERROR,
                &frame,
                "暂时无法读取未能回答的问题，请稍后再试",
                "/admin/knowledge",
            );
        }
    };
    let site_names = node.content.sites().await.unwrap_or_default();
    let rows: Vec<QuestionRow> = list
        .into_iter()
        .map(|q| {
            let write_url = columns
                .iter()
                .find(|c| c.site == q.site && c.may_write)
                .map(|c| format!("{}&title={}", c.new_url, url_encode(&q.question)));
            QuestionRow {
                site_name: site_names
                    .iter()
                    .find(|s| s.id == q.site)
                    .map_or_else(|| "（站点以外）".to_string(), |s| s.name.clone()),
                first: shown(q.first_ms),
                last: shown(q.last_ms),
                write_url,
                site: q.site,
                question: q.question,
                asked: q.asked,
            }
        })
        .collect();
    render(
        StatusCode::OK,
        "knowledge_unanswered.html",
        &frame,
        serde_json::json!({ "questions": rows }),
    )
}

/// The dismissal's fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct DismissForm {
    csrf: String,
    site: String,
    question: String,
}

/// `POST /admin/knowledge/unanswered/dismiss`: `csrf`, `site`, `question` (忽略).
pub(super) async fn dismiss(
    State(node): State<AppState>,
    staff: Staff,
    Form(f): Form<DismissForm>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &f.csrf) {
        return r;
    }
    if !may_use(&staff) {
        return not_allowed(&node, &staff);
    }
    let frame = staff.frame(&node.node);
    if sites_of(&node, &staff)
        .await
        .is_some_and(|s| !s.contains(&f.site))
    {
        return refused(
            StatusCode::FORBIDDEN,
            &frame,
            "您只能处理自己负责的站点的问题",
            "/admin/knowledge/unanswered",
        );
    }
    match node
        .analytics
        .unanswered()
        .dismiss(&f.site, &f.question)
        .await
    {
        Ok(true) => see_other("/admin/knowledge/unanswered?done=dismissed"),
        Ok(false) => refused(
            StatusCode::NOT_FOUND,
            &frame,
            "没有找到该问题（可能已被忽略）",
            "/admin/knowledge/unanswered",
        ),
        Err(e) => {
            tracing::error!(error = %e, "console: dismissing a question failed");
            refused(
                StatusCode::INTERNAL_SERVER_ERROR,
                &frame,
                "系统暂时无法处理，请稍后再试",
                "/admin/knowledge/unanswered",
            )
        }
    }
}
