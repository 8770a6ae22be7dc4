//! The Content-Security-Policy every answer carries, and the sandbox of replica pages.
//!
//! A node serves its own sites and its descendants' (replicas) on one origin, next to its
//! letters form and its operators' pages. The policy lets a page load only from that
//! origin and run no inline script, no handler attribute and no `javascript:` URL, so
//! markup that got past the template check and the body cleaner still does nothing.
//!
//! A page of a replica site (marked by the dispatcher with [`REPLICA_HEADER`]) is also
//! sandboxed: the browser gives it an opaque origin and no script at all, so even a page
//! this node could not clean cannot reach the node's own pages, cookies or storage. Its
//! forms still post (`allow-forms`: letters, search), its links still open
//! (`allow-popups`, and `allow-popups-to-escape-sandbox` so a page opened in a new tab, say
//! another government site, works normally), and `'self'` in the policy still means this
//! node (browsers read it as the page's URL origin in a sandbox), so the stylesheet loads
//! and the forms may post here.
//!
//! Styles may be inline (`'unsafe-inline'` for `style-src` only): a site's look is its
//! template overrides, which carry their own `<style>`, and the default survey page has one;
//! a style cannot run script where the policy is obeyed, and cannot load anything from
//! another origin (`img-src`, `font-src` and the rest stay at this node).
//!
//! An answer that sets its own policy keeps it (a blob's `sandbox`, an attachment's), and
//! a replica page's gets the sandbox added.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::site::REPLICA_HEADER;

/// The policy of every page and answer of this node.
pub const POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'self'; form-action 'self'";

/// What a replica site's pages are sandboxed to: forms, links and new tabs, no script and
/// no same-origin access.
pub const REPLICA_SANDBOX: &str = "sandbox allow-forms allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation";

/// Internet Explorer 10 and 11 (and browsers in their compatibility mode) obey only this
/// header, and only its sandbox.
const LEGACY_POLICY: HeaderName = HeaderName::from_static("x-content-security-policy");

/// The middleware: adds the policy to every answer that has none, and the sandbox to
/// every replica page.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    apply(resp.headers_mut());
    resp
}

fn apply(h: &mut HeaderMap) {
    let replica = h.contains_key(REPLICA_HEADER);
    let own = h
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let policy = match own {
        None if replica => format!("{POLICY}; {REPLICA_SANDBOX}"),
        None => POLICY.to_string(),
        Some(own) if replica && !own.split(';').any(|d| d.trim().starts_with("sandbox")) => {
            format!("{own}; {REPLICA_SANDBOX}")
        }
        Some(_) => return,
    };
    if let Ok(v) = HeaderValue::from_str(&policy) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    if replica {
        h.insert(LEGACY_POLICY, HeaderValue::from_static(REPLICA_SANDBOX));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::body::Body;
    use axum::response::{Html, IntoResponse};
    use axum::routing::get;
    use tower::ServiceExt as _;

    async fn answer(path: &str) -> HeaderMap {
        let app = Router::new()
            .route("/page", get(|| async { Html("<p>页</p>") }))
            .route(
                "/replica",
                get(|| async {
                    ([(REPLICA_HEADER, "440106")], Html("<p>副本</p>")).into_response()
                }),
            )
            .route(
                "/blob",
                get(|| async {
                    ([(header::CONTENT_SECURITY_POLICY, "sandbox")], "x").into_response()
                }),
            )
            .route(
                "/replica-own",
                get(|| async {
                    (
                        [
                            (HeaderName::from_static(REPLICA_HEADER), "440106"),
                            (header::CONTENT_SECURITY_POLICY, "default-src 'none'"),
                        ],
                        "x",
                    )
                        .into_response()
                }),
            )
            .layer(axum::middleware::from_fn(security_headers));
        let req = Request::builder().uri(path).body(Body::empty()).unwrap();
        app.oneshot(req).await.unwrap().headers().clone()
    }

    fn csp(h: &HeaderMap) -> &str {
        h.get(header::CONTENT_SECURITY_POLICY)
            .unwrap()
            .to_str()
            .unwrap()
    }

    #[tokio::test]
    async fn pages_get_the_policy_and_replicas_the_sandbox() {
        let page = answer("/page").await;
        assert_eq!(csp(&page), POLICY);
        assert!(!csp(&page).contains("sandbox"));
        assert!(page.get(LEGACY_POLICY).is_none());

        let replica = answer("/replica").await;
        let policy = csp(&replica);
        assert!(
            policy.starts_with(POLICY) && policy.ends_with(REPLICA_SANDBOX),
            "{policy}"
        );
        assert!(
            !policy.contains("allow-scripts") && !policy.contains("allow-same-origin"),
            "{policy}"
        );
        assert_eq!(replica.get(LEGACY_POLICY).unwrap(), REPLICA_SANDBOX);

        // An answer's own policy stays; a replica's is sandboxed all the same.
        assert_eq!(csp(&answer("/blob").await), "sandbox");
        assert_eq!(
            csp(&answer("/replica-own").await),
            format!("default-src 'none'; {REPLICA_SANDBOX}")
        );
    }

    #[test]
    fn the_policy_allows_no_inline_script_and_no_other_origin() {
        let script = POLICY
            .split(';')
            .find(|d| d.trim().starts_with("script-src"))
            .unwrap();
        assert_eq!(script.trim(), "script-src 'self'");
        for directive in POLICY.split(';') {
            assert!(
                !directive.contains("http") && !directive.contains('*'),
                "{directive}"
            );
        }
        assert!(POLICY.contains("object-src 'none'") && POLICY.contains("base-uri 'none'"));
    }
}
