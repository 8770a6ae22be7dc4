//! Who responds to a survey: a signed cookie tells respondents apart, and the client's
//! address (the connection's peer, or a proxy's `X-Forwarded-For`) keys the rate limit.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use govnode_interaction::survey::{COOKIE_NAME, client_bucket, find_cookie};

use crate::AppState;

/// How long a respondent cookie lives (seconds): a year.
const COOKIE_MAX_AGE: i64 = 365 * 24 * 3600;

/// The respondent behind a request: the id in a valid cookie, or a new one to be set; and
/// the client's rate-limit bucket.
pub(crate) struct Respondent {
    pub(crate) id: String,
    pub(crate) set_cookie: Option<HeaderValue>,
    pub(crate) bucket: String,
}

/// Whether a peer may be a reverse proxy whose `X-Forwarded-For` is believed: loopback or
/// a private network address (a public peer could write any header it likes).
fn may_be_proxy(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback() || v4.is_private() || v4.is_link_local(),
        IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6.is_unique_local()
                || v6.is_unicast_link_local()
                || v6
                    .to_ipv4_mapped()
                    .is_some_and(|v4| may_be_proxy(IpAddr::V4(v4)))
        }
    }
}

/// The client's address: the connection's peer, or, when the peer is a proxy on this host
/// or the private network, the last `X-Forwarded-For` hop (the one that proxy added); one
/// bucket for everyone when the server does not record peers and no header says.
fn client_address(parts: &Parts) -> String {
    let forwarded = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .rfind(|a| !a.is_empty())
        .map(str::to_string);
    match parts.extensions.get::<ConnectInfo<SocketAddr>>() {
        Some(ConnectInfo(peer)) if !may_be_proxy(peer.ip()) => peer.ip().to_string(),
        Some(ConnectInfo(peer)) => forwarded.unwrap_or_else(|| peer.ip().to_string()),
        None => forwarded.unwrap_or_else(|| "unknown".into()),
    }
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
            bucket: client_bucket(&client_address(parts)),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(peer: Option<&str>, forwarded: Option<&str>) -> Parts {
        let mut b = axum::http::Request::builder();
        if let Some(f) = forwarded {
            b = b.header("x-forwarded-for", f);
        }
        let (mut parts, ()) = b.body(()).unwrap().into_parts();
        if let Some(p) = peer {
            parts
                .extensions
                .insert(ConnectInfo(p.parse::<SocketAddr>().unwrap()));
        }
        parts
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_proxy() {
        let addr = |peer, fwd| client_address(&parts(peer, fwd));
        assert_eq!(
            addr(Some("127.0.0.1:9"), Some("1.1.1.1, 2.2.2.2")),
            "2.2.2.2"
        );
        assert_eq!(addr(Some("10.0.0.5:9"), Some("3.3.3.3")), "3.3.3.3");
        assert_eq!(
            addr(Some("[::ffff:192.168.1.1]:9"), Some("4.4.4.4")),
            "4.4.4.4"
        );
        assert_eq!(addr(Some("8.8.8.8:9"), Some("3.3.3.3")), "8.8.8.8");
        assert_eq!(addr(Some("127.0.0.1:9"), None), "127.0.0.1");
        assert_eq!(addr(None, Some("5.5.5.5")), "5.5.5.5");
        assert_eq!(addr(None, None), "unknown");
    }
}
