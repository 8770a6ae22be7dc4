//! Validators on pages and feeds: a weak `ETag` from the bytes sent, and `304 Not Modified`
//! when the client already holds them. Compression sits outside this layer, so one tag
//! names the page in every encoding (hence weak).

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Largest body this layer reads to tag; rendered pages are capped well below it.
const MAX_TAGGED_BYTES: usize = 16 * 1024 * 1024;

/// Content types that get a tag: the public pages, feeds and sitemaps.
fn is_tagged_type(headers: &HeaderMap) -> bool {
    let Some(ct) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let ct = ct.split(';').next().unwrap_or("").trim();
    matches!(
        ct,
        "text/html"
            | "application/xml"
            | "text/xml"
            | "application/rss+xml"
            | "application/atom+xml"
            | "application/feed+json"
            | "text/css"
    )
}

/// Whether `If-None-Match` names `tag` (or is `*`), compared weakly.
fn matches(if_none_match: &str, tag: &str) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_string();
    let tag = bare(tag);
    if_none_match
        .split(',')
        .any(|t| t.trim() == "*" || bare(t) == tag)
}

/// The middleware: tags successful GET/HEAD answers of the types above, unless they are
/// private (`no-store`) or already tagged, and answers 304 on a match.
pub async fn tag_pages(request: Request, next: Next) -> Response {
    let cacheable_method = matches!(*request.method(), Method::GET | Method::HEAD);
    let if_none_match = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let response = next.run(request).await;
    if !cacheable_method
        || response.status() != StatusCode::OK
        || response.headers().contains_key(header::ETAG)
        || !is_tagged_type(response.headers())
        || response
            .headers()
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("no-store"))
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match to_bytes(body, MAX_TAGGED_BYTES).await {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(error = %e, "a page body could not be read to tag it");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let tag = format!("W/\"{}\"", &blake3::hash(&bytes).to_hex()[..32]);
    let value = HeaderValue::from_str(&tag).expect("hex is a valid header value");
    if if_none_match
        .as_deref()
        .is_some_and(|inm| matches(inm, &tag))
    {
        let mut not_modified = StatusCode::NOT_MODIFIED.into_response();
        for name in [
            header::CACHE_CONTROL,
            header::CONTENT_LOCATION,
            header::DATE,
            header::EXPIRES,
            header::VARY,
            header::LAST_MODIFIED,
        ] {
            if let Some(v) = parts.headers.get(&name) {
                not_modified.headers_mut().insert(name, v.clone());
            }
        }
        not_modified.headers_mut().insert(header::ETAG, value);
        return not_modified;
    }
    parts.headers.insert(header::ETAG, value);
    if !parts.headers.contains_key(header::CACHE_CONTROL) {
        // Revalidate each time: pages change when staff publish, and a tag makes that cheap.
        parts
            .headers
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// What the compression layer compresses: text the node renders or serves (pages, feeds,
/// the API's JSON, styles) of at least 256 bytes; never blobs, which are stored as sent.
pub fn worth_compressing(
    status: StatusCode,
    _version: axum::http::Version,
    headers: &HeaderMap,
    _extensions: &axum::http::Extensions,
) -> bool {
    let Some(ct) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let ct = ct.split(';').next().unwrap_or("").trim();
    let texty = ct.starts_with("text/")
        || matches!(
            ct,
            "application/json"
                | "application/xml"
                | "application/rss+xml"
                | "application/atom+xml"
                | "application/feed+json"
                | "application/javascript"
        );
    let small = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|n| n < 256);
    status != StatusCode::NOT_MODIFIED && texty && !small
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn if_none_match_compares_weakly_and_accepts_lists_and_star() {
        let tag = "W/\"abc\"";
        assert!(matches("W/\"abc\"", tag));
        assert!(matches("\"abc\"", tag));
        assert!(matches("\"x\", W/\"abc\"", tag));
        assert!(matches("*", tag));
        assert!(!matches("\"abd\"", tag));
        assert!(!matches("", tag));
    }
}
