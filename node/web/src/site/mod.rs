//! The public side of every site: a site is reached by its host name
//! (`Host: www.gd.gov.cn` → `/…`) or on any host by path (`/sites/gd/…`). Both resolve
//! to ONE dispatcher (site lookup, origin, the elder cookie, maintenance, error pages and
//! the replica header), so a page has exactly one implementation whichever way it is
//! reached; a page module only renders.

mod fallback;
mod letters;
pub(crate) mod pages;
pub(crate) mod qa;
pub(crate) mod sample;
mod search;
mod surveys;
mod syndication;
mod visits;

use std::collections::HashMap;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, FromRequestParts as _, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{any, get};
use govnode_content::{ContentError, Site};

use crate::AppState;
use crate::api::surveys::Respondent;
pub use crate::common::error::PageError;

/// Response header naming the origin node when a page is served from replica.
pub const REPLICA_HEADER: &str = "x-govnode-replica";

/// The largest letter a citizen may post: the form plus five 5 MiB attachments.
const LETTER_LIMIT: usize = 26 << 20;

/// Public page routes: sites by path, the elder toggle, the stylesheet; every other path
/// goes to the site named by the request's host.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/elder", get(elder_toggle))
        .route("/static/site.css", get(stylesheet))
        .route("/static/gov-mark.svg", get(pages::gov_mark))
        .route("/sites/{site}", any(by_path))
        .route("/sites/{site}/", any(by_path))
        .route("/sites/{site}/{*rest}", any(by_path_rest))
        .route(
            "/sites/{site}/letters",
            any(letters_by_path).layer(DefaultBodyLimit::max(LETTER_LIMIT)),
        )
        // The same form on a site's own host name, with the same limit.
        .route(
            "/letters",
            any(by_host).layer(DefaultBodyLimit::max(LETTER_LIMIT)),
        )
        .fallback(by_host)
}

/// Everything a page handler needs to know about the request.
#[derive(Clone)]
pub struct PageRequest {
    /// The node's services.
    pub node: AppState,
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

/// Scheme and authority for absolute links (feeds, sitemaps). Reached by path: the node's
/// configured base. Reached by host: that host, which matched one of the site's configured
/// host names; a port is kept only when the configured name carries it, so a client's
/// `Host` header never puts a name or port of its choosing into a link.
fn origin_of(node: &AppState, site: &Site, headers: &HeaderMap, reached: Reached) -> String {
    if reached == Reached::ByHost
        && let Some(host) = request_host(headers)
    {
        let bare = host.split(':').next().unwrap_or("");
        let configured = site
            .hosts
            .iter()
            .map(|h| h.to_ascii_lowercase())
            .find(|h| *h == host || h == bare);
        if let Some(name) = configured {
            let scheme = match &node.node.public_url {
                Some(u) if u.starts_with("https://") => "https",
                _ => "http",
            };
            return format!("{scheme}://{name}");
        }
    }
    node.node.base_url.clone()
}

/// The request's `Host`, lowercased.
fn request_host(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_ascii_lowercase)
}

fn elder_cookie(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|c| c.trim() == "elder=1")
}

/// Query parameters from a URL: keys starting with NUL are reserved for handlers that
/// render a page after a POST (the letters form), so a link cannot forge them.
fn query_of(parts: &Parts) -> HashMap<String, String> {
    let mut q = Query::<HashMap<String, String>>::try_from_uri(&parts.uri)
        .map(|Query(q)| q)
        .unwrap_or_default();
    q.retain(|k, _| !k.starts_with('\0'));
    q
}

/// How the site was reached, which decides what a method other than GET gets.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reached {
    ByPath,
    ByHost,
}

/// The one dispatcher: builds the page request, answers maintenance, routes by method and
/// path, renders errors in the site's look, and marks replica pages.
async fn serve(node: AppState, site: Site, base: String, rest: &str, request: Request) -> Response {
    serve_with(node, site, base, rest, request, Reached::ByPath).await
}

async fn serve_with(
    node: AppState,
    site: Site,
    base: String,
    rest: &str,
    request: Request,
    reached: Reached,
) -> Response {
    let (mut parts, body) = request.into_parts();
    let req = PageRequest {
        origin: origin_of(&node, &site, &parts.headers, reached),
        elder: elder_cookie(&parts.headers),
        path: parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into()),
        query: query_of(&parts),
        node,
        site,
        base,
    };
    let rest = rest.trim_matches('/');
    let seen = visits::Seen::of(&parts, &req);
    let segments: Vec<&str> = if rest.is_empty() {
        Vec::new()
    } else {
        rest.split('/').collect()
    };
    let submits =
        parts.method == Method::POST && matches!(segments.as_slice(), ["letters"] | ["surveys", _]);
    let reads = parts.method == Method::GET || parts.method == Method::HEAD;
    if !submits && !reads && reached == Reached::ByPath {
        let allow = if matches!(segments.as_slice(), ["letters"] | ["surveys", _]) {
            "GET,HEAD,POST"
        } else {
            "GET,HEAD"
        };
        return (StatusCode::METHOD_NOT_ALLOWED, [(header::ALLOW, allow)]).into_response();
    }
    let mut resp = if req.site.shutdown {
        fallback::maintenance(&req).await
    } else if submits {
        let who = Respondent::from_request_parts(&mut parts, &req.node).await;
        let who = match who {
            Ok(w) => w,
            Err(never) => match never {},
        };
        let form = Request::from_parts(parts, body);
        match segments.as_slice() {
            ["surveys", id] => surveys::submit(&req, id, who, form).await,
            _ => letters::submit(&req, form).await,
        }
    } else {
        match segments.as_slice() {
            ["letters", "sent"] => finish(&req, letters::sent(&req, &parts.headers).await).await,
            ["surveys", id] => {
                let who = match Respondent::from_request_parts(&mut parts, &req.node).await {
                    Ok(w) => w,
                    Err(never) => match never {},
                };
                surveys::show(&req, id, who).await
            }
            _ => finish(&req, dispatch(&req, &segments).await).await,
        }
    };
    mark_replica(&req, &mut resp);
    if !submits {
        visits::record(&req, rest, &seen, &resp);
    }
    resp
}

/// A page's result as a response: errors rendered in the site's look.
async fn finish(req: &PageRequest, result: Result<Response, PageError>) -> Response {
    match result {
        Ok(resp) => resp,
        Err(e) => fallback::error_page(req, e).await,
    }
}

/// Marks a page served from this node's replica of another node's site.
fn mark_replica(req: &PageRequest, resp: &mut Response) {
    if req.node.content.is_replica(&req.site)
        && let Ok(v) = axum::http::HeaderValue::from_str(&req.site.origin)
    {
        resp.headers_mut().insert(REPLICA_HEADER, v);
    }
}

/// The pages a GET reaches.
async fn dispatch(req: &PageRequest, parts: &[&str]) -> Result<Response, PageError> {
    match parts {
        [] => pages::home(req).await,
        ["search"] => search::search(req).await,
        ["letters"] => letters::letters(req).await,
        ["qa"] => qa::qa(req).await,
        ["surveys"] => surveys::list(req).await,
        ["sitemap.xml"] => syndication::sitemap(req).await,
        [feed] if feed.starts_with("feed.") => syndication::site_feed(req, &feed[5..]).await,
        ["columns", slug] => pages::column(req, slug).await,
        ["columns", slug, feed] if feed.starts_with("feed.") => {
            syndication::column_feed(req, slug, &feed[5..]).await
        }
        ["articles", id] => match id.parse::<i64>() {
            Ok(id) => pages::article(req, id).await,
            Err(_) => Err(PageError::NotFound(String::new())),
        },
        _ => Err(PageError::NotFound(String::new())),
    }
}

/// `/sites/{site}`: a site by path, home page.
async fn by_path(State(node): State<AppState>, Path(site): Path<String>, req: Request) -> Response {
    site_by_id(node, site, String::new(), req).await
}

/// `/sites/{site}/{*rest}`: a site by path.
async fn by_path_rest(
    State(node): State<AppState>,
    Path((site, rest)): Path<(String, String)>,
    req: Request,
) -> Response {
    site_by_id(node, site, rest, req).await
}

/// `/sites/{site}/letters`: the letters page and its form (with the larger body limit).
async fn letters_by_path(
    State(node): State<AppState>,
    Path(site): Path<String>,
    req: Request,
) -> Response {
    site_by_id(node, site, "letters".into(), req).await
}

async fn site_by_id(node: AppState, site: String, rest: String, req: Request) -> Response {
    match node.content.site(&site).await {
        Ok(s) => serve(node, s, format!("/sites/{site}"), &rest, req).await,
        Err(ContentError::NotFound(_)) => {
            fallback::plain_error(&node, StatusCode::NOT_FOUND, &format!("没有站点 `{site}`"))
        }
        Err(e) => fallback::plain_error(&node, StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

/// Everything else: a site by its host name, or the node's portal listing its sites.
async fn by_host(State(node): State<AppState>, req: Request<Body>) -> Response {
    let path = req.uri().path().to_string();
    if path == "/api" || path.starts_with("/api/") {
        // API clients get the API's error shape, never a site page.
        return crate::common::error::ApiError::not_found(format!("no API route {path}"))
            .into_response();
    }
    let site = match site_for_host(&node, req.headers()).await {
        Ok(site) => site,
        Err(e) => {
            return fallback::plain_error(&node, StatusCode::INTERNAL_SERVER_ERROR, &e.to_string());
        }
    };
    match site {
        Some(s) => serve_with(node, s, String::new(), &path, req, Reached::ByHost).await,
        None if path == "/" => fallback::portal(&node).await,
        None => fallback::plain_error(&node, StatusCode::NOT_FOUND, "页面不存在"),
    }
}

/// The site whose host name the request carries (with or without its port).
async fn site_for_host(node: &AppState, headers: &HeaderMap) -> Result<Option<Site>, ContentError> {
    let host = request_host(headers).unwrap_or_default();
    let bare = host.split(':').next().unwrap_or("");
    match node.content.site_by_host(&host).await? {
        Some(s) => Ok(Some(s)),
        None => Ok(node.content.site_by_host(bare).await.ok().flatten()),
    }
}

/// `/elder?on=1&back=/path`: toggles elder-friendly mode, remembered in a cookie.
async fn elder_toggle(Query(q): Query<HashMap<String, String>>) -> Response {
    let on = q.get("on").map(String::as_str) == Some("1");
    let back = q
        .get("back")
        .and_then(|b| same_site_path(b))
        .unwrap_or_else(|| "/".into());
    let cookie = if on {
        "elder=1; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly"
    } else {
        "elder=0; Path=/; Max-Age=0; SameSite=Lax; HttpOnly"
    };
    ([(header::SET_COOKIE, cookie)], Redirect::to(&back)).into_response()
}

/// `back` as a path on this site, or None: it starts with one `/` and holds only visible
/// ASCII without `\\` (browsers drop tabs and line breaks from a Location and read `\\` as
/// `/`, so `/<tab>/host` or `/\\host` would leave the site); spaces and other characters
/// are percent-encoded.
fn same_site_path(back: &str) -> Option<String> {
    if !back.starts_with('/') || back.starts_with("//") {
        return None;
    }
    let mut out = String::with_capacity(back.len());
    for c in back.chars() {
        match c {
            '\\' => return None,
            c if c.is_ascii_graphic() => out.push(c),
            ' ' => out.push_str("%20"),
            c if c.is_ascii() => return None,
            c => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
        }
    }
    Some(out)
}

/// `GET /static/site.css`
async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        govnode_content::render::SITE_CSS,
    )
        .into_response()
}

/// Renders HTML with the given status.
pub fn html(status: StatusCode, body: String) -> Response {
    (status, Html(body)).into_response()
}
