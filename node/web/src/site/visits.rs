//! Page views for visit analytics (统一行为分析), counted by the dispatcher once a page has
//! been answered: GET requests answered with HTML (pages and their error pages; never
//! feeds, the sitemap, form posts or HEAD). Only what the module counts is handed over;
//! it hashes the address with the day's salt and keeps neither address nor agent.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, header};
use axum::response::Response;
use govnode_analytics::PageView;

use super::PageRequest;
use crate::common::client::client_address;

/// The column a page belongs to (a column page, or an article's column), set by the page
/// as a response extension so the dispatcher can count it.
#[derive(Debug, Clone)]
pub(crate) struct PageColumn(pub String);

/// Marks `resp` as a page of column `slug`.
pub(crate) fn in_column(mut resp: Response, slug: &str) -> Response {
    resp.extensions_mut().insert(PageColumn(slug.to_string()));
    resp
}

/// What the request says about the visit, taken before the request is consumed (header
/// values are reference-counted: nothing is copied).
pub(super) struct Seen {
    get: bool,
    host: Option<HeaderValue>,
    referrer: Option<HeaderValue>,
    agent: Option<HeaderValue>,
    client: IpAddr,
}

impl Seen {
    /// The request's side of a page view.
    pub(super) fn of(parts: &Parts, req: &PageRequest) -> Seen {
        let get = parts.method == Method::GET && req.node.visits.enabled();
        let client = if get {
            let peer = parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0);
            client_address(&parts.headers, peer, &req.node.node.trusted_proxies)
                .parse()
                .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
        } else {
            IpAddr::V4(Ipv4Addr::UNSPECIFIED)
        };
        let header = |name| parts.headers.get(name).cloned();
        Seen {
            get,
            host: header(header::HOST),
            referrer: header(header::REFERER),
            agent: header(header::USER_AGENT),
            client,
        }
    }
}

/// A header's text, if it is UTF-8 (a referrer may carry a raw query in Chinese).
fn text(v: &Option<HeaderValue>) -> Option<&str> {
    v.as_ref()
        .and_then(|v| std::str::from_utf8(v.as_bytes()).ok())
}

/// Counts the page `resp` answered for `rest` (the site-relative path, no query).
pub(super) fn record(req: &PageRequest, rest: &str, seen: &Seen, resp: &Response) {
    if !seen.get {
        return;
    }
    let html = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if !html {
        return;
    }
    let me = req.node.node.id.as_str();
    let owner = if req.site.origin.is_empty() {
        me
    } else {
        req.site.origin.as_str()
    };
    let path = format!("/{}", rest.trim_matches('/'));
    req.node.visits.record(&PageView {
        site: &req.site.id,
        owner,
        path: &path,
        column: resp.extensions().get::<PageColumn>().map(|c| c.0.as_str()),
        status: resp.status().as_u16(),
        host: text(&seen.host),
        referrer: text(&seen.referrer),
        user_agent: text(&seen.agent),
        client: seen.client,
        at_ms: chrono::Utc::now().timestamp_millis(),
    });
}
