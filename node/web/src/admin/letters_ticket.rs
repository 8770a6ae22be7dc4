//! A letter for its handler, `GET /admin/letters/{code}`: the letter and its attachments
//! (images, PDF and plain text viewable in the browser, anything else downloaded), the
//! history in Chinese with bodies by name, the deadline in working days, the citizen's data
//! (each view recorded in the audit log), and the action forms the state allows, the others
//! explained. `?template=<id>` fills the reply with one of the body's reply templates.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use govnode_interaction::progress::{HANDLER_ACTIONS, why_not};
use govnode_interaction::{TicketState, TicketView};
use serde::{Deserialize, Serialize};

use super::letters::{
    Choice, OTHER_BODY, body_name, directory, failed, forbidden, handler_scope, may_handle,
    not_found,
};
use super::staff::Staff;
use super::{render, shown};
use crate::AppState;
use crate::common::places::node_name;

/// What the page shows besides the ticket: `?template=`, `?done=`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct TicketQuery {
    template: String,
    done: String,
}

/// A refused form to show again: the action, the Chinese reason, what was typed.
#[derive(Debug, Default, Serialize)]
pub(super) struct Again {
    pub action: String,
    pub error: String,
    pub fields: BTreeMap<String, String>,
}

/// Media types a browser shows in place without running anything of the file, with the
/// policy each is served under. Only types the module accepts from citizens
/// (`rules::ATTACHMENT_TYPES`) arrive here; anything else is a download.
fn inline_policy(mime: &str) -> Option<&'static str> {
    match mime {
        "image/png" | "image/jpeg" | "text/plain" => {
            Some("default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox")
        }
        // The browser's PDF viewer does not run in a sandboxed document; scripts stay off.
        "application/pdf" => {
            Some("default-src 'none'; object-src 'self'; style-src 'unsafe-inline'")
        }
        _ => None,
    }
}

/// One notice per `?done=`.
fn notice(done: &str) -> Option<&'static str> {
    Some(match done {
        "accept" => "已受理，答复期限已开始计算",
        "refuse" => "已不予受理，来信人可查询到理由",
        "transfer" => "已转办",
        "start" => "已开始办理",
        "request_info" => "已要求来信人补充材料，答复期限暂停计算",
        "reply" => "已答复，来信人可查询答复内容",
        "extend" => "已延期答复",
        "close" => "已办结",
        _ => return None,
    })
}

/// `GET /admin/letters/{code}`.
pub(super) async fn page(
    State(node): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Query(q): Query<TicketQuery>,
) -> Response {
    if let Err(r) = handler_scope(&node, &staff) {
        return *r;
    }
    let frame = staff.frame(&node.node);
    let view = match node.interaction.handler_view(&code).await {
        Ok(Some(v)) => v,
        Ok(None) => return not_found(&frame, &code),
        Err(e) => return failed(&frame, "reading a letter", &e),
    };
    if !may_handle(&staff.signed_in.access, &view.ticket.body_id) {
        return forbidden(&frame, OTHER_BODY);
    }
    let mut again = Again::default();
    if let Ok(id) = q.template.parse::<i64>()
        && let Ok(Some(t)) = node.interaction.reply_template(id).await
        && t.body_id == view.ticket.body_id
    {
        again.fields.insert("text".into(), t.text);
    }
    show(&node, &staff, view, StatusCode::OK, again, notice(&q.done)).await
}

/// The page of `view`, with a refused form shown again (`again`) or a notice.
pub(super) async fn show(
    node: &AppState,
    staff: &Staff,
    view: TicketView,
    status: StatusCode,
    again: Again,
    notice: Option<&str>,
) -> Response {
    let mut frame = staff.frame(&node.node);
    frame.notice = notice.map(str::to_string);
    let t = &view.ticket;
    let bodies = directory(node).await;
    let history = match node.interaction.history(&view.events).await {
        Ok(h) => h,
        Err(e) => return failed(&frame, "reading a letter's history", &e),
    };
    // The citizen's data, for the handlers of the responsible body (and platform admins,
    // who pass the same check); each view is recorded before it is shown.
    let personal = if view.holder {
        match node.interaction.personal_data(&t.code).await {
            Ok(Some(p)) => {
                let detail = format!("查看来信人信息（{}）", body_name(&bodies, &t.body_id));
                if let Err(e) = node
                    .content
                    .record_access(
                        staff.signed_in.access.person(),
                        "view-personal",
                        ("ticket", &t.code),
                        &detail,
                    )
                    .await
                {
                    return failed(&frame, "recording a view of personal data", &e);
                }
                Some(p)
            }
            Ok(None) => None,
            Err(e) => return failed(&frame, "reading a letter's personal data", &e),
        }
    } else {
        None
    };
    let site = match node.content.site(&t.filed_site).await {
        Ok(s) => s.name,
        Err(_) => "其他节点的站点".to_string(),
    };
    let attachments: Vec<serde_json::Value> = match node.interaction.attachments_of(&t.code).await {
        Ok(list) => list
            .into_iter()
            .map(|(hash, name, mime)| {
                serde_json::json!({
                    "name": name,
                    "url": format!("/admin/letters/{}/attachments/{hash}", t.code),
                    "inline": inline_policy(&mime).is_some(),
                })
            })
            .collect(),
        Err(e) => return failed(&frame, "listing a letter's attachments", &e),
    };
    let actions: Vec<serde_json::Value> = HANDLER_ACTIONS
        .iter()
        .map(|(code, label)| {
            let why = if view.holder {
                why_not(t, code)
            } else {
                Some("该来信已转至其他节点办理，本节点不能再办理".into())
            };
            serde_json::json!({ "code": code, "label": label, "allowed": why.is_none(), "why": why })
        })
        .collect();
    // 转办: every body of the province but this one, grouped by node name.
    let mut groups: BTreeMap<String, (String, Vec<Choice>)> = BTreeMap::new();
    for b in bodies.iter().filter(|b| b.id != t.body_id) {
        let group = groups.entry(b.node.clone()).or_insert_with(|| {
            (
                node_name(node, &b.node).unwrap_or_else(|| "其他节点".into()),
                Vec::new(),
            )
        });
        let selected = again.fields.get("body").is_some_and(|v| *v == b.id);
        group.1.push(Choice::new(&b.id, &b.name, selected));
    }
    let me = node.node.id.to_string();
    let transfer_groups: Vec<serde_json::Value> = {
        let mut g: Vec<_> = groups.into_iter().collect();
        // This node's bodies first, then the others by code (province, cities, counties).
        g.sort_by_key(|(n, _)| (*n != me, n.clone()));
        g.into_iter()
            .map(|(_, (name, bodies))| serde_json::json!({ "name": name, "bodies": bodies }))
            .collect()
    };
    let templates: Vec<Choice> = node
        .interaction
        .reply_templates(&t.body_id)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|r| Choice::new(&r.id.to_string(), &r.title, false))
        .collect();
    let state = TicketState::parse(&t.state).unwrap_or(TicketState::Submitted);
    render(
        status,
        "letters_ticket.html",
        &frame,
        serde_json::json!({
            "code": t.code,
            "subject": t.subject,
            "content": t.content,
            "kind": view.kind_label,
            "state": view.state_label,
            "body": body_name(&bodies, &t.body_id),
            "filed": shown(t.filed_ms),
            "site": site,
            "consent_public": t.consent_public,
            "holder": view.holder,
            "personal": personal,
            "attachments": attachments,
            "history": history,
            "deadline": node.interaction.deadline_of(t),
            "accepted_day": t.accepted_day,
            "reply": t.reply,
            "reply_body": t.reply_body,
            "replied": (t.replied_ms > 0).then(|| shown(t.replied_ms)),
            "rating": govnode_interaction::progress::rating_label(t.rating),
            "rating_comment": t.rating_comment,
            "may_publish": !t.reply.is_empty() && t.consent_public && state != TicketState::Refused,
            "actions": actions,
            "transfer_groups": transfer_groups,
            "templates": templates,
            "again": again,
        }),
    )
}

/// `GET /admin/letters/{code}/attachments/{hash}`: the file for the letter's handlers,
/// shown in place when safe, else downloaded; never cached.
pub(super) async fn attachment(
    State(node): State<AppState>,
    staff: Staff,
    Path((code, hash)): Path<(String, String)>,
) -> Response {
    if let Err(r) = handler_scope(&node, &staff) {
        return *r;
    }
    let frame = staff.frame(&node.node);
    let view = match node.interaction.handler_view(&code).await {
        Ok(Some(v)) => v,
        Ok(None) => return not_found(&frame, &code),
        Err(e) => return failed(&frame, "reading a letter", &e),
    };
    if !may_handle(&staff.signed_in.access, &view.ticket.body_id) {
        return forbidden(&frame, OTHER_BODY);
    }
    let file = match node.interaction.attachment(&code, &hash).await {
        Ok(Some(f)) => f,
        Ok(None) => {
            return super::refused(
                StatusCode::NOT_FOUND,
                &frame,
                "该来信没有这个附件",
                &format!("/admin/letters/{code}"),
            );
        }
        Err(e) => return failed(&frame, "reading an attachment", &e),
    };
    let name = view
        .ticket
        .attachments
        .iter()
        .find(|(h, _)| *h == hash)
        .map_or(file.name.clone(), |(_, n)| n.clone());
    // RFC 6266: an ASCII fallback and the UTF-8 name.
    let encoded = crate::common::text::url_encode(&name);
    let (disposition, policy, mime) = match inline_policy(&file.mime) {
        Some(policy) => (
            "inline",
            policy,
            if file.mime == "text/plain" {
                "text/plain; charset=utf-8".to_string()
            } else {
                file.mime.clone()
            },
        ),
        None => ("attachment", "sandbox", file.mime.clone()),
    };
    (
        [
            (header::CONTENT_TYPE, mime),
            (
                header::CONTENT_DISPOSITION,
                format!("{disposition}; filename=\"attachment\"; filename*=UTF-8''{encoded}"),
            ),
            (header::CONTENT_SECURITY_POLICY, policy.to_string()),
            // A citizen's file: never kept by a browser or a proxy.
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        file.bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_safe_types_are_shown_in_place() {
        for (_, mime) in govnode_interaction::rules::ATTACHMENT_TYPES {
            let shown = inline_policy(mime).is_some();
            assert_eq!(shown, !mime.contains("officedocument"), "{mime}");
        }
        assert!(inline_policy("text/html").is_none());
        assert!(inline_policy("image/svg+xml").is_none());
        assert!(inline_policy("image/png").unwrap().contains("sandbox"));
    }
}
