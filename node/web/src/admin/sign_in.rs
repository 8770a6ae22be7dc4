//! Signing in and out: `/admin/sign-in` (the password, refused when `[auth]
//! local_passwords = false`; the page offers single sign-on when configured, see
//! [`super::oidc`]), `/admin/sign-in/code` (the second
//! factor), `/admin/sign-in/enrol` (setting up an authenticator, which administrators
//! must), `/admin/sign-out`.
//!
//! The answer to a wrong password and to an unknown login name is one and the same. Each
//! step gives the browser a new session id (the store makes one at the password, another
//! when the second factor passes), so an id planted beforehand is worth nothing.

use axum::Form;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use govnode_accounts::{
    AccountsError, NextStep, SessionStage, csrf_check, csrf_token, pre_session_id,
};
use serde::Deserialize;

use super::staff::{Pending, address_of, client_info, csrf_refusal, same_origin};
use super::{Frame, now_ms, refused, render, see_other, see_other_with};
use crate::AppState;
use crate::common::error::Classify;
use crate::common::session::{clear_session, session_id, set_session, set_sign_in, sign_in_id};

/// The sign-in form's fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct SignInForm {
    csrf: String,
    login: String,
    password: String,
}

/// A code form's fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct CodeForm {
    csrf: String,
    code: String,
}

/// A form with only its CSRF token.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct CsrfForm {
    pub csrf: String,
}

fn frame(node: &AppState) -> Frame {
    Frame {
        node_name: node.node.name.clone(),
        ..Frame::default()
    }
}

/// The status a refusal is answered with.
pub(super) fn status_of(e: &AccountsError) -> StatusCode {
    e.kind().status_and_code().0
}

/// `GET /admin/sign-in`: the form (a signed-in member of staff goes to the console).
pub(super) async fn form(State(node): State<AppState>, headers: HeaderMap) -> Response {
    // A sign-in waiting for its second factor may start again (with another account).
    if let Some(secret) = session_id(&headers)
        && let Ok(Some(s)) = node.sessions.get(secret, now_ms()).await
        && s.stage == SessionStage::SignedIn
    {
        return see_other("/admin/");
    }
    sign_in_page(&node, &headers, StatusCode::OK, "", None)
}

/// The sign-in form. Before any session exists its CSRF token is tied to a pre-session id
/// in a cookie of its own (kept when the browser has one, else new), so a form another
/// site posts — to sign a victim into the attacker's account — is refused.
fn sign_in_page(
    node: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    login: &str,
    error: Option<String>,
) -> Response {
    let id = sign_in_id(headers)
        .filter(|id| !csrf_token(id).is_empty())
        .map(str::to_string)
        .unwrap_or_else(pre_session_id);
    let mut resp = render(
        status,
        "sign_in.html",
        &Frame {
            csrf: csrf_token(&id),
            ..frame(node)
        },
        serde_json::json!({
            "login": login,
            "error": error,
            "local_passwords": node.sign_in.local_passwords,
            "oidc_label": node.sign_in.oidc.as_ref().map(|_| &node.sign_in.oidc_label),
        }),
    );
    if let Some(cookie) = set_sign_in(&id, node.secure_cookies) {
        crate::common::session::append_cookie(resp.headers_mut(), cookie);
    }
    resp
}

/// `POST /admin/sign-in`: checks the password; a new session, then the next step.
pub(super) async fn submit(
    State(node): State<AppState>,
    parts: Parts,
    Form(f): Form<SignInForm>,
) -> Response {
    if !same_origin(&parts.headers, &node.node) {
        return refused(
            StatusCode::FORBIDDEN,
            &frame(&node),
            "登录表单须从本站提交",
            "/admin/sign-in",
        );
    }
    if !node.sign_in.local_passwords {
        return sign_in_page(
            &node,
            &parts.headers,
            StatusCode::FORBIDDEN,
            "",
            Some(format!(
                "本节点已关闭本地密码登录，请使用{}登录",
                node.sign_in.oidc_label
            )),
        );
    }
    if !sign_in_id(&parts.headers).is_some_and(|id| csrf_check(id, &f.csrf)) {
        return sign_in_page(
            &node,
            &parts.headers,
            StatusCode::FORBIDDEN,
            f.login.trim(),
            Some("登录页面已过期或不是从本站打开的，请重新输入登录名和密码".into()),
        );
    }
    let address = address_of(&parts, &node.node);
    let now = now_ms();
    let auth = match node
        .users
        .authenticate(&f.login, &f.password, &address, now)
        .await
    {
        Ok(a) => a,
        Err(e) => {
            let status = status_of(&e);
            if status == StatusCode::INTERNAL_SERVER_ERROR {
                tracing::error!(error = %e, "sign-in failed");
            }
            return sign_in_page(
                &node,
                &parts.headers,
                status,
                f.login.trim(),
                Some(e.chinese()),
            );
        }
    };
    // Whatever session the browser held before ends: the new one has a new id.
    if let Some(old) = session_id(&parts.headers) {
        let _ = node.sessions.revoke(old).await;
    }
    let client = client_info(&parts.headers, &address);
    let (secret, _) = match node.sessions.create(&auth, &client, now).await {
        Ok(s) => s,
        Err(e) => {
            return sign_in_page(
                &node,
                &parts.headers,
                status_of(&e),
                f.login.trim(),
                Some(e.chinese()),
            );
        }
    };
    let next = match auth.next {
        NextStep::SignedIn if auth.must_change_password => "/admin/password",
        NextStep::SignedIn => "/admin/",
        NextStep::EnterCode => "/admin/sign-in/code",
        NextStep::Enrol => "/admin/sign-in/enrol",
    };
    tracing::info!(login = %auth.user.login, "staff signed in with a password");
    see_other_with(next, set_session(secret.expose(), node.secure_cookies))
}

/// `GET /admin/sign-in/code`.
pub(super) async fn code_form(State(node): State<AppState>, pending: Pending) -> Response {
    if !pending.user.second_factor_enrolled {
        return see_other("/admin/sign-in/enrol");
    }
    code_page(&node, &pending, StatusCode::OK, None)
}

fn code_page(node: &AppState, p: &Pending, status: StatusCode, error: Option<String>) -> Response {
    render(
        status,
        "code.html",
        &p.frame(&node.node),
        serde_json::json!({ "login": p.user.login, "error": error }),
    )
}

/// `POST /admin/sign-in/code`: the second factor; signed in under a new session id.
pub(super) async fn code_submit(
    State(node): State<AppState>,
    pending: Pending,
    Form(f): Form<CodeForm>,
) -> Response {
    if let Some(r) = csrf_refusal(&pending.secret, &f.csrf, &pending.frame(&node.node)) {
        return r;
    }
    let now = now_ms();
    let passed = match node
        .users
        .verify_second_factor(pending.user.id, f.code.trim(), &pending.address, now)
        .await
    {
        Ok(p) => p,
        Err(e) => return code_page(&node, &pending, status_of(&e), Some(e.chinese())),
    };
    finish(&node, &pending, passed, now)
        .await
        .map_or_else(|r| r, |cookie| see_other_with("/admin/", cookie))
}

/// Completes the sign-in under a new id: the cookie to set.
async fn finish(
    node: &AppState,
    pending: &Pending,
    passed: govnode_accounts::SecondFactorPassed,
    now: i64,
) -> Result<axum::http::HeaderValue, Response> {
    match node
        .sessions
        .complete_second_factor(&pending.secret, passed, now)
        .await
    {
        Ok(Some(secret)) => {
            tracing::info!(login = %pending.user.login, "staff signed in with a second factor");
            Ok(set_session(secret.expose(), node.secure_cookies))
        }
        Ok(None) => Err(see_other("/admin/sign-in")),
        Err(e) => Err(refused(
            status_of(&e),
            &pending.frame(&node.node),
            &e.chinese(),
            "/admin/sign-in",
        )),
    }
}

/// `GET /admin/sign-in/enrol`: a new authenticator secret as a QR code and as text.
pub(super) async fn enrol_form(State(node): State<AppState>, pending: Pending) -> Response {
    enrol_page(&node, &pending, StatusCode::OK, None).await
}

async fn enrol_page(
    node: &AppState,
    p: &Pending,
    status: StatusCode,
    error: Option<String>,
) -> Response {
    if p.user.second_factor_enrolled {
        return see_other("/admin/sign-in/code");
    }
    let enrolment = match node.users.totp_begin(p.user.id, now_ms()).await {
        Ok(e) => e,
        Err(e) => {
            return refused(
                status_of(&e),
                &p.frame(&node.node),
                &e.chinese(),
                "/admin/sign-in",
            );
        }
    };
    render(
        status,
        "enrol.html",
        &p.frame(&node.node),
        serde_json::json!({ "qr_svg": enrolment.qr_svg(), "secret": enrolment.secret.expose(), "error": error }),
    )
}

/// `POST /admin/sign-in/enrol`: the first code confirms the authenticator; signed in
/// under a new id, and the recovery codes are shown, this once.
pub(super) async fn enrol_submit(
    State(node): State<AppState>,
    pending: Pending,
    Form(f): Form<CodeForm>,
) -> Response {
    if let Some(r) = csrf_refusal(&pending.secret, &f.csrf, &pending.frame(&node.node)) {
        return r;
    }
    let now = now_ms();
    let (codes, passed) = match node
        .users
        .totp_confirm(pending.user.id, f.code.trim(), now)
        .await
    {
        Ok(c) => c,
        // A wrong code: a new secret to scan (the one shown before is not kept on the page).
        Err(e) => return enrol_page(&node, &pending, status_of(&e), Some(e.chinese())).await,
    };
    let cookie = match finish(&node, &pending, passed, now).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    // A sign-in by the identity provider used no password: none to change now.
    let next = if !pending.session.single_sign_on
        && pending
            .user
            .password_must_change(&node.users.policy().password, now)
    {
        "/admin/password"
    } else {
        "/admin/"
    };
    let mut resp = render(
        StatusCode::OK,
        "recovery.html",
        &Frame {
            node_name: node.node.name.clone(),
            ..Frame::default()
        },
        serde_json::json!({ "codes": codes.expose(), "next": next }),
    );
    crate::common::session::append_cookie(resp.headers_mut(), cookie);
    resp
}

/// `POST /admin/sign-out`: ends the session and removes the cookie.
pub(super) async fn sign_out(
    State(node): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> Response {
    let Some(secret) = session_id(&headers) else {
        return see_other("/admin/sign-in");
    };
    if let Some(r) = csrf_refusal(secret, &f.csrf, &frame(&node)) {
        return r;
    }
    if let Err(e) = node.sessions.revoke(secret).await {
        return refused(status_of(&e), &frame(&node), &e.chinese(), "/admin/");
    }
    see_other_with("/admin/sign-in", clear_session(node.secure_cookies))
}
