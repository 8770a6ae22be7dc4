//! 超期督办: `/admin/letters/escalations`. The overdue letters of the levels below,
//! escalated to this (the superior) node: by node and body name, kind, working days late,
//! those past the 3-month red line (超过三个月未回应) first and marked. Platform
//! administrators and auditors see all; a handler those of the bodies below theirs.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use govnode_accounts::{Access, Role};
use govnode_interaction::TicketKind;
use serde::Serialize;

use super::staff::Staff;
use super::{refused, render, shown};
use crate::AppState;
use crate::common::places::node_name;

/// Whether `access` sees the letters desk's oversight pages (督办, 统计).
pub(super) fn may_oversee(access: &Access) -> bool {
    access.is_platform_admin() || access.holds(Role::Auditor) || access.holds(Role::Handler)
}

/// Whether `access` sees every body (platform administrators and auditors).
pub(super) fn sees_all(access: &Access) -> bool {
    access.is_platform_admin() || access.holds(Role::Auditor)
}

/// The bodies `access` handles.
pub(super) fn handled(access: &Access) -> Vec<String> {
    access
        .grants
        .iter()
        .filter(|g| g.role == Role::Handler)
        .filter_map(|g| g.scope.body().map(String::from))
        .collect()
}

/// The refusal of someone who may not see the oversight pages.
pub(super) fn not_allowed(node: &AppState, staff: &Staff, what: &str) -> Response {
    refused(
        StatusCode::FORBIDDEN,
        &staff.frame(&node.node),
        &format!("{what}仅对平台管理员、审计员和办理人员开放"),
        "/admin/",
    )
}

#[derive(Debug, Serialize)]
struct Row {
    code: String,
    node: String,
    body: String,
    kind: &'static str,
    subject: String,
    due: String,
    days_late: i64,
    red_line: bool,
    at: String,
}

fn text(v: &serde_json::Value, key: &str) -> String {
    v.get(key)
        .and_then(|x| x.as_str())
        .unwrap_or("")
        .to_string()
}

/// `GET /admin/letters/escalations`.
pub(super) async fn page(State(node): State<AppState>, staff: Staff) -> Response {
    let access = &staff.signed_in.access;
    if !may_oversee(access) {
        return not_allowed(&node, &staff, "超期督办");
    }
    let frame = staff.frame(&node.node);
    let (list, bodies) = match (
        node.interaction.escalations().await,
        node.interaction.bodies().await,
    ) {
        (Ok(l), Ok(b)) => (l, b),
        (Err(e), _) | (_, Err(e)) => {
            tracing::error!(error = %e, "console: listing escalations failed");
            return refused(
                StatusCode::INTERNAL_SERVER_ERROR,
                &frame,
                "系统暂时无法处理，请稍后再试",
                "/admin/",
            );
        }
    };
    let by_id: BTreeMap<&str, (&str, &str)> = bodies
        .iter()
        .map(|b| (b.id.as_str(), (b.name.as_str(), b.superior.as_str())))
        .collect();
    let mine = handled(access);
    let all = sees_all(access);
    let rows: Vec<Row> = list
        .iter()
        .filter(|e| {
            all || by_id
                .get(text(e, "body").as_str())
                .is_some_and(|(_, superior)| mine.iter().any(|m| m == superior))
        })
        .map(|e| {
            let body = text(e, "body");
            let from = text(e, "from_node");
            Row {
                code: text(e, "code"),
                node: node_name(&node, &from).unwrap_or_else(|| "未知节点".into()),
                body: by_id
                    .get(body.as_str())
                    .map_or("未知单位".to_string(), |(name, _)| name.to_string()),
                kind: TicketKind::parse(&text(e, "kind")).map_or("来信", |k| k.label()),
                subject: text(e, "subject"),
                due: text(e, "due_day"),
                days_late: e
                    .get("working_days_late")
                    .and_then(|x| x.as_i64())
                    .unwrap_or(0),
                red_line: e.get("red_line").and_then(|x| x.as_bool()).unwrap_or(false),
                at: shown(e.get("at_ms").and_then(|x| x.as_i64()).unwrap_or(0)),
            }
        })
        .collect();
    let red = rows.iter().filter(|r| r.red_line).count();
    render(
        StatusCode::OK,
        "letters_escalations.html",
        &frame,
        serde_json::json!({ "rows": rows, "red": red }),
    )
}
