//! Who is asking for a console page: the session cookie resolved to a signed-in member
//! of staff ([`Staff`]) or to a sign-in waiting for its second factor ([`Pending`]); and
//! the checks every console form passes: its CSRF token, and an `Origin` of this host.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use govnode_accounts::{ClientInfo, Session, SessionStage, SignedIn, User, csrf_check, csrf_token};

use super::{Frame, now_ms, refused, see_other};
use crate::common::client::client_address;
use crate::common::session::session_id;
use crate::{AppState, NodeInfo};

/// A signed-in member of staff. A page asking for it sends anyone else to the sign-in
/// page, and someone who must change their password to `/admin/password` first.
pub struct Staff {
    /// The session id (for its CSRF token and rotation; never shown).
    pub secret: String,
    /// The session, user and access.
    pub signed_in: SignedIn,
    /// The client's address.
    pub address: String,
}

impl Staff {
    /// The frame of a page this person sees.
    pub fn frame(&self, node: &NodeInfo) -> Frame {
        Frame {
            node_name: node.name.clone(),
            person: Some(self.signed_in.user.login.clone()),
            csrf: csrf_token(&self.secret),
            notice: None,
            manage_users: self.may_manage_users(),
            nav: super::nav::items(&self.signed_in.access),
        }
    }

    /// Whether this person administers anyone: a platform admin, or a site admin.
    pub fn may_manage_users(&self) -> bool {
        let access = &self.signed_in.access;
        access.is_platform_admin() || !access.administered_sites().is_empty()
    }

    /// The refusal of a form whose CSRF token is not this session's, if it is not.
    pub fn csrf_refusal(&self, node: &NodeInfo, presented: &str) -> Option<Response> {
        csrf_refusal(&self.secret, presented, &self.frame(node))
    }
}

/// A sign-in whose password passed, waiting for its second factor (a code, or enrolment).
pub struct Pending {
    /// The session id.
    pub secret: String,
    /// The session.
    pub session: Session,
    /// Its user.
    pub user: User,
    /// The client's address.
    pub address: String,
}

impl Pending {
    /// The frame of its pages (nobody is signed in yet).
    pub fn frame(&self, node: &NodeInfo) -> Frame {
        Frame {
            node_name: node.name.clone(),
            person: None,
            csrf: csrf_token(&self.secret),
            notice: None,
            manage_users: false,
            nav: Vec::new(),
        }
    }
}

/// The refusal (403, naming the token) of a form whose CSRF token is not session
/// `secret`'s, if it is not.
pub fn csrf_refusal(secret: &str, presented: &str, frame: &Frame) -> Option<Response> {
    if presented.is_empty() {
        return Some(refused(
            StatusCode::FORBIDDEN,
            frame,
            "表单缺少安全校验码（CSRF 令牌），请返回后重新提交",
            "/admin/",
        ));
    }
    if !csrf_check(secret, presented) {
        return Some(refused(
            StatusCode::FORBIDDEN,
            frame,
            "表单的安全校验码（CSRF 令牌）无效或已过期，请返回刷新页面后重新提交",
            "/admin/",
        ));
    }
    None
}

/// Whether a form was posted from this node: when the browser names an `Origin`, it must
/// be the request's `Host` or `http.public_url` (the sign-in form has no session yet to tie
/// a CSRF token to).
pub fn same_origin(headers: &HeaderMap, node: &NodeInfo) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    if node
        .public_url
        .as_deref()
        .is_some_and(|u| u.trim_end_matches('/').eq_ignore_ascii_case(origin))
    {
        return true;
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin
        .split_once("://")
        .map(|(_, rest)| rest)
        .unwrap_or(origin);
    !host.is_empty() && origin_host.eq_ignore_ascii_case(host)
}

/// The client's address and User-Agent, for the session list.
pub fn client_info(parts_headers: &HeaderMap, address: &str) -> ClientInfo {
    ClientInfo {
        address: address.to_string(),
        user_agent: parts_headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .chars()
            .take(256)
            .collect(),
    }
}

/// The client's address of a request.
pub fn address_of(parts: &Parts, node: &Arc<NodeInfo>) -> String {
    let peer = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0);
    client_address(&parts.headers, peer, &node.trusted_proxies)
}

fn internal(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "console: reading the session failed");
    refused(
        StatusCode::INTERNAL_SERVER_ERROR,
        &Frame::default(),
        "系统暂时无法处理，请稍后再试",
        "/admin/",
    )
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Some(secret) = session_id(&parts.headers).map(str::to_string) else {
            return Err(see_other("/admin/sign-in"));
        };
        let signed_in = match state.sessions.resolve(&secret, now_ms()).await {
            Ok(Some(s)) => s,
            Ok(None) => {
                // A sign-in waiting for its second factor goes on with it.
                return Err(match state.sessions.get(&secret, now_ms()).await {
                    Ok(Some(s)) if s.stage == SessionStage::PasswordOnly => {
                        see_other("/admin/sign-in/code")
                    }
                    _ => see_other("/admin/sign-in"),
                });
            }
            Err(e) => return Err(internal(e)),
        };
        let path = parts.uri.path();
        if signed_in.must_change_password && path != "/admin/password" && path != "/admin/sign-out"
        {
            return Err(see_other("/admin/password"));
        }
        Ok(Staff {
            address: address_of(parts, &state.node),
            secret,
            signed_in,
        })
    }
}

impl FromRequestParts<AppState> for Pending {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Some(secret) = session_id(&parts.headers).map(str::to_string) else {
            return Err(see_other("/admin/sign-in"));
        };
        let session = match state.sessions.get(&secret, now_ms()).await {
            Ok(Some(s)) if s.stage == SessionStage::PasswordOnly => s,
            Ok(Some(_)) => return Err(see_other("/admin/")),
            Ok(None) => return Err(see_other("/admin/sign-in")),
            Err(e) => return Err(internal(e)),
        };
        let user = match state.users.get(session.user_id).await {
            Ok(Some(u)) => u,
            Ok(None) => return Err(see_other("/admin/sign-in")),
            Err(e) => return Err(internal(e)),
        };
        Ok(Pending {
            address: address_of(parts, &state.node),
            secret,
            session,
            user,
        })
    }
}

/// The first value of `name` in a submitted form's fields ("" when absent); forms with
/// repeated names (checkboxes) read all their fields instead.
pub fn form_field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}
