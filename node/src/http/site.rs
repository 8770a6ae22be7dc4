//! Public site routing: a site is reached by its host name (`Host: www.gd.gov.cn` → `/…`)
//! or on any host by path (`/sites/gd/…`). Both resolve to one dispatcher, so a page has
//! exactly one implementation whichever way it is reached.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use govnode_content::{ContentError, Site};

use super::{fallback, pages, syndication};
use crate::Node;

/// Response header naming the origin node when a page is served from replica.
pub const REPLICA_HEADER: &str = "x-govnode-replica";

/// Everything a page handler needs to know about the request.
pub struct PageRequest {
    /// The node.
    pub node: Arc<Node>,
    /// The site.
    pub site: Site,
    /// URL prefix of the site: "" by host, "/sites/{id}" by path.
    pub base: String,
    /// Scheme and authority for absolute links.
    pub origin: String,
    /// Query parameters.
    pub query: HashMap<String, String>,
    /// Elder-friendly mode (cookie).
    pub elder: bool,
    /// The request path (for the elder toggle's return).
    pub path: String,
}

/// A page-level failure, rendered as an HTML error page.
pub enum PageError {
    /// 404 with a message.
    NotFound(String),
    /// Anything else: logged, 500.
    Internal(String),
}

impl From<ContentError> for PageError {
    fn from(e: ContentError) -> Self {
        match e {
            ContentError::NotFound(m) => PageError::NotFound(m),
            other => PageError::Internal(other.to_string()),
        }
    }
}

impl From<crate::NodeError> for PageError {
    fn from(e: crate::NodeError) -> Self {
        PageError::Internal(e.to_string())
    }
}

fn origin_of(node: &Node, headers: &HeaderMap) -> String {
    if let Some(u) = &node.config.http.public_url {
        return u.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    format!("http://{host}")
}

fn elder_cookie(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|c| c.trim() == "elder=1")
}

async fn serve(
    node: Arc<Node>,
    site: Site,
    base: String,
    rest: &str,
    uri: &Uri,
    headers: &HeaderMap,
    query: HashMap<String, String>,
) -> Response {
    let req = PageRequest {
        origin: origin_of(&node, headers),
        elder: elder_cookie(headers),
        path: uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into()),
        node,
        site,
        base,
        query,
    };
    let result = if req.site.shutdown {
        Ok(fallback::maintenance(&req).await)
    } else {
        dispatch(&req, rest.trim_matches('/')).await
    };
    let mut resp = match result {
        Ok(resp) => resp,
        Err(e) => fallback::error_page(&req, e).await,
    };
    if req.node.content.is_replica(&req.site) {
        // Served from this node's replica of another node's site.
        if let Ok(v) = axum::http::HeaderValue::from_str(&req.site.origin) {
            resp.headers_mut().insert(REPLICA_HEADER, v);
        }
    }
    resp
}

async fn dispatch(req: &PageRequest, rest: &str) -> Result<Response, PageError> {
    let parts: Vec<&str> = if rest.is_empty() {
        Vec::new()
    } else {
        rest.split('/').collect()
    };
    match parts.as_slice() {
        [] => pages::home(req).await,
        ["search"] => super::search_page::search(req).await,
        ["letters"] => super::letters_page::letters(req).await,
        ["sitemap.xml"] => syndication::sitemap(req).await,
        [feed] if feed.starts_with("feed.") => syndication::site_feed(req, &feed[5..]).await,
        ["columns", slug] => pages::column(req, slug).await,
        ["columns", slug, feed] if feed.starts_with("feed.") => {
            syndication::column_feed(req, slug, &feed[5..]).await
        }
        ["articles", id] => match id.parse::<i64>() {
            Ok(id) => pages::article(req, id).await,
            Err(_) => Err(PageError::NotFound(format!("article `{id}`"))),
        },
        _ => Err(PageError::NotFound(format!("page `/{rest}`"))),
    }
}

/// `/sites/{site}`: a site by path, home page.
pub async fn by_path(
    State(node): State<Arc<Node>>,
    Path(site): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    by_path_inner(node, site, String::new(), uri, headers, from_url(q)).await
}

/// Query parameters from a URL: keys starting with NUL are reserved for handlers that
/// render a page after a POST (the letters form), so a link cannot forge them.
pub(super) fn from_url(mut q: HashMap<String, String>) -> HashMap<String, String> {
    q.retain(|k, _| !k.starts_with('\0'));
    q
}

/// `/sites/{site}/{*rest}`: a site by path.
pub async fn by_path_rest(
    State(node): State<Arc<Node>>,
    Path((site, rest)): Path<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    by_path_inner(node, site, rest, uri, headers, from_url(q)).await
}

pub(super) async fn by_path_inner(
    node: Arc<Node>,
    site: String,
    rest: String,
    uri: Uri,
    headers: HeaderMap,
    q: HashMap<String, String>,
) -> Response {
    match node.content.site(&site).await {
        Ok(s) => serve(node, s, format!("/sites/{site}"), &rest, &uri, &headers, q).await,
        Err(ContentError::NotFound(_)) => {
            fallback::plain_error(&node, StatusCode::NOT_FOUND, &format!("没有站点 `{site}`"))
        }
        Err(e) => fallback::plain_error(&node, StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

/// Everything else: a site by its host name, or the node's portal listing its sites.
pub async fn by_host(
    State(node): State<Arc<Node>>,
    uri: Uri,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if uri.path() == "/api" || uri.path().starts_with("/api/") {
        // API clients get the API's error shape, never a site page.
        return super::error::ApiError::not_found(format!("no API route {}", uri.path()))
            .into_response();
    }
    let site = match site_for_host(&node, &headers).await {
        Ok(site) => site,
        Err(e) => {
            return fallback::plain_error(&node, StatusCode::INTERNAL_SERVER_ERROR, &e.to_string());
        }
    };
    match site {
        Some(s) => {
            serve(
                node,
                s,
                String::new(),
                uri.path(),
                &uri,
                &headers,
                from_url(q),
            )
            .await
        }
        None if uri.path() == "/" => fallback::portal(&node).await,
        None => fallback::plain_error(&node, StatusCode::NOT_FOUND, "页面不存在"),
    }
}

/// The site whose host name the request carries (with or without its port).
pub(super) async fn site_for_host(
    node: &Node,
    headers: &HeaderMap,
) -> Result<Option<Site>, ContentError> {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let bare = host.split(':').next().unwrap_or("");
    match node.content.site_by_host(&host).await? {
        Some(s) => Ok(Some(s)),
        None => Ok(node.content.site_by_host(bare).await.ok().flatten()),
    }
}

/// `/elder?on=1&back=/path`: toggles elder-friendly mode, remembered in a cookie.
pub async fn elder_toggle(Query(q): Query<HashMap<String, String>>) -> Response {
    let on = q.get("on").map(String::as_str) == Some("1");
    let back = q.get("back").map(String::as_str).unwrap_or("/");
    // Only same-site paths: never an open redirect.
    let back = if back.starts_with('/') && !back.starts_with("//") && !back.contains('\\') {
        back
    } else {
        "/"
    };
    let cookie = if on {
        "elder=1; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly"
    } else {
        "elder=0; Path=/; Max-Age=0; SameSite=Lax; HttpOnly"
    };
    ([(header::SET_COOKIE, cookie)], Redirect::to(back)).into_response()
}

/// Renders HTML with the given status.
pub fn html(status: StatusCode, body: String) -> Response {
    (status, Html(body)).into_response()
}
