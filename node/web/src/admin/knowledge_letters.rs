//! 知识库 · 来信转问答 (`/admin/knowledge/from-letters`): the replied letters of one's
//! bodies whose citizens agreed to publication, each with a form turning it into a Q&A
//! draft in a Q&A column (the site's reviewers then publish it through the workflow).
//! Handlers of the letter's body (onto the site it was filed on) and platform
//! administrators; the rules are the API's (`POST /api/admin/interaction/tickets/{code}/
//! knowledge`), through the same function.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use govnode_accounts::Role;
use serde::{Deserialize, Serialize};

use super::names::Names;
use super::staff::Staff;
use super::{refused, render, see_other, shown};
use crate::AppState;
use crate::api::interaction::draft_from_ticket;
use crate::common::extract::Caller;

/// Tickets looked at (the open ones and the latest finished).
const TICKETS: usize = 1000;

#[derive(Debug, Clone, Serialize)]
struct Target {
    value: String,
    label: String,
}

#[derive(Debug, Serialize)]
struct LetterRow {
    code: String,
    subject: String,
    kind: &'static str,
    body: String,
    site: String,
    replied: String,
    reply: String,
    targets: Vec<Target>,
}

/// Whether `staff` may turn letters into Q&A drafts: a handler or a platform admin.
fn may_use(staff: &Staff) -> bool {
    let a = &staff.signed_in.access;
    a.is_platform_admin() || a.holds(Role::Handler)
}

fn not_allowed(node: &AppState, staff: &Staff) -> Response {
    refused(
        StatusCode::FORBIDDEN,
        &staff.frame(&node.node),
        "只有来信承办单位的办理人员和平台管理员可以把答复转为问答",
        "/admin/",
    )
}

/// `?done=`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Done {
    done: String,
}

async fn show(
    node: &AppState,
    staff: &Staff,
    status: StatusCode,
    error: Option<(String, String)>,
    notice: Option<String>,
) -> Response {
    let access = &staff.signed_in.access;
    let mut frame = staff.frame(&node.node);
    frame.notice = notice;
    let bodies: Option<Vec<String>> = (!access.is_platform_admin()).then(|| {
        access
            .grants
            .iter()
            .filter(|g| g.role == Role::Handler)
            .filter_map(|g| g.scope.body().map(str::to_string))
            .collect()
    });
    let tickets = match node.interaction.inbox(bodies.as_deref(), 0, TICKETS).await {
        Ok(page) => page.tickets,
        Err(e) => {
            tracing::error!(error = %e, "console: listing letters failed");
            return refused(
                StatusCode::INTERNAL_SERVER_ERROR,
                &frame,
                "暂时无法读取来信，请稍后再试",
                "/admin/knowledge",
            );
        }
    };
    let names = Names::load(node, &[]).await;
    // Every Q&A column of this node's own sites: a platform admin may pick any, a handler
    // only those of the site the letter was filed on.
    let mut columns: Vec<(String, Target)> = Vec::new();
    for (site, site_name) in &names.sites {
        let Ok(s) = node.content.site(site).await else {
            continue;
        };
        if node.content.is_replica(&s) {
            continue;
        }
        for c in node.content.columns(site).await.unwrap_or_default() {
            if c.kind == govnode_content::ColumnKind::Qa && !c.archived {
                columns.push((
                    site.clone(),
                    Target {
                        value: format!("{site}/{}", c.slug),
                        label: format!("{site_name} · {}", c.name),
                    },
                ));
            }
        }
    }
    let letters: Vec<LetterRow> = tickets
        .into_iter()
        .filter(|v| !v.ticket.reply.is_empty() && v.ticket.consent_public)
        .map(|v| {
            let t = v.ticket;
            let targets = columns
                .iter()
                .filter(|(site, _)| access.is_platform_admin() || *site == t.filed_site)
                .map(|(_, target)| target.clone())
                .collect();
            LetterRow {
                kind: v.kind_label,
                body: names.body(&t.body_id).to_string(),
                site: names.site(&t.filed_site).to_string(),
                replied: shown(t.replied_ms),
                reply: t.reply.chars().take(120).collect(),
                targets,
                code: t.code,
                subject: t.subject,
            }
        })
        .collect();
    let (error_code, error) = error.map_or((None, None), |(c, e)| (Some(c), Some(e)));
    render(
        status,
        "knowledge_letters.html",
        &frame,
        serde_json::json!({
            "letters": letters,
            "error": error,
            "error_code": error_code,
        }),
    )
}

/// `GET /admin/knowledge/from-letters`.
pub(super) async fn page(
    State(node): State<AppState>,
    staff: Staff,
    Query(d): Query<Done>,
) -> Response {
    if !may_use(&staff) {
        return not_allowed(&node, &staff);
    }
    let notice =
        (d.done == "drafted").then(|| "已生成问答草稿，请该站点的信息审核员审核后发布".to_string());
    show(&node, &staff, StatusCode::OK, None, notice).await
}

/// The form's fields: `target` is `site/column`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct DraftForm {
    csrf: String,
    code: String,
    target: String,
}

/// `POST /admin/knowledge/from-letters`: `csrf`, `code`, `target` (`site/column`).
pub(super) async fn draft(
    State(node): State<AppState>,
    staff: Staff,
    Form(f): Form<DraftForm>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &f.csrf) {
        return r;
    }
    if !may_use(&staff) {
        return not_allowed(&node, &staff);
    }
    let code = f.code.trim().to_string();
    let again = |status, text: &str| {
        show(
            &node,
            &staff,
            status,
            Some((code.clone(), text.to_string())),
            None,
        )
    };
    let Some((site, column)) = f.target.split_once('/') else {
        return again(StatusCode::BAD_REQUEST, "问答栏目：请选择").await;
    };
    let caller = Caller(staff.signed_in.access.clone());
    match draft_from_ticket(&node, &caller, &code, site, column).await {
        Ok(_) => see_other("/admin/knowledge/from-letters?done=drafted"),
        Err(e) => {
            let text = match e.status {
                StatusCode::NOT_FOUND => "没有找到该来信或所选栏目",
                StatusCode::FORBIDDEN => {
                    "您不能为该来信生成问答：须为其承办单位的办理人员，且问答只能放在来信所在的站点"
                }
                StatusCode::CONFLICT => "该来信尚未答复，或来信人未同意公开",
                StatusCode::BAD_REQUEST => "问答栏目：所选栏目不是问答栏目",
                _ => {
                    tracing::error!(error = %e.message, "console: drafting a Q&A from a letter failed");
                    "系统暂时无法处理，请稍后再试"
                }
            };
            again(e.status, text).await
        }
    }
}
