//! `/admin/account`: one's sessions
//! (signing the others out), their API tokens (creating one within their own grants, shown
//! once; revoking one), and their authenticator (new recovery codes, shown once; removing
//! it when their grants do not require one).

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use govnode_accounts::{Grant, needs_second_factor};
use serde::{Deserialize, Serialize};

use super::names::Names;
use super::sign_in::{CsrfForm, status_of};
use super::staff::Staff;
use super::{now_ms, refused, render, see_other, shown};
use crate::AppState;

/// Days a token of one's own lasts at most (the store takes any future expiry; the
/// console asks for one, and within a year).
const TOKEN_MAX_DAYS: i64 = 365;
/// Days offered by default.
const TOKEN_DEFAULT_DAYS: i64 = 90;

/// A form with a code of one's authenticator (or a recovery code).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct CodeForm {
    csrf: String,
    code: String,
}

/// How one of a person's grants is named in the token form's checkboxes: `role@scope`.
fn grant_key(g: &Grant) -> String {
    format!("{}@{}", g.role.as_str(), g.scope.id())
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

#[derive(Serialize)]
struct GrantChoice {
    key: String,
    text: String,
}

/// `?done=` of the account page (fixed texts).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Done {
    done: String,
}

/// `GET /admin/account`.
pub(super) async fn page(
    State(node): State<AppState>,
    staff: Staff,
    Query(done): Query<Done>,
) -> Response {
    let user = &staff.signed_in.user;
    let mut frame = staff.frame(&node.node);
    frame.notice = match done.done.as_str() {
        "totp-removed" => Some("已解除身份验证器的绑定，恢复码已作废".into()),
        "revoked" => Some("已吊销该令牌".into()),
        "signed-out" => Some("已退出其他所有会话".into()),
        _ => None,
    };
    let held: Vec<&Grant> = staff.signed_in.access.grants.iter().collect();
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
    let mut shown_grants: Vec<&Grant> = held.clone();
    shown_grants.extend(tokens.iter().flat_map(|t| t.grants.iter()));
    let names = Names::load(&node, &shown_grants).await;
    let choices: Vec<GrantChoice> = held
        .iter()
        .map(|g| GrantChoice {
            key: grant_key(g),
            text: names.grant(g),
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
                .map(|g| names.grant(g))
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
        serde_json::json!({
            "login": user.login, "display_name": user.display_name, "body": user.body,
            "enrolled": user.second_factor_enrolled, "totp_required": needs_second_factor(user),
            "sessions": sessions, "tokens": tokens, "grant_choices": choices,
            "max_days": TOKEN_MAX_DAYS, "default_days": TOKEN_DEFAULT_DAYS,
        }),
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
    see_other("/admin/account?done=signed-out")
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
        Ok(true) => see_other("/admin/account?done=revoked"),
        Ok(false) => refused(
            StatusCode::NOT_FOUND,
            &frame,
            "该令牌不存在或已吊销",
            "/admin/account",
        ),
        Err(e) => refused(status_of(&e), &frame, &e.chinese(), "/admin/account"),
    }
}

/// `POST /admin/account/tokens`: `csrf`, `label`, `days`, and one `grant` per checked
/// grant of one's own (`role@scope`; a grant limited to columns keeps its columns).
pub(super) async fn create_token(
    State(node): State<AppState>,
    staff: Staff,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    };
    if let Some(r) = staff.csrf_refusal(&node.node, field("csrf")) {
        return r;
    }
    let frame = staff.frame(&node.node);
    let back = "/admin/account";
    let own = &staff.signed_in.access;
    let chosen: Vec<&str> = fields
        .iter()
        .filter(|(k, _)| k == "grant")
        .map(|(_, v)| v.as_str())
        .collect();
    if chosen.is_empty() {
        return refused(StatusCode::BAD_REQUEST, &frame, "请至少选择一项权限", back);
    }
    let mut grants = Vec::with_capacity(chosen.len());
    for key in chosen {
        match own.grants.iter().find(|g| grant_key(g) == key) {
            Some(g) => grants.push(g.clone()),
            None => {
                return refused(
                    StatusCode::FORBIDDEN,
                    &frame,
                    "令牌的权限只能从您本人的授权中选择",
                    back,
                );
            }
        }
    }
    let days = match field("days").trim().parse::<i64>() {
        Ok(d) if (1..=TOKEN_MAX_DAYS).contains(&d) => d,
        _ => {
            return refused(
                StatusCode::BAD_REQUEST,
                &frame,
                &format!("有效期须为 1 至 {TOKEN_MAX_DAYS} 天"),
                back,
            );
        }
    };
    let now = now_ms();
    let expires = now + days * 86_400_000;
    match node
        .tokens
        .create_for_user(own, field("label"), &grants, Some(expires), now)
        .await
    {
        Ok((secret, summary)) => {
            let names = Names::load(&node, &summary.grants.iter().collect::<Vec<_>>()).await;
            let what: Vec<String> = summary.grants.iter().map(|g| names.grant(g)).collect();
            render(
                StatusCode::OK,
                "once.html",
                &frame,
                serde_json::json!({
                    "title": "API 令牌已创建",
                    "lead": format!("令牌“{}”的权限：{}；到期时间：{}。调用接口时放在请求头 Authorization: Bearer 之后。", if summary.label.is_empty() { "未命名" } else { summary.label.as_str() }, what.join("；"), shown(expires)),
                    "label": "令牌",
                    "secret": secret.expose(),
                    "warning": "令牌只显示这一次，离开本页后无法再查看，请立即妥善保存；不要发给他人。遗失时请吊销后重新创建。",
                    "next": back,
                    "next_text": "返回我的账号",
                }),
            )
        }
        Err(e) => refused(status_of(&e), &frame, &e.chinese(), back),
    }
}

/// `POST /admin/account/recovery-codes`: new recovery codes (the old ones stop working),
/// after a code of one's authenticator (or a recovery code); shown once.
pub(super) async fn recovery_codes(
    State(node): State<AppState>,
    staff: Staff,
    Form(f): Form<CodeForm>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &f.csrf) {
        return r;
    }
    let frame = staff.frame(&node.node);
    let back = "/admin/account";
    let id = staff.signed_in.user.id;
    let now = now_ms();
    let passed = match node
        .users
        .verify_second_factor(id, &f.code, &staff.address, now)
        .await
    {
        Ok(p) => p,
        Err(e) => return refused(status_of(&e), &frame, &e.chinese(), back),
    };
    match node.users.new_recovery_codes(passed, now).await {
        Ok(codes) => render(
            StatusCode::OK,
            "once.html",
            &frame,
            serde_json::json!({
                "title": "新的恢复码",
                "lead": "已生成新的恢复码，原有恢复码全部作废。手机丢失时，可用恢复码代替验证码登录，每个只能使用一次。",
                "label": "恢复码",
                "codes": codes.expose(),
                "warning": "恢复码只显示这一次，请抄写或打印后妥善保管。",
                "next": back,
                "next_text": "我已保存，返回我的账号",
            }),
        ),
        Err(e) => refused(status_of(&e), &frame, &e.chinese(), back),
    }
}

/// `POST /admin/account/totp-remove`: removes one's authenticator, proven with a code;
/// refused when one's grants require it.
pub(super) async fn totp_remove(
    State(node): State<AppState>,
    staff: Staff,
    Form(f): Form<CodeForm>,
) -> Response {
    if let Some(r) = staff.csrf_refusal(&node.node, &f.csrf) {
        return r;
    }
    let frame = staff.frame(&node.node);
    match node
        .users
        .totp_remove(staff.signed_in.user.id, &f.code, &staff.address, now_ms())
        .await
    {
        Ok(()) => see_other("/admin/account?done=totp-removed"),
        Err(e) => refused(status_of(&e), &frame, &e.chinese(), "/admin/account"),
    }
}
