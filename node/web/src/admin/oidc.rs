//! Single sign-on (一号登录): `GET /admin/sign-in/oidc` sends the browser to the identity
//! provider, `GET /admin/sign-in/oidc/callback` brings it back. The protocol is
//! `govnode_accounts::Oidc`'s; this is the HTTP around it.
//!
//! - The redirect URI is `http.public_url` + the callback's path when configured, else
//!   built from the request's `Host` (https when the session cookie is `Secure`). A forged
//!   `Host` gains nothing: the provider accepts only its registered redirect URIs, and the
//!   callback uses the URI stored with the sign-in, never the request's.
//! - The sign-in's `state` is also given to the browser in a short-lived cookie scoped to
//!   these two paths: a callback whose browser did not start the sign-in is refused (no
//!   signing a victim into the attacker's account).
//! - A sign-in that passes ends exactly as a password's does: the browser's old session
//!   ends, a new one is created (new id, same cookie flags), and whoever's grants require a
//!   second factor (or who set one up) enters it next, on the same pages.
//! - A refusal is a Chinese page (401 token or browser, 403 account, 502 provider) naming
//!   what was wrong, logged in English, never with a code or token value.

use axum::extract::{Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use govnode_accounts::{NextStep, Oidc, OidcError, OidcFault};
use serde::Deserialize;

use super::staff::{address_of, client_info};
use super::{Frame, now_ms, refused, see_other_with};
use crate::AppState;
use crate::common::session::{append_cookie, session_id, set_session};

/// The cookie binding a sign-in at the provider to the browser that started it.
const STATE_COOKIE: &str = "govnode_oidc";
/// Where the provider sends the browser back.
pub(super) const CALLBACK: &str = "/admin/sign-in/oidc/callback";
/// The paths the state cookie is sent to.
const COOKIE_PATH: &str = "/admin/sign-in/oidc";

/// The callback's parameters.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

fn frame(node: &AppState) -> Frame {
    Frame {
        node_name: node.node.name.clone(),
        ..Frame::default()
    }
}

/// The status a refusal is answered with.
fn status_of(e: &OidcError) -> StatusCode {
    match e.fault() {
        OidcFault::Unauthenticated => StatusCode::UNAUTHORIZED,
        OidcFault::Forbidden => StatusCode::FORBIDDEN,
        OidcFault::Provider => StatusCode::BAD_GATEWAY,
        OidcFault::NotConfigured => StatusCode::NOT_FOUND,
        OidcFault::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The `Set-Cookie` of the state cookie (`None`: removing it).
fn state_cookie(state: Option<&str>, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let value = match state {
        Some(s) => format!(
            "{STATE_COOKIE}={s}; Path={COOKIE_PATH}; HttpOnly; SameSite=Lax; Max-Age=600{secure}"
        ),
        None => format!(
            "{STATE_COOKIE}=; Path={COOKIE_PATH}; HttpOnly; SameSite=Lax; Max-Age=0{secure}"
        ),
    };
    HeaderValue::from_str(&value)
        .unwrap_or_else(|_| HeaderValue::from_static("govnode_oidc=; Max-Age=0"))
}

/// The state cookie's value.
fn state_of(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|h| h.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == STATE_COOKIE)
        .map(|(_, value)| value.trim())
        .filter(|v| !v.is_empty())
}

/// The redirect URI of this request (see the module's documentation); `None` without a
/// usable `Host`.
fn redirect_uri(node: &AppState, headers: &HeaderMap) -> Option<String> {
    if let Some(base) = &node.node.public_url {
        return Some(format!("{}{CALLBACK}", base.trim_end_matches('/')));
    }
    let host = headers.get(header::HOST)?.to_str().ok()?.trim();
    let valid = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b));
    let scheme = if node.secure_cookies { "https" } else { "http" };
    valid.then(|| format!("{scheme}://{host}{CALLBACK}"))
}

/// The refusal page of `e`, logged (and audited when the accounts store did not already).
async fn refusal(node: &AppState, oidc: Option<&Oidc>, e: &OidcError, address: &str) -> Response {
    let status = status_of(e);
    match e.fault() {
        OidcFault::Internal => tracing::error!(error = %e, "single sign-on failed"),
        _ => tracing::warn!(error = %e, client = %address, "single sign-on refused"),
    }
    if let Some(oidc) = oidc
        && matches!(e.fault(), OidcFault::Unauthenticated | OidcFault::Provider)
        && let Err(a) = oidc.audit_refusal(e, address, now_ms()).await
    {
        tracing::error!(error = %a, "single sign-on refusal not audited");
    }
    let mut resp = refused(status, &frame(node), &e.chinese(), "/admin/sign-in");
    append_cookie(resp.headers_mut(), state_cookie(None, node.secure_cookies));
    resp
}

/// `GET /admin/sign-in/oidc`: a new sign-in, and the browser sent to the provider.
pub(super) async fn start(State(node): State<AppState>, parts: Parts) -> Response {
    let address = address_of(&parts, &node.node);
    let Some(oidc) = node.sign_in.oidc.clone() else {
        return refusal(&node, None, &OidcError::NotConfigured, &address).await;
    };
    let Some(redirect) = redirect_uri(&node, &parts.headers) else {
        return refused(
            StatusCode::BAD_REQUEST,
            &frame(&node),
            "请求缺少有效的主机名，无法发起统一身份认证登录",
            "/admin/sign-in",
        );
    };
    match oidc.begin(&redirect, now_ms()).await {
        Ok(started) => see_other_with(
            &started.authorization_url,
            state_cookie(Some(started.state.expose()), node.secure_cookies),
        ),
        Err(e) => refusal(&node, Some(&oidc), &e, &address).await,
    }
}

/// `GET /admin/sign-in/oidc/callback`: the provider's answer; signed in (or the second
/// factor next) under a new session.
pub(super) async fn callback(
    State(node): State<AppState>,
    parts: Parts,
    Query(q): Query<Callback>,
) -> Response {
    let address = address_of(&parts, &node.node);
    let Some(oidc) = node.sign_in.oidc.clone() else {
        return refusal(&node, None, &OidcError::NotConfigured, &address).await;
    };
    let now = now_ms();
    if let Some(error) = &q.error {
        let e = OidcError::ProviderRefused(Oidc::error_code(error));
        return refusal(&node, Some(&oidc), &e, &address).await;
    }
    let (Some(state), Some(code)) = (q.state.as_deref(), q.code.as_deref()) else {
        return refusal(&node, Some(&oidc), &OidcError::MissingParameters, &address).await;
    };
    let auth = match oidc
        .finish(state, code, state_of(&parts.headers), &address, now)
        .await
    {
        Ok(a) => a,
        Err(e) => return refusal(&node, Some(&oidc), &e, &address).await,
    };
    // Whatever session the browser held before ends: the new one has a new id.
    if let Some(old) = session_id(&parts.headers) {
        let _ = node.sessions.revoke(old).await;
    }
    let client = client_info(&parts.headers, &address);
    let secret = match node.sessions.create(&auth, &client, now).await {
        Ok((secret, _)) => secret,
        Err(e) => return refusal(&node, Some(&oidc), &OidcError::Accounts(e), &address).await,
    };
    let next = match auth.next {
        NextStep::SignedIn => "/admin/",
        NextStep::EnterCode => "/admin/sign-in/code",
        NextStep::Enrol => "/admin/sign-in/enrol",
    };
    tracing::info!(login = %auth.user.login, next = ?auth.next, "staff signed in by single sign-on");
    let mut resp = see_other_with(next, set_session(secret.expose(), node.secure_cookies));
    append_cookie(resp.headers_mut(), state_cookie(None, node.secure_cookies));
    resp
}
