//! 办件: the letters desk of handlers (`/admin/letters`). Handlers see and answer the letters
//! of their bodies (`<node>.<slug>` grants), platform administrators those of every body of
//! this node. The pages are split by what they show: the inbox (`letters_inbox.rs`), a
//! ticket with its history, deadline and the citizen's data (`letters_ticket.rs`), the
//! actions posted from it (`letters_actions.rs`) and the bodies' reply templates
//! (`letters_templates.rs`). This file holds their routes and what they share: whose
//! letters a person handles, bodies by name, and the interaction module's refusals in
//! Chinese (one mapping).

use axum::http::StatusCode;
use axum::response::Response;
use govnode_accounts::Access;
use govnode_interaction::{Body, InteractionError, TicketRecord, progress, rules};
use serde::Serialize;

use super::letters_actions as actions;
use super::letters_inbox as inbox;
use super::letters_templates as templates;
use super::letters_ticket as ticket;
use super::staff::Staff;
use super::{Frame, refused};
use crate::AppState;

/// The refusal of someone who handles no letters.
pub(super) const NOT_A_HANDLER: &str = "办件仅对办理人员和平台管理员开放";
/// The refusal of a handler of another body.
pub(super) const OTHER_BODY: &str = "该来信不属于您所在的单位，您无权查看或办理";

/// Whose letters `access` handles: `None` every body's held here (a platform admin),
/// `Some(bodies)` their handler grants' bodies; nobody's (`Err`) for anyone else.
pub(super) fn handled_bodies(access: &Access) -> Result<Option<Vec<String>>, ()> {
    if access.is_platform_admin() {
        return Ok(None);
    }
    let mine: Vec<String> = access
        .grants
        .iter()
        .filter(|g| g.role == govnode_accounts::Role::Handler)
        .filter_map(|g| g.scope.body().map(str::to_string))
        .collect();
    if mine.is_empty() {
        Err(())
    } else {
        Ok(Some(mine))
    }
}

/// Whether `access` may see and act on the letters of `body`.
pub(super) fn may_handle(access: &Access, body: &str) -> bool {
    rules::handled_body(access, Some(body)).is_ok()
}

/// The 403 page for someone who handles no letters, or not this one's.
pub(super) fn forbidden(frame: &Frame, text: &str) -> Response {
    refused(StatusCode::FORBIDDEN, frame, text, "/admin/letters")
}

/// The 404 page of an unknown tracking code.
pub(super) fn not_found(frame: &Frame, code: &str) -> Response {
    refused(
        StatusCode::NOT_FOUND,
        frame,
        &format!("本节点没有查询码为 {code} 的来信"),
        "/admin/letters",
    )
}

/// The 500 page after a failure logged as `what`.
pub(super) fn failed(frame: &Frame, what: &str, e: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %e, "console: {what} failed");
    refused(
        StatusCode::INTERNAL_SERVER_ERROR,
        frame,
        "系统暂时无法处理，请稍后再试",
        "/admin/letters",
    )
}

/// The directory of bodies, logged and empty when it cannot be read.
pub(super) async fn directory(node: &AppState) -> Vec<Body> {
    node.interaction.bodies().await.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "console: listing bodies failed");
        Vec::new()
    })
}

/// A body's name from the directory (相关单位 when unknown: never its id).
pub(super) fn body_name(bodies: &[Body], id: &str) -> String {
    bodies
        .iter()
        .find(|b| b.id == id)
        .map_or_else(|| "相关单位".to_string(), |b| b.name.clone())
}

/// The bodies a person picks from: theirs, or every body of this node.
pub(super) fn own_bodies(
    node: &AppState,
    bodies: &[Body],
    handled: &Option<Vec<String>>,
) -> Vec<Choice> {
    let me = node.node.id.to_string();
    bodies
        .iter()
        .filter(|b| match handled {
            None => b.node == me,
            Some(list) => list.contains(&b.id),
        })
        .map(|b| Choice::new(&b.id, &b.name, false))
        .collect()
}

/// One option of a picker.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Choice {
    pub fn new(value: &str, label: &str, selected: bool) -> Choice {
        Choice {
            value: value.to_string(),
            label: label.to_string(),
            selected,
        }
    }
}

/// A refused action in Chinese, with its status: the domain's reason mapped, never its
/// English message. `t` is the ticket as it was when the action was tried.
pub(super) fn chinese(
    action: &str,
    e: &InteractionError,
    t: &TicketRecord,
) -> (StatusCode, String) {
    match e {
        InteractionError::Invalid(m) => (StatusCode::BAD_REQUEST, invalid(action, m)),
        InteractionError::Conflict(_) => (
            StatusCode::CONFLICT,
            progress::why_not(t, action)
                .unwrap_or_else(|| "来信的状态已发生变化，请刷新页面后再试".into()),
        ),
        InteractionError::Forbidden(_) => (
            StatusCode::FORBIDDEN,
            "您无权办理该来信：它不属于您所在的单位，或已转至其他节点办理".into(),
        ),
        InteractionError::NotFound(_) if action == "transfer" => (
            StatusCode::NOT_FOUND,
            "所选单位所在的节点暂未登记到本节点的单位目录，请稍后再试".into(),
        ),
        InteractionError::NotFound(_) => (StatusCode::NOT_FOUND, "没有找到该来信".into()),
        e => {
            tracing::error!(error = %e, action, "console: a letter's action failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "系统暂时无法处理，请稍后再试".into(),
            )
        }
    }
}

/// A field's refusal (the module's messages start with the field's name).
fn invalid(action: &str, message: &str) -> String {
    let field = message.split(':').next().unwrap_or("");
    match (action, field) {
        ("refuse", "reason") => "请填写不予受理的理由（2–500 字）".into(),
        ("transfer", "reason") => "请填写转办理由（2–500 字）".into(),
        ("extend", "reason") => "请填写延期答复的理由（2–500 字）".into(),
        (_, "question") => "请填写需要来信人补充的材料（2–1000 字）".into(),
        (_, "text") => "请填写答复内容（2–10000 字）".into(),
        (_, "body") if message.contains("already with") => "来信已在该单位，请选择其他单位".into(),
        (_, "body") => "请从单位目录中选择要转往的单位".into(),
        (_, "action") => "只有依申请公开的申请可以延期答复".into(),
        (_, "title") => "模板标题：请填写 2–40 字".into(),
        _ => "填写的内容有误，请检查后重新提交".into(),
    }
}

/// Whether `staff` handles letters at all (their bodies), else the refusal (boxed: a
/// response is large).
pub(super) fn handler_scope(
    node: &AppState,
    staff: &Staff,
) -> Result<Option<Vec<String>>, Box<Response>> {
    handled_bodies(&staff.signed_in.access)
        .map_err(|()| Box::new(forbidden(&staff.frame(&node.node), NOT_A_HANDLER)))
}

/// The letters desk's routes.
pub(super) fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/admin/letters", get(inbox::page))
        .route(
            "/admin/letters/templates",
            get(templates::page).post(templates::save),
        )
        .route(
            "/admin/letters/templates/{id}/delete",
            post(templates::delete),
        )
        .route("/admin/letters/{code}", get(ticket::page))
        .route(
            "/admin/letters/{code}/attachments/{hash}",
            get(ticket::attachment),
        )
        .route("/admin/letters/{code}/accept", post(actions::accept))
        .route("/admin/letters/{code}/refuse", post(actions::refuse))
        .route("/admin/letters/{code}/transfer", post(actions::transfer))
        .route("/admin/letters/{code}/start", post(actions::start))
        .route(
            "/admin/letters/{code}/request-info",
            post(actions::request_info),
        )
        .route("/admin/letters/{code}/reply", post(actions::reply))
        .route("/admin/letters/{code}/extend", post(actions::extend))
        .route("/admin/letters/{code}/close", post(actions::close))
}

#[cfg(test)]
mod tests {
    use super::*;
    use govnode_accounts::{Grant, Role};

    #[test]
    fn handlers_handle_their_bodies_and_admins_all() {
        let h = Access::user(1, "li", vec![Grant::body("440000.hrss")]);
        assert_eq!(
            handled_bodies(&h),
            Ok(Some(vec!["440000.hrss".to_string()]))
        );
        assert!(may_handle(&h, "440000.hrss"));
        assert!(!may_handle(&h, "440000.czt"));
        let admin = Access::user(2, "wang", vec![Grant::node(Role::PlatformAdmin)]);
        assert_eq!(handled_bodies(&admin), Ok(None));
        let editor = Access::user(3, "zhao", vec![Grant::site(Role::Editor, "gd")]);
        assert!(handled_bodies(&editor).is_err());
    }

    #[test]
    fn refusals_are_chinese() {
        assert_eq!(
            invalid("refuse", "reason: must be 2–500 characters"),
            "请填写不予受理的理由（2–500 字）"
        );
        assert_eq!(
            invalid("reply", "text: must be 2–10000 characters (got 0)"),
            "请填写答复内容（2–10000 字）"
        );
        assert!(
            invalid("transfer", "body: the ticket is already with this body")
                .contains("已在该单位")
        );
    }
}
