//! HTTP wiring: routes, body limits, security headers and request metrics.

mod admin;
pub(crate) mod api;
mod desks;
mod dictionary;
mod distribution;
mod drain;
mod error;
mod extract;
mod fallback;
mod federation;
mod interaction;
mod letters_page;
pub(crate) mod openapi;
mod pages;
mod scope;
mod search;
mod search_page;

pub(crate) use scope::{SEARCH_QUERY, SearchQueries};
mod site;
mod surveys;
mod syndication;

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post, put};

use crate::Node;
use crate::metrics::RequestLabels;

/// Builds the node's router.
pub fn router(node: Arc<Node>) -> Router {
    let upload_limit = usize::try_from(node.config.library.max_upload_bytes).unwrap_or(usize::MAX);
    let admin = Router::new()
        .route("/sites", post(admin::create_site).get(admin::list_sites))
        .route("/sites/{site}/shutdown", post(admin::shutdown_site))
        .route("/sites/{site}/resume", post(admin::resume_site))
        .route(
            "/sites/{site}/columns",
            post(admin::create_column).get(admin::list_columns),
        )
        .route(
            "/sites/{site}/articles",
            post(admin::create_article).get(admin::list_articles),
        )
        .route("/sites/{site}/templates", get(admin::list_templates))
        .route(
            "/sites/{site}/templates/{name}",
            put(admin::put_template).delete(admin::delete_template),
        )
        .route("/column-templates/{set}", put(admin::put_template_set))
        .route(
            "/column-templates/{set}/apply",
            post(admin::apply_template_set),
        )
        .route(
            "/articles/{id}",
            get(admin::get_article).put(admin::revise_article),
        )
        .route("/articles/{id}/revisions", get(admin::revisions))
        .route(
            "/articles/{id}/distributions",
            post(distribution::distribute).get(distribution::list),
        )
        .route("/sites/{site}/inbox", get(distribution::inbox))
        .route(
            "/sites/{site}/inbox/{dist}/republish",
            post(distribution::republish),
        )
        .route("/articles/{id}/{action}", post(admin::transition))
        .route("/audit", get(admin::audit))
        .route("/search/synonyms", get(dictionary::list_synonyms))
        .route(
            "/search/synonyms/{colloquial}",
            put(dictionary::put_synonym).delete(dictionary::delete_synonym),
        )
        .route("/search/topics", get(dictionary::list_topics))
        .route(
            "/search/topics/{id}",
            put(dictionary::put_topic).delete(dictionary::delete_topic),
        )
        .route("/interaction/inbox", get(interaction::inbox))
        .route(
            "/interaction/tickets/{code}/knowledge",
            post(interaction::knowledge),
        )
        .route(
            "/interaction/tickets/{code}/attachments/{hash}",
            get(interaction::attachment),
        )
        .route("/interaction/tickets/{code}", get(interaction::ticket))
        .route(
            "/interaction/tickets/{code}/actions",
            post(interaction::act),
        )
        .route("/interaction/bodies/{slug}", put(interaction::put_body))
        .route("/interaction/desks", get(desks::list))
        .route(
            "/interaction/desks/{site}",
            put(desks::put).delete(desks::remove),
        )
        .route("/interaction/escalations", get(interaction::escalations))
        .route(
            "/interaction/settings",
            get(interaction::get_settings).put(interaction::put_settings),
        )
        .route("/search/history", get(dictionary::history))
        .route("/search/queries", get(dictionary::queries))
        // Uploads get the library's limit; everything else the JSON limit below.
        .route(
            "/blobs",
            post(admin::upload_blob).layer(DefaultBodyLimit::max(upload_limit)),
        );
    Router::new()
        .nest("/api/admin", admin)
        .merge(surveys::routes())
        .route("/api/search", get(search::search))
        .route("/api/search/shards", get(scope::shards))
        .route(
            "/sites/{site}/letters",
            get(letters_page::show)
                .post(letters_page::submit)
                .layer(DefaultBodyLimit::max(26 << 20)),
        )
        .route("/api/interaction/tickets", post(interaction::file))
        .route(
            "/api/interaction/attachments",
            post(interaction::upload).layer(DefaultBodyLimit::max(6 << 20)),
        )
        .route("/api/interaction/tickets/{code}", get(interaction::status))
        .route(
            "/api/interaction/tickets/{code}/rating",
            post(interaction::rate),
        )
        .route(
            "/api/interaction/tickets/{code}/info",
            post(interaction::info),
        )
        .route("/api/interaction/bodies", get(interaction::bodies))
        .route("/api/interaction/replies", get(interaction::replies))
        .route("/api/interaction/stats", get(interaction::stats))
        .route("/api/qa", get(interaction::qa))
        .route("/api/federation/status", get(federation::status))
        .route("/api/federation/digests", get(federation::digests))
        .route("/api/federation/topology", get(federation::topology))
        .route("/federation", get(federation::page))
        .route("/api/openapi.json", get(api::openapi))
        .route("/healthz", get(api::healthz))
        .route("/metrics", get(api::metrics))
        .route("/static/site.css", get(api::stylesheet))
        .route("/blobs/{hash}", get(api::blob))
        .route("/elder", get(site::elder_toggle))
        .route("/sites/{site}", get(site::by_path))
        .route("/sites/{site}/", get(site::by_path))
        .route("/sites/{site}/{*rest}", get(site::by_path_rest))
        .fallback(site::by_host)
        .layer(DefaultBodyLimit::max(node.config.http.max_request_bytes))
        .layer(middleware::from_fn_with_state(node.clone(), observe))
        .layer(middleware::from_fn(drain::unread_bodies))
        .with_state(node)
}

/// Counts and times every request by its route pattern, and sets security headers.
async fn observe(State(node): State<Arc<Node>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "site".into());
    let mut resp = next.run(req).await;
    let status = resp.status().as_u16();
    node.metrics
        .requests
        .get_or_create(&RequestLabels {
            method,
            route,
            status,
        })
        .inc();
    node.metrics
        .request_seconds
        .observe(started.elapsed().as_secs_f64());
    let h = resp.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    h.insert(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("SAMEORIGIN"),
    );
    resp
}
