//! 办件提醒: `/admin/notices`. The notices of the letters desk for the signed-in person's
//! bodies (handlers), or all of them with the escalations from below (platform
//! administrators): newest first, unread ones marked, each linking to its letter; marking
//! one or all as read is per person. Also the counts the 工作台 shows.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use govnode_accounts::{Access, Role};
use govnode_interaction::{NoticeCounts, NoticeKind, NoticeScope};
use serde::{Deserialize, Serialize};

use super::names::Names;
use super::staff::Staff;
use super::{refused, render, see_other, shown};
use crate::AppState;

/// Notices a page shows at most.
const SHOWN: i64 = 200;

/// Whose notices `access` sees: platform administrators all, handlers their bodies'.
pub(super) fn scope(access: &Access) -> NoticeScope {
    NoticeScope {
        all: access.is_platform_admin(),
        bodies: access
            .grants
            .iter()
            .filter(|g| g.role == Role::Handler)
            .filter_map(|g| g.scope.body().map(String::from))
            .collect(),
    }
}

/// Whether `access` reads notices at all.
pub(super) fn may_read(access: &Access) -> bool {
    access.is_platform_admin() || access.holds(Role::Handler)
}

/// The person's unread notices by kind (none when they read no notices or they cannot be
/// read: logged, never a failed page).
pub(super) async fn counts(node: &AppState, staff: &Staff) -> Option<NoticeCounts> {
    let access = &staff.signed_in.access;
    if !may_read(access) {
        return None;
    }
    match node
        .interaction
        .notice_counts(&scope(access), staff.signed_in.user.id)
        .await
    {
        Ok(c) => Some(c),
        Err(e) => {
            tracing::warn!(error = %e, "console: counting notices failed");
            None
        }
    }
}

#[derive(Debug, Serialize)]
struct Row {
    id: String,
    kind: &'static str,
    tone: &'static str,
    code: String,
    subject: String,
    body: String,
    due: String,
    at: String,
    read: bool,
    /// Links to 超期督办 rather than to the letter (held by the body below).
    escalated: bool,
}

/// `?done=`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Done {
    done: String,
}

fn not_allowed(node: &AppState, staff: &Staff) -> Response {
    refused(
        StatusCode::FORBIDDEN,
        &staff.frame(&node.node),
        "办件提醒仅对办理人员和平台管理员开放",
        "/admin/",
    )
}

/// `GET /admin/notices`.
pub(super) async fn page(
    State(node): State<AppState>,
    staff: Staff,
    Query(done): Query<Done>,
) -> Response {
    let access = &staff.signed_in.access;
    if !may_read(access) {
        return not_allowed(&node, &staff);
    }
    let mut frame = staff.frame(&node.node);
    frame.notice = match done.done.as_str() {
        "read" => Some("已标记为已读".into()),
        "all" => Some("已将全部提醒标记为已读".into()),
        _ => None,
    };
    let list = match node
        .interaction
        .notices(&scope(access), staff.signed_in.user.id, SHOWN)
        .await
    {
        Ok(l) => l,
        Err(e) => {
            tracing::error!(error = %e, "console: listing notices failed");
            return refused(
                StatusCode::INTERNAL_SERVER_ERROR,
                &frame,
                "系统暂时无法处理，请稍后再试",
                "/admin/",
            );
        }
    };
    let names = Names::load(&node, &[]).await;
    let rows: Vec<Row> = list
        .into_iter()
        .map(|n| Row {
            kind: n.kind.label(),
            tone: match n.kind {
                NoticeKind::Arrived => "",
                NoticeKind::DueSoon => "warn",
                NoticeKind::Overdue | NoticeKind::Escalated => "danger",
            },
            escalated: n.kind == NoticeKind::Escalated,
            body: names.body(&n.ticket_body).to_string(),
            due: if n.due_day.is_empty() {
                "—".into()
            } else {
                n.due_day.clone()
            },
            at: shown(n.at_ms),
            read: n.read,
            id: n.id,
            code: n.code,
            subject: n.subject,
        })
        .collect();
    let unread = rows.iter().filter(|r| !r.read).count();
    render(
        StatusCode::OK,
        "notices.html",
        &frame,
        serde_json::json!({ "rows": rows, "unread": unread }),
    )
}

/// The form of `POST /admin/notices/read`: `csrf`, and `id` (one notice) or `all`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ReadForm {
    csrf: String,
    id: String,
    all: String,
}

/// `POST /admin/notices/read`.
pub(super) async fn mark_read(
    State(node): State<AppState>,
    staff: Staff,
    Form(form): Form<ReadForm>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &form.csrf) {
        return r;
    }
    let access = &staff.signed_in.access;
    if !may_read(access) {
        return not_allowed(&node, &staff);
    }
    let user = staff.signed_in.user.id;
    let scope = scope(access);
    let result = if !form.all.is_empty() {
        node.interaction
            .mark_all_notices_read(&scope, user)
            .await
            .map(|_| "all")
    } else {
        match node
            .interaction
            .mark_notice_read(&scope, user, &form.id)
            .await
        {
            Ok(true) => Ok("read"),
            Ok(false) => {
                return refused(
                    StatusCode::NOT_FOUND,
                    &staff.frame(&node.node),
                    "没有找到该提醒（提醒编号有误，或不属于您办理的单位）",
                    "/admin/notices",
                );
            }
            Err(e) => Err(e),
        }
    };
    match result {
        Ok(done) => see_other(&format!("/admin/notices?done={done}")),
        Err(e) => {
            tracing::error!(error = %e, "console: marking notices read failed");
            refused(
                StatusCode::INTERNAL_SERVER_ERROR,
                &staff.frame(&node.node),
                "系统暂时无法处理，请稍后再试",
                "/admin/notices",
            )
        }
    }
}

/// The routes of 办件提醒, 超期督办 and 办件统计.
pub(super) fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/admin/notices", get(page))
        .route("/admin/notices/read", post(mark_read))
        .route(
            "/admin/letters/escalations",
            get(super::letters_escalations::page),
        )
        .route("/admin/letters/stats", get(super::letters_stats::page))
}
