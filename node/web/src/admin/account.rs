//! `/admin/`: who is signed in and what they may do; `/admin/account`: their sessions
//! (signing the others out) and their API tokens (revoking one).

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use govnode_accounts::Grant;
use serde::Serialize;

use super::sign_in::{CsrfForm, status_of};
use super::staff::Staff;
use super::{now_ms, refused, render, see_other, shown};
use crate::AppState;

/// A grant as staff read it: 编辑（站点 gd，栏目 news、notice）.
fn grant_text(g: &Grant) -> String {
    let mut s = format!("{}（{}", g.role.chinese(), g.scope.chinese());
    if let Some(columns) = &g.columns {
        s.push_str("，栏目 ");
        s.push_str(&columns.join("、"));
    }
    s.push('）');
    s
}

/// `GET /admin/`: the landing page.
pub(super) async fn home(State(node): State<AppState>, staff: Staff) -> Response {
    let user = &staff.signed_in.user;
    let grants: Vec<String> = staff
        .signed_in
        .access
        .grants
        .iter()
        .map(grant_text)
        .collect();
    render(
        StatusCode::OK,
        "home.html",
        &staff.frame(&node.node),
        serde_json::json!({ "login": user.login, "display_name": user.display_name, "body": user.body, "grants": grants }),
    )
}

#[derive(Serialize)]
struct SessionRow {
    created: String,
    last_seen: String,
    address: String,
    user_agent: String,
    current: bool,
}

#[derive(Serialize)]
struct TokenRow {
    id: i64,
    label: String,
    grants: String,
    created: String,
    expires: String,
}

/// `GET /admin/account`.
pub(super) async fn page(State(node): State<AppState>, staff: Staff) -> Response {
    let user = &staff.signed_in.user;
    let frame = staff.frame(&node.node);
    let sessions = match node.sessions.list(user.id, now_ms()).await {
        Ok(s) => s,
        Err(e) => return refused(status_of(&e), &frame, &e.chinese(), "/admin/"),
    };
    let tokens = match node.tokens.list_for_user(user.id).await {
        Ok(t) => t,
        Err(e) => return refused(status_of(&e), &frame, &e.chinese(), "/admin/"),
    };
    let sessions: Vec<SessionRow> = sessions
        .into_iter()
        .map(|s| SessionRow {
            created: shown(s.created_ms),
            last_seen: shown(s.last_seen_ms),
            current: s.id == staff.signed_in.session.id,
            address: s.client.address,
            user_agent: s.client.user_agent,
        })
        .collect();
    let tokens: Vec<TokenRow> = tokens
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            label: t.label,
            grants: t
                .grants
                .iter()
                .map(grant_text)
                .collect::<Vec<_>>()
                .join("；"),
            created: shown(t.created_ms),
            expires: t.expires_ms.map(shown).unwrap_or_else(|| "长期有效".into()),
        })
        .collect();
    render(
        StatusCode::OK,
        "account.html",
        &frame,
        serde_json::json!({ "login": user.login, "display_name": user.display_name, "body": user.body, "enrolled": user.second_factor_enrolled, "sessions": sessions, "tokens": tokens }),
    )
}

/// `POST /admin/account/sign-out-others`: ends every session of the person but this one.
pub(super) async fn sign_out_others(
    State(node): State<AppState>,
    staff: Staff,
    Form(f): Form<CsrfForm>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &f.csrf) {
        return r;
    }
    let user_id = staff.signed_in.user.id;
    let current = staff.signed_in.session.id;
    let frame = staff.frame(&node.node);
    let sessions = match node.sessions.list(user_id, now_ms()).await {
        Ok(s) => s,
        Err(e) => return refused(status_of(&e), &frame, &e.chinese(), "/admin/account"),
    };
    for s in sessions.iter().filter(|s| s.id != current) {
        if let Err(e) = node.sessions.revoke_by_id(user_id, s.id).await {
            return refused(status_of(&e), &frame, &e.chinese(), "/admin/account");
        }
    }
    see_other("/admin/account")
}

/// `POST /admin/account/tokens/{id}/revoke`: revokes one of the person's tokens.
pub(super) async fn revoke_token(
    State(node): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Form(f): Form<CsrfForm>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &f.csrf) {
        return r;
    }
    let frame = staff.frame(&node.node);
    match node
        .tokens
        .revoke_own(&staff.signed_in.access, id, now_ms())
        .await
    {
        Ok(true) => see_other("/admin/account"),
        Ok(false) => refused(
            StatusCode::NOT_FOUND,
            &frame,
            "该令牌不存在或已吊销",
            "/admin/account",
        ),
        Err(e) => refused(status_of(&e), &frame, &e.chinese(), "/admin/account"),
    }
}
