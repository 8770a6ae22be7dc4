//! Who the client is, for rate limits: the connection's peer, or, only when that peer is a
//! configured reverse proxy (`http.trusted_proxies`), the address the proxies recorded in
//! `X-Forwarded-For`. Anyone else could write any header they like, so a forged header
//! from an untrusted peer — loopback and private addresses included — is ignored.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;

use crate::NodeInfo;

/// The client's address as rate limits key it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAddress(pub String);

/// The client behind `peer`: the peer itself, unless it is one of `trusted`; then the
/// right-most `X-Forwarded-For` hop that is not itself a trusted proxy (each proxy appends
/// the address it received the request from). "unknown" when the server records no peer.
pub fn client_address(headers: &HeaderMap, peer: Option<SocketAddr>, trusted: &[IpAddr]) -> String {
    let Some(peer) = peer else {
        return "unknown".into();
    };
    let is_trusted = |ip: IpAddr| {
        trusted
            .iter()
            .any(|t| *t == ip || Some(*t) == canonical(ip))
    };
    if !is_trusted(peer.ip()) {
        return peer.ip().to_string();
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .collect();
    for hop in hops.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(ip) if is_trusted(ip) => continue,
            Ok(ip) => return ip.to_string(),
            // A hop that is not an address: the proxies wrote nothing usable past it.
            Err(_) => break,
        }
    }
    peer.ip().to_string()
}

/// An IPv4 address the peer may be written as (`::ffff:a.b.c.d`).
fn canonical(ip: IpAddr) -> Option<IpAddr> {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4),
        IpAddr::V4(_) => None,
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress
where
    Arc<NodeInfo>: FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let node = Arc::<NodeInfo>::from_ref(state);
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0);
        Ok(ClientAddress(client_address(
            &parts.headers,
            peer,
            &node.trusted_proxies,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(peer: Option<&str>, forwarded: Option<&str>, trusted: &[&str]) -> String {
        let mut headers = HeaderMap::new();
        if let Some(f) = forwarded {
            headers.insert("x-forwarded-for", f.parse().unwrap());
        }
        let trusted: Vec<IpAddr> = trusted.iter().map(|t| t.parse().unwrap()).collect();
        client_address(&headers, peer.map(|p| p.parse().unwrap()), &trusted)
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_configured_proxy() {
        // No proxy configured: a forged header from loopback or a private address is
        // ignored (each ballot used to count against a made-up address).
        assert_eq!(addr(Some("127.0.0.1:9"), Some("1.1.1.1"), &[]), "127.0.0.1");
        assert_eq!(addr(Some("10.0.0.5:9"), Some("3.3.3.3"), &[]), "10.0.0.5");
        // Behind the configured proxy: the hop that proxy recorded.
        let proxy = ["10.0.0.5"];
        assert_eq!(addr(Some("10.0.0.5:9"), Some("3.3.3.3"), &proxy), "3.3.3.3");
        // A client's own forged hops to the left of it are ignored.
        assert_eq!(
            addr(Some("10.0.0.5:9"), Some("6.6.6.6, 3.3.3.3"), &proxy),
            "3.3.3.3"
        );
        // Two proxies: the right-most hop that is not one of them.
        let chain = ["10.0.0.5", "10.0.0.6"];
        assert_eq!(
            addr(
                Some("10.0.0.5:9"),
                Some("6.6.6.6, 3.3.3.3, 10.0.0.6"),
                &chain
            ),
            "3.3.3.3"
        );
        assert_eq!(
            addr(Some("[::ffff:10.0.0.5]:9"), Some("4.4.4.4"), &proxy),
            "4.4.4.4"
        );
        // Another peer's header is never believed; a proxy without a header is the client.
        assert_eq!(addr(Some("8.8.8.8:9"), Some("3.3.3.3"), &proxy), "8.8.8.8");
        assert_eq!(addr(Some("10.0.0.5:9"), None, &proxy), "10.0.0.5");
        assert_eq!(addr(Some("10.0.0.5:9"), Some("junk"), &proxy), "10.0.0.5");
        assert_eq!(addr(None, Some("5.5.5.5"), &proxy), "unknown");
    }
}
