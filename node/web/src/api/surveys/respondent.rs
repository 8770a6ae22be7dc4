//! Who responds to a survey: a signed cookie tells respondents apart, and the client's
//! address (the connection's peer, or a proxy's `X-Forwarded-For`) keys the rate limit.

use std::convert::Infallible;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use govnode_interaction::survey::{COOKIE_NAME, client_bucket, find_cookie};

use crate::AppState;
use crate::common::client::client_address;

/// How long a respondent cookie lives (seconds): a year.
const COOKIE_MAX_AGE: i64 = 365 * 24 * 3600;

/// The respondent behind a request: the id in a valid cookie, or a new one to be set; and
/// the client's rate-limit bucket.
pub(crate) struct Respondent {
    pub(crate) id: String,
    pub(crate) set_cookie: Option<HeaderValue>,
    pub(crate) bucket: String,
}

impl FromRequestParts<AppState> for Respondent {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, node: &AppState) -> Result<Self, Infallible> {
        let signer = &node.respondents;
        let cookies = parts
            .headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok());
        let known = find_cookie(cookies).and_then(|v| signer.verify(v));
        let (id, set_cookie) = match known {
            Some(id) => (id, None),
            None => {
                let (id, value) = signer.issue();
                let secure = node
                    .node
                    .public_url
                    .as_deref()
                    .is_some_and(|u| u.starts_with("https://"));
                let cookie = format!(
                    "{COOKIE_NAME}={value}; Path=/; Max-Age={COOKIE_MAX_AGE}; SameSite=Lax; HttpOnly{}",
                    if secure { "; Secure" } else { "" }
                );
                (id, HeaderValue::from_str(&cookie).ok())
            }
        };
        Ok(Respondent {
            id,
            set_cookie,
            bucket: client_bucket(&client_address(
                &parts.headers,
                parts
                    .extensions
                    .get::<ConnectInfo<SocketAddr>>()
                    .map(|c| c.0),
                &node.node.trusted_proxies,
            )),
        })
    }
}

impl Respondent {
    /// Sets the cookie on `resp` when this respondent is new.
    pub(crate) fn attach(&self, mut resp: Response) -> Response {
        if let Some(c) = &self.set_cookie {
            resp.headers_mut().append(header::SET_COOKIE, c.clone());
        }
        resp
    }
}
